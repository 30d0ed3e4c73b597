//! The lockout under attack: concurrent wrong guesses (one node and two), a known password
//! used to reset the second factor's count, over-long passwords, and re-hashing that would
//! truncate. The test server allows 5 failed checks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::credentials::{hotp, RFC_SECRET as SECRET, RFC_SECRET_B32 as SECRET_B32};
use crate::support::{fire_at, now_ms, Backend, TestServer};

const MAX_ATTEMPTS: usize = 5;

fn id(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

/// A TOTP code for now, from the test's own RFC 6238 implementation.
fn current_code() -> String {
    hotp(SECRET, (now_ms() / 1000 / 30) as u64, 6)
}

/// A six-digit code that is not valid now (nor one step either side).
fn wrong_code() -> String {
    let valid: Vec<String> = (-1..=1)
        .map(|d| hotp(SECRET, ((now_ms() / 1000 / 30) + d) as u64, 6))
        .collect();
    (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Statuses and error codes of the answers, counted: `(status, code)` → n.
fn tally(answers: &[(u16, String)]) -> std::collections::BTreeMap<(u16, String), usize> {
    let mut counts = std::collections::BTreeMap::new();
    for a in answers {
        *counts.entry(a.clone()).or_insert(0) += 1;
    }
    counts
}

/// Every answer is a check that ran and failed (422 `failed_code`) or a refusal without a
/// check (403 `user_locked`), and no more checks ran than the limit allows.
fn assert_checks_bounded(answers: &[(u16, String)], failed_code: &str) {
    let counts = tally(answers);
    let count = |status: u16, code: &str| counts.get(&(status, code.into())).copied().unwrap_or(0);
    let (checked, refused) = (count(422, failed_code), count(403, "user_locked"));
    println!("  {counts:?}");
    assert!(checked <= MAX_ATTEMPTS, "{checked} checks ran: {counts:?}");
    assert_eq!(checked + refused, answers.len(), "{counts:?}");
}

/// Sends `bodies` to `path` on the given base URLs (round robin) all at once; the status and
/// error code (`"ok"` on success) of each.
async fn fire(bases: &[String], path: &str, bodies: Vec<Value>) -> Vec<(u16, String)> {
    let requests = bodies
        .into_iter()
        .map(|body| (Method::POST, path.to_owned(), Some(body)))
        .collect();
    fire_at(bases, requests)
        .await
        .into_iter()
        .map(|(status, body)| {
            let code = body["errors"][0]["code"].as_str().unwrap_or("ok");
            (status, code.to_owned())
        })
        .collect()
}

/// At most the limit of wrong guesses is checked however many arrive at once; the rest are
/// refused as locked without hashing; the right password afterwards is refused too.
async fn assert_wrong_passwords_bounded(s: &TestServer, bases: &[String]) {
    let u = s
        .create_user(json!({"password": "correct horse battery"}))
        .await;
    let path = format!("/users/{}/verify_password", id(&u));
    let wrong = (0..20)
        .map(|i| json!({"password": format!("wrong guess {i}")}))
        .collect();
    let answers = fire(bases, &path, wrong).await;
    println!("20 concurrent wrong passwords on {} node(s):", bases.len());
    assert_checks_bounded(&answers, "incorrect_password");

    let right = s
        .send(
            s.req(Method::POST, &path)
                .json(&json!({"password": "correct horse battery"})),
        )
        .await;
    right.err(403, "user_locked");
    let expires_in = right.body["errors"][0]["meta"]["lockout_expires_in_seconds"]
        .as_i64()
        .expect("meta.lockout_expires_in_seconds");
    assert!(expires_in > 3500 && expires_in <= 3600, "{}", right.body);
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["locked"], true);
    assert_eq!(user["verification_attempts_remaining"], 0);
}

async fn concurrent_wrong_passwords_stop_at_the_limit(s: TestServer) {
    let base = s.base.clone();
    assert_wrong_passwords_bounded(&s, &[base]).await;
}

async fn concurrent_wrong_totp_codes_stop_at_the_limit(s: TestServer) {
    let u = s.create_user(json!({"totp_secret": SECRET_B32})).await;
    let path = format!("/users/{}/verify_totp", id(&u));
    let wrong = wrong_code();
    let bodies = (0..20).map(|_| json!({"code": wrong})).collect();
    let answers = fire(std::slice::from_ref(&s.base), &path, bodies).await;
    println!("20 concurrent wrong TOTP codes:");
    assert_checks_bounded(&answers, "totp_incorrect_code");
    s.post(&path, json!({"code": current_code()}))
        .await
        .err(403, "user_locked");
}

/// Two nodes on one PostgreSQL database share the count: 20 guesses split across them still
/// check at most the limit.
async fn two_nodes_share_the_limit(s: TestServer) {
    let second = s.start_node().await;
    let bases = [s.base.clone(), second.base_url()];
    assert_wrong_passwords_bounded(&s, &bases).await;
    second.shutdown().await;
}

/// Knowing the password gives no extra guesses at the second factor: a correct password clears
/// the password's failures only, and the second factor's failures lock the user at the limit.
async fn password_success_keeps_second_factor_failures(s: TestServer) {
    let u = s
        .create_user(json!({"password": "correct horse battery", "totp_secret": SECRET_B32}))
        .await;
    let totp = format!("/users/{}/verify_totp", id(&u));
    let password = format!("/users/{}/verify_password", id(&u));
    for _ in 0..MAX_ATTEMPTS - 1 {
        s.post(&totp, json!({"code": wrong_code()}))
            .await
            .form_err("totp_incorrect_code", "code");
    }
    s.post(&password, json!({"password": "wrong password"}))
        .await
        .form_err("incorrect_password", "password");
    assert_eq!(
        s.post(&password, json!({"password": "correct horse battery"}))
            .await
            .ok(),
        json!({"verified": true})
    );
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    // The smaller allowance of the two factors: one second-factor check left.
    assert_eq!(user["verification_attempts_remaining"], 1);
    assert_eq!(user["locked"], false);
    s.post(&totp, json!({"code": wrong_code()}))
        .await
        .form_err("totp_incorrect_code", "code");
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["locked"], true);
    s.post(&totp, json!({"code": current_code()}))
        .await
        .err(403, "user_locked");

    // Unlocking clears both counts; a second-factor success clears the second factor's.
    s.post(&format!("/users/{}/unlock", id(&u)), json!({}))
        .await
        .ok();
    s.post(&totp, json!({"code": wrong_code()}))
        .await
        .form_err("totp_incorrect_code", "code");
    let ok = s.post(&totp, json!({"code": current_code()})).await.ok();
    assert_eq!(ok["verified"], true);
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["verification_attempts_remaining"], MAX_ATTEMPTS);
}

/// A password over 1024 bytes is refused before any hashing: no attempt is counted, and a
/// user without a password (where a decoy hash would run) gets the same refusal.
async fn overlong_password_is_refused_before_hashing(s: TestServer) {
    // phpass: the cost grows with the password's length.
    let u = s
        .create_user(json!({
            "password_digest": "$P$6V/IcP7yYeZBZLCogFMDxd/v2RkMKw1",
            "password_hasher": "phpass",
        }))
        .await;
    let huge = "x".repeat(1025);
    s.post(
        &format!("/users/{}/verify_password", id(&u)),
        json!({"password": huge}),
    )
    .await
    .form_err("form_password_size_in_bytes_exceeded", "password");
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["verification_attempts_remaining"], MAX_ATTEMPTS);

    let without = s.create_user(json!({})).await;
    s.post(
        &format!("/users/{}/verify_password", id(&without)),
        json!({"password": huge}),
    )
    .await
    .form_err("form_password_size_in_bytes_exceeded", "password");
    // 1024 bytes is still checked.
    s.post(
        &format!("/users/{}/verify_password", id(&u)),
        json!({"password": "x".repeat(1024)}),
    )
    .await
    .form_err("incorrect_password", "password");
}

/// A password bcrypt would truncate (over 72 bytes) keeps its imported digest after a
/// successful check: a re-hash would let any password with the same first 72 bytes in.
async fn rehash_never_truncates(s: TestServer) {
    // python3: hashlib.sha256(("correct horse battery staple, " * 4).encode()).hexdigest()
    let password = "correct horse battery staple, ".repeat(4);
    assert_eq!(password.len(), 120);
    let u = s
        .create_user(json!({
            "password_digest": "71b5d5ed59309435b1266b16965b40b5da16d9b94395a19432891d3650b28c76",
            "password_hasher": "sha256",
        }))
        .await;
    let path = format!("/users/{}/verify_password", id(&u));
    assert_eq!(
        s.post(&path, json!({"password": password})).await.ok(),
        json!({"verified": true})
    );
    let hasher = s
        .sql_text(&format!(
            "SELECT password_hasher FROM users WHERE id = '{}'",
            id(&u)
        ))
        .await;
    assert_eq!(hasher.as_deref(), Some("sha256"));
    let same_prefix = format!("{}{}", &password[..72], "something else entirely");
    s.post(&path, json!({"password": same_prefix}))
        .await
        .form_err("incorrect_password", "password");
    assert_eq!(
        s.post(&path, json!({"password": password})).await.ok(),
        json!({"verified": true})
    );
}

crate::on_both_stores!(
    concurrent_wrong_passwords_stop_at_the_limit,
    concurrent_wrong_totp_codes_stop_at_the_limit,
    password_success_keeps_second_factor_failures,
    overlong_password_is_refused_before_hashing,
    rehash_never_truncates,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_postgres_share_the_limit() {
    two_nodes_share_the_limit(TestServer::start(Backend::Postgres).await).await
}
