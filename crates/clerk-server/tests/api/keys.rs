//! Keys and secrets: the encryption key is checked against the database at start, the full
//! export opens with an admin key only and never writes an unreadable secret as missing, and
//! every configured key is trimmed and long enough.

use clerk_server::crypto::SecretKey;
use clerk_server::secret_keys::{KeyError, KeyKind};
use clerk_server::{ServerConfig, StartError};
use reqwest::Method;
use serde_json::json;

use crate::credentials::{hotp, RFC_SECRET, RFC_SECRET_B32};
use crate::support::{Resp, TestServer, ADMIN_KEY, KEY, SECOND_KEY};

fn id(user: &serde_json::Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

fn current_totp() -> String {
    hotp(RFC_SECRET, chrono::Utc::now().timestamp() as u64 / 30, 6)
}

fn with_key(config: &ServerConfig, key: Option<SecretKey>) -> ServerConfig {
    ServerConfig {
        encryption_key: key,
        ..config.clone()
    }
}

#[track_caller]
fn assert_mismatch(result: Result<(), StartError>) {
    match result {
        Err(StartError::EncryptionKeyMismatch { .. }) => {}
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(()) => panic!("started with an encryption key the database was not sealed with"),
    }
}

/// A restart with another encryption key, or with none (a random one), is refused; the original
/// key still opens everything afterwards.
async fn another_encryption_key_is_refused_at_start(mut s: TestServer) {
    let user = s.create_user(json!({"totp_secret": RFC_SECRET_B32})).await;
    let original = s.config();
    assert_mismatch(
        s.restart_with(with_key(&original, Some(SecretKey::generate())))
            .await,
    );
    assert_mismatch(s.restart_with(with_key(&original, None)).await);
    let err = s
        .restart_with(with_key(&original, Some(SecretKey::generate())))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not the one this database"),
        "a message an operator understands: {err}"
    );

    s.restart_with(original)
        .await
        .expect("the right key starts");
    let checked = s
        .post(
            &format!("/users/{}/verify_totp", id(&user)),
            json!({"code": current_totp()}),
        )
        .await
        .ok();
    assert_eq!(checked["verified"], true);
}

/// A database without a check value (made before check values existed) gets one on its next
/// start, and from then on refuses other keys.
async fn a_database_without_a_check_value_records_one(mut s: TestServer) {
    s.stop().await;
    s.exec_sql("DELETE FROM instance_keys").await;
    let config = s.config();
    s.restart_with(config.clone()).await.expect("starts");
    let recorded = s
        .sql_text("SELECT check_value FROM instance_keys WHERE name = 'encryption_key'")
        .await
        .expect("a check value is recorded");
    assert!(
        recorded.starts_with("v1:"),
        "sealed, not the key: {recorded}"
    );
    assert_mismatch(
        s.restart_with(with_key(&config, Some(SecretKey::generate())))
            .await,
    );
}

/// Nodes starting at once on one database with different keys: exactly one of them starts, the
/// others are refused, whatever the interleaving of their first writes.
async fn nodes_starting_at_once_agree_on_one_key(mut s: TestServer) {
    s.stop().await;
    s.exec_sql("DELETE FROM instance_keys").await;
    let config = s.config();
    let starts =
        (0..4).map(|_| clerk_server::start(with_key(&config, Some(SecretKey::generate()))));
    let results = futures::future::join_all(starts).await;
    let mut started = Vec::new();
    for result in results {
        match result {
            Ok(server) => started.push(server),
            Err(StartError::EncryptionKeyMismatch { .. }) => {}
            Err(other) => panic!("refused for another reason: {other}"),
        }
    }
    assert_eq!(started.len(), 1, "exactly one key wins");
    for server in started {
        server.shutdown().await;
    }
}

async fn export_with(s: &TestServer, key: &str, query: &str) -> Resp {
    s.send_outside_spec(
        s.req_without_key(Method::GET, &format!("/_ext/export/users{query}"))
            .bearer_auth(key),
    )
    .await
}

/// Secret keys get 403 `admin_key_required` from the export, whatever the query; the admin key
/// opens it and works on every other route too.
async fn the_export_needs_an_admin_key(s: TestServer) {
    s.create_user(json!({"password": "correct horse battery"}))
        .await;
    for key in [KEY, SECOND_KEY] {
        for query in ["", "?limit=1", "?limit=0", "?starting_after=user_missing"] {
            let resp = export_with(&s, key, query).await;
            resp.err(403, "admin_key_required");
            assert!(resp.body["errors"][0]["long_message"]
                .as_str()
                .unwrap()
                .contains("admin key"));
            assert!(resp.body.get("data").is_none(), "{}", resp.body);
        }
    }
    let without_key = s
        .send_outside_spec(s.req_without_key(Method::GET, "/_ext/export/users"))
        .await;
    without_key.err(401, "authentication_invalid");
    export_with(&s, &format!("{ADMIN_KEY}x"), "")
        .await
        .err(401, "clerk_key_invalid");

    let page = export_with(&s, ADMIN_KEY, "").await.ok();
    assert!(page["data"][0]["password_digest"]
        .as_str()
        .unwrap()
        .starts_with("$2"));
    // Accepted wherever a secret key is.
    let users = s
        .send(
            s.req_without_key(Method::GET, "/users")
                .bearer_auth(ADMIN_KEY),
        )
        .await
        .ok();
    assert_eq!(users.as_array().unwrap().len(), 1);
}

/// A TOTP secret sealed under another key (a database from before check values, started with a
/// new key) makes the export fail, instead of writing `"totp_secret": null` into a file that
/// looks complete.
async fn the_export_refuses_a_totp_secret_that_does_not_open(mut s: TestServer) {
    s.create_user(json!({"totp_secret": RFC_SECRET_B32})).await;
    s.get_export("/_ext/export/users").await.ok();
    s.stop().await;
    s.exec_sql("DELETE FROM instance_keys").await;
    let config = s.config();
    s.restart_with(with_key(&config, Some(SecretKey::generate())))
        .await
        .expect("nothing tells this database's key apart without a check value");
    s.get_export("/_ext/export/users")
        .await
        .err(500, "internal_clerk_error");
}

/// An OAuth token that does not open (here: a value moved into another field) fails the export
/// too, instead of vanishing from it.
async fn the_export_refuses_an_oauth_token_that_does_not_open(s: TestServer) {
    let record = json!({
        "email_addresses": [{"email_address": "tokens@example.com"}],
        "external_accounts": [{
            "provider": "oauth_google", "provider_user_id": "g-7",
            "oauth_token": {"access_token": "at-1", "refresh_token": "rt-1"}
        }]
    });
    let result = s
        .post_ext("/_ext/import/users", json!({ "users": [record] }))
        .await
        .ok();
    assert_eq!(result["created"], 1, "{result}");
    let page = s.get_export("/_ext/export/users").await.ok();
    assert_eq!(
        page["data"][0]["external_accounts"][0]["oauth_token"]["refresh_token"],
        "rt-1"
    );
    s.exec_sql("UPDATE external_accounts SET refresh_token = access_token")
        .await;
    s.get_export("/_ext/export/users")
        .await
        .err(500, "internal_clerk_error");
}

/// Short keys are refused at start (without the key in the message), an admin key may not also
/// be a secret key, and keys configured with surrounding whitespace work trimmed.
async fn configured_keys_are_trimmed_and_at_least_32_characters(mut s: TestServer) {
    let base = s.config();
    let short = "sk_test_only_31_characters_long";
    assert_eq!(short.len(), 31);
    let cases = [
        (
            vec![KEY.to_owned(), short.to_owned()],
            vec![],
            KeyKind::Secret,
        ),
        (
            vec![KEY.to_owned()],
            vec![format!("  {short} ")],
            KeyKind::Admin,
        ),
    ];
    for (secret_keys, admin_keys, kind) in cases {
        let err = s
            .restart_with(ServerConfig {
                secret_keys,
                admin_keys,
                ..base.clone()
            })
            .await
            .unwrap_err();
        match &err {
            StartError::Key(KeyError::TooShort { kind: k, chars, .. }) => {
                assert_eq!((*k, *chars), (kind, 31));
            }
            other => panic!("refused for another reason: {other}"),
        }
        assert!(!err.to_string().contains(short), "{err}");
    }
    let err = s
        .restart_with(ServerConfig {
            admin_keys: vec![KEY.to_owned()],
            ..base.clone()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StartError::Key(KeyError::AdminKeyIsSecretKey { .. })),
        "{err}"
    );

    s.restart_with(ServerConfig {
        secret_keys: vec![format!("  {KEY}\n"), format!("{SECOND_KEY}\r\n")],
        admin_keys: vec![format!("\t{ADMIN_KEY} ")],
        ..base
    })
    .await
    .expect("padded keys start");
    assert_eq!(s.count("").await, 0);
    s.get_export("/_ext/export/users").await.ok();
}

crate::on_both_stores!(
    another_encryption_key_is_refused_at_start,
    a_database_without_a_check_value_records_one,
    nodes_starting_at_once_agree_on_one_key,
    the_export_needs_an_admin_key,
    the_export_refuses_a_totp_secret_that_does_not_open,
    the_export_refuses_an_oauth_token_that_does_not_open,
    configured_keys_are_trimmed_and_at_least_32_characters,
);
