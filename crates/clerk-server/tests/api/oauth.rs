//! `GET /users/{id}/oauth_access_tokens/{provider}`: stored tokens handed out, expired ones
//! refreshed against a real OAuth 2.0 token endpoint that the test runs on loopback.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use clerk_server::settings::OAuthProvider;
use serde_json::{json, Value};

use crate::support::{now_ms, TestServer};

const CLIENT_ID: &str = "client-abc";
const CLIENT_SECRET: &str = "secret-xyz";

/// A minimal OAuth 2.0 token endpoint: answers `grant_type=refresh_token` for known
/// client credentials with a new access token and a rotated refresh token; refuses the
/// refresh token `revoked`. Keeps every form it received.
#[derive(Clone, Default)]
struct TokenEndpoint {
    received: Arc<Mutex<Vec<Form>>>,
}

/// One request's form fields, in order.
type Form = Vec<(String, String)>;

impl TokenEndpoint {
    async fn start(&self) -> String {
        let app = axum::Router::new()
            .route("/token", axum::routing::post(token))
            .route("/redirect", axum::routing::post(redirect_to_token))
            .route("/huge", axum::routing::post(huge))
            .route("/huge-chunked", axum::routing::post(huge_chunked))
            .route("/roomy", axum::routing::post(roomy))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/token")
    }

    fn calls(&self) -> Vec<Form> {
        self.received.lock().unwrap().clone()
    }
}

async fn token(
    State(endpoint): State<TokenEndpoint>,
    axum::Form(form): axum::Form<Form>,
) -> axum::response::Response {
    let n = {
        let mut received = endpoint.received.lock().unwrap();
        received.push(form.clone());
        received.len()
    };
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("client_id") != Some(CLIENT_ID) || field("client_secret") != Some(CLIENT_SECRET) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    if field("grant_type") != Some("refresh_token") || field("refresh_token") == Some("revoked") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    Json(json!({
        "access_token": format!("fresh-{n}"),
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": format!("rotated-{n}"),
        "scope": "email profile openid"
    }))
    .into_response()
}

/// A 307 (the form is sent again) to the endpoint that would hand out a token.
async fn redirect_to_token() -> axum::response::Redirect {
    axum::response::Redirect::temporary("/token")
}

/// A well-formed token response padded to `size` bytes.
fn padded_token(token: &str, size: usize) -> String {
    let head = format!(r#"{{"access_token":"{token}","token_type":"Bearer","padding":""#);
    let tail = r#""}"#;
    let padding = "x".repeat(size - head.len() - tail.len());
    format!("{head}{padding}{tail}")
}

/// A valid token response of 1 MiB, its length declared.
async fn huge() -> axum::response::Response {
    (
        [("content-type", "application/json")],
        padded_token("from-huge", 1024 * 1024),
    )
        .into_response()
}

/// The same, streamed in chunks with no declared length.
async fn huge_chunked() -> axum::response::Response {
    let body = padded_token("from-chunked", 1024 * 1024).into_bytes();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(8192).map(|c| Ok(c.to_vec())).collect();
    (
        [("content-type", "application/json")],
        axum::body::Body::from_stream(futures::stream::iter(chunks)),
    )
        .into_response()
}

/// A valid token response just under the cap.
async fn roomy() -> axum::response::Response {
    (
        [("content-type", "application/json")],
        padded_token("from-roomy", 60 * 1024),
    )
        .into_response()
}

fn provider(name: &str, token_url: &str) -> OAuthProvider {
    OAuthProvider {
        provider: name.into(),
        token_url: token_url.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
    }
}

/// Imports a user with these external accounts; returns the user id.
async fn import_user(s: &TestServer, email: &str, accounts: Value) -> String {
    let result = s
        .post_ext(
            "/_ext/import/users",
            json!({"users": [{"email_addresses": [{"email_address": email}],
                              "external_accounts": accounts}]}),
        )
        .await
        .ok();
    assert_eq!(result["created"], 1, "{result}");
    result["results"][0]["id"].as_str().unwrap().to_owned()
}

async fn expired_tokens_are_refreshed(mut s: TestServer) {
    let endpoint = TokenEndpoint::default();
    let url = endpoint.start().await;
    s.enable_oauth_providers(vec![
        provider("oauth_google", &url),
        provider("oauth_github", &url),
    ])
    .await;
    let future = now_ms() + 3_600_000;
    let user = import_user(
        &s,
        "refresh@x.example",
        json!([
            {"id": "eac_g", "provider": "oauth_google", "provider_user_id": "g-1", "label": "work",
             "public_metadata": {"k": "v"},
             "oauth_token": {"access_token": "expired-at", "refresh_token": "rt-original",
                             "expires_at": now_ms() - 1000, "scopes": ["email"]}},
            {"id": "eac_gh", "provider": "oauth_github", "provider_user_id": "gh-1",
             "oauth_token": {"access_token": "gh-valid", "expires_at": future}}
        ]),
    )
    .await;

    let tokens = s
        .get(&format!("/users/{user}/oauth_access_tokens/oauth_google"))
        .await
        .ok();
    let token = &tokens[0];
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert_eq!(token["object"], "oauth_access_token");
    assert_eq!(token["external_account_id"], "eac_g");
    assert_eq!(token["provider_user_id"], "g-1");
    assert_eq!(token["provider"], "oauth_google");
    assert_eq!(token["token"], "fresh-1");
    assert_eq!(token["label"], "work");
    assert_eq!(token["public_metadata"], json!({"k": "v"}));
    assert_eq!(token["scopes"], json!(["email", "profile", "openid"]));
    let expires_at = token["expires_at"].as_i64().unwrap();
    assert!((now_ms() + 3_500_000..=now_ms() + 3_600_000).contains(&expires_at));

    let calls = endpoint.calls();
    assert_eq!(calls.len(), 1);
    let form: std::collections::HashMap<_, _> = calls[0].iter().cloned().collect();
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["refresh_token"], "rt-original");
    assert_eq!(form["client_id"], CLIENT_ID);

    // The new token is stored (sealed): asked again, no new refresh.
    let again = s
        .get(&format!("/users/{user}/oauth_access_tokens/oauth_google"))
        .await
        .ok();
    assert_eq!(again[0]["token"], "fresh-1");
    assert_eq!(endpoint.calls().len(), 1);
    let sealed = s
        .sql_text("SELECT access_token FROM external_accounts WHERE id = 'eac_g'")
        .await
        .unwrap();
    assert!(!sealed.contains("fresh-1"));
    // The rotated refresh token replaced the old one.
    let export = s.get_export("/_ext/export/users").await.ok();
    let exported = &export["data"][0]["external_accounts"][0]["oauth_token"];
    assert_eq!(exported["refresh_token"], "rotated-1");

    // A token that has not expired is handed out as stored, with no call.
    let github = s
        .get(&format!("/users/{user}/oauth_access_tokens/oauth_github"))
        .await
        .ok();
    assert_eq!(github[0]["token"], "gh-valid");
    assert_eq!(github[0]["expires_at"], future);
    assert_eq!(endpoint.calls().len(), 1);

    // paginated=true gives {data, total_count}, as Clerk's JS and Go SDKs expect.
    let page = s
        .get_ext(&format!(
            "/users/{user}/oauth_access_tokens/oauth_google?paginated=true"
        ))
        .await
        .ok();
    assert_eq!(page["total_count"], 1);
    assert_eq!(page["data"][0]["token"], "fresh-1");
    let empty_page = s
        .get_ext(&format!(
            "/users/{user}/oauth_access_tokens/oauth_google?paginated=true&offset=1"
        ))
        .await
        .ok();
    assert_eq!(empty_page, json!({"data": [], "total_count": 1}));

    // The tokens survive a restart (the encryption key is kept).
    s.restart().await;
    let after = s
        .get(&format!("/users/{user}/oauth_access_tokens/oauth_google"))
        .await
        .ok();
    assert_eq!(after[0]["token"], "fresh-1");
}

async fn token_errors(mut s: TestServer) {
    let endpoint = TokenEndpoint::default();
    let url = endpoint.start().await;
    s.enable_oauth_providers(vec![provider("oauth_google", &url)])
        .await;
    let expired = now_ms() - 1000;
    let no_refresh = import_user(
        &s,
        "norefresh@x.example",
        json!([{"provider": "oauth_google", "provider_user_id": "g-nr",
                "oauth_token": {"access_token": "old", "expires_at": expired}}]),
    )
    .await;
    let revoked = import_user(
        &s,
        "revoked@x.example",
        json!([{"provider": "oauth_google", "provider_user_id": "g-rv",
                "oauth_token": {"access_token": "old", "refresh_token": "revoked", "expires_at": expired}}]),
    )
    .await;
    let no_token = import_user(
        &s,
        "notoken@x.example",
        json!([{"provider": "oauth_google", "provider_user_id": "g-nt"}]),
    )
    .await;
    let plain = s
        .create_user(json!({"email_address": ["plain@x.example"]}))
        .await;
    let plain = plain["id"].as_str().unwrap();

    let path = |user: &str, provider: &str| format!("/users/{user}/oauth_access_tokens/{provider}");
    s.get(&path(&no_refresh, "oauth_google"))
        .await
        .err(422, "oauth_missing_refresh_token");
    s.get(&path(&revoked, "oauth_google"))
        .await
        .err(400, "oauth_token_retrieval_error");
    s.get(&path(&no_token, "oauth_google"))
        .await
        .err(422, "oauth_missing_access_token");
    s.get(&path(plain, "oauth_facebook"))
        .await
        .err(404, "oauth_token_provider_not_enabled");
    s.get(&path(plain, "google"))
        .await
        .err(400, "oauth_unsupported_provider");
    s.get(&path("user_missing", "oauth_google"))
        .await
        .err(404, "resource_not_found");
    // A user with no account at the provider has no tokens.
    assert_eq!(s.get(&path(plain, "oauth_google")).await.ok(), json!([]));
    s.get(&format!("{}?limit=0", path(plain, "oauth_google")))
        .await
        .form_err("form_param_value_invalid", "limit");
    // The refused refresh left the stored token alone.
    let sealed_before = s
        .sql_text("SELECT refresh_token FROM external_accounts WHERE provider_user_id = 'g-rv'")
        .await;
    assert!(sealed_before.is_some());
    assert_eq!(endpoint.calls().len(), 1);
}

/// A provider that is down or answers nonsense is a 400 `oauth_token_retrieval_error`, never
/// a 500.
async fn provider_failures_are_4xx(mut s: TestServer) {
    // Nothing listens on this port once the listener is dropped.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/token", listener.local_addr().unwrap())
    };
    s.enable_oauth_providers(vec![provider("oauth_google", &closed)])
        .await;
    let user = import_user(
        &s,
        "down@x.example",
        json!([{"provider": "oauth_google", "provider_user_id": "g-down",
                "oauth_token": {"access_token": "old", "refresh_token": "rt", "expires_at": now_ms() - 1}}]),
    )
    .await;
    s.get(&format!("/users/{user}/oauth_access_tokens/oauth_google"))
        .await
        .err(400, "oauth_token_retrieval_error");
}

/// A token endpoint that redirects is refused, and the redirect is not followed (the client
/// secret and refresh token would go wherever it points); an answer over 64 KiB is refused,
/// declared or streamed.
async fn hostile_token_endpoints_are_refused(mut s: TestServer) {
    let endpoint = TokenEndpoint::default();
    let token_url = endpoint.start().await;
    let base = token_url.trim_end_matches("/token");
    s.enable_oauth_providers(vec![
        provider("oauth_redirect", &format!("{base}/redirect")),
        provider("oauth_huge", &format!("{base}/huge")),
        provider("oauth_chunked", &format!("{base}/huge-chunked")),
        provider("oauth_roomy", &format!("{base}/roomy")),
    ])
    .await;
    let expired = now_ms() - 1000;
    let accounts: Vec<Value> = ["redirect", "huge", "chunked", "roomy"]
        .iter()
        .map(|name| {
            json!({"provider": format!("oauth_{name}"), "provider_user_id": format!("p-{name}"),
                   "oauth_token": {"access_token": "old", "refresh_token": "rt", "expires_at": expired}})
        })
        .collect();
    let user = import_user(&s, "hostile@x.example", json!(accounts)).await;
    let path = |provider: &str| format!("/users/{user}/oauth_access_tokens/{provider}");

    s.get(&path("oauth_redirect"))
        .await
        .err(400, "oauth_token_retrieval_error");
    assert!(
        endpoint.calls().is_empty(),
        "the redirect was followed to the token endpoint"
    );
    s.get(&path("oauth_huge"))
        .await
        .err(400, "oauth_token_retrieval_error");
    s.get(&path("oauth_chunked"))
        .await
        .err(400, "oauth_token_retrieval_error");
    // The cap leaves room for any real answer.
    let roomy = s.get(&path("oauth_roomy")).await.ok();
    assert_eq!(roomy[0]["token"], "from-roomy");
}

crate::on_both_stores!(
    expired_tokens_are_refreshed,
    token_errors,
    provider_failures_are_4xx,
    hostile_token_endpoints_are_refused
);
