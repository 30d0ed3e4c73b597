//! Tokens minted from an active session: Clerk's session token, a JWT template's token, and a
//! refreshed session token; the keys that sign them and the JWKS that verifies them (`keys`).

mod keys;
mod shortcodes;

use clerk_model::{CreateSessionTokenRequest, RefreshSessionRequest, SessionCookies, SessionToken};
use rand::RngCore as _;
use serde_json::{json, Map, Value};

pub use keys::{jwks, rotate};

use super::metadata::from_stored;
use super::session_state;
use super::view;
use crate::crypto::jwt::{self, SigningKey};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::jwt_templates::{self as sql_templates, JwtTemplateRow};
use crate::store::organizations::{self as sql_orgs, MembershipRow, OrgRow};
use crate::store::sessions::{self as sql_sessions, SessionRow, Status, StoredStatus};
use crate::store::users as sql_users;
use crate::store::{now_ms, UserRecord};
use crate::AppState;

/// Clerk's session token lifetime: 60 seconds; the frontend refreshes it before it expires.
pub const SESSION_TOKEN_LIFETIME_S: i64 = 60;
/// A session token's `nbf` is this many seconds before its `iat`, for verifiers whose clock
/// runs behind (as Clerk's tokens have it).
const SESSION_TOKEN_NBF_SKEW_S: i64 = 10;
/// The bounds Clerk puts on `expires_in_seconds` and a template's `lifetime`.
pub const MIN_LIFETIME_S: i64 = 30;
pub const MAX_LIFETIME_S: i64 = 315_360_000;

/// The session a token is minted from, with what its claims read.
struct ActiveSession {
    session: SessionRow,
    user: UserRecord,
    /// The session's active organization and the user's membership in it, while it lasts.
    organization: Option<(OrgRow, MembershipRow)>,
}

fn not_active(session_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No active session was found with id {session_id}"),
    )
    .meta("session_id", session_id)
}

/// The session if it is active now, its user not banned; 404 otherwise, 403 `user_banned`.
async fn active_session(app: &AppState, session_id: &str, now: i64) -> ApiResult<ActiveSession> {
    let mut conn = app.store.read().await?;
    let session = sql_sessions::find(&mut conn, session_id, false)
        .await?
        .filter(|s| s.status_at(now) == Status::Stored(StoredStatus::Active))
        .ok_or_else(|| not_active(session_id))?;
    let user = sql_users::find_user(&mut conn, app.store.dialect(), &session.user_id, false)
        .await?
        .ok_or_else(|| not_active(session_id))?;
    if user.user.banned {
        return Err(session_state::user_banned());
    }
    let organization = match &session.last_active_organization_id {
        None => None,
        Some(org_id) => {
            let dialect = app.store.dialect();
            match sql_orgs::find_organization(&mut conn, dialect, org_id, false, false).await? {
                None => None,
                Some(org) => sql_orgs::find_membership(&mut conn, &org.id, user.user.seq)
                    .await?
                    .map(|membership| (org, membership)),
            }
        }
    };
    Ok(ActiveSession {
        session,
        user,
        organization,
    })
}

/// `expires_in_seconds`, or `default`, within Clerk's bounds.
fn lifetime(expires_in_seconds: Option<i64>, default: i64) -> ApiResult<i64> {
    match expires_in_seconds {
        None => Ok(default),
        Some(s) if (MIN_LIFETIME_S..=MAX_LIFETIME_S).contains(&s) => Ok(s),
        Some(_) => Err(ApiError::value_invalid(
            "expires_in_seconds",
            format!("expires_in_seconds must be between {MIN_LIFETIME_S} and {MAX_LIFETIME_S}."),
        )),
    }
}

/// A token id: 20 random hex digits.
fn jti() -> String {
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Clerk's session token claims (version 2).
fn session_claims(
    app: &AppState,
    active: &ActiveSession,
    now: i64,
    lifetime_s: i64,
    azp: Option<&str>,
) -> Map<String, Value> {
    let iat = now / 1000;
    let session = &active.session;
    let mut claims = Map::new();
    if let Some(azp) = azp {
        claims.insert("azp".into(), azp.into());
    }
    claims.insert("exp".into(), (iat + lifetime_s).into());
    // Minutes since the first and the second factor were verified; -1: never.
    let first_factor_age = (now - session.created_at).max(0) / 60_000;
    claims.insert("fva".into(), json!([first_factor_age, -1]));
    claims.insert("iat".into(), iat.into());
    claims.insert("iss".into(), app.settings.token_issuer().into());
    claims.insert("jti".into(), jti().into());
    claims.insert("nbf".into(), (iat - SESSION_TOKEN_NBF_SKEW_S).into());
    if let Some((org, membership)) = &active.organization {
        claims.insert(
            "o".into(),
            json!({
                "id": org.id,
                "rol": membership.role.strip_prefix("org:").unwrap_or(&membership.role),
                "slg": org.slug,
            }),
        );
    }
    claims.insert("sid".into(), session.id.clone().into());
    claims.insert("sts".into(), "active".into());
    claims.insert("sub".into(), session.user_id.clone().into());
    claims.insert("v".into(), 2.into());
    claims
}

/// Signs `claims` with the instance's current key, after recording that the key must stay
/// published until `exp` (seconds).
async fn sign_with_instance_key(app: &AppState, claims: &Map<String, Value>) -> ApiResult<String> {
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let (row, key) = keys::current(app).await?;
    keys::cover_expiry(app, &row, exp.saturating_mul(1000)).await?;
    sign(key, claims).await
}

/// The signature runs on a blocking thread: an RSA signature is about a millisecond of CPU,
/// and on the runtime's workers it would hold up every other request's I/O (measured: p99 of
/// 393 ms at 32 connections on PostgreSQL, BENCHMARKS.md).
async fn sign(key: SigningKey, claims: &Map<String, Value>) -> ApiResult<String> {
    let claims = Value::Object(claims.clone());
    tokio::task::spawn_blocking(move || key.sign(&claims))
        .await
        .map_err(|e| ApiError::internal_because(format!("signing a token: {e}")))?
        .map_err(|e| ApiError::internal_because(format!("signing a token: {e}")))
}

fn token(jwt: String) -> SessionToken {
    SessionToken {
        object: "token".into(),
        jwt,
    }
}

/// `POST /sessions/{id}/tokens`: a session token (RS256, the instance's key).
pub async fn session_token(
    app: &AppState,
    session_id: &str,
    req: CreateSessionTokenRequest,
) -> ApiResult<SessionToken> {
    let lifetime_s = lifetime(req.expires_in_seconds, SESSION_TOKEN_LIFETIME_S)?;
    let now = now_ms();
    let active = active_session(app, session_id, now).await?;
    let claims = session_claims(app, &active, now, lifetime_s, None);
    Ok(token(sign_with_instance_key(app, &claims).await?))
}

/// What a template's shortcodes read: the user (as the API shows it, without its private
/// metadata, plus the derived values Clerk offers), the active organization and membership,
/// and the session.
fn shortcode_scope(app: &AppState, active: &ActiveSession, now: i64) -> shortcodes::Scope {
    let user = view::user(&active.user, &app.settings, now);
    let mut user_json = serde_json::to_value(&user).expect("a user serializes");
    let object = user_json.as_object_mut().expect("a user is an object");
    object.remove("private_metadata");
    let primary = |id: &Option<String>| {
        active
            .user
            .identifications
            .iter()
            .find(|i| Some(&i.id) == id.as_ref())
    };
    let email = primary(&user.primary_email_address_id);
    let phone = primary(&user.primary_phone_number_id);
    let wallet = primary(&user.primary_web3_wallet_id);
    let verified = |ident: Option<&crate::store::IdentRow>| {
        ident.is_some_and(|i| i.status == crate::store::IdentStatus::Verified)
    };
    let full_name = [&user.first_name, &user.last_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    object.insert("full_name".into(), full_name.into());
    object.insert(
        "primary_email_address".into(),
        email.map(|i| i.value.clone()).into(),
    );
    object.insert(
        "primary_phone_number".into(),
        phone.map(|i| i.value.clone()).into(),
    );
    object.insert(
        "primary_web3_wallet".into(),
        wallet.map(|i| i.value.clone()).into(),
    );
    object.insert("email_verified".into(), verified(email).into());
    object.insert("phone_number_verified".into(), verified(phone).into());

    let (org, membership) = match &active.organization {
        Some((org, membership)) => (
            json!({
                "id": org.id,
                "name": org.name,
                "slug": org.slug,
                "role": membership.role,
                "public_metadata": from_stored(&org.public_metadata),
            }),
            json!({"public_metadata": from_stored(&membership.public_metadata)}),
        ),
        None => (Value::Null, Value::Null),
    };
    let session = json!({
        "id": active.session.id,
        "actor": active
            .session
            .actor
            .as_deref()
            .and_then(|a| serde_json::from_str::<Value>(a).ok()),
    });
    let mut roots = Map::new();
    roots.insert("user".into(), user_json);
    roots.insert("org".into(), org);
    roots.insert("org_membership".into(), membership);
    roots.insert("session".into(), session);
    shortcodes::Scope { roots }
}

fn template_not_found(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No JWT template exists with name: {name}"),
    )
}

/// The key a template's tokens are signed with: its own, or the instance's.
fn template_key(app: &AppState, template: &JwtTemplateRow) -> ApiResult<Option<SigningKey>> {
    let Some(sealed) = template
        .signing_key
        .as_ref()
        .filter(|_| template.custom_signing_key)
    else {
        return Ok(None);
    };
    let secret = app
        .encryption_key
        .open_str(sealed, template.id.as_bytes())
        .map_err(|_| ApiError::internal_because("a template's signing key does not open"))?;
    SigningKey::custom(&template.signing_algorithm, &secret)
        .map(Some)
        .map_err(|e| ApiError::internal_because(format!("a template's signing key: {e}")))
}

/// `POST /sessions/{id}/tokens/{template_name}`: a token with the template's claims filled in,
/// plus the claims every template token has (`azp` aside: `exp`, `iat`, `iss`, `jti`, `nbf`,
/// `sub`).
pub async fn template_token(
    app: &AppState,
    session_id: &str,
    template_name: &str,
    req: CreateSessionTokenRequest,
) -> ApiResult<SessionToken> {
    let template = {
        let mut conn = app.store.read().await?;
        sql_templates::find_by_name(&mut conn, template_name)
            .await?
            .ok_or_else(|| template_not_found(template_name))?
    };
    let lifetime_s = lifetime(req.expires_in_seconds, template.lifetime)?;
    let now = now_ms();
    let active = active_session(app, session_id, now).await?;
    let stored_claims: Value = serde_json::from_str(&template.claims)
        .map_err(|e| ApiError::internal_because(format!("stored template claims: {e}")))?;
    let rendered = shortcodes::render(&stored_claims, &shortcode_scope(app, &active, now));
    let mut claims = match rendered {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let iat = now / 1000;
    claims.insert("exp".into(), (iat + lifetime_s).into());
    claims.insert("iat".into(), iat.into());
    claims.insert("iss".into(), app.settings.token_issuer().into());
    claims.insert("jti".into(), jti().into());
    claims.insert("nbf".into(), (iat - template.allowed_clock_skew).into());
    claims.insert("sub".into(), active.session.user_id.clone().into());
    let jwt = match template_key(app, &template)? {
        Some(key) => sign(key, &claims).await?,
        None => sign_with_instance_key(app, &claims).await?,
    };
    Ok(token(jwt))
}

/// What `POST /sessions/{id}/refresh` answers, by the `format` asked for.
pub enum Refreshed {
    Token(SessionToken),
    Cookies(SessionCookies),
}

/// The 401 of a refresh that cannot be done; the SDKs fall back to the handshake on it.
fn refresh_refused(why: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Unauthenticated,
        "authentication_invalid",
        "Unauthorized request",
        format!("The session cannot be refreshed: {why}."),
    )
}

/// `POST /sessions/{id}/refresh`: a new session token for an active session, given an
/// (expired) session token this instance signed for it. `refresh_token` is required but not
/// checked: this server sets no `__refresh` cookie, and a caller holding the secret key may
/// mint a token for the session anyway.
pub async fn refresh(
    app: &AppState,
    session_id: &str,
    req: RefreshSessionRequest,
) -> ApiResult<Refreshed> {
    let expired_token = req
        .expired_token
        .ok_or_else(|| ApiError::param_missing("expired_token"))?;
    req.refresh_token
        .ok_or_else(|| ApiError::param_missing("refresh_token"))?;
    let origin = req
        .request_origin
        .ok_or_else(|| ApiError::param_missing("request_origin"))?;
    let cookie = match req.format.as_deref() {
        None | Some("token") => false,
        Some("cookie") => true,
        Some(other) => {
            return Err(ApiError::value_invalid(
                "format",
                format!("format must be token or cookie, not {other}."),
            ))
        }
    };
    let kid = jwt::token_kid(&expired_token)
        .ok_or_else(|| refresh_refused("expired_token is not a session token"))?;
    let jwk = keys::published_jwk(app, &kid)
        .await?
        .ok_or_else(|| refresh_refused("expired_token was not signed by this instance"))?;
    let claims = jwt::verified_claims_ignoring_time(&expired_token, &jwk)
        .ok_or_else(|| refresh_refused("expired_token was not signed by this instance"))?;
    if claims.get("sid").and_then(Value::as_str) != Some(session_id) {
        return Err(refresh_refused("expired_token belongs to another session"));
    }
    let now = now_ms();
    let active = active_session(app, session_id, now)
        .await
        .map_err(|e| match e.kind {
            ErrorKind::NotFound => refresh_refused("the session is not active"),
            _ => e,
        })?;
    let claims = session_claims(app, &active, now, SESSION_TOKEN_LIFETIME_S, Some(&origin));
    let jwt = sign_with_instance_key(app, &claims).await?;
    Ok(if cookie {
        let secure = if origin.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        Refreshed::Cookies(SessionCookies {
            object: "cookies".into(),
            cookies: vec![format!("__session={jwt}; Path=/; SameSite=Lax{secure}")],
        })
    } else {
        Refreshed::Token(token(jwt))
    })
}
