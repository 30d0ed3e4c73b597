//! Sessions, the tokens minted from them, the keys that verify those tokens (JWKS) and JWT
//! templates: Clerk's `/sessions`, `/jwks` and `/jwt_templates` resources.

use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a session is in its life. `expired` and `abandoned` follow from the clock
    /// (`expire_at`, `abandon_at`); the others from what was done to it.
    #[derive(Default)]
    SessionStatus {
        /// Valid: the user is signed in and every activity is allowed.
        #[default]
        Active = "active",
        /// Ended by the application (the Backend API, a ban, a password change); the user
        /// must sign in again.
        Revoked = "revoked",
        /// The user signed out of it (or the user was deleted); it stays on its client.
        Ended = "ended",
        /// Past its `expire_at`: its period of allowed activity is over.
        Expired = "expired",
        /// The user signed out of it and it was taken off its client.
        Removed = "removed",
        /// Unused past its `abandon_at`: abandoned client-side.
        Abandoned = "abandoned",
        /// Replaced by another session; it stays on its client.
        Replaced = "replaced",
        /// Signed in, but with session tasks still to complete.
        Pending = "pending",
    }
}

/// A signed-in user on one client (`sess_…`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Always `session`.
    pub object: String,
    /// The session's id (`sess_…`).
    pub id: String,
    /// The user the session belongs to (`user_…`).
    pub user_id: String,
    /// The client (browser or device) the session lives on (`client_…`).
    pub client_id: String,
    /// Who is impersonating the user, if anyone (`{"sub": …}`).
    pub actor: Option<serde_json::Value>,
    /// Where the session is in its life.
    pub status: SessionStatus,
    /// The organization the session has active; its claims go into the session's tokens.
    pub last_active_organization_id: Option<String>,
    /// When the session was last active (Unix time in milliseconds).
    pub last_active_at: i64,
    /// Where and on what the session was last used; `null` when nothing was recorded.
    pub latest_activity: Option<SessionActivity>,
    /// When the session expires (Unix ms), whatever its activity.
    pub expire_at: i64,
    /// When the session is abandoned for inactivity (Unix ms).
    pub abandon_at: i64,
    /// When the session was last updated (Unix time in milliseconds).
    pub updated_at: i64,
    /// When the session was created (Unix time in milliseconds).
    pub created_at: i64,
    /// Tasks the user must complete before the session is active; none here.
    pub tasks: Option<Vec<serde_json::Value>>,
}

/// Where a session was last used (`session_activity`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionActivity {
    /// Always `session_activity`.
    pub object: String,
    /// The activity record's id.
    pub id: String,
    /// Whether the session was used from a mobile device.
    pub is_mobile: bool,
    /// The IP address the session was used from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The kind of device the session was used on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// The browser's name (for example `Chrome`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser_name: Option<String>,
    /// The browser's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser_version: Option<String>,
    /// The city the IP address locates to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The country the IP address locates to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `POST /sessions`: an active session for a user (Clerk's testing endpoint).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateSessionRequest {
    /// The user to sign in (required).
    pub user_id: Option<String>,
    /// An organization the user belongs to, made the session's active one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_organization_id: Option<String>,
}

/// `POST /sessions/{id}/tokens` and `/tokens/{template}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateSessionTokenRequest {
    /// The token's lifetime instead of the default (30 to 315360000 seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<i64>,
}

/// `POST /sessions/{id}/refresh`: a new token for the session, from its expired one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefreshSessionRequest {
    /// The expired session token (the `__session` cookie).
    pub expired_token: Option<String>,
    /// The refresh token (the `__refresh` cookie).
    pub refresh_token: Option<String>,
    /// The origin of the request; it becomes the token's `azp`.
    pub request_origin: Option<String>,
    /// The headers of the request being refreshed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<serde_json::Map<String, serde_json::Value>>,
    /// `token` (the default) or `cookie`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The IP address the request being refreshed came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_originating_ip: Option<String>,
}

/// A minted JWT: `{"object": "token", "jwt": …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionToken {
    /// Always `token`.
    pub object: String,
    /// The encoded JSON Web Token.
    pub jwt: String,
}

/// A refreshed session as `Set-Cookie` values (`format: cookie`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionCookies {
    /// Always `cookies`.
    pub object: String,
    /// The cookie directives, one `Set-Cookie` value each (`__session=…`).
    pub cookies: Vec<String>,
}

/// The instance's public keys, which verify the tokens it mints (`GET /jwks`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Jwks {
    /// The keys: the current one, and retired ones while tokens they signed may still be valid.
    pub keys: Vec<Jwk>,
}

/// One public key in the JWKS. An RSA key here; other key types keep their fields in `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Jwk {
    /// Always `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
    /// `RSA`.
    pub kty: String,
    /// The key's id: a token's header names it.
    pub kid: String,
    /// `RS256`.
    pub alg: String,
    /// The modulus, base64url.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub n: String,
    /// The public exponent, base64url.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub e: String,
    /// Every other member of the key (those of other key types, `x5c`, …), kept as sent.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A JWT template: the claims of tokens minted by `POST /sessions/{id}/tokens/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JwtTemplate {
    /// Always `jwt_template`.
    pub object: String,
    /// The template's id (`jtmp_…`).
    pub id: String,
    /// The template's name, unique in the instance; tokens are minted by it.
    pub name: String,
    /// The claims, with shortcodes such as `{{user.id}}` filled in at minting.
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Token lifetime, seconds.
    pub lifetime: i64,
    /// Seconds of leeway in `nbf`.
    pub allowed_clock_skew: i64,
    /// Whether tokens are signed with the template's own key instead of the instance's.
    pub custom_signing_key: bool,
    /// The algorithm tokens are signed with (`RS256` with the instance's key).
    pub signing_algorithm: String,
    /// When the template was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When the template was last updated (Unix time in milliseconds).
    pub updated_at: i64,
}

/// `POST /jwt_templates` and `PATCH /jwt_templates/{id}` (Clerk's PATCH takes the whole
/// template, `name` and `claims` included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtTemplateRequest {
    /// The template's name, unique in the instance (required).
    pub name: Option<String>,
    /// The claims, a JSON object that may hold shortcodes (required).
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    /// Seconds, 30 to 315360000; 60 when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<i64>,
    /// Seconds, 0 to 300; 5 when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_clock_skew: Option<i64>,
    /// `true`: sign with `signing_algorithm` and `signing_key` instead of the instance's key;
    /// `false`: back to the instance's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_signing_key: Option<bool>,
    /// With `custom_signing_key`: `HS256`/`HS384`/`HS512` or `RS256`/`RS384`/`RS512`,
    /// `ES256`/`ES384`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_algorithm: Option<String>,
    /// With `custom_signing_key`: the shared secret (HS*) or a PEM private key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
}
