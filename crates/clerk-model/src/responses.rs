//! Small response objects of the `/users` operations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `DeletedObject`: what a DELETE returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeletedObject {
    /// Type of the deleted object, e.g. `user`.
    pub object: String,
    /// ID of the deleted object, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Slug of the deleted object, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// External ID of the deleted object, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Whether the object was deleted.
    pub deleted: bool,
}

/// `TotalCount`: `GET /users/count`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotalCount {
    /// Always `total_count`.
    pub object: String,
    /// Number of items matching the request's filters.
    pub total_count: i64,
}

impl TotalCount {
    /// A count of `total_count` items, with `object` set to `total_count`.
    pub fn new(total_count: i64) -> Self {
        Self {
            object: "total_count".into(),
            total_count,
        }
    }
}

/// `{ "user_id": … }`: what the MFA, TOTP and backup-code deletions return.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserIdResponse {
    /// ID of the user whose credentials were removed.
    pub user_id: String,
}

/// What `POST /users/{user_id}/verify_password` returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyPasswordResponse {
    /// `true`: the password matched (a wrong password is a 422 error instead).
    pub verified: bool,
}

string_enum!(
    /// Which kind of code `verify_totp` accepted.
    #[derive(Default)]
    CodeType {
        /// A TOTP code.
        #[default]
        Totp = "totp",
        /// A backup code, now used up.
        BackupCode = "backup_code",
    }
);

/// What `POST /users/{user_id}/verify_totp` returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyTotpResponse {
    /// `true`: the code was valid (a wrong code is a 422 error instead).
    pub verified: bool,
    /// Which kind of code was accepted.
    pub code_type: CodeType,
}

/// What `POST /users/{user_id}/totp` (`create_user_totp`) returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Totp {
    /// Always `totp`.
    pub object: String,
    /// Unique identifier of the TOTP.
    pub id: String,
    /// The shared secret, base32-encoded.
    pub secret: Option<String>,
    /// The `otpauth://` URI to enrol the secret in an authenticator app.
    pub uri: Option<String>,
    /// Whether the TOTP is verified.
    pub verified: bool,
    /// Backup codes, when they come with the TOTP.
    pub backup_codes: Option<Vec<String>>,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
}

/// One item of `GET /users/{user_id}/oauth_access_tokens/{provider}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthAccessToken {
    /// Always `oauth_access_token`.
    pub object: String,
    /// ID of the external account the token belongs to, `eac_…`.
    pub external_account_id: String,
    /// The user's ID at the provider.
    pub provider_user_id: String,
    /// The access token.
    pub token: String,
    /// When the token expires, as a Unix timestamp (milliseconds here; Clerk does not state
    /// the unit), if known.
    pub expires_at: Option<i64>,
    /// The provider, e.g. `oauth_google`.
    pub provider: String,
    /// Public metadata of the token.
    pub public_metadata: Value,
    /// The token's label, if any.
    pub label: Option<String>,
    /// Scopes the token is valid for; OAuth 2.0 tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The ID token from an OIDC provider, when available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The token secret; OAuth 1.0 tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
}

/// `TrustedDevice`: a device of the user trusted through Device Trust.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrustedDevice {
    /// Always `trusted_device`.
    pub object: String,
    /// Unique identifier of the device.
    pub id: String,
    /// `ios` or `android`.
    pub platform: String,
    /// Identifier of the app on the device.
    pub app_identifier: String,
    /// The device's name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The device key's algorithm: `ES256`.
    pub algorithm: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
    /// When the device was last used, Unix timestamp in milliseconds, if ever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
    /// When the device was revoked, Unix timestamp in milliseconds, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// A page with its total: `{ "data": [...], "total_count": n }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paginated<T> {
    /// The items of this page.
    #[serde(default)]
    pub data: Vec<T>,
    /// Total number of items, across all pages.
    #[serde(default)]
    pub total_count: i64,
}
