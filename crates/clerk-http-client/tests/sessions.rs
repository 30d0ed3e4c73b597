//! Sessions, session tokens, the JWKS and JWT templates through the client, against the real
//! server (`clerk_server::start`, in-process, ephemeral port, a real SQLite file): every
//! operation, minted tokens verified against `client.jwks().get()` with a JWT library, the list
//! streams over several pages, and Clerk's errors as typed errors.

use clerk_http_client::model::{Jwks, SessionStatus, User};
use clerk_http_client::{Client, Configuration, Error, RetryPolicy};
use futures::TryStreamExt;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

const KEY: &str = "sk_test_sessions_client_0000000000000000";

/// A server on a fresh SQLite file, and a client for it.
struct TestServer {
    server: clerk_server::RunningServer,
    client: Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = clerk_server::start(clerk_server::ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{}", dir.path().join("sessions.db").display()),
            secret_keys: vec![KEY.into()],
            settings: clerk_server::Settings {
                bcrypt_cost: 4,
                ..Default::default()
            },
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
            server,
            client,
            _dir: dir,
        }
    }

    /// The issuer of the server's tokens: its URL without the `/v1` prefix.
    fn issuer(&self) -> String {
        self.server.base_url().trim_end_matches("/v1").to_owned()
    }

    async fn user(&self, email: &str) -> User {
        self.client
            .users()
            .create_user()
            .email_address([email])
            .first_name("Ada")
            .send()
            .await
            .unwrap()
    }

    async fn stop(self) {
        self.server.shutdown().await;
    }
}

/// The claims of `jwt` after checking it as an application's backend does: RS256, signed by the
/// key the JWKS lists under the header's `kid`, issued by `issuer`, not expired.
fn verify(jwt: &str, jwks: &Jwks, issuer: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("a JWS header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("a kid");
    let jwk = jwks
        .keys
        .iter()
        .find(|k| k.kid == kid)
        .unwrap_or_else(|| panic!("{kid} is not in the JWKS {jwks:?}"));
    assert_eq!((jwk.kty.as_str(), jwk.alg.as_str()), ("RSA", "RS256"));
    let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("{jwt} does not verify: {e}"))
        .claims
}

fn lifetime(claims: &Value) -> i64 {
    claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
}

fn ids<'a>(items: impl IntoIterator<Item = &'a clerk_http_client::model::Session>) -> Vec<String> {
    items.into_iter().map(|s| s.id.clone()).collect()
}

#[tokio::test]
async fn sessions_are_created_listed_read_and_revoked() {
    let server = TestServer::start().await;
    let sessions = server.client.sessions();
    let user = server.user("ada@example.com").await;

    let first = sessions.create(&user.id).send().await.unwrap();
    assert!(first.id.starts_with("sess_"), "{}", first.id);
    assert_eq!(first.user_id, user.id);
    assert_eq!(first.status, SessionStatus::Active);
    assert_eq!(sessions.get(&first.id).send().await.unwrap(), first);

    // Five sessions: a bare page, the page with its total, and every page walked two at a time.
    let mut created = vec![first.clone()];
    for _ in 0..4 {
        created.push(sessions.create(&user.id).send().await.unwrap());
    }
    let newest_first: Vec<String> = ids(created.iter().rev());
    let page = sessions
        .list()
        .user_id(&user.id)
        .limit(2)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&page), newest_first[1..3]);
    let with_total = sessions
        .list()
        .user_id(&user.id)
        .limit(2)
        .send_with_total_count()
        .await
        .unwrap();
    assert_eq!(with_total.total_count, 5);
    assert_eq!(ids(&with_total.data), newest_first[..2]);
    let streamed: Vec<_> = sessions
        .list()
        .user_id(&user.id)
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&streamed), newest_first);
    // A stream from an offset starts there.
    let rest: Vec<_> = sessions
        .list()
        .user_id(&user.id)
        .limit(2)
        .offset(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&rest), newest_first[3..]);
    let by_client = sessions
        .list()
        .client_id(&first.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&by_client), vec![first.id.clone()]);

    let revoked = sessions.revoke(&first.id).send().await.unwrap();
    assert_eq!(revoked.status, SessionStatus::Revoked);
    assert_eq!(sessions.revoke(&first.id).send().await.unwrap(), revoked);
    let only_revoked = sessions
        .list()
        .user_id(&user.id)
        .status(SessionStatus::Revoked)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&only_revoked), vec![first.id.clone()]);
    let active: Vec<_> = sessions
        .list()
        .user_id(&user.id)
        .status(SessionStatus::Active)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&active), newest_first[..4]);
    server.stop().await;
}

#[tokio::test]
async fn session_tokens_verify_against_the_jwks() {
    let server = TestServer::start().await;
    let sessions = server.client.sessions();
    let user = server.user("alan@example.com").await;
    let session = sessions.create(&user.id).send().await.unwrap();

    let token = sessions.create_token(&session.id).send().await.unwrap();
    assert_eq!(token.object, "token");
    let jwks = server.client.jwks().get().send().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let claims = verify(&token.jwt, &jwks, &server.issuer());
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(claims["sid"], session.id.as_str());
    assert_eq!(lifetime(&claims), 60);

    let long = sessions
        .create_token(&session.id)
        .expires_in_seconds(3600)
        .send()
        .await
        .unwrap();
    assert_eq!(lifetime(&verify(&long.jwt, &jwks, &server.issuer())), 3600);

    // Outside Clerk's bounds: refused before sending, or by the server with validation off.
    let err = sessions
        .create_token(&session.id)
        .expires_in_seconds(29)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { param, .. } if param == "expires_in_seconds"),
        "{err}"
    );
    let unchecked = Client::new(
        Configuration::new(KEY)
            .base_url(server.server.base_url())
            .client_side_validation(false),
    )
    .unwrap();
    let err = unchecked
        .sessions()
        .create_token(&session.id)
        .expires_in_seconds(29)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("form_param_value_invalid"), "{err}");

    // The active organization goes into the token.
    let org: Value = reqwest::Client::new()
        .post(format!("{}/organizations", server.server.base_url()))
        .bearer_auth(KEY)
        .json(&json!({"name": "Acme", "slug": "acme", "created_by": user.id}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let org_id = org["id"].as_str().unwrap();
    let in_org = sessions
        .create(&user.id)
        .active_organization_id(org_id)
        .send()
        .await
        .unwrap();
    assert_eq!(in_org.last_active_organization_id.as_deref(), Some(org_id));
    let token = sessions.create_token(&in_org.id).send().await.unwrap();
    let claims = verify(&token.jwt, &jwks, &server.issuer());
    assert_eq!(claims["o"]["id"], org_id);
    assert_eq!(claims["o"]["slg"], "acme");
    server.stop().await;
}

#[tokio::test]
async fn refresh_mints_a_token_from_an_expired_one() {
    let server = TestServer::start().await;
    let sessions = server.client.sessions();
    let user = server.user("refresh@example.com").await;
    let session = sessions.create(&user.id).send().await.unwrap();
    let old = sessions.create_token(&session.id).send().await.unwrap();

    let refreshed = sessions
        .refresh(
            &session.id,
            &old.jwt,
            "from-the-__refresh-cookie",
            "https://app.example.com",
        )
        .request_originating_ip("203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.object, "token");
    let jwks = server.client.jwks().get().send().await.unwrap();
    let claims = verify(&refreshed.jwt, &jwks, &server.issuer());
    assert_eq!(claims["sid"], session.id.as_str());
    assert_eq!(claims["azp"], "https://app.example.com");

    // A token that is not this session's: 401, the SDKs' cue to fall back to the handshake.
    let err = sessions
        .refresh(&session.id, "garbage", "r", "https://app.example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(err.code(), Some("authentication_invalid"));
    server.stop().await;
}

#[tokio::test]
async fn rotation_adds_a_key_and_old_tokens_still_verify() {
    let server = TestServer::start().await;
    let sessions = server.client.sessions();
    let user = server.user("rotate@example.com").await;
    let session = sessions.create(&user.id).send().await.unwrap();
    let old = sessions.create_token(&session.id).send().await.unwrap();

    let rotated = server.client.jwks().rotate().send().await.unwrap();
    assert_eq!(rotated.keys.len(), 2);
    let new = sessions.create_token(&session.id).send().await.unwrap();
    let kid = |jwt: &str| jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap();
    assert_ne!(kid(&new.jwt), kid(&old.jwt));
    assert_eq!(rotated.keys[0].kid, kid(&new.jwt), "newest first");
    let jwks = server.client.jwks().get().send().await.unwrap();
    assert_eq!(jwks, rotated);
    verify(&old.jwt, &jwks, &server.issuer());
    verify(&new.jwt, &jwks, &server.issuer());
    server.stop().await;
}

#[tokio::test]
async fn jwt_templates_are_managed_and_mint_their_claims() {
    let server = TestServer::start().await;
    let templates = server.client.jwt_templates();
    let user = server.user("tpl@example.com").await;
    let session = server
        .client
        .sessions()
        .create(&user.id)
        .send()
        .await
        .unwrap();

    let created = templates
        .create(
            "my-api",
            json!({"aud": "my-api", "name": "{{user.first_name}}"}),
        )
        .lifetime(120)
        .allowed_clock_skew(7)
        .send()
        .await
        .unwrap();
    assert!(created.id.starts_with("jtmp_"), "{}", created.id);
    assert_eq!(created.name, "my-api");
    assert_eq!((created.lifetime, created.allowed_clock_skew), (120, 7));
    assert_eq!(templates.get(&created.id).send().await.unwrap(), created);

    let token = server
        .client
        .sessions()
        .create_token_from_template(&session.id, "my-api")
        .send()
        .await
        .unwrap();
    let jwks = server.client.jwks().get().send().await.unwrap();
    let claims = verify(&token.jwt, &jwks, &server.issuer());
    assert_eq!(claims["aud"], "my-api");
    assert_eq!(claims["name"], "Ada");
    assert_eq!(claims["sub"], user.id.as_str());
    assert_eq!(lifetime(&claims), 120);
    let short = server
        .client
        .sessions()
        .create_token_from_template(&session.id, "my-api")
        .expires_in_seconds(40)
        .send()
        .await
        .unwrap();
    assert_eq!(lifetime(&verify(&short.jwt, &jwks, &server.issuer())), 40);

    // Signed with a key of its own: no kid, verified with the shared secret.
    templates
        .create("hasura", json!({"x": 1}))
        .custom_signing_key(true)
        .signing_algorithm("HS256")
        .signing_key("a shared secret of the app")
        .send()
        .await
        .unwrap();
    let hs = server
        .client
        .sessions()
        .create_token_from_template(&session.id, "hasura")
        .send()
        .await
        .unwrap();
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Value>(
        &hs.jwt,
        &DecodingKey::from_secret(b"a shared secret of the app"),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["x"], 1);

    // Lists: bare, with the total, and walked a page of one at a time.
    for name in ["c", "d", "e"] {
        templates.create(name, json!({})).send().await.unwrap();
    }
    let page = templates.list().limit(2).send().await.unwrap();
    assert_eq!(page.len(), 2);
    let with_total = templates
        .list()
        .limit(2)
        .send_with_total_count()
        .await
        .unwrap();
    assert_eq!(with_total.total_count, 5);
    let all: Vec<_> = templates
        .list()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let mut names: Vec<_> = all.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["c", "d", "e", "hasura", "my-api"]);

    // PATCH takes the whole template; the fields not set keep their values.
    let updated = templates
        .update(&created.id, "renamed", json!({"k": "{{user.id}}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.claims["k"], "{{user.id}}");
    assert_eq!(updated.lifetime, 120);
    let taken = templates
        .update(&created.id, "hasura", json!({}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("form_identifier_exists"), "{taken}");

    // Checked before sending: claims that are not an object, a lifetime out of bounds.
    let err = templates.create("x", json!([1])).send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { param, .. } if param == "claims"),
        "{err}"
    );
    let err = templates
        .create("x", json!({}))
        .lifetime(29)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { param, .. } if param == "lifetime"),
        "{err}"
    );

    let deleted = templates.delete(&created.id).send().await.unwrap();
    assert!(deleted.deleted);
    let err = templates.get(&created.id).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    server.stop().await;
}

#[tokio::test]
async fn errors_are_typed() {
    let server = TestServer::start().await;
    let sessions = server.client.sessions();

    let err = sessions.get("sess_missing").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some("resource_not_found"));
    for err in [
        sessions.revoke("sess_missing").send().await.unwrap_err(),
        sessions
            .create_token("sess_missing")
            .send()
            .await
            .unwrap_err(),
        sessions
            .create_token_from_template("sess_missing", "nope")
            .send()
            .await
            .unwrap_err(),
    ] {
        assert!(err.is_not_found(), "{err}");
    }
    let err = sessions.create("user_missing").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // Neither user_id nor client_id.
    let err = sessions.list().send().await.unwrap_err();
    assert_eq!(err.code(), Some("form_param_missing"), "{err}");
    // Empty path parameters never leave the client.
    let err = sessions.get("").send().await.unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");

    // A banned user's sessions are revoked, and no new one can be created.
    let user = server.user("banned@example.com").await;
    let session = sessions.create(&user.id).send().await.unwrap();
    server
        .client
        .users()
        .ban_user(&user.id)
        .send()
        .await
        .unwrap();
    let err = sessions.create(&user.id).send().await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 403);
    assert_eq!(api.code(), Some("user_banned"));
    let revoked = sessions.get(&session.id).send().await.unwrap();
    assert_eq!(revoked.status, SessionStatus::Revoked);
    let err = sessions.create_token(&session.id).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    server.stop().await;
}
