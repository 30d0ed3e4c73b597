//! `client.email_addresses()` and `client.phone_numbers()` against the real server
//! (`clerk_server::start`, in-process, ephemeral port, a real SQLite file).

use clerk_http_client::model::{UpdateEmailAddressRequest, User};
use clerk_http_client::{Client, Configuration, Error, RetryPolicy};

const KEY: &str = "sk_test_identifications_0000000000000000";

/// A server on a fresh SQLite file, and a client for it. Dropping it deletes the database.
struct TestServer {
    server: Option<clerk_server::RunningServer>,
    client: Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = clerk_server::start(clerk_server::ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{}", dir.path().join("users.db").display()),
            secret_keys: vec![KEY.into()],
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

    async fn user(&self, email: &str) -> User {
        self.client
            .users()
            .create_user()
            .email_address([email])
            .send()
            .await
            .unwrap()
    }

    async fn get_user(&self, user_id: &str) -> User {
        self.client.users().get_user(user_id).send().await.unwrap()
    }

    async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

#[tokio::test]
async fn email_addresses_create_get_update_delete() {
    let server = TestServer::start().await;
    let emails = server.client.email_addresses();
    let user = server.user("first@example.com").await;

    let created = emails
        .create(&user.id, "second@example.com")
        .notify_primary_email_address_changed(false)
        .send()
        .await
        .unwrap();
    assert_eq!(created.object, "email_address");
    assert_eq!(created.email_address, "second@example.com");
    assert_eq!(created.verification, None, "unverified by default");

    let fetched = emails.get(&created.id).send_with_http_info().await.unwrap();
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.data, created);

    let primary = emails
        .update(&created.id)
        .verified(true)
        .primary(true)
        .send()
        .await
        .unwrap();
    assert_eq!(primary.verification.unwrap().strategy, "admin");
    assert_eq!(
        server
            .get_user(&user.id)
            .await
            .primary_email_address_id
            .as_deref(),
        Some(created.id.as_str())
    );

    // The whole body at once.
    let request = UpdateEmailAddressRequest {
        verified: Some(true),
        ..Default::default()
    };
    emails
        .update(&user.email_addresses[0].id)
        .request(request)
        .send()
        .await
        .unwrap();

    let deleted = emails.delete(&created.id).send().await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.object, "email_address");
    assert_eq!(deleted.id.as_deref(), Some(created.id.as_str()));
    assert_eq!(
        server
            .get_user(&user.id)
            .await
            .primary_email_address_id
            .as_deref(),
        Some(user.email_addresses[0].id.as_str()),
        "the primary went back to the remaining verified address"
    );
    let err = emails.get(&created.id).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some("resource_not_found"));
    server.stop().await;
}

#[tokio::test]
async fn email_address_errors_are_typed() {
    let server = TestServer::start().await;
    let emails = server.client.email_addresses();
    let user = server.user("owner@example.com").await;
    server.user("taken@example.com").await;

    let err = emails
        .create(&user.id, "taken@example.com")
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.code(), Some("form_identifier_exists"));
    assert_eq!(api.errors.errors[0].param_name(), Some("email_address"));

    let err = emails
        .create(&user.id, "unverified@example.com")
        .primary(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("form_param_value_invalid"));

    let err = emails
        .create("user_missing", "x@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // An empty id never reaches the server.
    let err = emails.get("").send().await.unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    server.stop().await;
}

#[tokio::test]
async fn phone_numbers_create_get_update_delete() {
    let server = TestServer::start().await;
    let phones = server.client.phone_numbers();
    let user = server.user("phoned@example.com").await;

    let err = phones
        .create(&user.id, "+15555550140")
        .reserved_for_second_factor(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("form_param_value_invalid"));
    assert_eq!(
        err.api().unwrap().errors.errors[0].param_name(),
        Some("reserved_for_second_factor")
    );

    let reserved = phones
        .create(&user.id, "+15555550140")
        .verified(true)
        .reserved_for_second_factor(true)
        .send()
        .await
        .unwrap();
    assert!(reserved.reserved_for_second_factor);
    assert!(reserved.default_second_factor);
    let shown = server.get_user(&user.id).await;
    assert!(shown.two_factor_enabled);
    assert_eq!(
        shown.primary_phone_number_id.as_deref(),
        Some(reserved.id.as_str()),
        "the first verified number is primary"
    );

    let other = phones
        .create(&user.id, "+15555550141")
        .verified(true)
        .primary(true)
        .send()
        .await
        .unwrap();
    assert_eq!(phones.get(&other.id).send().await.unwrap(), other);
    let unreserved = phones
        .update(&reserved.id)
        .reserved_for_second_factor(false)
        .send()
        .await
        .unwrap();
    assert!(!unreserved.default_second_factor);
    assert!(!server.get_user(&user.id).await.two_factor_enabled);

    let err = phones
        .update(&other.id)
        .verified(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().errors.errors[0].param_name(),
        Some("verified"),
        "the primary number stays verified"
    );

    let deleted = phones.delete(&other.id).send().await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.object, "phone_number");
    assert_eq!(
        server
            .get_user(&user.id)
            .await
            .primary_phone_number_id
            .as_deref(),
        Some(reserved.id.as_str())
    );
    let err = phones.delete(&other.id).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    server.stop().await;
}
