//! `clerk users …` run as a user would: the built binary against `clerk serve`.

mod common;

use common::{stderr, Server, BCRYPT_DIGEST, BCRYPT_PASSWORD, SECRET_KEY};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn create_get_list_update_delete() {
    let server = Server::start();

    let created = json(&server.ok(&[
        "users",
        "create",
        "--email",
        "ada@example.com",
        "--first-name",
        "Ada",
        "--external-id",
        "ext-ada",
        "--password",
        "correct horse battery staple",
        "--public-metadata",
        r#"{"plan":"free","tags":["a"]}"#,
        "--json",
    ]));
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("user_"), "{created}");
    assert_eq!(created["first_name"], "Ada");
    assert_eq!(created["public_metadata"]["plan"], "free");

    // Metadata from a file, merged into what is there.
    let meta = server.path("meta.json");
    std::fs::write(&meta, r#"{"plan":"pro"}"#).unwrap();
    server.ok(&[
        "users",
        "create",
        "--email",
        "alan@example.com",
        "--first-name",
        "Alan",
        "--last-name",
        "Turing",
    ]);

    // get: text for people, JSON for scripts.
    let text = server.ok(&["users", "get", &id]);
    assert!(
        text.contains("ada@example.com (verified, primary)"),
        "{text}"
    );
    assert!(text.contains("ext-ada"), "{text}");
    let fetched = json(&server.ok(&["users", "get", &id, "--json"]));
    assert_eq!(fetched["id"], id.as_str());

    // list: an aligned table with a header; filters; JSON lines.
    let table = server.ok(&["users", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("EMAIL"),
        "{table}"
    );
    let email_column = lines[0].find("EMAIL").unwrap();
    for line in &lines[1..] {
        assert_eq!(
            &line[email_column - 2..email_column],
            "  ",
            "aligned: {table}"
        );
        assert!(line[email_column..].contains("@example.com"), "{table}");
    }
    // Newest first by default; --order-by flips it.
    assert!(lines[1].contains("alan@"), "{table}");
    let ascending = server.ok(&["users", "list", "--order-by", "+created_at", "--json"]);
    let ascending: Vec<Value> = ascending.lines().map(json).collect();
    assert_eq!(ascending[0]["id"], id.as_str());

    let found = server.ok(&["users", "list", "--query", "turing", "--json"]);
    let found: Vec<Value> = found.lines().map(json).collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["last_name"], "Turing");
    let by_email = server.ok(&["users", "list", "--email", "ada@example.com", "--json"]);
    assert_eq!(by_email.lines().count(), 1);
    assert_eq!(
        server
            .ok(&["users", "count", "--query", "example.com"])
            .trim(),
        "2"
    );

    // update: profile fields and a deep metadata merge from @file.
    let updated = json(&server.ok(&[
        "users",
        "update",
        &id,
        "--last-name",
        "Lovelace",
        "--public-metadata",
        &format!("@{}", meta.display()),
        "--json",
    ]));
    assert_eq!(updated["last_name"], "Lovelace");
    assert_eq!(updated["public_metadata"]["plan"], "pro");
    assert_eq!(
        updated["public_metadata"]["tags"][0], "a",
        "merged, not replaced"
    );

    // ban / unban show up in the table's status column.
    let banned = server.ok(&["users", "ban", &id]);
    assert!(
        banned.lines().nth(1).unwrap().ends_with("banned"),
        "{banned}"
    );
    let banned_list = server.ok(&["users", "list", "--banned", "true", "--json"]);
    assert_eq!(banned_list.lines().count(), 1);
    server.ok(&["users", "unban", &id]);
    let locked = json(&server.ok(&["users", "lock", &id, "--json"]));
    assert_eq!(locked["locked"], true);
    let unlocked = server.ok(&["users", "unlock", &id]);
    assert!(
        unlocked.lines().nth(1).unwrap().ends_with("active"),
        "{unlocked}"
    );

    // verify-password answers with its exit code.
    server.ok(&[
        "users",
        "verify-password",
        &id,
        "correct horse battery staple",
    ]);
    let wrong = server.clerk(&["users", "verify-password", &id, "nope nope nope"]);
    assert!(!wrong.status.success());

    // delete, then the user is gone: Clerk's code on stderr, non-zero exit.
    let deleted = server.ok(&["users", "delete", &id]);
    assert_eq!(deleted.trim(), format!("deleted {id}"));
    let gone = server.clerk(&["users", "get", &id]);
    assert!(!gone.status.success());
    assert!(
        stderr(&gone).contains("404") && stderr(&gone).contains("resource_not_found"),
        "{}",
        stderr(&gone)
    );
    assert_eq!(server.count(), 1);
}

#[test]
fn errors_carry_clerks_code_and_message() {
    let server = Server::start();
    server.ok(&["users", "create", "--email", "dup@example.com"]);
    let duplicate = server.clerk(&["users", "create", "--email", "dup@example.com"]);
    assert_eq!(duplicate.status.code(), Some(1));
    let text = stderr(&duplicate);
    assert!(text.starts_with("error: 422"), "{text}");
    assert!(text.contains("form_identifier_exists"), "{text}");
    assert!(text.contains("email_address"), "{text}");

    let bad_metadata = server.clerk(&["users", "create", "--public-metadata", "{nope"]);
    assert!(!bad_metadata.status.success());
    assert!(stderr(&bad_metadata).contains("--public-metadata"));

    let wrong_key = server
        .command(&["users", "list"])
        .env(
            "CLERK_SECRET_KEY",
            "sk_test_wrong_key_000000000000000000000",
        )
        .output()
        .unwrap();
    assert!(!wrong_key.status.success());
    assert!(stderr(&wrong_key).contains("401"), "{}", stderr(&wrong_key));

    let no_key = server
        .command(&["users", "list"])
        .env_remove("CLERK_SECRET_KEY")
        .output()
        .unwrap();
    assert!(!no_key.status.success());
    assert!(stderr(&no_key).contains("CLERK_SECRET_KEY"));
}

#[test]
fn verbose_shows_requests_without_the_key() {
    let server = Server::start();
    let output = server.clerk(&["users", "count", "--verbose"]);
    assert!(output.status.success());
    let log = stderr(&output);
    assert!(log.contains("/users/count"), "{log}");
    assert!(log.contains("[redacted]"), "{log}");
    assert!(!log.contains(SECRET_KEY), "{log}");
}

#[test]
fn list_all_walks_every_page_and_a_digest_verifies() {
    let server = Server::start();
    let records: Vec<Value> = (0..23)
        .map(|i| {
            serde_json::json!({
                "external_id": format!("e{i}"),
                "email_addresses": [{"email_address": format!("u{i}@example.com")}],
                "password_digest": BCRYPT_DIGEST, "password_hasher": "bcrypt",
            })
        })
        .collect();
    let file = server.path("seed.jsonl");
    common::write_jsonl(&file, &records);
    // --target api: create_user one by one, as against Clerk.
    server.ok(&["import", file.to_str().unwrap(), "--target", "api"]);

    let all = server.ok(&["users", "list", "--all", "--limit", "5", "--json"]);
    let ids: std::collections::HashSet<String> = all
        .lines()
        .map(|l| json(l)["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 23);
    let one_page = server.ok(&["users", "list", "--limit", "5", "--json"]);
    assert_eq!(one_page.lines().count(), 5);

    let user = json(&server.ok(&["users", "list", "--external-id", "e7", "--json"]));
    server.ok(&[
        "users",
        "verify-password",
        user["id"].as_str().unwrap(),
        BCRYPT_PASSWORD,
    ]);
}

#[test]
fn help_reads_well() {
    let server = Server::start();
    let top = server.ok(&["--help"]);
    for command in ["serve", "users", "export", "import"] {
        assert!(top.contains(command), "{top}");
    }
    let users = server.ok(&["users", "--help"]);
    for command in [
        "list", "count", "get", "create", "update", "delete", "ban", "lock",
    ] {
        assert!(users.contains(command), "{users}");
    }
    let list = server.ok(&["users", "list", "--help"]);
    for flag in [
        "--query",
        "--email",
        "--limit",
        "--all",
        "--order-by",
        "--json",
    ] {
        assert!(list.contains(flag), "{list}");
    }
}
