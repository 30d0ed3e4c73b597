//! Sessions, session tokens, the JWKS and JWT templates over HTTP: every endpoint, every change
//! that ends a user's sessions, tokens verified against the served JWKS with a JWT library, key
//! rotation, and the concurrent cases (the first key made once, a ban racing new sessions, two
//! PostgreSQL nodes signing with one key).

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{fire_at, Backend, Resp, TestServer};
use crate::webhooks::receiver::Receiver;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn user(s: &TestServer, email: &str) -> String {
    id(&s
        .create_user(json!({"email_address": [email], "password": "a-long-password-1"}))
        .await)
}

async fn session(s: &TestServer, user_id: &str) -> Value {
    s.post("/sessions", json!({"user_id": user_id})).await.ok()
}

async fn token(s: &TestServer, session_id: &str, body: Value) -> Resp {
    s.post(&format!("/sessions/{session_id}/tokens"), body)
        .await
}

async fn jwks(s: &TestServer) -> Value {
    s.get("/jwks").await.ok()
}

async fn status_of(s: &TestServer, session_id: &str) -> String {
    s.get(&format!("/sessions/{session_id}")).await.ok()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The claims of `jwt` after checking it the way an application's backend does: signed by a
/// key the JWKS lists under the header's `kid`, RS256, issued by `issuer`, not expired, no
/// audience.
fn verify(jwt: &str, jwks: &Value, issuer: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("a JWS header");
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.expect("a kid");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("{kid} is not in the JWKS {jwks}"));
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    let key =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("{jwt} does not verify: {e}"))
        .claims
}

async fn sessions_are_created_listed_read_and_revoked(s: TestServer) {
    let user_id = user(&s, "ada@example.com").await;
    let before = crate::support::now_ms();
    let created = session(&s, &user_id).await;
    assert_eq!(created["object"], "session");
    assert_eq!(created["user_id"], user_id.as_str());
    assert_eq!(created["status"], "active");
    assert!(id(&created).starts_with("sess_"));
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    assert!(client_id.starts_with("client_"));
    let at = created["created_at"].as_i64().unwrap();
    assert!(at >= before);
    assert_eq!(created["last_active_at"], at);
    assert_eq!(created["expire_at"], at + 7 * 24 * 3600 * 1000);
    assert_eq!(created["abandon_at"], at + 30 * 24 * 3600 * 1000);

    // A session is a sign-in.
    let u = s.get(&format!("/users/{user_id}")).await.ok();
    assert_eq!(u["last_sign_in_at"], at);
    assert_eq!(u["last_active_at"], at);
    assert_eq!(s.count("last_active_at_after=1").await, 1);

    let session_id = id(&created);
    let path = format!("/sessions/{session_id}");
    assert_eq!(s.get(&path).await.ok(), created);
    let second = session(&s, &user_id).await;
    let list = s.get(&format!("/sessions?user_id={user_id}")).await.ok();
    assert_eq!(
        ids(&list),
        vec![id(&second), session_id.clone()],
        "newest first"
    );
    let by_client = s
        .get(&format!("/sessions?client_id={client_id}"))
        .await
        .ok();
    assert_eq!(ids(&by_client), vec![session_id.clone()]);
    // `paginated=true` wraps the page as Clerk does (its spec shows only the bare array).
    let page = s
        .send_outside_spec(s.req(
            Method::GET,
            &format!("/sessions?user_id={user_id}&paginated=true&limit=1&offset=1"),
        ))
        .await
        .ok();
    assert_eq!(page["total_count"], 2);
    assert_eq!(ids(&page["data"]), vec![session_id.clone()]);

    let revoked = s.post(&format!("{path}/revoke"), json!({})).await.ok();
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["updated_at"].as_i64().unwrap() >= at);
    assert_eq!(
        s.post(&format!("{path}/revoke"), json!({})).await.ok(),
        revoked
    );
    let active = s
        .get(&format!("/sessions?user_id={user_id}&status=active"))
        .await
        .ok();
    assert_eq!(ids(&active), vec![id(&second)]);
    let only_revoked = s
        .get(&format!("/sessions?user_id={user_id}&status=revoked"))
        .await
        .ok();
    assert_eq!(ids(&only_revoked), vec![session_id.clone()]);
    let removed = s
        .get(&format!("/sessions?user_id={user_id}&status=removed"))
        .await
        .ok();
    assert_eq!(removed, json!([]));

    // An expired session is shown as expired, and listed as such.
    s.exec_sql(&format!(
        "UPDATE sessions SET expire_at = 1 WHERE id = '{}'",
        id(&second)
    ))
    .await;
    assert_eq!(status_of(&s, &id(&second)).await, "expired");
    let expired = s
        .get(&format!("/sessions?user_id={user_id}&status=expired"))
        .await
        .ok();
    assert_eq!(ids(&expired), vec![id(&second)]);
    token(&s, &id(&second), json!({}))
        .await
        .err(404, "resource_not_found");
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(id).collect()
}

async fn session_requests_are_checked(s: TestServer) {
    let user_id = user(&s, "grace@example.com").await;
    s.post("/sessions", json!({}))
        .await
        .form_err("form_param_missing", "user_id");
    s.post("/sessions", json!({"user_id": "user_missing"}))
        .await
        .err(404, "resource_not_found");
    s.post("/sessions", json!({"user_id": user_id, "extra": 1}))
        .await
        .err(422, "form_param_unknown");
    s.get("/sessions")
        .await
        .form_err("form_param_missing", "user_id");
    s.get(&format!("/sessions?user_id={user_id}&status=sleeping"))
        .await
        .err(400, "invalid_query_parameter_value");
    s.get(&format!("/sessions?user_id={user_id}&limit=0"))
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get("/sessions/sess_missing")
        .await
        .err(404, "resource_not_found");
    s.post("/sessions/sess_missing/revoke", json!({}))
        .await
        .err(404, "resource_not_found");
    token(&s, "sess_missing", json!({}))
        .await
        .err(404, "resource_not_found");
    let session_id = id(&session(&s, &user_id).await);
    for bad in [29, 315_360_001] {
        token(&s, &session_id, json!({"expires_in_seconds": bad}))
            .await
            .form_err("form_param_value_invalid", "expires_in_seconds");
    }
    // A locked user cannot sign in.
    s.post(&format!("/users/{user_id}/lock"), json!({}))
        .await
        .ok();
    s.post("/sessions", json!({"user_id": user_id}))
        .await
        .err(403, "user_locked");
}

async fn session_tokens_verify_against_the_jwks(s: TestServer) {
    let user_id = user(&s, "alan@example.com").await;
    let created = session(&s, &user_id).await;
    let session_id = id(&created);
    let minted = token(&s, &session_id, json!({})).await.ok();
    assert_eq!(minted["object"], "token");
    let jwt = minted["jwt"].as_str().unwrap();
    let keys = jwks(&s).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    let claims = verify(jwt, &keys, &s.root_url());
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["sid"], session_id.as_str());
    assert_eq!(claims["v"], 2);
    assert_eq!(claims["sts"], "active");
    assert_eq!(claims["fva"], json!([0, -1]));
    let iat = claims["iat"].as_i64().unwrap();
    assert!((iat - crate::support::now_ms() / 1000).abs() < 60);
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 60);
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 10);
    assert!(claims.get("azp").is_none());
    assert!(claims.get("o").is_none());
    assert_eq!(claims["jti"].as_str().unwrap().len(), 20);
    // The key is the instance's, named after it (as Clerk names it).
    let kid = jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap();
    assert!(kid.starts_with("ins_"), "{kid}");

    let long = token(&s, &session_id, json!({"expires_in_seconds": 3600}))
        .await
        .ok();
    let claims = verify(long["jwt"].as_str().unwrap(), &keys, &s.root_url());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    // The same keys without authentication, where `{iss}/.well-known/jwks.json` points.
    let public: Value = reqwest::get(format!("{}/.well-known/jwks.json", s.root_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public, keys);
    let r = s.send(s.req_without_key(Method::GET, "/jwks")).await;
    assert_eq!(r.status, 401);

    // The same token with another subject, under the original signature, does not verify.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = "user_someone_else".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    let key = &keys["keys"][0];
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    assert!(jsonwebtoken::decode::<Value>(jwt, &decoding, &validation).is_ok());
    let err = jsonwebtoken::decode::<Value>(&forged, &decoding, &validation).unwrap_err();
    assert_eq!(
        *err.kind(),
        jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
}

async fn organization_claims_follow_the_membership(s: TestServer) {
    let user_id = user(&s, "org-admin@example.com").await;
    let outsider = user(&s, "outsider@example.com").await;
    let org = s
        .post(
            "/organizations",
            json!({"name": "Acme", "slug": "acme", "created_by": user_id}),
        )
        .await
        .ok();
    let org_id = id(&org);
    let created = s
        .post(
            "/sessions",
            json!({"user_id": user_id, "active_organization_id": org_id}),
        )
        .await
        .ok();
    assert_eq!(created["last_active_organization_id"], org_id.as_str());
    let minted = token(&s, &id(&created), json!({})).await.ok();
    let claims = verify(
        minted["jwt"].as_str().unwrap(),
        &jwks(&s).await,
        &s.root_url(),
    );
    assert_eq!(
        claims["o"],
        json!({"id": org_id, "rol": "admin", "slg": "acme"})
    );

    s.post(
        "/sessions",
        json!({"user_id": outsider, "active_organization_id": org_id}),
    )
    .await
    .form_err("not_a_member_in_organization", "active_organization_id");
    s.post(
        "/sessions",
        json!({"user_id": user_id, "active_organization_id": "org_missing"}),
    )
    .await
    .err(404, "resource_not_found");

    // Once the user leaves the organization, its claims are gone from new tokens.
    s.delete(&format!("/organizations/{org_id}/memberships/{user_id}"))
        .await
        .ok();
    let minted = token(&s, &id(&created), json!({})).await.ok();
    let claims = verify(
        minted["jwt"].as_str().unwrap(),
        &jwks(&s).await,
        &s.root_url(),
    );
    assert!(claims.get("o").is_none(), "{claims}");
}

async fn ban_revokes_every_session_and_blocks_new_ones(s: TestServer) {
    let user_id = user(&s, "banned@example.com").await;
    let first = id(&session(&s, &user_id).await);
    let second = id(&session(&s, &user_id).await);
    s.post(&format!("/users/{user_id}/ban"), json!({}))
        .await
        .ok();
    assert_eq!(status_of(&s, &first).await, "revoked");
    assert_eq!(status_of(&s, &second).await, "revoked");
    s.post("/sessions", json!({"user_id": user_id}))
        .await
        .err(403, "user_banned");
    token(&s, &first, json!({}))
        .await
        .err(404, "resource_not_found");
    s.post(&format!("/users/{user_id}/unban"), json!({}))
        .await
        .ok();
    assert_eq!(
        status_of(&s, &first).await,
        "revoked",
        "unban revives nothing"
    );
    let after = id(&session(&s, &user_id).await);
    token(&s, &after, json!({})).await.ok();

    // Bulk ban too; a user who is not banned keeps their session.
    let other = user(&s, "bystander@example.com").await;
    let kept = id(&session(&s, &other).await);
    s.post("/users/ban", json!({"user_ids": [user_id]}))
        .await
        .ok();
    assert_eq!(status_of(&s, &after).await, "revoked");
    assert_eq!(status_of(&s, &kept).await, "active");
}

async fn deleting_the_user_ends_its_sessions(s: TestServer) {
    let user_id = user(&s, "gone@example.com").await;
    let session_id = id(&session(&s, &user_id).await);
    s.delete(&format!("/users/{user_id}")).await.ok();
    assert_eq!(status_of(&s, &session_id).await, "ended");
    let list = s.get(&format!("/sessions?user_id={user_id}")).await.ok();
    assert_eq!(ids(&list), vec![session_id.clone()]);
    token(&s, &session_id, json!({}))
        .await
        .err(404, "resource_not_found");
    s.post("/sessions", json!({"user_id": user_id}))
        .await
        .err(404, "resource_not_found");
}

async fn password_flags_revoke_sessions_only_when_asked(s: TestServer) {
    let user_id = user(&s, "pw@example.com").await;
    let path = format!("/users/{user_id}");

    let kept = id(&session(&s, &user_id).await);
    s.patch(&path, json!({"password": "another-long-password"}))
        .await
        .ok();
    assert_eq!(status_of(&s, &kept).await, "active");
    s.patch(
        &path,
        json!({"password": "a-third-long-password", "sign_out_of_other_sessions": true}),
    )
    .await
    .ok();
    assert_eq!(status_of(&s, &kept).await, "revoked");

    let compromised = id(&session(&s, &user_id).await);
    s.post(&format!("{path}/password/set_compromised"), json!({}))
        .await
        .ok();
    assert_eq!(status_of(&s, &compromised).await, "active");
    s.post(
        &format!("{path}/password/set_compromised"),
        json!({"revoke_all_sessions": true}),
    )
    .await
    .ok();
    assert_eq!(status_of(&s, &compromised).await, "revoked");

    let removed = id(&session(&s, &user_id).await);
    s.post(
        &format!("{path}/remove_password"),
        json!({"sign_out_of_other_sessions": false}),
    )
    .await
    .ok();
    assert_eq!(status_of(&s, &removed).await, "active");
    s.patch(&path, json!({"password": "a-fourth-long-password"}))
        .await
        .ok();
    s.post(
        &format!("{path}/remove_password"),
        json!({"sign_out_of_other_sessions": true}),
    )
    .await
    .ok();
    assert_eq!(status_of(&s, &removed).await, "revoked");
}

async fn jwt_templates_are_managed_and_mint_their_claims(s: TestServer) {
    let user_id = id(&s
        .create_user(json!({
            "email_address": ["tpl@example.com"],
            "first_name": "Tem",
            "last_name": "Plate",
            "public_metadata": {"plan": "pro"},
            "private_metadata": {"secret": "never in a token"},
        }))
        .await);
    let claims = json!({
        "aud": "my-api",
        "email": "{{user.primary_email_address}}",
        "verified": "{{user.email_verified}}",
        "meta": "{{user.public_metadata}}",
        "name": "{{user.first_name}} {{user.last_name}}",
        "role": "{{org.role || 'none'}}",
        "private": "{{user.private_metadata}}",
    });
    let created = s
        .post(
            "/jwt_templates",
            json!({"name": "my-api", "claims": claims, "lifetime": 120, "allowed_clock_skew": 7}),
        )
        .await
        .ok();
    assert_eq!(created["object"], "jwt_template");
    assert_eq!(created["claims"], claims);
    assert_eq!(created["lifetime"], 120);
    assert_eq!(created["allowed_clock_skew"], 7);
    assert_eq!(created["custom_signing_key"], false);
    assert_eq!(created["signing_algorithm"], "RS256");
    let template_id = id(&created);
    let path = format!("/jwt_templates/{template_id}");
    assert_eq!(s.get(&path).await.ok(), created);
    assert_eq!(s.get("/jwt_templates").await.ok(), json!([created]));
    let page = s
        .send_outside_spec(s.req(Method::GET, "/jwt_templates?paginated=true"))
        .await
        .ok();
    assert_eq!(page["total_count"], 1);

    // Minted from a session: the claims filled in, plus the ones every template token has.
    let session_id = id(&session(&s, &user_id).await);
    let minted = s
        .post(&format!("/sessions/{session_id}/tokens/my-api"), json!({}))
        .await
        .ok();
    let got = verify(
        minted["jwt"].as_str().unwrap(),
        &jwks(&s).await,
        &s.root_url(),
    );
    assert_eq!(got["aud"], "my-api");
    assert_eq!(got["email"], "tpl@example.com");
    assert_eq!(got["verified"], true);
    assert_eq!(got["meta"], json!({"plan": "pro"}));
    assert_eq!(got["name"], "Tem Plate");
    assert_eq!(got["role"], "none");
    assert_eq!(got["private"], Value::Null, "private metadata stays out");
    assert_eq!(got["sub"], user_id.as_str());
    let iat = got["iat"].as_i64().unwrap();
    assert_eq!(got["exp"].as_i64().unwrap() - iat, 120);
    assert_eq!(got["nbf"].as_i64().unwrap(), iat - 7);
    let overridden = s
        .post(
            &format!("/sessions/{session_id}/tokens/my-api"),
            json!({"expires_in_seconds": 40}),
        )
        .await
        .ok();
    let got = verify(
        overridden["jwt"].as_str().unwrap(),
        &jwks(&s).await,
        &s.root_url(),
    );
    assert_eq!(
        got["exp"].as_i64().unwrap() - got["iat"].as_i64().unwrap(),
        40
    );
    s.post(&format!("/sessions/{session_id}/tokens/nope"), json!({}))
        .await
        .err(404, "resource_not_found");

    // Validation.
    s.post("/jwt_templates", json!({"name": "my-api", "claims": {}}))
        .await
        .form_err("form_identifier_exists", "name");
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {"sub": "me"}}),
    )
    .await
    .form_err("jwt_template_reserved_claim", "claims");
    s.post("/jwt_templates", json!({"name": "x", "claims": [1]}))
        .await
        .err(422, "form_param_type_invalid");
    s.post("/jwt_templates", json!({"claims": {}}))
        .await
        .form_err("form_param_missing", "name");
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {}, "lifetime": 29}),
    )
    .await
    .form_err("form_param_value_invalid", "lifetime");
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {}, "allowed_clock_skew": 301}),
    )
    .await
    .form_err("form_param_value_invalid", "allowed_clock_skew");
    let big = "x".repeat(17 * 1024);
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {"big": big}}),
    )
    .await
    .form_err("form_param_exceeds_allowed_size", "claims");
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {}, "custom_signing_key": true, "signing_algorithm": "RS256", "signing_key": "not a pem"}),
    )
    .await
    .form_err("form_param_value_invalid", "signing_key");
    s.post(
        "/jwt_templates",
        json!({"name": "x", "claims": {}, "custom_signing_key": true, "signing_algorithm": "none", "signing_key": "k"}),
    )
    .await
    .form_err("form_param_value_invalid", "signing_algorithm");

    // A template signed with its own shared secret: the token carries no kid and verifies
    // with the secret.
    let hs = s
        .post(
            "/jwt_templates",
            json!({"name": "hasura", "claims": {"x": 1}, "custom_signing_key": true,
                   "signing_algorithm": "HS256", "signing_key": "a shared secret of the app"}),
        )
        .await
        .ok();
    assert_eq!(hs["custom_signing_key"], true);
    assert_eq!(hs["signing_algorithm"], "HS256");
    assert!(hs.get("signing_key").is_none(), "the key is never shown");
    let minted = s
        .post(&format!("/sessions/{session_id}/tokens/hasura"), json!({}))
        .await
        .ok();
    let jwt = minted["jwt"].as_str().unwrap();
    assert_eq!(jsonwebtoken::decode_header(jwt).unwrap().kid, None);
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    let got = jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(b"a shared secret of the app"),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(got["x"], 1);
    assert_eq!(got["sub"], user_id.as_str());

    // PATCH takes the whole template; DELETE removes it.
    let updated = s
        .patch(
            &path,
            json!({"name": "renamed", "claims": {"k": "{{user.id}}"}}),
        )
        .await
        .ok();
    assert_eq!(updated["name"], "renamed");
    assert_eq!(updated["lifetime"], 120, "absent fields keep their values");
    s.patch(&path, json!({"name": "hasura", "claims": {}}))
        .await
        .form_err("form_identifier_exists", "name");
    s.patch(
        "/jwt_templates/jtmp_missing",
        json!({"name": "a", "claims": {}}),
    )
    .await
    .err(404, "resource_not_found");
    let deleted = s.delete(&path).await.ok();
    assert_eq!(
        deleted,
        json!({"object": "jwt_template", "id": template_id, "deleted": true})
    );
    s.get(&path).await.err(404, "resource_not_found");
    s.delete(&path).await.err(404, "resource_not_found");
}

async fn rotation_keeps_the_old_key_while_its_tokens_live(s: TestServer) {
    let user_id = user(&s, "rotate@example.com").await;
    let session_id = id(&session(&s, &user_id).await);
    let old = token(&s, &session_id, json!({})).await.ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_kid = jsonwebtoken::decode_header(&old).unwrap().kid.unwrap();
    let rotated = s
        .send_outside_spec(s.req(Method::POST, "/_ext/jwks/rotate"))
        .await
        .ok();
    assert_eq!(rotated["keys"].as_array().unwrap().len(), 2);
    let new = token(&s, &session_id, json!({})).await.ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let new_kid = jsonwebtoken::decode_header(&new).unwrap().kid.unwrap();
    assert_ne!(new_kid, old_kid);
    let keys = jwks(&s).await;
    assert_eq!(keys, rotated);
    assert_eq!(keys["keys"][0]["kid"], new_kid.as_str(), "newest first");
    verify(&old, &keys, &s.root_url());
    verify(&new, &keys, &s.root_url());

    // Once every token the retired key signed has expired, it leaves the JWKS.
    s.exec_sql("UPDATE signing_keys SET tokens_valid_until = 1 WHERE current IS NULL")
        .await;
    let keys = jwks(&s).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(keys["keys"][0]["kid"], new_kid.as_str());
    // The keys survive a restart (sealed in the database, not made again).
    let mut s = s;
    s.restart().await;
    assert_eq!(jwks(&s).await, keys);
}

async fn refresh_mints_a_new_token_from_an_expired_one(s: TestServer) {
    let user_id = user(&s, "refresh@example.com").await;
    let session_id = id(&session(&s, &user_id).await);
    let old = token(&s, &session_id, json!({})).await.ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/sessions/{session_id}/refresh");
    let body = |expired: &str, format: Option<&str>| {
        let mut body = json!({
            "expired_token": expired,
            "refresh_token": "from-the-__refresh-cookie",
            "request_origin": "https://app.example.com",
        });
        if let Some(format) = format {
            body["format"] = format.into();
        }
        body
    };
    let refreshed = s.post(&path, body(&old, None)).await.ok();
    assert_eq!(refreshed["object"], "token");
    let claims = verify(
        refreshed["jwt"].as_str().unwrap(),
        &jwks(&s).await,
        &s.root_url(),
    );
    assert_eq!(claims["sid"], session_id.as_str());
    assert_eq!(claims["azp"], "https://app.example.com");
    let cookies = s.post(&path, body(&old, Some("cookie"))).await.ok();
    assert_eq!(cookies["object"], "cookies");
    let cookie = cookies["cookies"][0].as_str().unwrap();
    assert!(cookie.starts_with("__session=ey"), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Refused: a token of another session, a token not signed here, garbage, a revoked session.
    let other = id(&session(&s, &user_id).await);
    let other_token = token(&s, &other, json!({})).await.ok()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post(&path, body(&other_token, None))
        .await
        .err(401, "authentication_invalid");
    let foreign = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::HS256),
        &json!({"sid": session_id}),
        &jsonwebtoken::EncodingKey::from_secret(b"not ours"),
    )
    .unwrap();
    s.post(&path, body(&foreign, None))
        .await
        .err(401, "authentication_invalid");
    s.post(&path, body("garbage", None))
        .await
        .err(401, "authentication_invalid");
    s.post(
        &path,
        json!({"expired_token": old, "request_origin": "https://app.example.com"}),
    )
    .await
    .form_err("form_param_missing", "refresh_token");
    s.post(&format!("/sessions/{session_id}/revoke"), json!({}))
        .await
        .ok();
    s.post(&path, body(&old, None))
        .await
        .err(401, "authentication_invalid");
}

/// The `data` of the event of `event_type` about `id`, once it arrived.
async fn event_data(hook: &Receiver, event_type: &str, id: &str) -> Value {
    let received = hook.wait_for_event(event_type, id).await;
    let event = received
        .iter()
        .map(|m| m.json())
        .find(|e| e["type"] == event_type && e["data"]["id"] == id)
        .expect("the event waited for");
    event["data"].clone()
}

async fn session_events_are_sent(s: TestServer) {
    let hook = Receiver::start().await;
    s.post_ext("/_ext/webhooks/endpoints", json!({"url": hook.url}))
        .await
        .ok();
    let user_id = user(&s, "events@example.com").await;
    let created = session(&s, &user_id).await;
    let session_id = id(&created);
    assert_eq!(
        event_data(&hook, "session.created", &session_id).await,
        created
    );
    let revoked = s
        .post(&format!("/sessions/{session_id}/revoke"), json!({}))
        .await
        .ok();
    assert_eq!(
        event_data(&hook, "session.revoked", &session_id).await,
        revoked
    );

    let banned = id(&session(&s, &user_id).await);
    s.post(&format!("/users/{user_id}/ban"), json!({}))
        .await
        .ok();
    assert_eq!(
        event_data(&hook, "session.revoked", &banned).await["status"],
        "revoked"
    );
    s.post(&format!("/users/{user_id}/unban"), json!({}))
        .await
        .ok();
    let ended = id(&session(&s, &user_id).await);
    s.delete(&format!("/users/{user_id}")).await.ok();
    assert_eq!(
        event_data(&hook, "session.ended", &ended).await["status"],
        "ended"
    );
}

/// `count` requests for a token of the session, to send at once.
fn token_requests(session_id: &str, count: usize) -> Vec<(Method, String, Option<Value>)> {
    let path = format!("/sessions/{session_id}/tokens");
    vec![(Method::POST, path, Some(json!({}))); count]
}

/// The first tokens of a new instance, asked for at once, are all signed with one key.
async fn concurrent_first_tokens_share_one_key(s: TestServer) {
    let user_id = user(&s, "burst@example.com").await;
    let session_id = id(&session(&s, &user_id).await);
    let requests = token_requests(&session_id, 20);
    let answers = fire_at(std::slice::from_ref(&s.base), requests).await;
    let keys = jwks(&s).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1, "{keys}");
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
        verify(body["jwt"].as_str().unwrap(), &keys, &s.root_url());
    }
}

/// A ban racing twenty new sessions: whatever the order, the user ends with no active session.
async fn a_ban_racing_new_sessions_leaves_none_active(s: TestServer) {
    let user_id = user(&s, "race@example.com").await;
    let mut requests: Vec<_> = (0..20)
        .map(|_| {
            (
                Method::POST,
                "/sessions".to_owned(),
                Some(json!({"user_id": user_id})),
            )
        })
        .collect();
    requests.insert(10, (Method::POST, format!("/users/{user_id}/ban"), None));
    let answers = fire_at(std::slice::from_ref(&s.base), requests).await;
    for (status, body) in &answers {
        assert!(*status == 200 || *status == 403, "{status} {body}");
    }
    let active = s
        .get(&format!("/sessions?user_id={user_id}&status=active"))
        .await
        .ok();
    assert_eq!(active, json!([]));
}

/// Twenty updates at once, half changing the lifetime, half setting a key of the template's
/// own: each reads the template in its own transaction, so none writes back a stale copy of
/// what another just changed.
async fn concurrent_template_updates_lose_nothing(s: TestServer) {
    let template = s
        .post("/jwt_templates", json!({"name": "racy", "claims": {}}))
        .await
        .ok();
    let path = format!("/jwt_templates/{}", id(&template));
    let requests = (0..20)
        .map(|i| {
            let body = if i % 2 == 0 {
                json!({"name": "racy", "claims": {}, "lifetime": 100 + i})
            } else {
                json!({"name": "racy", "claims": {}, "custom_signing_key": true,
                       "signing_algorithm": "HS256", "signing_key": "a shared secret"})
            };
            (Method::PATCH, path.clone(), Some(body))
        })
        .collect();
    for (status, body) in fire_at(std::slice::from_ref(&s.base), requests).await {
        assert_eq!(status, 200, "{body}");
    }
    let stored = s.get(&path).await.ok();
    assert_eq!(stored["custom_signing_key"], true, "{stored}");
    assert_ne!(stored["lifetime"], 60, "{stored}");
}

crate::on_both_stores!(
    concurrent_template_updates_lose_nothing,
    sessions_are_created_listed_read_and_revoked,
    session_requests_are_checked,
    session_tokens_verify_against_the_jwks,
    organization_claims_follow_the_membership,
    ban_revokes_every_session_and_blocks_new_ones,
    deleting_the_user_ends_its_sessions,
    password_flags_revoke_sessions_only_when_asked,
    jwt_templates_are_managed_and_mint_their_claims,
    rotation_keeps_the_old_key_while_its_tokens_live,
    refresh_mints_a_new_token_from_an_expired_one,
    session_events_are_sent,
    concurrent_first_tokens_share_one_key,
    a_ban_racing_new_sessions_leaves_none_active,
);

/// Two nodes on one PostgreSQL database, both asked for their first token at once: one key is
/// made, and a token minted by either verifies against the JWKS the other serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_one_postgres_node_verify_against_the_other() {
    let mut s = TestServer::start(Backend::Postgres).await;
    // Behind one load balancer, both nodes are one issuer.
    let issuer = "https://auth.example.com";
    s.restart_with_settings(|settings| settings.public_url = issuer.into())
        .await;
    let node = s.start_node().await;
    let bases = [s.base.clone(), node.base_url()];
    let user_id = user(&s, "nodes@example.com").await;
    let session_id = id(&session(&s, &user_id).await);
    let requests = token_requests(&session_id, 20);
    let answers = fire_at(&bases, requests).await;
    let http = reqwest::Client::new();
    for base in &bases {
        let keys: Value = http
            .get(format!("{base}/jwks"))
            .bearer_auth(crate::support::KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(keys["keys"].as_array().unwrap().len(), 1, "{keys}");
        for (status, body) in &answers {
            assert_eq!(*status, 200, "{body}");
            verify(body["jwt"].as_str().unwrap(), &keys, issuer);
        }
    }
    node.shutdown().await;
}
