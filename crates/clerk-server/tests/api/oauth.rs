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

/// A minimal token endpoint (RFC 6749 §6): answers `grant_type=refresh_token` for known
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

crate::on_both_stores!(
    expired_tokens_are_refreshed,
    token_errors,
    provider_failures_are_4xx
);
