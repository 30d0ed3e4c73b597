//! A bounded pool for CPU-heavy work (password hashing, key derivation) that sheds load.
//!
//! Work runs on tokio's blocking threads (`spawn_blocking`), never on the async runtime's
//! worker threads, and a semaphore caps how many jobs run at once. Without the cap, a burst of
//! sign-ins would fill tokio's blocking pool (512 threads by default) with bcrypt/argon2 jobs,
//! each possibly holding 256 MiB, and starve everything else.
//!
//! The line in front of the running jobs is bounded too: a job that finds every running slot
//! and every waiting slot taken is refused at once with [`PoolBusy`] (the API answers 429 with
//! `Retry-After`), instead of queueing behind an ever longer line. A waiting job therefore waits
//! for at most `max_waiting / max_jobs` jobs ahead of it per running slot.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Waiting slots per running slot when none is configured. The bound is per running slot so
/// the longest wait is the same on any machine: 32 hash times, about 2 s at bcrypt cost 10 on a
/// current core. Waiting jobs hold no memory to speak of (a parked request), so the line can
/// be long enough that a burst of a few dozen sign-ins is served, not refused.
pub const DEFAULT_WAITING_PER_JOB: usize = 32;

/// What a refused caller is told to wait before trying again. A running slot frees up well
/// within a second at any sane cost, and `Retry-After` counts whole seconds.
pub const RETRY_AFTER_SECS: u32 = 1;

/// The pool is full: every running and every waiting slot is taken. Nothing ran; the caller
/// may try again after [`PoolBusy::retry_after_secs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the hashing pool is full ({running} running, {waiting} waiting); retry later")]
pub struct PoolBusy {
    pub running: usize,
    pub waiting: usize,
}

impl PoolBusy {
    /// Seconds to wait before retrying, for a `Retry-After` header.
    pub fn retry_after_secs(&self) -> u32 {
        RETRY_AFTER_SECS
    }
}

/// Running jobs for a machine with `cores` cores: one per core, but one core is kept free for
/// the requests that do not hash when there is more than one.
pub fn default_jobs(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// Runs CPU-heavy closures with at most `max_jobs` in flight and at most `max_waiting` more
/// waiting for a slot. Cheap to clone (shared permits).
#[derive(Debug, Clone)]
pub struct HashPool {
    /// One permit per running slot.
    running: Arc<Semaphore>,
    /// One permit per job admitted (running or waiting): `max_jobs + max_waiting`.
    admitted: Arc<Semaphore>,
    max_jobs: usize,
    max_waiting: usize,
}

impl HashPool {
    /// A pool running at most `max_jobs` jobs at once (at least 1), with
    /// [`DEFAULT_WAITING_PER_JOB`] waiting slots per running slot.
    pub fn new(max_jobs: usize) -> Self {
        let max_jobs = max_jobs.max(1);
        Self::with_queue(max_jobs, max_jobs * DEFAULT_WAITING_PER_JOB)
    }

    /// A pool running at most `max_jobs` jobs at once (at least 1) with at most `max_waiting`
    /// more waiting for a slot (0: a job either runs at once or is refused).
    pub fn with_queue(max_jobs: usize, max_waiting: usize) -> Self {
        let max_jobs = max_jobs.max(1);
        HashPool {
            running: Arc::new(Semaphore::new(max_jobs)),
            admitted: Arc::new(Semaphore::new(max_jobs + max_waiting)),
            max_jobs,
            max_waiting,
        }
    }

    /// The pool for this machine: [`default_jobs`] of its cores, or the sizes given.
    pub fn for_machine(max_jobs: Option<usize>, max_waiting: Option<usize>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let jobs = max_jobs.unwrap_or_else(|| default_jobs(cores)).max(1);
        Self::with_queue(jobs, max_waiting.unwrap_or(jobs * DEFAULT_WAITING_PER_JOB))
    }

    /// The bound on running jobs this pool was built with.
    pub fn max_jobs(&self) -> usize {
        self.max_jobs
    }

    /// The bound on waiting jobs this pool was built with.
    pub fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    /// Runs `f` on a blocking thread once a slot is free and returns its result, or refuses at
    /// once with [`PoolBusy`] when the running and waiting slots are all taken (`f` then never
    /// runs).
    ///
    /// Both slots are held by the blocking job itself, so if the caller's future is dropped
    /// (client disconnected) the bounds still hold until the job really ends; a caller dropped
    /// while waiting gives its waiting slot back. A panic in `f` is propagated to the caller.
    pub async fn run<F, T>(&self, f: F) -> Result<T, PoolBusy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| PoolBusy {
                running: self.max_jobs,
                waiting: self.max_waiting,
            })?;
        let running = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .expect("the hash pool's semaphore is never closed");
        let job = tokio::task::spawn_blocking(move || {
            let out = f();
            drop(running);
            drop(admitted);
            out
        });
        match job.await {
            Ok(out) => Ok(out),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("hash pool job was cancelled: {e}"),
        }
    }
}

impl Default for HashPool {
    /// [`HashPool::for_machine`] with the default sizes.
    fn default() -> Self {
        HashPool::for_machine(None, None)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn one_core_is_kept_free_when_there_are_several() {
        assert_eq!(default_jobs(0), 1);
        assert_eq!(default_jobs(1), 1);
        assert_eq!(default_jobs(2), 1);
        assert_eq!(default_jobs(8), 7);
    }

    #[test]
    fn sizes() {
        let pool = HashPool::new(3);
        assert_eq!((pool.max_jobs(), pool.max_waiting()), (3, 96));
        let pool = HashPool::with_queue(0, 0);
        assert_eq!((pool.max_jobs(), pool.max_waiting()), (1, 0));
        let pool = HashPool::for_machine(Some(2), Some(5));
        assert_eq!((pool.max_jobs(), pool.max_waiting()), (2, 5));
    }

    /// A job that runs until the test lets it go, and says when it has started.
    fn gated_job(
        pool: &HashPool,
    ) -> (
        tokio::task::JoinHandle<Result<(), PoolBusy>>,
        mpsc::Receiver<()>,
        mpsc::Sender<()>,
    ) {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let pool = pool.clone();
        let handle = tokio::spawn(async move {
            pool.run(move || {
                started_tx.send(()).unwrap();
                release_rx.recv().unwrap();
            })
            .await
        });
        (handle, started_rx, release_tx)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_refuses_at_once_and_admits_again_when_a_job_ends() {
        let pool = HashPool::with_queue(1, 1);
        let (running, running_started, release_running) = gated_job(&pool);
        running_started.recv().unwrap();
        // The one running slot is taken; this job takes the one waiting slot.
        let (waiting, waiting_started, release_waiting) = gated_job(&pool);
        // Wait (bounded) until the waiting job holds its slot: then a third is refused.
        for _ in 0..5_000 {
            if pool.admitted.available_permits() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert_eq!(
            pool.admitted.available_permits(),
            0,
            "second job never queued"
        );
        let refused = pool.run(|| ()).await.err();
        let busy = refused.expect("a third job is refused while two hold the slots");
        assert_eq!(busy.retry_after_secs(), 1);
        assert_eq!(
            busy,
            PoolBusy {
                running: 1,
                waiting: 1
            }
        );
        assert!(waiting_started.try_recv().is_err(), "ran beside the first");

        release_running.send(()).unwrap();
        running.await.unwrap().unwrap();
        waiting_started.recv().unwrap();
        // One running, none waiting: a new job is admitted (it waits for the slot).
        let pool2 = pool.clone();
        let admitted = tokio::spawn(async move { pool2.run(|| 7).await });
        release_waiting.send(()).unwrap();
        waiting.await.unwrap().unwrap();
        assert_eq!(admitted.await.unwrap(), Ok(7));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_waiting_slots_a_job_runs_at_once_or_is_refused() {
        let pool = HashPool::with_queue(1, 0);
        let (running, started, release) = gated_job(&pool);
        started.recv().unwrap();
        assert!(pool.run(|| ()).await.is_err());
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert_eq!(pool.run(|| 1).await, Ok(1));
    }
}
