//! `GET /healthz` and `GET /readyz`: unauthenticated probes outside `/v1`, JSON, no data.

use serde_json::{json, Value};
use sqlx::Connection;

use crate::support::{Backend, TestServer};

/// Status, exact Content-Type and JSON body of a probe, asked with no key.
async fn probe(s: &TestServer, path: &str) -> (u16, Option<String>, Value) {
    let res = reqwest::get(format!("{}{path}", s.root_url()))
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = serde_json::from_slice(&res.bytes().await.unwrap()).expect("a JSON body");
    (status, ct, body)
}

fn json_ct() -> Option<String> {
    Some("application/json".into())
}

#[track_caller]
fn assert_not_ready((status, ct, body): (u16, Option<String>, Value)) {
    assert_eq!((status, ct), (503, json_ct()), "{body}");
    assert_eq!(body["errors"][0]["code"], "service_unavailable", "{body}");
}

async fn probes_answer_without_a_key(s: TestServer) {
    s.create_user(json!({"first_name": "Secret"})).await;
    assert_eq!(
        probe(&s, "/healthz").await,
        (200, json_ct(), json!({"status": "ok"}))
    );
    assert_eq!(
        probe(&s, "/readyz").await,
        (200, json_ct(), json!({"status": "ready"}))
    );
    // Outside /v1 only: the API keeps its authentication.
    let under_v1 = reqwest::get(format!("{}/healthz", s.base)).await.unwrap();
    assert_eq!(under_v1.status().as_u16(), 401);
}

/// A database missing one of this build's migrations (restored from an older backup, or
/// migrated by an older build) is not ready; the process stays live.
async fn not_ready_while_a_migration_is_missing(s: TestServer) {
    let latest = "(SELECT MAX(version) FROM _sqlx_migrations)";
    s.exec_sql(&format!(
        "UPDATE _sqlx_migrations SET version = -version WHERE version = {latest}"
    ))
    .await;
    assert_not_ready(probe(&s, "/readyz").await);
    assert_eq!(probe(&s, "/healthz").await.0, 200);
    s.exec_sql("UPDATE _sqlx_migrations SET version = -version WHERE version < 0")
        .await;
    assert_eq!(probe(&s, "/readyz").await.0, 200, "ready again");
}

/// PostgreSQL only: a database that hangs (a lock held on what the probe reads) answers 503
/// within the probe's bound instead of hanging the caller; a database dropped from under the
/// server answers 503. (A SQLite file open in the server's process can neither vanish nor be
/// locked against its WAL readers from outside.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_not_ready_when_the_database_hangs_or_is_gone() {
    let s = TestServer::start(Backend::Postgres).await;
    let mut locker = sqlx::PgConnection::connect(&s.database_url).await.unwrap();
    let mut tx = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_not_ready(probe(&s, "/readyz").await);
    assert_eq!(probe(&s, "/healthz").await.0, 200);
    tx.rollback().await.unwrap();
    locker.close().await.unwrap();
    assert_eq!(
        probe(&s, "/readyz").await.0,
        200,
        "ready once the lock is gone"
    );

    let name = s.database_url.rsplit('/').next().unwrap().to_owned();
    let admin_url = s.database_url.replace(&format!("/{name}"), "/postgres");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_not_ready(probe(&s, "/readyz").await);
    assert_eq!(probe(&s, "/healthz").await.0, 200);
}

crate::on_both_stores!(
    probes_answer_without_a_key,
    not_ready_while_a_migration_is_missing
);
