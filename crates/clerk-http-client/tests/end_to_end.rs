//! The client against the real server (`clerk_server::start`, in-process, ephemeral port, a real
//! SQLite file): every operation, the webhook extension routes included.

mod common;

use clerk_http_client::model::{
    CodeType, CreditAdjustmentAction, IdentificationStatus, InvitationStatus,
    UpdateUserMetadataRequest,
};
use clerk_http_client::{Client, Configuration, Error, ProfileImage, RetryPolicy};
use common::CapturedLogs;
use futures::TryStreamExt;
use serde_json::json;

const KEY: &str = "sk_test_end_to_end_000000000000000000000";

/// A server on a fresh SQLite file, and a client for it. Dropping it deletes the database.
struct TestServer {
    server: Option<clerk_server::RunningServer>,
    client: Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    async fn start() -> Self {
        Self::start_with(Vec::new()).await
    }

    /// A server with these OAuth providers enabled.
    async fn start_with(oauth_providers: Vec<clerk_server::settings::OAuthProvider>) -> Self {
        Self::launch(oauth_providers, Default::default()).await
    }

    /// A server that delivers webhooks as `webhooks` says.
    async fn start_with_webhooks(webhooks: clerk_server::webhooks::WebhookConfig) -> Self {
        Self::launch(Vec::new(), webhooks).await
    }

    async fn launch(
        oauth_providers: Vec<clerk_server::settings::OAuthProvider>,
        webhooks: clerk_server::webhooks::WebhookConfig,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The lowest bcrypt cost keeps password tests quick; the cost is not what is tested here.
        let settings = clerk_server::Settings {
            bcrypt_cost: 4,
            oauth_providers,
            ..Default::default()
        };
        let server = clerk_server::start(clerk_server::ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{}", dir.path().join("users.db").display()),
            secret_keys: vec![KEY.into()],
            settings,
            webhooks,
            ..Default::default()
        })
        .await
        .expect("server starts");
        let client = Client::new(
            Configuration::new(KEY)
                .base_url(server.base_url())
                .retry_policy(RetryPolicy::never()),
        )
        .unwrap();
        Self {
            server: Some(server),
            client,
            _dir: dir,
        }
    }

    fn users(&self) -> clerk_http_client::UsersApi {
        self.client.users()
    }

    fn base_url(&self) -> String {
        self.server.as_ref().unwrap().base_url()
    }

    async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// A user with one email address (and a password, so credential operations have one).
    async fn user(&self, email: &str) -> clerk_http_client::model::User {
        self.users()
            .create_user()
            .email_address([email])
            .password("a-long-enough-password-42")
            .skip_password_checks(true)
            .send()
            .await
            .unwrap()
    }
}

// --- create, get, update, delete --------------------------------------------------------------

#[tokio::test]
async fn create_get_update_delete() {
    let server = TestServer::start().await;
    let users = server.users();

    let created = users
        .create_user()
        .email_address(["ada@example.com"])
        .first_name("Ada")
        .external_id("ext-1")
        .public_metadata(json!({"plan": "free"}))
        .send()
        .await
        .unwrap();
    assert!(created.id.starts_with("user_"), "{}", created.id);
    assert_eq!(created.first_name.as_deref(), Some("Ada"));
    assert_eq!(created.external_id.as_deref(), Some("ext-1"));
    assert_eq!(created.email_addresses[0].email_address, "ada@example.com");
    assert_eq!(
        created.primary_email_address_id.as_deref(),
        Some(created.email_addresses[0].id.as_str())
    );
    assert_eq!(created.public_metadata, json!({"plan": "free"}));

    let response = users
        .get_user(&created.id)
        .send_with_http_info()
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(response.data.id, created.id);

    let updated = users
        .update_user(&created.id)
        .last_name("Lovelace")
        .username("ada_lovelace")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(updated.username.as_deref(), Some("ada_lovelace"));
    assert_eq!(updated.first_name.as_deref(), Some("Ada"));

    // `null` removes the username (through the whole request body).
    let request = clerk_http_client::model::UpdateUserRequest {
        username: Some(None),
        ..Default::default()
    };
    let cleared = users
        .update_user(&created.id)
        .request(request)
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.username, None);

    let deleted = users.delete_user(&created.id).send().await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id.as_deref(), Some(created.id.as_str()));

    let err = users.get_user(&created.id).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some("resource_not_found"));
    server.stop().await;
}

#[tokio::test]
async fn server_errors_arrive_as_clerk_errors() {
    let server = TestServer::start().await;
    server.user("taken@example.com").await;

    let err = server
        .users()
        .create_user()
        .email_address(["taken@example.com"])
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.code(), Some("form_identifier_exists"));
    assert_eq!(api.errors.errors[0].param_name(), Some("email_address"));

    let wrong_key = Client::new(
        Configuration::new("sk_test_wrong_key_000000000000000000000").base_url(server.base_url()),
    )
    .unwrap();
    let err = wrong_key.users().get_user_list().send().await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert!(err.code().is_some(), "{err}");
    server.stop().await;
}

// --- list, count, pagination ------------------------------------------------------------------

#[tokio::test]
async fn list_filters_count_and_total() {
    let server = TestServer::start().await;
    for name in ["ann", "bob", "cid"] {
        server.user(&format!("{name}@example.com")).await;
    }
    server.user("dan@other.org").await;
    let users = server.users();

    // Repeated keys reach the server as one array filter.
    let two = users
        .get_user_list()
        .email_address(["ann@example.com", "cid@example.com"])
        .send()
        .await
        .unwrap();
    let mut emails: Vec<_> = two
        .iter()
        .map(|u| u.email_addresses[0].email_address.clone())
        .collect();
    emails.sort();
    assert_eq!(emails, ["ann@example.com", "cid@example.com"]);

    let count = users
        .get_users_count()
        .email_address_query("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 3);

    let page = users
        .get_user_list()
        .query("example.com")
        .limit(2)
        .send_with_total_count()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.total_count, 3);

    // Newest first by default.
    let all = users.get_user_list().send().await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].created_at >= w[1].created_at));
    server.stop().await;
}

#[tokio::test]
async fn streams_walk_every_page_with_the_cursor_and_with_offsets() {
    let server = TestServer::start().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(server.user(&format!("user{i}@example.com")).await.id);
    }
    let users = server.users();

    // Cursor (created_at ordering), pages of 3: 3 + 3 + 1.
    let mut walked: Vec<String> = users
        .get_user_list()
        .limit(3)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(walked.len(), 7);
    walked.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(walked, expected);

    // Oldest first through the cursor as well.
    let ascending: Vec<String> = users
        .get_user_list()
        .order_by("+created_at")
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ascending.len(), 7);
    let mut sorted = ascending.clone();
    sorted.sort();
    assert_eq!(sorted, expected);

    // Offsets when ordering by something else; every user exactly once.
    let mut by_email: Vec<String> = users
        .get_user_list()
        .order_by("+email_address")
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(by_email.len(), 7);
    by_email.sort();
    assert_eq!(by_email, expected);

    // Pages as pages.
    let pages: Vec<Vec<_>> = users
        .get_user_list()
        .limit(3)
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    server.stop().await;
}

// --- metadata ---------------------------------------------------------------------------------

#[tokio::test]
async fn metadata_merge_and_replace() {
    let server = TestServer::start().await;
    let user = server.user("meta@example.com").await;
    let users = server.users();

    let merged = users
        .update_user_metadata(&user.id)
        .public_metadata(json!({"plan": "pro", "limits": {"seats": 5, "projects": 2}}))
        .private_metadata(json!({"stripe": "cus_1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        merged.public_metadata,
        json!({"plan": "pro", "limits": {"seats": 5, "projects": 2}})
    );

    // Deep merge: nested keys merge, `null` deletes.
    let merged = users
        .update_user_metadata(&user.id)
        .public_metadata(json!({"limits": {"seats": 10, "projects": null}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        merged.public_metadata,
        json!({"plan": "pro", "limits": {"seats": 10}})
    );
    assert_eq!(merged.private_metadata, Some(json!({"stripe": "cus_1"})));

    // Replace: the given field wholesale, the others untouched.
    let replaced = users
        .replace_user_metadata(&user.id)
        .public_metadata(json!({"only": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.public_metadata, json!({"only": true}));
    assert_eq!(replaced.private_metadata, Some(json!({"stripe": "cus_1"})));

    // `{}` clears a field.
    let request = UpdateUserMetadataRequest {
        private_metadata: Some(Some(json!({}))),
        ..Default::default()
    };
    let cleared = users
        .replace_user_metadata(&user.id)
        .request(request)
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.private_metadata, Some(json!({})));
    server.stop().await;
}

#[tokio::test]
async fn update_user_metadata_follows_the_api_version() {
    let server = TestServer::start().await;
    let user = server.user("version@example.com").await;
    let users = server.users();

    // The client refuses it under 2026-05-12 without a round trip…
    let err = users
        .update_user(&user.id)
        .public_metadata(json!({"a": 1}))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");

    // …and so does the server when the client does not check.
    let unchecked = Client::new(
        Configuration::new(KEY)
            .base_url(server.base_url())
            .client_side_validation(false),
    )
    .unwrap();
    let err = unchecked
        .users()
        .update_user(&user.id)
        .public_metadata(json!({"a": 1}))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err}");

    // Older versions accept it.
    let updated = users
        .update_user(&user.id)
        .public_metadata(json!({"a": 1}))
        .api_version(Some("2025-11-10"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.public_metadata, json!({"a": 1}));
    server.stop().await;
}

// --- ban, lock, passwords, TOTP, MFA ----------------------------------------------------------

#[tokio::test]
async fn ban_and_unban() {
    let server = TestServer::start().await;
    let (a, b) = (
        server.user("a@example.com").await,
        server.user("b@example.com").await,
    );
    let users = server.users();

    assert!(users.ban_user(&a.id).send().await.unwrap().banned);
    assert_eq!(
        users
            .get_user_list()
            .banned(true)
            .send()
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(!users.unban_user(&a.id).send().await.unwrap().banned);

    let banned = users.users_ban([&a.id, &b.id]).send().await.unwrap();
    assert!(banned.iter().all(|u| u.banned) && banned.len() == 2);
    let unbanned = users.users_unban([&a.id, &b.id]).send().await.unwrap();
    assert!(unbanned.iter().all(|u| !u.banned));
    server.stop().await;
}

#[tokio::test]
async fn lock_and_unlock() {
    let server = TestServer::start().await;
    let user = server.user("lock@example.com").await;
    let users = server.users();
    let locked = users.lock_user(&user.id).send().await.unwrap();
    assert!(locked.locked);
    assert!(!users.unlock_user(&user.id).send().await.unwrap().locked);
    server.stop().await;
}

#[tokio::test]
async fn verify_password() {
    let server = TestServer::start().await;
    let user = server.user("pw@example.com").await;
    let users = server.users();
    assert!(
        users
            .verify_password(&user.id, "a-long-enough-password-42")
            .send()
            .await
            .unwrap()
            .verified
    );
    let err = users
        .verify_password(&user.id, "wrong-password")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("incorrect_password"));
    server.stop().await;
}

#[tokio::test]
async fn totp_backup_codes_and_mfa() {
    let server = TestServer::start().await;
    let users = server.users();
    let user = users
        .create_user()
        .email_address(["mfa@example.com"])
        .totp_secret("JBSWY3DPEHPK3PXP")
        .backup_codes(["11111111", "22222222"])
        .send()
        .await
        .unwrap();
    assert!(user.totp_enabled && user.backup_code_enabled);

    let verified = users
        .verify_totp(&user.id, "11111111")
        .send()
        .await
        .unwrap();
    assert!(verified.verified);
    assert_eq!(verified.code_type, CodeType::BackupCode);
    // A backup code is consumed.
    assert!(users
        .verify_totp(&user.id, "11111111")
        .send()
        .await
        .is_err());

    // A current TOTP code (computed with the server's TOTP helper: what is tested here is the
    // client's request and decoding, not the algorithm).
    let secret = clerk_server::crypto::totp::validate_secret("JBSWY3DPEHPK3PXP").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = clerk_server::crypto::totp::code_at(&secret, now);
    let verified = users.verify_totp(&user.id, code).send().await.unwrap();
    assert!(verified.verified);
    assert_eq!(verified.code_type, CodeType::Totp);
    let err = users
        .verify_totp(&user.id, "000000x")
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err}");

    assert_eq!(
        users
            .delete_backup_code(&user.id)
            .send()
            .await
            .unwrap()
            .user_id,
        user.id
    );
    assert_eq!(
        users.delete_totp(&user.id).send().await.unwrap().user_id,
        user.id
    );
    assert_eq!(
        users.disable_mfa(&user.id).send().await.unwrap().user_id,
        user.id
    );
    assert!(
        !users
            .get_user(&user.id)
            .send()
            .await
            .unwrap()
            .two_factor_enabled
    );
    server.stop().await;
}

#[tokio::test]
async fn debug_logs_show_bodies_without_their_secrets() {
    let server = TestServer::start().await;
    let client = Client::new(
        Configuration::new(KEY)
            .base_url(server.base_url())
            .retry_policy(RetryPolicy::never())
            .debugging(true),
    )
    .unwrap();
    let users = client.users();
    let (captured, _guard) = CapturedLogs::start();

    let user = users
        .create_user()
        .email_address(["logged@example.com"])
        .password("correct-horse-battery-staple-42")
        .totp_secret("JBSWY3DPEHPK3PXP")
        .backup_codes(["98765432", "87654321"])
        .send()
        .await
        .unwrap();
    users
        .verify_password(&user.id, "correct-horse-battery-staple-42")
        .send()
        .await
        .unwrap();
    users
        .verify_totp(&user.id, "98765432")
        .send()
        .await
        .unwrap();
    let totp = users.create_user_totp(&user.id).send().await.unwrap();
    let new_secret = totp.secret.clone().unwrap();
    // An error answer keeps its code readable.
    let err = users
        .verify_password(&user.id, "a-wrong-password-123")
        .send()
        .await
        .unwrap_err();

    let logs = captured.text();
    for secret in [
        "correct-horse-battery-staple-42",
        "a-wrong-password-123",
        "JBSWY3DPEHPK3PXP",
        "98765432",
        "87654321",
        new_secret.as_str(),
    ] {
        assert!(!logs.contains(secret), "{secret} is in the logs:\n{logs}");
    }
    // The bodies are still there, with what is not secret.
    assert!(logs.contains("logged@example.com"), "{logs}");
    assert!(logs.contains(r#""password":"[redacted]""#), "{logs}");
    assert!(logs.contains(r#""code":"[redacted]""#), "{logs}");
    assert!(logs.contains(r#""secret":"[redacted]""#), "{logs}");
    let code = err.code().unwrap().to_owned();
    assert!(logs.contains(&format!(r#""code":"{code}""#)), "{logs}");
    server.stop().await;
}

#[tokio::test]
async fn create_user_totp() {
    let server = TestServer::start().await;
    let user = server.user("totp@example.com").await;
    let totp = server
        .users()
        .create_user_totp(&user.id)
        .send()
        .await
        .unwrap();
    assert!(totp.secret.is_some());
    server.stop().await;
}

#[tokio::test]
async fn password_removal_and_compromise() {
    let server = TestServer::start().await;
    let user = server.user("comp@example.com").await;
    let users = server.users();
    users
        .set_user_password_compromised(&user.id)
        .revoke_all_sessions(true)
        .send()
        .await
        .unwrap();
    users
        .unset_user_password_compromised(&user.id)
        .send()
        .await
        .unwrap();
    let removed = users
        .remove_user_password(&user.id)
        .sign_out_of_other_sessions(true)
        .send()
        .await
        .unwrap();
    assert!(!removed.password_enabled);
    server.stop().await;
}

// --- identifications, profile image, OAuth, organizations, devices, billing -------------------

#[tokio::test]
async fn replace_email_and_phone() {
    let server = TestServer::start().await;
    let user = server.user("old@example.com").await;
    let users = server.users();
    let email = users
        .replace_user_email_address(&user.id, "new@example.com")
        .identification_status(IdentificationStatus::Verified)
        .send()
        .await
        .unwrap();
    assert_eq!(email.email_address, "new@example.com");
    let phone = users
        .replace_user_phone_number(&user.id, "+15555550100")
        .send()
        .await
        .unwrap();
    assert_eq!(phone.phone_number, "+15555550100");
    let fetched = users.get_user(&user.id).send().await.unwrap();
    assert_eq!(fetched.email_addresses.len(), 1);
    assert_eq!(fetched.email_addresses[0].email_address, "new@example.com");
    assert_eq!(
        fetched.primary_email_address_id.as_deref(),
        Some(email.id.as_str())
    );
    assert_eq!(
        fetched.primary_phone_number_id.as_deref(),
        Some(phone.id.as_str())
    );
    server.stop().await;
}

#[tokio::test]
async fn profile_image_upload_and_delete() {
    let server = TestServer::start().await;
    let user = server.user("img@example.com").await;
    let users = server.users();
    // A valid 1×1 transparent PNG (made with Python's zlib and struct).
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60,
        0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let with_image = users
        .set_user_profile_image(&user.id, ProfileImage::from_bytes(PNG).file_name("dot.png"))
        .send()
        .await
        .unwrap();
    assert!(with_image.has_image);
    assert!(
        !users
            .delete_user_profile_image(&user.id)
            .send()
            .await
            .unwrap()
            .has_image
    );
    // Deleting again: there is no image any more.
    let err = users
        .delete_user_profile_image(&user.id)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // Streamed from a file and from a reader.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("avatar.png");
    std::fs::write(&file, PNG).unwrap();
    let from_file = users
        .set_user_profile_image(&user.id, ProfileImage::from_path(&file))
        .send()
        .await
        .unwrap();
    assert!(from_file.has_image);
    let reader = tokio::fs::File::open(&file).await.unwrap();
    let from_reader = users
        .set_user_profile_image(
            &user.id,
            ProfileImage::from_reader(reader).file_name("r.png"),
        )
        .send()
        .await
        .unwrap();
    assert!(from_reader.has_image);
    server.stop().await;
}

#[tokio::test]
async fn identification_deletions_of_unknown_ids_are_not_found() {
    let server = TestServer::start().await;
    let user = server.user("idn@example.com").await;
    let users = server.users();
    assert!(users
        .user_passkey_delete(&user.id, "idn_missing")
        .send()
        .await
        .unwrap_err()
        .is_not_found());
    assert!(users
        .user_web3_wallet_delete(&user.id, "idn_missing")
        .send()
        .await
        .unwrap_err()
        .is_not_found());
    assert!(users
        .delete_external_account(&user.id, "eac_missing")
        .send()
        .await
        .unwrap_err()
        .is_not_found());
    server.stop().await;
}

#[tokio::test]
async fn web3_wallet_deletion() {
    let server = TestServer::start().await;
    let users = server.users();
    let user = users
        .create_user()
        .email_address(["wallet@example.com"])
        .web3_wallet(["0x0123456789abcdef0123456789abcdef01234567"])
        .send()
        .await
        .unwrap();
    let wallet_id = user.web3_wallets[0].id.clone();
    let deleted = users
        .user_web3_wallet_delete(&user.id, &wallet_id)
        .send()
        .await
        .unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id.as_deref(), Some(wallet_id.as_str()));
    assert!(users
        .get_user(&user.id)
        .send()
        .await
        .unwrap()
        .web3_wallets
        .is_empty());
    server.stop().await;
}

#[tokio::test]
async fn oauth_access_tokens_are_refreshed_from_the_provider() {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // The provider's token endpoint (a third party, so scripted): one refresh expected.
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "fresh-access", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&provider)
        .await;
    let server = TestServer::start_with(vec![clerk_server::settings::OAuthProvider {
        provider: "oauth_google".into(),
        token_url: format!("{}/token", provider.uri()),
        client_id: "client".into(),
        client_secret: "secret".into(),
    }])
    .await;

    // A user with an expired token, through the server's bulk import (our extension).
    let expired = chrono_free_now_ms() - 60_000;
    let imported: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_ext/import/users", server.base_url()))
        .bearer_auth(KEY)
        .json(&json!({"users": [{
            "email_addresses": [{"email_address": "oauth@example.com"}],
            "external_accounts": [{"id": "eac_e2e", "provider": "oauth_google", "provider_user_id": "g-7",
                "oauth_token": {"access_token": "stale", "refresh_token": "rt-1", "expires_at": expired}}]
        }]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = imported["results"][0]["id"].as_str().unwrap().to_owned();

    let users = server.users();
    let tokens = users
        .get_oauth_access_token(&user_id, "oauth_google")
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].token, "fresh-access");
    assert_eq!(tokens[0].external_account_id, "eac_e2e");
    assert!(tokens[0].expires_at.unwrap() > chrono_free_now_ms());
    // The paginated form decodes to the same list.
    let paged = users
        .get_oauth_access_token(&user_id, "oauth_google")
        .paginated(true)
        .send()
        .await
        .unwrap();
    assert_eq!(paged[0].token, "fresh-access");

    // A user without an account at the provider has none; a provider not enabled is a typed 404.
    let other = server.user("no-oauth@example.com").await;
    let none = users
        .get_oauth_access_token(&other.id, "oauth_google")
        .send()
        .await
        .unwrap();
    assert!(none.is_empty());
    let err = users
        .get_oauth_access_token(&other.id, "oauth_github")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.code(), Some("oauth_token_provider_not_enabled"));
    server.stop().await;
}

fn chrono_free_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn organization_memberships_and_invitations() {
    let server = TestServer::start().await;
    let user = server.user("org@example.com").await;
    let users = server.users();

    let empty = users
        .users_get_organization_memberships(&user.id)
        .limit(10)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.total_count, 0);
    assert!(empty.data.is_empty());

    // Three organizations created by the user (which makes them an admin of each), and one
    // invitation to the user's address from a fourth, set up through the server's organization endpoints.
    let http = reqwest::Client::new();
    let mut org_ids = Vec::new();
    for i in 0..3 {
        let org: serde_json::Value = http
            .post(format!("{}/organizations", server.base_url()))
            .bearer_auth(KEY)
            .json(&json!({"name": format!("Org {i}"), "created_by": user.id}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        org_ids.push(org["id"].as_str().unwrap().to_owned());
    }
    // The invitation comes from an organization the user is not yet a member of.
    let boss = server.user("boss@example.com").await;
    let other: serde_json::Value = http
        .post(format!("{}/organizations", server.base_url()))
        .bearer_auth(KEY)
        .json(&json!({"name": "Other", "created_by": boss.id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invited = http
        .post(format!("{}/organizations/{}/invitations", server.base_url(), other["id"].as_str().unwrap()))
        .bearer_auth(KEY)
        .json(&json!({"email_address": "org@example.com", "role": "org:member", "inviter_user_id": boss.id}))
        .send()
        .await
        .unwrap();
    assert!(
        invited.status().is_success(),
        "{}",
        invited.text().await.unwrap()
    );

    let page = users
        .users_get_organization_memberships(&user.id)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, 3);
    assert_eq!(page.data.len(), 2);
    // The stream walks the pages (2 + 1) and sees every organization once.
    let mut streamed: Vec<String> = users
        .users_get_organization_memberships(&user.id)
        .limit(2)
        .into_stream()
        .map_ok(|m| m.organization.id)
        .try_collect()
        .await
        .unwrap();
    streamed.sort();
    org_ids.sort();
    assert_eq!(streamed, org_ids);

    let pending = users
        .users_get_organization_invitations(&user.id)
        .status(InvitationStatus::Pending)
        .send()
        .await
        .unwrap();
    assert_eq!(pending.total_count, 1);
    assert_eq!(pending.data[0].email_address, "org@example.com");
    assert_eq!(pending.data[0].status, Some(InvitationStatus::Pending));
    // The string form is the same filter.
    let by_string = users
        .users_get_organization_invitations(&user.id)
        .status("accepted")
        .send()
        .await
        .unwrap();
    assert_eq!(by_string.total_count, 0);
    let invitations: Vec<_> = users
        .users_get_organization_invitations(&user.id)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(invitations.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn trusted_devices() {
    let server = TestServer::start().await;
    let user = server.user("dev@example.com").await;
    let users = server.users();
    let devices = users
        .list_user_trusted_devices(&user.id)
        .send()
        .await
        .unwrap();
    assert_eq!(devices.total_count, 0);
    assert!(users
        .revoke_user_trusted_device(&user.id, "td_missing")
        .send()
        .await
        .unwrap_err()
        .is_not_found());
    server.stop().await;
}

#[tokio::test]
async fn billing_credits_and_subscription() {
    let server = TestServer::start().await;
    let user = server.user("bill@example.com").await;
    let users = server.users();
    let before = users
        .get_user_billing_credit_balance(&user.id)
        .send()
        .await
        .unwrap();
    assert!(before.balance.is_none());
    let entry = users
        .adjust_user_billing_credit_balance(
            &user.id,
            500,
            CreditAdjustmentAction::Increase,
            "grant-1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(entry.amount.amount, 500);
    // Same idempotency key: the original entry, not a second credit.
    let again = users
        .adjust_user_billing_credit_balance(
            &user.id,
            500,
            CreditAdjustmentAction::Increase,
            "grant-1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(again.id, entry.id);
    let after = users
        .get_user_billing_credit_balance(&user.id)
        .send()
        .await
        .unwrap();
    assert_eq!(after.balance.unwrap().amount, 500);
    let spent = users
        .adjust_user_billing_credit_balance(
            &user.id,
            200,
            CreditAdjustmentAction::Decrease,
            "spend-1",
        )
        .note("first month")
        .send()
        .await
        .unwrap();
    assert_eq!(spent.amount.amount, -200);
    assert_eq!(spent.note.as_deref(), Some("first month"));
    // This server sells no plans: the user has no subscription, a typed 404.
    let err = users
        .get_user_billing_subscription(&user.id)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    server.stop().await;
}

// --- webhooks (our extension routes) ---------------------------------------------------------

/// `whsec_` and the base64 of 32 bytes: secrets of one's own.
const WEBHOOK_SECRET: &str = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const ROTATED_SECRET: &str = "whsec_ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

/// Polls the endpoint's attempts until there are `n` (an attempt is recorded once the receiver
/// has answered, shortly after the request reached it); bounded, never timed exactly.
async fn attempts_of(
    webhooks: &clerk_http_client::webhooks::WebhooksApi,
    endpoint_id: &str,
    n: usize,
) -> Vec<clerk_http_client::model::WebhookAttempt> {
    let start = std::time::Instant::now();
    loop {
        let page = webhooks
            .list_attempts(endpoint_id)
            .limit(100)
            .send()
            .await
            .unwrap();
        if page.data.len() >= n {
            assert_eq!(page.total_count, page.data.len() as i64);
            return page.data;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{} of {n} attempts recorded: {:#?}",
            page.data.len(),
            page.data
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn webhook_endpoints_attempts_and_resend() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // The receiver: answers every delivery with a 200.
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200).set_body_string("thanks"))
        .mount(&receiver)
        .await;
    let server = TestServer::start_with_webhooks(Default::default()).await;
    let webhooks = server.client.webhooks();
    let url = format!("{}/hook", receiver.uri());

    // create: the endpoint, with a generated secret; a second one, disabled, with our own.
    let created = webhooks
        .create_endpoint(&url)
        .filter_types(["user.created", "user.deleted"])
        .description("the test's receiver")
        .send_with_http_info()
        .await
        .unwrap();
    assert_eq!(created.status, 200);
    let endpoint = created.data;
    assert_eq!(endpoint.object, "webhook_endpoint");
    assert!(endpoint.id.starts_with("ep_"), "{endpoint:?}");
    assert_eq!(endpoint.url, url);
    assert_eq!(endpoint.description, "the test's receiver");
    assert_eq!(
        endpoint.filter_types,
        Some(vec!["user.created".to_owned(), "user.deleted".to_owned()])
    );
    assert!(!endpoint.disabled);
    assert!(endpoint.secret.starts_with("whsec_"), "{endpoint:?}");
    let other = webhooks
        .create_endpoint("http://127.0.0.1:9/unused")
        .secret(WEBHOOK_SECRET)
        .disabled(true)
        .send()
        .await
        .unwrap();
    assert_eq!(other.secret, WEBHOOK_SECRET);
    assert!(other.disabled);
    assert_eq!(other.filter_types, None);

    // get and list: page by page, and as a stream across pages.
    assert_eq!(
        webhooks.get_endpoint(&endpoint.id).send().await.unwrap(),
        endpoint
    );
    // Oldest first (two made in the same millisecond are in id order, which is random then).
    let first = webhooks.list_endpoints().limit(1).send().await.unwrap();
    assert_eq!((first.data.len(), first.total_count), (1, 2));
    let second = webhooks
        .list_endpoints()
        .limit(1)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!((second.data.len(), second.total_count), (1, 2));
    let paged = [first.data[0].clone(), second.data[0].clone()];
    assert!(
        paged == [endpoint.clone(), other.clone()]
            || (endpoint.created_at == other.created_at
                && paged == [other.clone(), endpoint.clone()]),
        "{paged:#?}"
    );
    let streamed: Vec<_> = webhooks
        .list_endpoints()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, paged);

    // update: every event type again, a new description; fields not sent stay.
    let updated = webhooks
        .update_endpoint(&endpoint.id)
        .every_event_type()
        .description("all of them")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.filter_types, None);
    assert_eq!(updated.description, "all of them");
    assert_eq!(
        (updated.url.as_str(), updated.disabled),
        (url.as_str(), false)
    );
    assert_eq!(updated.secret, endpoint.secret);
    let request = clerk_http_client::model::UpdateWebhookEndpointRequest {
        filter_types: Some(Some(vec!["user.created".into()])),
        ..Default::default()
    };
    let refiltered = webhooks
        .update_endpoint(&endpoint.id)
        .request(request)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refiltered.filter_types,
        Some(vec!["user.created".to_owned()])
    );
    assert_eq!(refiltered.description, "all of them");

    // rotate_secret: ours, then a generated one.
    let rotated = webhooks
        .rotate_secret(&other.id)
        .key(ROTATED_SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.secret, ROTATED_SECRET);
    let generated = webhooks.rotate_secret(&endpoint.id).send().await.unwrap();
    assert!(generated.secret.starts_with("whsec_"), "{generated:?}");
    assert_ne!(generated.secret, endpoint.secret);

    // A user created through the API reaches the enabled endpoint: one attempt, recorded.
    assert!(webhooks
        .list_attempts(&endpoint.id)
        .send()
        .await
        .unwrap()
        .data
        .is_empty());
    let user = server.user("hooked@example.com").await;
    let attempts = attempts_of(&webhooks, &endpoint.id, 1).await;
    let attempt = &attempts[0];
    assert_eq!(attempt.object, "webhook_attempt");
    assert!(attempt.message_id.starts_with("msg_"), "{attempt:?}");
    assert_eq!(attempt.event_type, "user.created");
    assert_eq!(attempt.status, "succeeded");
    assert_eq!(attempt.response_status_code, Some(200));
    assert_eq!(attempt.response, "thanks");
    assert_eq!(attempt.delivery_status, "succeeded");
    assert_eq!(attempt.next_attempt_at, None);
    let delivered = receiver.received_requests().await.unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0]
            .headers
            .get("svix-id")
            .unwrap()
            .to_str()
            .unwrap(),
        attempt.message_id
    );
    let event: serde_json::Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(event["data"]["id"], user.id.as_str());
    // The disabled endpoint got nothing.
    let none = webhooks.list_attempts(&other.id).send().await.unwrap();
    assert_eq!((none.data.len(), none.total_count), (0, 0));

    // resend: the same message again, to the one endpoint it went to.
    let resent = webhooks
        .resend_message(&attempt.message_id)
        .send()
        .await
        .unwrap();
    assert_eq!(resent.object, "webhook_message");
    assert_eq!(resent.id, attempt.message_id);
    assert_eq!(resent.event_type, "user.created");
    assert_eq!(resent.deliveries, 1);
    let both = attempts_of(&webhooks, &endpoint.id, 2).await;
    assert!(
        both.iter().all(|a| a.message_id == attempt.message_id),
        "{both:#?}"
    );
    assert!(
        both[0].started_at >= both[1].started_at,
        "newest first: {both:#?}"
    );
    let again = receiver.received_requests().await.unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(again[1].body, delivered[0].body);
    // Pages of attempts: offsets count from the newest; the stream walks them all.
    let older = webhooks
        .list_attempts(&endpoint.id)
        .limit(1)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!((older.data.as_slice(), older.total_count), (&both[1..], 2));
    let streamed: Vec<_> = webhooks
        .list_attempts(&endpoint.id)
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, both);

    // delete: both; then nothing is left.
    for id in [&endpoint.id, &other.id] {
        let deleted = webhooks.delete_endpoint(id).send().await.unwrap();
        assert!(deleted.deleted);
        assert_eq!(deleted.id.as_deref(), Some(id.as_str()));
        assert_eq!(deleted.object, "webhook_endpoint");
    }
    let empty = webhooks.list_endpoints().send().await.unwrap();
    assert_eq!((empty.data.len(), empty.total_count), (0, 0));
    server.stop().await;
}

#[tokio::test]
async fn webhook_errors_are_typed() {
    let server = TestServer::start().await;
    let webhooks = server.client.webhooks();

    // Every operation on an unknown endpoint or message: Clerk's 404, as an API error.
    let not_found = [
        webhooks
            .get_endpoint("ep_missing")
            .send()
            .await
            .unwrap_err(),
        webhooks
            .update_endpoint("ep_missing")
            .disabled(true)
            .send()
            .await
            .unwrap_err(),
        webhooks
            .delete_endpoint("ep_missing")
            .send()
            .await
            .unwrap_err(),
        webhooks
            .rotate_secret("ep_missing")
            .send()
            .await
            .unwrap_err(),
        webhooks
            .list_attempts("ep_missing")
            .send()
            .await
            .unwrap_err(),
        webhooks
            .resend_message("msg_missing")
            .send()
            .await
            .unwrap_err(),
    ];
    for err in &not_found {
        assert!(err.is_not_found(), "{err}");
        assert_eq!(err.code(), Some("resource_not_found"), "{err}");
        match err {
            Error::Api(api) => assert!(api.errors.errors[0].long_message.contains("_missing")),
            other => panic!("not an API error: {other:?}"),
        }
    }

    // An id is one path segment, whatever it holds: the server looks it up as given.
    let err = webhooks
        .get_endpoint("ep_1/../x?y")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(
        err.api().unwrap().errors.errors[0]
            .long_message
            .ends_with("with id ep_1/../x?y"),
        "{err}"
    );

    // The server's validation: a 422 naming the parameter.
    let err = webhooks
        .create_endpoint("ftp://127.0.0.1/hook")
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.code(), Some("form_param_value_invalid"));
    assert_eq!(api.errors.errors[0].param_name(), Some("url"));
    let endpoint = webhooks
        .create_endpoint("http://127.0.0.1:9/hook")
        .send()
        .await
        .unwrap();
    let err = webhooks
        .rotate_secret(&endpoint.id)
        .key("whsec_c2hvcnQ=")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert_eq!(
        err.api().unwrap().errors.errors[0].param_name(),
        Some("key")
    );

    // The client's own checks: nothing is sent.
    let err = webhooks.get_endpoint("").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { param, .. } if param == "endpoint_id"),
        "{err:?}"
    );
    let err = webhooks
        .list_endpoints()
        .limit(501)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { param, .. } if param == "limit"),
        "{err:?}"
    );
    server.stop().await;
}
