//! Small response objects of the `/users` operations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `DeletedObject`: what a DELETE returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeletedObject {
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub deleted: bool,
}

/// `TotalCount`: `GET /users/count`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TotalCount {
    pub object: String,
    pub total_count: i64,
}

impl TotalCount {
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
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyPasswordResponse {
    pub verified: bool,
}

string_enum!(
    /// Which kind of code `verify_totp` accepted.
    #[derive(Default)]
    CodeType {
        #[default]
        Totp = "totp",
        BackupCode = "backup_code",
    }
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyTotpResponse {
    pub verified: bool,
    pub code_type: CodeType,
}

/// What `POST /users/{user_id}/totp` (`create_user_totp`) returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Totp {
    pub object: String,
    pub id: String,
    pub secret: Option<String>,
    pub uri: Option<String>,
    pub verified: bool,
    pub backup_codes: Option<Vec<String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One item of `GET /users/{user_id}/oauth_access_tokens/{provider}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthAccessToken {
    pub object: String,
    pub external_account_id: String,
    pub provider_user_id: String,
    pub token: String,
    pub expires_at: Option<i64>,
    pub provider: String,
    pub public_metadata: Value,
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrustedDevice {
    pub object: String,
    pub id: String,
    pub platform: String,
    pub app_identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub algorithm: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// A page with its total: `{ "data": [...], "total_count": n }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paginated<T> {
    #[serde(default)]
    pub data: Vec<T>,
    #[serde(default)]
    pub total_count: i64,
}
