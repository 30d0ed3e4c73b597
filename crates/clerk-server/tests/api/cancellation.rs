//! A request abandoned while its transaction is being opened (the client hung up, the deadline
//! passed) leaves no connection behind inside a transaction.

use std::time::Duration;

use clerk_server::Store;
use sqlx::Connection;

use crate::support::{Backend, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_begin_leaves_no_connection_in_a_transaction() {
    let s = TestServer::start(Backend::Postgres).await;
    let store = Store::connect(&s.database_url).await.unwrap();
    // Give up on `begin_write` at many points of its way, some while `BEGIN` is on the wire.
    // Each round polls `begin_write` a few times, a millisecond apart, and drops it right
    // after a poll: some drops fall while `BEGIN` is on the wire.
    for round in 0..400 {
        let mut begin = Box::pin(store.begin_write());
        for poll in 0..=round % 4 {
            if poll > 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            if futures::poll!(&mut begin).is_ready() {
                break;
            }
        }
        drop(begin);
    }
    // An abandoned `BEGIN` is rolled back by the task that opened it, which may still be on
    // its way under load; a leaked connection, the bug, stays inside its transaction for good.
    // So wait up to 10 s for the count to reach zero, rather than a fixed 300 ms.
    let mut admin = sqlx::PgConnection::connect(&s.database_url).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let stuck = loop {
        let stuck: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND state = 'idle in transaction'",
        )
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if stuck == 0 || tokio::time::Instant::now() >= deadline {
            break stuck;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(stuck, 0, "connections left inside a transaction");
    // And the store still works.
    let mut tx = store.begin_write().await.unwrap();
    clerk_server::store::Sql::new("SELECT 1")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
}
