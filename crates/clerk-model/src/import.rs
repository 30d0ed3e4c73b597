//! Bulk import and full export: our extension routes `POST /v1/_ext/import/users` and
//! `GET /v1/_ext/export/users` (docs/import-export.md). One record per user: the Clerk user
//! object plus the secrets Clerk never returns.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ClerkError;

/// One user to import. Every field is optional; unknown fields (the derived ones of a user
/// object, such as `object` or `has_image`) are ignored, so an export record imports as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportUser {
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub unsafe_metadata: Option<Value>,
    pub email_addresses: Vec<ImportIdentification>,
    pub phone_numbers: Vec<ImportIdentification>,
    pub web3_wallets: Vec<ImportIdentification>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    /// A plain password (as some migration files hold them), hashed with bcrypt on import.
    pub password: Option<String>,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    /// Base32 TOTP secret, in clear.
    pub totp_secret: Option<String>,
    /// Plain backup codes (hashed on import).
    pub backup_codes: Option<Vec<String>>,
    /// Backup codes as the server stores them (`sha256$…` or bcrypt), from an export.
    pub backup_code_digests: Option<Vec<String>>,
    pub external_accounts: Vec<ImportExternalAccount>,
    pub passkeys: Vec<ImportPasskey>,
    pub trusted_devices: Vec<ImportTrustedDevice>,
    pub banned: Option<bool>,
    pub locked: Option<bool>,
    pub delete_self_enabled: Option<bool>,
    pub create_organization_enabled: Option<bool>,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: Option<bool>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub mfa_enabled_at: Option<i64>,
    pub mfa_disabled_at: Option<i64>,
    pub password_last_updated_at: Option<i64>,
}

/// An email address, phone number or web3 wallet: the value sits in the field named after its
/// kind, as in Clerk's objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportIdentification {
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web3_wallet: Option<String>,
    pub reserved: bool,
    /// Phone numbers only: reserved as a second factor (the number must be verified).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reserved_for_second_factor: bool,
    /// Phone numbers only: the user's default second factor (one of those reserved).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default_second_factor: bool,
    pub verification: Option<ImportVerification>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportVerification {
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportExternalAccount {
    pub id: Option<String>,
    pub provider: String,
    pub provider_user_id: String,
    pub email_address: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub avatar_url: Option<String>,
    pub approved_scopes: Option<String>,
    pub public_metadata: Option<Value>,
    pub label: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub oauth_token: Option<ImportOAuthToken>,
}

/// The OAuth tokens of an external account, in clear (sealed by the server on import).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOAuthToken {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// Unix ms; `None`: the token does not expire.
    pub expires_at: Option<i64>,
    pub scopes: Option<Vec<String>>,
    pub id_token: Option<String>,
    pub token_secret: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportPasskey {
    pub id: Option<String>,
    pub name: String,
    pub last_used_at: Option<i64>,
    pub created_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportTrustedDevice {
    pub id: Option<String>,
    pub platform: String,
    pub app_identifier: String,
    pub name: Option<String>,
    pub algorithm: String,
    pub status: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What happened to one record of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Created,
    /// A user with this id (or, without an id, this external id) was already there; nothing
    /// was changed.
    Exists,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportUserResult {
    pub index: usize,
    pub status: ImportStatus,
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ClerkError>,
}

/// The response of `POST /v1/_ext/import/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResponse {
    pub object: String,
    pub created: usize,
    pub existing: usize,
    pub failed: usize,
    pub results: Vec<ImportUserResult>,
}

/// The response of `GET /v1/_ext/export/users`: records are user objects plus secrets, kept
/// as JSON so a reader loses no field it does not know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportPage {
    pub data: Vec<Value>,
    pub has_more: bool,
}
