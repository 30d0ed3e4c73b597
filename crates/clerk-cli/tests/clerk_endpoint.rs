//! Behaviour against Clerk itself, which the real server cannot show: no extension routes (the
//! export and import fall back to the plain Users API) and rate limits (429 + Retry-After).
//! A scripted HTTP server (wiremock) plays api.clerk.com; our own server is never mocked.

use std::process::Output;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn user(id: &str, email: &str, created_at: i64) -> Value {
    json!({"id": id, "object": "user", "email_addresses": [
        {"id": format!("idn_{id}"), "object": "email_address", "email_address": email}],
        "primary_email_address_id": format!("idn_{id}"), "public_metadata": {"n": created_at},
        "created_at": created_at, "updated_at": created_at})
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"errors": [{"message": "not found",
        "long_message": "The requested resource was not found", "code": "resource_not_found"}]}))
}

/// Runs the CLI against the scripted server, off the async runtime that serves it.
async fn clerk(server: &MockServer, args: &[&str], dir: &std::path::Path) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_clerk"));
    command
        .args(args)
        .env("CLERK_API_URL", format!("{}/v1", server.uri()))
        .env(
            "CLERK_SECRET_KEY",
            "sk_test_scripted_clerk_0000000000000000",
        )
        .current_dir(dir);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

async fn posts_to(server: &MockServer, route: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == route)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn export_from_clerk_walks_get_users_oldest_first() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    Mock::given(method("GET"))
        .and(path("/v1/_ext/export/users"))
        .respond_with(not_found())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users/count"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "total_count", "total_count": 3})),
        )
        .mount(&server)
        .await;
    // Page 1 (2 users, full) then, after the cursor, page 2 (1 user).
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .and(|r: &Request| {
            r.url
                .query_pairs()
                .any(|(k, v)| k == "starting_after" && v == "user_b")
        })
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([user("user_c", "c@x.io", 3)])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            user("user_a", "a@x.io", 1),
            user("user_b", "b@x.io", 2)
        ])))
        .mount(&server)
        .await;

    let output = clerk(
        &server,
        &["export", "out.jsonl", "--page-size", "2"],
        dir.path(),
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["user_a", "user_b", "user_c"]);
    // Every list request asked for the oldest first, so new users cannot shift the pages.
    let lists: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/v1/users")
        .collect();
    assert_eq!(lists.len(), 2);
    for r in &lists {
        assert!(
            r.url
                .query_pairs()
                .any(|(k, v)| k == "order_by" && v == "+created_at"),
            "{}",
            r.url
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn import_into_clerk_uses_create_user_and_waits_out_429s() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    Mock::given(method("GET"))
        .and(path("/v1/_ext/export/users"))
        .respond_with(not_found())
        .mount(&server)
        .await;
    // The look-up before creating: one of the three is there already.
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .and(|r: &Request| r.url.query_pairs().any(|(k, _)| k == "external_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "user_old", "object": "user", "external_id": "e1"}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    // The first create is rate limited once.
    Mock::given(method("POST")).and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1")
            .set_body_json(json!({"errors": [{"message": "Too many requests", "long_message": "Too many requests", "code": "too_many_requests"}]})))
        .up_to_n_times(1)
        .mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_new", "n@x.io", 5)))
        .mount(&server)
        .await;

    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, [
        json!({"external_id": "e1", "email": "one@x.io"}),
        json!({"external_id": "e2", "email": "two@x.io", "password_digest": "$2b$10$abc", "password_hasher": "bcrypt"}),
        json!({"external_id": "e3", "email": "three@x.io", "created_at": 1_700_000_000_000i64}),
    ].iter().map(|v| v.to_string() + "\n").collect::<String>()).unwrap();

    let output = clerk(&server, &["import", input.to_str().unwrap()], dir.path()).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("(create_user): 2 created, 1 already there, 0 failed"),
        "{stderr}"
    );

    let creates = posts_to(&server, "/v1/users").await;
    assert_eq!(
        creates.len(),
        3,
        "two creates, one of them retried after the 429"
    );
    let bodies: Vec<Value> = creates
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert!(
        bodies.iter().all(|b| b["external_id"] != "e1"),
        "the existing user is skipped"
    );
    let e2 = bodies.iter().find(|b| b["external_id"] == "e2").unwrap();
    assert_eq!(e2["password_hasher"], "bcrypt");
    assert_eq!(e2["email_address"], json!(["two@x.io"]));
    let e3 = bodies.iter().find(|b| b["external_id"] == "e3").unwrap();
    assert_eq!(
        e3["created_at"], "2023-11-14T22:13:20.000Z",
        "create_user takes RFC 3339"
    );
    assert!(posts_to(&server, "/v1/_ext/import/users").await.is_empty());
}
