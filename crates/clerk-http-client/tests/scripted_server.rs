//! Failure handling and wire details against a scripted HTTP server (wiremock): retries on 429
//! and 5xx, timeouts, malformed and non-JSON bodies, tolerant decoding, headers, query encoding,
//! pagination, uploads, validation and log redaction.

mod common;

use std::time::{Duration, Instant};

use clerk_http_client::model::{CodeType, VerificationStatus};
use clerk_http_client::{Client, Configuration, Error, ProfileImage, RetryPolicy};
use common::CapturedLogs;
use futures::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{
    any, body_json, body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_test_scripted_secret_000000000000000";

/// Retries without noticeable waits, so tests run fast.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn config(server: &MockServer) -> Configuration {
    Configuration::new(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .retry_policy(fast_retries())
}

fn client(server: &MockServer) -> Client {
    Client::new(config(server)).unwrap()
}

fn user(id: &str) -> Value {
    json!({
        "id": id, "object": "user", "external_id": null, "primary_email_address_id": null,
        "primary_phone_number_id": null, "primary_web3_wallet_id": null, "username": null,
        "first_name": "Ada", "last_name": null, "image_url": "https://img.example/x",
        "has_image": false, "public_metadata": {}, "private_metadata": {}, "unsafe_metadata": {},
        "email_addresses": [], "phone_numbers": [], "web3_wallets": [], "passkeys": [],
        "password_enabled": false, "two_factor_enabled": false, "totp_enabled": false,
        "backup_code_enabled": false, "mfa_enabled_at": null, "mfa_disabled_at": null,
        "external_accounts": [], "saml_accounts": [], "enterprise_accounts": [],
        "last_sign_in_at": null, "banned": false, "locked": false,
        "lockout_expires_in_seconds": null, "verification_attempts_remaining": null,
        "updated_at": 1737440173260i64, "created_at": 1737440173260i64,
        "delete_self_enabled": true, "create_organization_enabled": true,
        "last_active_at": null, "legal_accepted_at": null
    })
}

fn clerk_error(code: &str, message: &str) -> Value {
    json!({"errors": [{"message": message, "long_message": message, "code": code}], "clerk_trace_id": "trace123"})
}

async fn requests_to(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

// --- retries ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_429_is_retried_after_the_servers_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users/user_1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(clerk_error("too_many_requests", "Too many requests")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users/user_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .mount(&server)
        .await;

    let started = Instant::now();
    let user = client(&server)
        .users()
        .get_user("user_1")
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, "user_1");
    assert_eq!(requests_to(&server).await, 2);
    // Our own backoff is ~1 ms here; only honouring Retry-After explains a 1 s wait.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_429_is_retried_even_for_a_create_because_it_was_not_processed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_new")))
        .mount(&server)
        .await;

    let created = client(&server)
        .users()
        .create_user()
        .first_name("Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, "user_new");
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_returns_the_429_at_once_with_its_wait() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "120")
                .set_body_json(clerk_error("too_many_requests", "Too many requests")),
        )
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .get_user("user_1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(requests_to(&server).await, 1);
    assert!(err.is_rate_limited());
    let api = err.api().unwrap();
    assert_eq!(api.retry_after, Some(Duration::from_secs(120)));
    assert_eq!(api.code(), Some("too_many_requests"));
}

#[tokio::test]
async fn a_503_then_success_is_retried_for_a_safe_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(clerk_error("maintenance_mode", "down")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users/count"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "total_count", "total_count": 7})),
        )
        .mount(&server)
        .await;

    let response = client(&server)
        .users()
        .get_users_count()
        .send_with_http_info()
        .await
        .unwrap();
    assert_eq!(response.data.total_count, 7);
    assert_eq!(response.status, 200);
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test]
async fn a_503_is_not_retried_for_an_unsafe_request_unless_the_caller_opts_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(clerk_error("maintenance_mode", "down")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_new")))
        .mount(&server)
        .await;
    let users = client(&server).users();

    let err = users
        .create_user()
        .first_name("Ada")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.code(), Some("maintenance_mode"));
    assert_eq!(requests_to(&server).await, 1);

    // The 503 mock is used up: mount a fresh one and opt in.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let user = users
        .create_user()
        .first_name("Ada")
        .idempotent(true)
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, "user_new");
    assert_eq!(requests_to(&server).await, 3);
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .get_user("user_1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(requests_to(&server).await, 3);

    let err = client(&server)
        .users()
        .get_user("user_1")
        .retry_policy(RetryPolicy::never())
        .send()
        .await
        .unwrap_err();
    assert!(err.api().is_some());
    assert_eq!(requests_to(&server).await, 4);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::new(
        Configuration::new(KEY)
            .base_url(format!("http://127.0.0.1:{port}/v1"))
            .retry_policy(fast_retries()),
    )
    .unwrap();
    match client.users().get_user("user_1").send().await {
        Err(Error::Transport(e)) => assert!(e.is_connect(), "{e}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

// --- timeouts ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_slow_response_times_out() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(user("user_1"))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .get_user("user_1")
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::never())
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Timeout(after) => assert_eq!(after, Duration::from_millis(100)),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_timed_out_safe_request_is_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(user("user_1"))
                .set_delay(Duration::from_secs(5)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .mount(&server)
        .await;

    let config = config(&server).timeout(Duration::from_millis(200));
    let user = Client::new(config)
        .unwrap()
        .users()
        .get_user("user_1")
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, "user_1");
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test]
async fn a_timed_out_unsafe_request_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"verified": true}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .verify_password("user_1", "pw")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(requests_to(&server).await, 1);
}

// --- bodies -----------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_a_decode_error_that_keeps_the_body() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"id": "user_1", "#, "application/json"),
        )
        .mount(&server)
        .await;

    match client(&server).users().get_user("user_1").send().await {
        Err(Error::Decode { status, body, .. }) => {
            assert_eq!(status, 200);
            assert_eq!(body, r#"{"id": "user_1", "#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    // Not retried: the server answered, repeating would get the same answer.
    assert_eq!(requests_to(&server).await, 1);
}

#[tokio::test]
async fn unknown_fields_and_enum_values_do_not_fail_a_call() {
    let server = MockServer::start().await;
    let mut body = user("user_1");
    body["brand_new_field"] = json!({"nested": [1, 2, 3]});
    body["email_addresses"] = json!([{
        "id": "idn_1", "object": "email_address", "email_address": "ada@example.com",
        "reserved": false, "linked_to": [], "created_at": 1, "updated_at": 1,
        "verification": {"object": "verification_quantum", "status": "entangled", "strategy": "quantum",
                         "attempts": null, "expire_at": null, "new_key": true},
        "future": "value"
    }]);
    Mock::given(path("/v1/users/user_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/user_1/verify_totp"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"verified": true, "code_type": "passkey", "extra": 1})),
        )
        .mount(&server)
        .await;
    let users = client(&server).users();

    let user = users.get_user("user_1").send().await.unwrap();
    let verification = user.email_addresses[0].verification.as_ref().unwrap();
    assert_eq!(
        verification.status,
        VerificationStatus::Unknown("entangled".into())
    );
    assert_eq!(verification.strategy, "quantum");

    let totp = users.verify_totp("user_1", "123456").send().await.unwrap();
    assert!(totp.verified);
    assert_eq!(totp.code_type, CodeType::Unknown("passkey".into()));
}

#[tokio::test]
async fn a_non_json_error_body_is_kept_raw() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><body>Bad Gateway</body></html>", "text/html")
                .insert_header("CF-Ray", "8f00abc-IAD"),
        )
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .delete_user("user_1")
        .retry_policy(RetryPolicy::never())
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 502);
    assert!(api.errors.errors.is_empty());
    assert_eq!(
        api.body.as_deref(),
        Some("<html><body>Bad Gateway</body></html>")
    );
    assert_eq!(api.trace_id(), Some("8f00abc-IAD"));
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
}

#[tokio::test]
async fn clerk_errors_keep_codes_messages_meta_and_trace_id() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": [
                {"message": "is invalid", "long_message": "email_address is invalid", "code": "form_param_format_invalid", "meta": {"param_name": "email_address"}},
                {"message": "taken", "long_message": "That username is taken", "code": "form_identifier_exists", "meta": {"param_name": "username"}}
            ],
            "meta": {"x": 1},
            "clerk_trace_id": "0123456789abcdef0123456789abcdef"
        })))
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .create_user()
        .email_address(["nope"])
        .send()
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 422);
    assert_eq!(api.code(), Some("form_param_format_invalid"));
    assert_eq!(api.errors.errors.len(), 2);
    assert_eq!(api.errors.errors[0].param_name(), Some("email_address"));
    assert_eq!(api.errors.errors[1].code, "form_identifier_exists");
    assert_eq!(api.errors.meta, Some(json!({"x": 1})));
    assert_eq!(api.trace_id(), Some("0123456789abcdef0123456789abcdef"));
}

// --- what goes on the wire --------------------------------------------------------------------

#[tokio::test]
async fn requests_carry_bearer_key_api_version_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users/user_1"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("clerk-api-version", "2026-05-12"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .users()
        .get_user("user_1")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    let agent = request.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(agent.starts_with("clerk-http-client-rust/"), "{agent}");
}

#[tokio::test]
async fn array_filters_are_repeated_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;

    client(&server)
        .users()
        .get_user_list()
        .email_address(["a@example.com", "b+tag@example.com"])
        .user_id(["-user_1"])
        .banned(true)
        .created_at_after(1700000000000)
        .limit(20)
        .order_by("-created_at")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.url.query().unwrap(),
        "email_address=a%40example.com&email_address=b%2Btag%40example.com&user_id=-user_1\
         &banned=true&created_at_after=1700000000000&limit=20&order_by=-created_at"
    );
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(user("x")))
        .mount(&server)
        .await;

    client(&server)
        .users()
        .get_user("user/../1 2?x")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.url.path(), "/v1/users/user%2F..%2F1%202%3Fx");
    assert_eq!(request.url.query(), None);
}

#[tokio::test]
async fn per_call_headers_query_and_api_version_override_the_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-request-id", "abc"))
        .and(header("clerk-api-version", "2025-11-10"))
        .and(query_param("extra", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .users()
        .get_user("user_1")
        .header("X-Request-Id", "abc")
        .query_param("extra", "1")
        .api_version(Some("2025-11-10"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn json_bodies_match_the_spec() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/users/ban"))
        .and(body_json(json!({"user_ids": ["user_1", "user_2"]})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([user("user_1"), user("user_2")])),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1/users/user_1/metadata"))
        .and(body_json(json!({"public_metadata": {"plan": "pro"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users/user_1/password/set_compromised"))
        .and(body_json(json!({"revoke_all_sessions": true})))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users/user_1/billing/credits"))
        .and(body_json(json!({"amount": 500, "action": "decrease", "idempotency_key": "k1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "commerce_credit_ledger", "id": "ccl_1", "payer_id": "payer_1",
            "amount": {"amount": -500, "amount_formatted": "-$5.00", "currency": "USD", "currency_symbol": "$"},
            "source_type": "grant", "source_id": "src_1", "note": null, "created_at": "2026-01-01T00:00:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let users = client(&server).users();

    let banned = users.users_ban(["user_1", "user_2"]).send().await.unwrap();
    assert_eq!(banned.len(), 2);
    users
        .update_user_metadata("user_1")
        .public_metadata(json!({"plan": "pro"}))
        .send()
        .await
        .unwrap();
    users
        .set_user_password_compromised("user_1")
        .revoke_all_sessions(true)
        .send()
        .await
        .unwrap();
    let entry = users
        .adjust_user_billing_credit_balance(
            "user_1",
            500,
            clerk_http_client::model::CreditAdjustmentAction::Decrease,
            "k1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(entry.amount.amount, -500);
}

/// Each webhook operation's method, percent-encoded path and body, and which are retried after a
/// 503: reads, updates and deletes (safe to repeat), not creates, rotations and resends.
#[tokio::test]
async fn webhook_operations_send_their_requests_and_retry_only_the_safe_ones() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).set_body_json(clerk_error("maintenance_mode", "down")),
        )
        .mount(&server)
        .await;
    let webhooks = client(&server).webhooks();
    let id = "ep/1 2?x";
    let endpoint = "/v1/_ext/webhooks/endpoints/ep%2F1%202%3Fx";

    let results = [
        webhooks
            .list_endpoints()
            .limit(5)
            .offset(10)
            .send()
            .await
            .err(),
        webhooks
            .create_endpoint("https://app.example/hook")
            .filter_types(["user.created"])
            .secret("whsec_abc")
            .send()
            .await
            .err(),
        webhooks.get_endpoint(id).send().await.err(),
        webhooks
            .update_endpoint(id)
            .every_event_type()
            .disabled(true)
            .send()
            .await
            .err(),
        webhooks.delete_endpoint(id).send().await.err(),
        webhooks.rotate_secret(id).send().await.err(),
        webhooks
            .rotate_secret(id)
            .key("whsec_new")
            .send()
            .await
            .err(),
        webhooks.list_attempts(id).limit(1).send().await.err(),
        webhooks.resend_message("msg_1/x").send().await.err(),
    ];
    for err in &results {
        let err = err.as_ref().expect("every call fails with the 503");
        assert_eq!(err.code(), Some("maintenance_mode"), "{err}");
    }

    let received = server.received_requests().await.unwrap();
    let seen: Vec<(String, String, Option<String>, Option<Value>)> = received
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                r.url.query().map(str::to_owned),
                serde_json::from_slice(&r.body).ok(),
            )
        })
        .collect();
    let call = |method: &str, path: &str, query: Option<&str>, body: Option<Value>| {
        (
            method.to_owned(),
            path.to_owned(),
            query.map(str::to_owned),
            body,
        )
    };
    let times = |n: usize, one: (String, String, Option<String>, Option<Value>)| vec![one; n];
    let expected: Vec<_> = [
        times(
            3,
            call(
                "GET",
                "/v1/_ext/webhooks/endpoints",
                Some("limit=5&offset=10"),
                None,
            ),
        ),
        times(
            1,
            call(
                "POST",
                "/v1/_ext/webhooks/endpoints",
                None,
                Some(
                    json!({"url": "https://app.example/hook", "filter_types": ["user.created"],
                    "secret": "whsec_abc"}),
                ),
            ),
        ),
        times(3, call("GET", endpoint, None, None)),
        times(
            3,
            call(
                "PATCH",
                endpoint,
                None,
                Some(json!({"filter_types": null, "disabled": true})),
            ),
        ),
        times(3, call("DELETE", endpoint, None, None)),
        times(
            1,
            call(
                "POST",
                &format!("{endpoint}/rotate_secret"),
                None,
                Some(json!({})),
            ),
        ),
        times(
            1,
            call(
                "POST",
                &format!("{endpoint}/rotate_secret"),
                None,
                Some(json!({"key": "whsec_new"})),
            ),
        ),
        times(
            3,
            call(
                "GET",
                &format!("{endpoint}/attempts"),
                Some("limit=1"),
                None,
            ),
        ),
        times(
            1,
            call(
                "POST",
                "/v1/_ext/webhooks/messages/msg_1%2Fx/resend",
                None,
                None,
            ),
        ),
    ]
    .concat();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn webhook_streams_follow_offsets_up_to_the_total() {
    let server = MockServer::start().await;
    let endpoint = |id: &str| json!({"object": "webhook_endpoint", "id": id, "url": "https://x"});
    let attempt = |msg: &str| json!({"object": "webhook_attempt", "message_id": msg});
    for (offset, endpoints, attempts) in [
        (
            "0",
            json!([endpoint("ep_1"), endpoint("ep_2")]),
            json!([attempt("msg_3"), attempt("msg_2")]),
        ),
        ("2", json!([endpoint("ep_3")]), json!([attempt("msg_1")])),
    ] {
        Mock::given(path("/v1/_ext/webhooks/endpoints"))
            .and(query_param("limit", "2"))
            .and(query_param("offset", offset))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": endpoints, "total_count": 3})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/v1/_ext/webhooks/endpoints/ep_1/attempts"))
            .and(query_param("limit", "2"))
            .and(query_param("offset", offset))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": attempts, "total_count": 3})),
            )
            .mount(&server)
            .await;
    }
    let webhooks = client(&server).webhooks();

    let ids: Vec<String> = webhooks
        .list_endpoints()
        .limit(2)
        .offset(0)
        .into_stream()
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["ep_1", "ep_2", "ep_3"]);
    let messages: Vec<String> = webhooks
        .list_attempts("ep_1")
        .limit(2)
        .offset(0)
        .into_stream()
        .map_ok(|a| a.message_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages, ["msg_3", "msg_2", "msg_1"]);
    assert_eq!(requests_to(&server).await, 4);
}

// --- validation -------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_parameters_fail_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let users = client(&server).users();

    let param = |e: Error| match e {
        Error::Validation { param, .. } => param,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(
        param(users.get_user_list().limit(0).send().await.unwrap_err()),
        "limit"
    );
    assert_eq!(
        param(users.get_user_list().limit(501).send().await.unwrap_err()),
        "limit"
    );
    let many: Vec<String> = (0..101).map(|i| format!("u{i}@example.com")).collect();
    assert_eq!(
        param(
            users
                .get_user_list()
                .email_address(many.clone())
                .send()
                .await
                .unwrap_err()
        ),
        "email_address"
    );
    assert_eq!(
        param(
            users
                .get_users_count()
                .email_address(many)
                .send()
                .await
                .unwrap_err()
        ),
        "email_address"
    );
    let ids: Vec<String> = (0..51).map(|i| format!("user_{i}")).collect();
    assert_eq!(
        param(users.users_ban(ids).send().await.unwrap_err()),
        "user_ids"
    );
    assert_eq!(
        param(
            users
                .users_unban(Vec::<String>::new())
                .send()
                .await
                .unwrap_err()
        ),
        "user_ids"
    );
    assert_eq!(
        param(users.get_user("").send().await.unwrap_err()),
        "user_id"
    );
    assert_eq!(
        param(
            users
                .user_passkey_delete("user_1", "")
                .send()
                .await
                .unwrap_err()
        ),
        "passkey_identification_id"
    );
    assert_eq!(
        param(
            users
                .users_get_organization_invitations("user_1")
                .status("maybe")
                .send()
                .await
                .unwrap_err()
        ),
        "status"
    );
    assert_eq!(
        param(
            users
                .update_user("user_1")
                .public_metadata(json!({"a": 1}))
                .send()
                .await
                .unwrap_err()
        ),
        "public_metadata"
    );
    assert_eq!(requests_to(&server).await, 0);

    // Metadata through update_user is fine for versions that accept it.
    Mock::given(method("PATCH"))
        .and(header("clerk-api-version", "2025-11-10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .with_priority(1)
        .mount(&server)
        .await;
    users
        .update_user("user_1")
        .public_metadata(json!({"a": 1}))
        .api_version(Some("2025-11-10"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn with_validation_off_the_server_judges() {
    let server = MockServer::start().await;
    Mock::given(query_param("limit", "0"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(clerk_error("invalid_query_parameter_value", "limit")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).client_side_validation(false)).unwrap();
    let err = client
        .users()
        .get_user_list()
        .limit(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("invalid_query_parameter_value"));
}

#[test]
fn a_client_needs_a_secret_key_and_a_valid_url() {
    // Whatever the environment holds: the client reads it only through `from_env`/`default`.
    let mut no_key = Configuration::default();
    no_key.secret_key = None;
    assert!(matches!(Client::new(no_key), Err(Error::Configuration(_))));
    assert!(matches!(
        Client::new(Configuration::new(KEY).base_url("not a url")),
        Err(Error::Configuration(_))
    ));
}

// --- pagination -------------------------------------------------------------------------------

#[tokio::test]
async fn the_user_stream_walks_pages_with_the_starting_after_cursor() {
    let server = MockServer::start().await;
    let page = |ids: &[&str]| {
        ResponseTemplate::new(200).set_body_json(ids.iter().map(|id| user(id)).collect::<Vec<_>>())
    };
    Mock::given(path("/v1/users"))
        .and(query_param_is_missing("starting_after"))
        .and(query_param("limit", "2"))
        .and(query_param("query", "ada"))
        .respond_with(page(&["user_5", "user_4"]))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/users"))
        .and(query_param("starting_after", "user_4"))
        .and(query_param("query", "ada"))
        .respond_with(page(&["user_3", "user_2"]))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/users"))
        .and(query_param("starting_after", "user_2"))
        .respond_with(page(&["user_1"]))
        .expect(1)
        .mount(&server)
        .await;

    let ids: Vec<String> = client(&server)
        .users()
        .get_user_list()
        .query("ada")
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["user_5", "user_4", "user_3", "user_2", "user_1"]);
}

#[tokio::test]
async fn the_user_stream_uses_offsets_when_the_order_forbids_the_cursor() {
    let server = MockServer::start().await;
    let page = |ids: &[&str]| {
        ResponseTemplate::new(200).set_body_json(ids.iter().map(|id| user(id)).collect::<Vec<_>>())
    };
    Mock::given(query_param_is_missing("offset"))
        .and(query_param("order_by", "+username"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(page(&["a", "b"]))
        .mount(&server)
        .await;
    Mock::given(query_param("offset", "2"))
        .respond_with(page(&["c", "d"]))
        .mount(&server)
        .await;
    Mock::given(query_param("offset", "4"))
        .respond_with(page(&[]))
        .mount(&server)
        .await;

    let ids: Vec<String> = client(&server)
        .users()
        .get_user_list()
        .order_by("+username")
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(requests_to(&server).await, 3);
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_with_that_error() {
    let server = MockServer::start().await;
    Mock::given(query_param_is_missing("starting_after"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([user("user_2"), user("user_1")])),
        )
        .mount(&server)
        .await;
    Mock::given(query_param("starting_after", "user_1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(clerk_error("authentication_invalid", "no")),
        )
        .mount(&server)
        .await;

    let mut stream = client(&server)
        .users()
        .get_user_list()
        .limit(2)
        .into_stream();
    assert_eq!(stream.try_next().await.unwrap().unwrap().id, "user_2");
    assert_eq!(stream.try_next().await.unwrap().unwrap().id, "user_1");
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(err.code(), Some("authentication_invalid"));
}

#[tokio::test]
async fn send_with_total_count_asks_count_with_the_same_filters() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/users"))
        .and(query_param("email_address_query", "example"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user("user_1")])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/count"))
        .and(query_param("email_address_query", "example"))
        .and(query_param_is_missing("limit"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"object": "total_count", "total_count": 42})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .users()
        .get_user_list()
        .email_address_query("example")
        .limit(1)
        .send_with_total_count()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.total_count, 42);
}

#[tokio::test]
async fn membership_stream_follows_offsets_up_to_the_total() {
    let server = MockServer::start().await;
    let membership = |id: &str| {
        json!({"id": id, "object": "organization_membership", "role": "org:member",
        "permissions": null, "public_metadata": {}, "organization": {"id": "org_1", "object": "organization",
        "name": "Org", "slug": "org", "has_image": false, "max_allowed_memberships": 5,
        "admin_delete_enabled": true, "public_metadata": {}, "created_at": 1, "updated_at": 1},
        "created_at": 1, "updated_at": 1})
    };
    Mock::given(path("/v1/users/user_1/organization_memberships"))
        .and(query_param_is_missing("offset"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"data": [membership("m1"), membership("m2")], "total_count": 3}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/user_1/organization_memberships"))
        .and(query_param("offset", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [membership("m3")], "total_count": 3})),
        )
        .mount(&server)
        .await;

    let ids: Vec<String> = client(&server)
        .users()
        .users_get_organization_memberships("user_1")
        .limit(2)
        .into_stream()
        .map_ok(|m| m.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["m1", "m2", "m3"]);
    assert_eq!(requests_to(&server).await, 2);
}

// --- uploads ----------------------------------------------------------------------------------

#[tokio::test]
async fn profile_images_are_sent_as_multipart_part_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/users/user_1/profile_image"))
        .and(body_string_contains("name=\"file\""))
        .and(body_string_contains("PNGDATA-from-"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(3)
        .mount(&server)
        .await;
    let users = client(&server).users();

    users
        .set_user_profile_image(
            "user_1",
            ProfileImage::from_bytes(&b"PNGDATA-from-bytes"[..]).file_name("a.png"),
        )
        .send()
        .await
        .unwrap();

    let file = std::env::temp_dir().join(format!("clerk-upload-{}.png", std::process::id()));
    std::fs::write(&file, b"PNGDATA-from-file").unwrap();
    users
        .set_user_profile_image("user_1", ProfileImage::from_path(&file))
        .send()
        .await
        .unwrap();
    std::fs::remove_file(&file).unwrap();

    let reader = std::io::Cursor::new(b"PNGDATA-from-reader".to_vec());
    users
        .set_user_profile_image(
            "user_1",
            ProfileImage::from_reader(reader).content_type("image/png"),
        )
        .send()
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    let bodies: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        bodies[0].contains("filename=\"a.png\"") && bodies[0].contains("Content-Type: image/png")
    );
    assert!(bodies[1].contains(&format!(
        "filename=\"clerk-upload-{}.png\"",
        std::process::id()
    )));
    assert!(bodies[1].contains("PNGDATA-from-file"));
    assert!(bodies[2].contains("PNGDATA-from-reader"));
    for request in &requests {
        let content_type = request
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
    }
}

// --- logging ----------------------------------------------------------------------------------

#[tokio::test]
async fn debug_logs_show_requests_and_bodies_but_never_the_secret_key() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .mount(&server)
        .await;

    let (captured, _guard) = CapturedLogs::start();

    let client = Client::new(config(&server).debugging(true)).unwrap();
    client
        .users()
        .update_user("user_1")
        .first_name("Grace")
        .send()
        .await
        .unwrap();

    let logs = captured.text();
    assert!(logs.contains("update_user"), "{logs}");
    assert!(logs.contains("PATCH"), "{logs}");
    assert!(logs.contains("/v1/users/user_1"), "{logs}");
    assert!(logs.contains(r#"{"first_name":"Grace"}"#), "{logs}");
    assert!(logs.contains("Bearer [redacted]"), "{logs}");
    assert!(
        !logs.contains(KEY),
        "the secret key leaked into the logs:\n{logs}"
    );
}

// --- small conveniences -----------------------------------------------------------------------

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_and_an_awaited_builder_work() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/users/user_1"))
        .and(header("x-tenant", "t1"))
        .and(query_param("trace", "yes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("user_1")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server).base_url(format!("{}/v1/", server.uri()))).unwrap();
    let prepared = clerk_http_client::RequestOptions::new()
        .header("X-Tenant", "t1")
        .query_param("trace", "yes");

    // A builder is a future: `.await` sends it.
    let user = client
        .users()
        .get_user("user_1")
        .options(prepared)
        .await
        .unwrap();
    assert_eq!(user.id, "user_1");
}

#[tokio::test]
async fn the_user_stream_stops_if_the_server_ignores_the_cursor() {
    let server = MockServer::start().await;
    // Always the same full page, whatever the cursor says.
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([user("user_2"), user("user_1")])),
        )
        .mount(&server)
        .await;

    let ids: Vec<String> = client(&server)
        .users()
        .get_user_list()
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["user_2", "user_1", "user_2", "user_1"]);
    assert_eq!(requests_to(&server).await, 2);
}

#[tokio::test]
async fn idempotent_false_stops_retries_of_a_safe_request_even_with_the_policy_opt_in() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let err = client(&server)
        .users()
        .get_user("user_1")
        .retry_policy(fast_retries().retry_non_idempotent(true))
        .idempotent(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(requests_to(&server).await, 1);
}

#[tokio::test]
async fn oauth_tokens_read_as_a_bare_array_or_a_paginated_object() {
    let server = MockServer::start().await;
    let token = json!({"object": "oauth_access_token", "external_account_id": "eac_1",
        "provider_user_id": "g-1", "token": "ya29.x", "expires_at": null, "provider": "oauth_google",
        "public_metadata": {}, "label": null, "scopes": ["email"]});
    Mock::given(query_param_is_missing("paginated"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([token.clone()])))
        .mount(&server)
        .await;
    Mock::given(query_param("paginated", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [token], "total_count": 1})),
        )
        .mount(&server)
        .await;
    let users = client(&server).users();

    let bare = users
        .get_oauth_access_token("user_1", "oauth_google")
        .send()
        .await
        .unwrap();
    assert_eq!(bare.len(), 1);
    assert_eq!(bare[0].token, "ya29.x");
    let paginated = users
        .get_oauth_access_token("user_1", "oauth_google")
        .query_param("paginated", "true")
        .send_with_http_info()
        .await
        .unwrap();
    assert_eq!(paginated.status, 200);
    assert_eq!(
        paginated.data[0].scopes.as_deref(),
        Some(&["email".to_owned()][..])
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.url.path(),
        "/v1/users/user_1/oauth_access_tokens/oauth_google"
    );
}
