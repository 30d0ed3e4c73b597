//! `GET /users/count` without filters reads a total the database keeps in the same transaction
//! as every insert and delete of a user. It must stay exact whatever happens at once.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{fire_at, Backend, TestServer};

/// The unfiltered count, and the count of a filter every user matches (which counts the
/// users table itself); asserts that the stored total agrees with the first.
async fn both_counts(s: &TestServer) -> (i64, i64) {
    let kept = s.count("").await;
    let stored = s
        .sql_text("SELECT CAST(SUM(total) AS TEXT) FROM user_count")
        .await
        .expect("a stored total");
    assert_eq!(stored, kept.to_string());
    (kept, s.count("created_at_after=0").await)
}

/// 20 creates at once (a quarter of them with an email another user has, which roll back), then
/// the created users and one unknown id deleted at once, over the given nodes: the kept total
/// follows the table exactly.
async fn assert_count_exact(s: &TestServer, bases: &[String]) {
    s.create_user(json!({"email_address": ["taken@count.test"]}))
        .await;
    let before = both_counts(s).await;
    assert_eq!(before.0, before.1);

    let tag: u64 = rand::random();
    let creates = (0..20)
        .map(|i| {
            let email = if i % 4 == 0 {
                "taken@count.test".to_owned()
            } else {
                format!("c{i}-{tag:x}@count.test")
            };
            let body = json!({"email_address": [email]});
            (Method::POST, "/users".to_owned(), Some(body))
        })
        .collect();
    let created: Vec<(u16, Value)> = fire_at(bases, creates).await;
    let ids: Vec<String> = created
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, user)| user["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 15, "{created:?}");
    let after_creates = both_counts(s).await;
    assert_eq!(after_creates, (before.0 + 15, before.0 + 15));

    let mut deletes: Vec<_> = ids
        .iter()
        .take(9)
        .map(|id| (Method::DELETE, format!("/users/{id}"), None))
        .collect();
    // The same user twice: one delete wins, the other finds nothing.
    deletes.push((Method::DELETE, format!("/users/{}", ids[0]), None));
    deletes.push((Method::DELETE, "/users/user_nobody".to_owned(), None));
    let deleted = fire_at(bases, deletes).await;
    assert_eq!(
        deleted.iter().filter(|(status, _)| *status == 200).count(),
        9,
        "{deleted:?}"
    );
    assert_eq!(both_counts(s).await, (before.0 + 6, before.0 + 6));
}

async fn unfiltered_count_is_exact_under_concurrent_writes(s: TestServer) {
    let base = s.base.clone();
    assert_count_exact(&s, &[base]).await;
}

/// A bulk import counts its users too.
async fn imported_users_are_counted(s: TestServer) {
    let before = s.count("").await;
    let records: Vec<Value> = (0..3)
        .map(|i| json!({"email_addresses": [{"email_address": format!("imp{i}@count.test")}]}))
        .collect();
    let result = s
        .post_ext("/_ext/import/users", json!({ "users": records }))
        .await
        .ok();
    assert_eq!(result["results"][2]["status"], "created", "{result}");
    assert_eq!(s.count("").await, before + 3);
    assert_eq!(s.count("created_at_after=0").await, before + 3);
}

/// A database made before the kept count (migration 0012) gets the right total when a newer
/// server migrates it: the users are counted once, then every change counts.
async fn migrating_an_older_database_counts_its_users(mut s: TestServer) {
    for _ in 0..3 {
        s.create_user(json!({})).await;
    }
    s.stop().await;
    // Back to the schema as it was before migration 0012, users kept.
    let undo = if s.database_url.starts_with("postgres") {
        "DROP TRIGGER users_counted ON users; DROP FUNCTION users_count_change(); \
         DROP TABLE user_count; DELETE FROM _sqlx_migrations WHERE version = 12;"
    } else {
        "DROP TRIGGER users_counted_on_insert; DROP TRIGGER users_counted_on_delete; \
         DROP TABLE user_count; DELETE FROM _sqlx_migrations WHERE version = 12;"
    };
    s.exec_sql(undo).await;
    s.restart().await;
    assert_eq!(both_counts(&s).await, (3, 3));
    s.create_user(json!({})).await;
    assert_eq!(both_counts(&s).await, (4, 4));
}

crate::on_both_stores!(
    unfiltered_count_is_exact_under_concurrent_writes,
    imported_users_are_counted,
    migrating_an_older_database_counts_its_users,
);

/// Two nodes on one PostgreSQL database keep one total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_postgres_keep_one_count() {
    let s = TestServer::start(Backend::Postgres).await;
    let second = s.start_node().await;
    let bases = [s.base.clone(), second.base_url()];
    assert_count_exact(&s, &bases).await;
    second.shutdown().await;
}
