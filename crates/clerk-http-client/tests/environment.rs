//! Configuration from the environment. A separate test binary (its own process), because it sets
//! environment variables that other tests read.

use clerk_http_client::{Client, Configuration};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_secret_key_and_base_url_come_from_the_environment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users/count"))
        .and(header(
            "authorization",
            "Bearer sk_test_from_env_00000000000000000000000",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "total_count", "total_count": 3})),
        )
        .expect(2)
        .mount(&server)
        .await;
    // The only test in this process, so nothing else reads the variables meanwhile.
    std::env::set_var(
        "CLERK_SECRET_KEY",
        "sk_test_from_env_00000000000000000000000",
    );
    std::env::set_var("CLERK_API_URL", format!("{}/v1", server.uri()));

    // Both the key and the URL from the environment…
    let count = Client::from_env()
        .unwrap()
        .users()
        .get_users_count()
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 3);

    // …and `Configuration::default()` reads the same two variables as `from_env`.
    let config = Configuration::default();
    assert_eq!(
        config.secret_key.as_ref().map(|k| k.expose()),
        Some("sk_test_from_env_00000000000000000000000")
    );
    assert_eq!(config.base_url, format!("{}/v1", server.uri()));
    let count = Client::new(config)
        .unwrap()
        .users()
        .get_users_count()
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 3);

    // What the code sets wins over the environment.
    let explicit = Configuration::new("sk_test_explicit").base_url("http://127.0.0.1:1/v1");
    assert_eq!(
        explicit.secret_key.as_ref().map(|k| k.expose()),
        Some("sk_test_explicit")
    );
    assert_eq!(explicit.base_url, "http://127.0.0.1:1/v1");

    // Empty variables count as unset: Clerk's URL, and no key, so no client.
    std::env::set_var("CLERK_SECRET_KEY", "");
    std::env::set_var("CLERK_API_URL", "");
    let config = Configuration::default();
    assert_eq!(config.base_url, "https://api.clerk.com/v1");
    assert!(config.secret_key.is_none());
    let err = Client::new(config).unwrap_err();
    assert!(err.to_string().contains("CLERK_SECRET_KEY"), "{err}");
}
