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

    // …and the key alone when the configuration has none.
    let config = Configuration::default().base_url(format!("{}/v1", server.uri()));
    assert!(config.secret_key.is_none());
    let count = Client::new(config)
        .unwrap()
        .users()
        .get_users_count()
        .send()
        .await
        .unwrap();
    assert_eq!(count.total_count, 3);
}
