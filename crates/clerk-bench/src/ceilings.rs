//! The ceilings each scenario is compared with, measured on the same machine in the same run.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clerk_server::store::{Sql, Store};

/// bcrypt hashes per second at `cost`, one thread per core, for `seconds`.
pub fn bcrypt_per_second(cost: u32, seconds: f64) -> (f64, usize) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let stop = stop.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    bcrypt::hash(crate::gen::PASSWORD, cost).expect("cost in range");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("bcrypt thread");
    }
    let elapsed = started.elapsed().as_secs_f64();
    (done.load(Ordering::Relaxed) as f64 / elapsed, threads)
}

/// Point lookups per second (`SELECT * FROM users WHERE id = $1`, ids from `ids`) through
/// the server's own store (its drivers and pools: 8 SQLite connections, 16 PostgreSQL ones)
/// with `concurrency` tasks. SQLite's queries run on the tasks' threads, without the one
/// hand-off to a blocking thread the server makes per request.
pub async fn db_lookups_per_second(
    url: &str,
    ids: Vec<String>,
    concurrency: usize,
    seconds: f64,
) -> anyhow::Result<f64> {
    let store = Store::connect(url).await?;
    let ids = Arc::new(ids);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let store = store.clone();
            let ids = ids.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut i = t * 7919;
                while Instant::now() < deadline {
                    let id = &ids[i % ids.len()];
                    i += 1;
                    let mut conn = store.read().await?;
                    let row = Sql::new("SELECT * FROM users WHERE id = ")
                        .bind(id.as_str())
                        .fetch_optional(&mut conn)
                        .await?;
                    anyhow::ensure!(row.is_some(), "sample user {id} is not in the database");
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    store.close().await;
    Ok(done.load(Ordering::Relaxed) as f64 / elapsed)
}
