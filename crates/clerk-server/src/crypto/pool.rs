//! A bounded pool for CPU-heavy work (password hashing, key derivation).
//!
//! Work runs on tokio's blocking threads (`spawn_blocking`), never on the async runtime's
//! worker threads, and a semaphore caps how many jobs run at once. Without the cap, a burst of
//! sign-ins would fill tokio's blocking pool (512 threads by default) with bcrypt/argon2 jobs,
//! each possibly holding 256 MiB, and starve everything else; with it, excess jobs wait in line.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Runs CPU-heavy closures with at most `max_jobs` in flight. Cheap to clone (shared permits).
#[derive(Debug, Clone)]
pub struct HashPool {
    permits: Arc<Semaphore>,
    max_jobs: usize,
}

impl HashPool {
    /// A pool running at most `max_jobs` jobs at once (at least 1).
    pub fn new(max_jobs: usize) -> Self {
        let max_jobs = max_jobs.max(1);
        HashPool {
            permits: Arc::new(Semaphore::new(max_jobs)),
            max_jobs,
        }
    }

    /// The bound this pool was built with.
    pub fn max_jobs(&self) -> usize {
        self.max_jobs
    }

    /// Runs `f` on a blocking thread once a slot is free and returns its result.
    ///
    /// The slot is held by the blocking job itself, so if the caller's future is dropped (client
    /// disconnected) the bound still holds until the job really ends. A panic in `f` is
    /// propagated to the caller.
    pub async fn run<F, T>(&self, f: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect("the hash pool's semaphore is never closed");
        let job = tokio::task::spawn_blocking(move || {
            let out = f();
            drop(permit);
            out
        });
        match job.await {
            Ok(out) => out,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("hash pool job was cancelled: {e}"),
        }
    }
}

impl Default for HashPool {
    /// One job per available CPU.
    fn default() -> Self {
        HashPool::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}
