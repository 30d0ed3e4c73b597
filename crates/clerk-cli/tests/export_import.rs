//! `clerk export` and `clerk import` between real servers: a full round trip of 10 000 users,
//! interrupted imports resumed, malformed input, and the create_user path Clerk itself needs.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use common::{read_jsonl, stderr, write_jsonl, Server, ADMIN_KEY, BCRYPT_DIGEST, BCRYPT_PASSWORD};
use serde_json::{json, Value};

/// A user with something in every field the import takes: identities with ids and
/// verification, metadata, a password digest, TOTP, OAuth tokens, passkeys, timestamps.
fn rich_record(i: usize) -> Value {
    let base = 1_700_000_000_000i64 + i as i64 * 1_000;
    let mut record = json!({
        "id": format!("user_rt{i:06}"),
        "external_id": format!("ext-{i}"),
        "username": format!("user{i}"),
        "first_name": format!("First{i}"),
        "last_name": format!("Last{i}"),
        "locale": "en-GB",
        "public_metadata": {"i": i, "plan": if i.is_multiple_of(2) { "pro" } else { "free" }, "nested": {"a": [1, 2, {"b": null}]}},
        "private_metadata": {"stripe": format!("cus_{i}")},
        "unsafe_metadata": {"theme": "dark"},
        "email_addresses": [
            {"id": format!("idn_ea{i:06}"), "email_address": format!("user{i}@example.com"),
             "verification": {"status": "verified"}},
            {"id": format!("idn_eb{i:06}"), "email_address": format!("alt{i}@example.org"),
             "verification": {"status": "unverified"}}
        ],
        "primary_email_address_id": format!("idn_eb{i:06}"),
        "phone_numbers": [
            {"id": format!("idn_ph{i:06}"), "phone_number": format!("+1555{i:07}")}
        ],
        "external_accounts": [{
            "id": format!("eac_rt{i:06}"), "provider": "oauth_google",
            "provider_user_id": format!("g{i}"), "email_address": format!("user{i}@gmail.com"),
            "first_name": format!("First{i}"), "approved_scopes": "email profile",
            "oauth_token": {"access_token": format!("ya29.{i}"), "refresh_token": format!("1//{i}"),
                            "expires_at": 1_767_225_600_000i64, "scopes": ["email", "profile"],
                            "id_token": null, "token_secret": null}
        }],
        "password_digest": BCRYPT_DIGEST,
        "password_hasher": "bcrypt",
        "created_at": base,
        "updated_at": base + 500,
        "last_sign_in_at": base + 700,
        "last_active_at": base + 900,
        "banned": i.is_multiple_of(97),
        "delete_self_enabled": !i.is_multiple_of(3),
    });
    if i.is_multiple_of(10) {
        record["totp_secret"] = json!("JBSWY3DPEHPK3PXP");
        record["backup_codes"] = json!(["11111111", "22222222"]);
        record["passkeys"] = json!([{"id": format!("idn_pk{i:06}"), "name": "MacBook",
                                     "last_used_at": base + 800, "created_at": base + 100}]);
    }
    record
}

fn by_id(records: Vec<Value>) -> BTreeMap<String, Value> {
    records
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r))
        .collect()
}

/// Reads `N created, M already there, F failed` from the summary line.
fn summary(output: &std::process::Output) -> (u64, u64, u64) {
    let text = stderr(output);
    let line = text
        .lines()
        .find(|l| l.contains(" created, "))
        .unwrap_or_else(|| panic!("no summary in: {text}"));
    let number_before = |word: &str| -> u64 {
        let end = line.find(word).unwrap();
        line[..end]
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        number_before(" created"),
        number_before(" already there"),
        number_before(" failed"),
    )
}

#[test]
fn export_then_import_into_a_fresh_server_keeps_every_field() {
    const USERS: usize = 10_000;
    let source = Server::start();
    let records: Vec<Value> = (0..USERS).map(rich_record).collect();
    source.bulk_import(&records);
    assert_eq!(source.count(), USERS as i64);

    let exported = source.path("users.jsonl");
    let output = source.clerk(&[
        "export",
        exported.to_str().unwrap(),
        "--admin-key",
        ADMIN_KEY,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("exported {USERS} users")));
    let first = by_id(read_jsonl(&exported));
    assert_eq!(first.len(), USERS, "each user once");
    // The export carries what Clerk never returns.
    let sample = &first["user_rt000010"];
    assert_eq!(sample["password_digest"], BCRYPT_DIGEST);
    assert_eq!(sample["totp_secret"], "JBSWY3DPEHPK3PXP");
    assert_eq!(
        sample["external_accounts"][0]["oauth_token"]["access_token"],
        "ya29.10"
    );

    // Into a fresh server: interrupted once (killed), then run again to the end.
    let target = Server::start();
    let file = exported.to_str().unwrap();
    let mut child = target.command(&["import", file]).spawn().unwrap();
    let started = Instant::now();
    while target_count(&target) < 1_000 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // A request the killed run had in flight may still be committing.
    std::thread::sleep(Duration::from_millis(500));
    let after_kill = target_count(&target);
    assert!(
        after_kill > 0 && after_kill < USERS as i64,
        "the first run was stopped part way: {after_kill} users"
    );

    let rerun = target.clerk(&["import", file]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let (created, existing, failed) = summary(&rerun);
    assert_eq!(failed, 0, "{}", stderr(&rerun));
    assert_eq!(created + existing, USERS as u64);
    assert_eq!(
        existing as i64, after_kill,
        "what the killed run stored is recognised, not created again"
    );
    assert_eq!(
        target.count(),
        USERS as i64,
        "no duplicates, nothing missing"
    );

    // Export again: the same records, field for field.
    let again = target.path("again.jsonl");
    target.ok(&[
        "export",
        again.to_str().unwrap(),
        "--no-progress",
        "--admin-key",
        ADMIN_KEY,
    ]);
    let second = by_id(read_jsonl(&again));
    assert_eq!(second.len(), USERS);
    for (id, record) in &first {
        assert_eq!(
            Some(record),
            second.get(id),
            "{id} differs after the round trip"
        );
    }

    // And the imported digest still signs the user in.
    target.ok(&["users", "verify-password", "user_rt000042", BCRYPT_PASSWORD]);
}

/// `GET /users/count` over HTTP, without spawning the CLI (polled while an import runs).
fn target_count(server: &Server) -> i64 {
    let output = server.clerk(&["users", "count"]);
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[test]
fn an_import_stopped_half_way_resumes_without_duplicates() {
    let server = Server::start();
    let records: Vec<Value> = (0..1_200).map(rich_record).collect();
    let half = server.path("half.jsonl");
    let full = server.path("full.jsonl");
    write_jsonl(&half, &records[..600]);
    write_jsonl(&full, &records);

    let first = server.clerk(&["import", half.to_str().unwrap()]);
    assert_eq!(summary(&first), (600, 0, 0), "{}", stderr(&first));
    let second = server.clerk(&["import", full.to_str().unwrap()]);
    assert_eq!(summary(&second), (600, 600, 0), "{}", stderr(&second));
    assert_eq!(server.count(), 1_200);
    let third = server.clerk(&["import", full.to_str().unwrap()]);
    assert_eq!(summary(&third), (0, 1_200, 0), "{}", stderr(&third));
    assert_eq!(server.count(), 1_200);
}

#[test]
fn a_malformed_line_is_reported_by_number_and_the_rest_imports() {
    let server = Server::start();
    let good = |i: usize| {
        json!({"external_id": format!("m{i}"), "email": format!("m{i}@example.com")}).to_string()
    };
    let text = [
        good(1),
        good(2),
        r#"{"external_id": "m3", "email": "#.to_owned(),
        good(4),
        "[1, 2]".to_owned(),
        String::new(),
        good(7),
    ]
    .join("\n");
    let file = server.path("broken.jsonl");
    std::fs::write(&file, text).unwrap();

    let output = server.clerk(&["import", file.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "failures make the exit non-zero"
    );
    let log = stderr(&output);
    assert!(log.contains("line 3: not valid JSON"), "{log}");
    assert!(log.contains("line 5: expected a JSON object"), "{log}");
    assert_eq!(summary(&output), (4, 0, 2));
    assert_eq!(server.count(), 4);

    let failures = read_jsonl(&server.path("broken.jsonl.failed.jsonl"));
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0]["line"], 3);
    assert_eq!(failures[0]["record"], r#"{"external_id": "m3", "email": "#);
    assert_eq!(failures[1]["line"], 5);
    assert_eq!(failures[1]["record"], json!([1, 2]));
}

#[test]
fn clerk_migration_json_through_create_user_resumes_without_duplicates() {
    let server = Server::start();
    // Clerk's migration script's camelCase, as one JSON array.
    let users: Vec<Value> = (0..120)
        .map(|i| {
            json!({
                "userId": format!("legacy-{i}"), "email": format!("legacy{i}@example.com"),
                "firstName": "Legacy", "lastName": format!("User{i}"),
                "password": BCRYPT_DIGEST, "passwordHasher": "bcrypt",
                "publicMetadata": {"migrated": true}
            })
        })
        .collect();
    let first_half = server.path("first.json");
    let all = server.path("all.json");
    std::fs::write(&first_half, Value::Array(users[..60].to_vec()).to_string()).unwrap();
    std::fs::write(&all, Value::Array(users.clone()).to_string()).unwrap();

    // --target api: create_user per record, the path used against Clerk itself.
    let first = server.clerk(&["import", first_half.to_str().unwrap(), "--target", "api"]);
    assert_eq!(summary(&first), (60, 0, 0), "{}", stderr(&first));
    let second = server.clerk(&["import", all.to_str().unwrap(), "--target", "api"]);
    assert_eq!(summary(&second), (60, 60, 0), "{}", stderr(&second));
    assert_eq!(server.count(), 120);

    let listed = server.ok(&["users", "list", "--all", "--limit", "50", "--json"]);
    let external_ids: HashSet<String> = listed
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["external_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(external_ids.len(), 120, "each legacy user exactly once");

    let user: Value = serde_json::from_str(
        server
            .ok(&["users", "list", "--external-id", "legacy-7", "--json"])
            .trim(),
    )
    .unwrap();
    assert_eq!(user["last_name"], "User7");
    assert_eq!(user["public_metadata"]["migrated"], true);
    server.ok(&[
        "users",
        "verify-password",
        user["id"].as_str().unwrap(),
        BCRYPT_PASSWORD,
    ]);
}

#[test]
fn export_through_the_users_api_walks_every_page_once() {
    let server = Server::start();
    let records: Vec<Value> = (0..1_234).map(rich_record).collect();
    server.bulk_import(&records);
    let file = server.path("plain.jsonl");
    let output = server.clerk(&[
        "export",
        file.to_str().unwrap(),
        "--source",
        "users",
        "--page-size",
        "100",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let exported = read_jsonl(&file);
    assert_eq!(exported.len(), 1_234);
    let ids: HashSet<&str> = exported.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1_234, "no user twice");
    // Oldest first, so paging is stable while users are added.
    let created: Vec<i64> = exported
        .iter()
        .map(|u| u["created_at"].as_i64().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]));
    // Clerk's user objects: no secrets.
    assert!(exported[0].get("password_digest").is_none());
}

#[test]
fn a_refused_key_stops_the_import_instead_of_failing_every_record() {
    let server = Server::start();
    let file = server.path("users.jsonl");
    write_jsonl(&file, &(0..10).map(rich_record).collect::<Vec<_>>());
    for target in ["bulk", "api"] {
        let output = server
            .command(&["import", file.to_str().unwrap(), "--target", target])
            .env(
                "CLERK_SECRET_KEY",
                "sk_test_not_the_key_0000000000000000000",
            )
            .output()
            .unwrap();
        let log = stderr(&output);
        assert!(!output.status.success(), "{log}");
        assert!(
            log.contains("import stopped") && log.contains("401"),
            "{log}"
        );
        assert!(
            !server.path("users.jsonl.failed.jsonl").exists(),
            "records are not failures when the server refused the request: {log}"
        );
    }
    assert_eq!(server.count(), 0);
}

#[test]
fn a_plain_password_in_a_migration_file_is_not_dropped_by_the_bulk_path() {
    let server = Server::start();
    let file = server.path("plain.jsonl");
    write_jsonl(
        &file,
        &[
            json!({"userId": "p1", "email": "p1@example.com", "password": "a long passphrase 42"}),
            json!({"userId": "p2", "email": "p2@example.com", "password": BCRYPT_DIGEST, "passwordHasher": "bcrypt"}),
        ],
    );
    let output = server.clerk(&["import", file.to_str().unwrap()]);
    assert_eq!(summary(&output), (2, 0, 0), "{}", stderr(&output));
    for (external_id, password) in [("p1", "a long passphrase 42"), ("p2", BCRYPT_PASSWORD)] {
        let user: Value = serde_json::from_str(
            server
                .ok(&["users", "list", "--external-id", external_id, "--json"])
                .trim(),
        )
        .unwrap();
        server.ok(&[
            "users",
            "verify-password",
            user["id"].as_str().unwrap(),
            password,
        ]);
    }
}
