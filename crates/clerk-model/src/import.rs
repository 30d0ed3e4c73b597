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
    /// The user's id: `user_` and 1 to 64 letters, digits or `_`; generated when absent.
    pub id: Option<String>,
    /// The user's id in your own system. Without `id`, a user already holding it makes the record
    /// report `exists`.
    pub external_id: Option<String>,
    /// The user's username.
    pub username: Option<String>,
    /// The user's first name.
    pub first_name: Option<String>,
    /// The user's last name.
    pub last_name: Option<String>,
    /// The user's locale, a BCP 47 language tag.
    pub locale: Option<String>,
    /// Metadata the frontend can read (a JSON object, at most 8 KB).
    pub public_metadata: Option<Value>,
    /// Metadata only the Backend API can read (a JSON object, at most 8 KB).
    pub private_metadata: Option<Value>,
    /// Metadata the frontend can read and write (a JSON object, at most 8 KB).
    pub unsafe_metadata: Option<Value>,
    /// The user's email addresses (at most 100).
    pub email_addresses: Vec<ImportIdentification>,
    /// The user's phone numbers (at most 100).
    pub phone_numbers: Vec<ImportIdentification>,
    /// The user's web3 wallets (at most 100).
    pub web3_wallets: Vec<ImportIdentification>,
    /// The id of the entry of `email_addresses` to make primary; the first one when absent.
    pub primary_email_address_id: Option<String>,
    /// The id of the entry of `phone_numbers` to make primary; the first one when absent.
    pub primary_phone_number_id: Option<String>,
    /// The id of the entry of `web3_wallets` to make primary; the first one when absent.
    pub primary_web3_wallet_id: Option<String>,
    /// A plain password (as some migration files hold them), hashed with bcrypt on import.
    pub password: Option<String>,
    /// A password digest made with `password_hasher`, as `POST /users` takes it; cannot be combined
    /// with `password`.
    pub password_digest: Option<String>,
    /// The algorithm of `password_digest` (`bcrypt`, `argon2id`, …).
    pub password_hasher: Option<String>,
    /// Base32 TOTP secret, in clear.
    pub totp_secret: Option<String>,
    /// Plain backup codes (hashed on import).
    pub backup_codes: Option<Vec<String>>,
    /// Backup codes as the server stores them (`sha256$…` or bcrypt), from an export.
    pub backup_code_digests: Option<Vec<String>>,
    /// The user's OAuth accounts, with their tokens (at most 100).
    pub external_accounts: Vec<ImportExternalAccount>,
    /// The user's passkeys (at most 100).
    pub passkeys: Vec<ImportPasskey>,
    /// The user's trusted devices (at most 100).
    pub trusted_devices: Vec<ImportTrustedDevice>,
    /// Imports the user banned.
    pub banned: Option<bool>,
    /// Imports the user locked, until an administrator unlocks them.
    pub locked: Option<bool>,
    /// Whether the user may delete themselves; `true` when absent.
    pub delete_self_enabled: Option<bool>,
    /// Whether the user may create organizations; `true` when absent.
    pub create_organization_enabled: Option<bool>,
    /// Most organizations the user may create (not negative).
    pub create_organizations_limit: Option<i64>,
    /// Whether the user skips Device Trust checks; `false` when absent.
    pub bypass_client_trust: Option<bool>,
    /// When the user was created (Unix time in milliseconds); now when absent. The default of the
    /// record's other timestamps.
    pub created_at: Option<i64>,
    /// When the user was last updated (Unix time in milliseconds); `created_at` when absent.
    pub updated_at: Option<i64>,
    /// When the user was last active (Unix time in milliseconds).
    pub last_active_at: Option<i64>,
    /// When the user last signed in (Unix time in milliseconds).
    pub last_sign_in_at: Option<i64>,
    /// When the user accepted the legal requirements (Unix time in milliseconds).
    pub legal_accepted_at: Option<i64>,
    /// When MFA was last enabled (Unix time in milliseconds); `created_at` when absent and the user
    /// has a second factor.
    pub mfa_enabled_at: Option<i64>,
    /// When MFA was last disabled (Unix time in milliseconds).
    pub mfa_disabled_at: Option<i64>,
    /// With `password_digest`: when the password was last changed (Unix time in milliseconds);
    /// `created_at` when absent.
    pub password_last_updated_at: Option<i64>,
}

/// An email address, phone number or web3 wallet: the value sits in the field named after its
/// kind, as in Clerk's objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportIdentification {
    /// The identification's id: `idn_` and 1 to 64 letters, digits or `_`; generated when absent.
    pub id: Option<String>,
    /// The address, in an entry of `email_addresses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// The number (E.164), in an entry of `phone_numbers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// The wallet's address, in an entry of `web3_wallets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web3_wallet: Option<String>,
    /// Imports the identification reserved: held for the user, without verification.
    pub reserved: bool,
    /// Phone numbers only: reserved as a second factor (the number must be verified).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reserved_for_second_factor: bool,
    /// Phone numbers only: the user's default second factor (one of those reserved).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default_second_factor: bool,
    /// Only its `status` is read: verified when absent.
    pub verification: Option<ImportVerification>,
    /// When the identification was created (Unix time in milliseconds); the user's `created_at`
    /// when absent.
    pub created_at: Option<i64>,
    /// When the identification was last updated (Unix time in milliseconds). Not read: the import
    /// sets it to `created_at`.
    pub updated_at: Option<i64>,
}

/// The verification of an imported identification: only its status is read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportVerification {
    /// `verified` or `unverified`; `verified` when absent.
    pub status: Option<String>,
}

/// An OAuth account of the user to import, as Clerk's `ExternalAccount` object shows it, plus its
/// tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportExternalAccount {
    /// The account's id: `eac_` and 1 to 64 letters, digits or `_`; generated when absent.
    pub id: Option<String>,
    /// The OAuth provider, such as `oauth_google` (required).
    pub provider: String,
    /// The user's unique id in the provider's system (required).
    pub provider_user_id: String,
    /// The email address the provider gave.
    pub email_address: Option<String>,
    /// The first name the provider gave.
    pub first_name: Option<String>,
    /// The last name the provider gave.
    pub last_name: Option<String>,
    /// The username the provider gave.
    pub username: Option<String>,
    /// The phone number the provider gave.
    pub phone_number: Option<String>,
    /// The profile image URL the provider gave (shown as `avatar_url` and `image_url`).
    pub avatar_url: Option<String>,
    /// The OAuth scopes the user granted, separated by spaces.
    pub approved_scopes: Option<String>,
    /// Metadata attached to the account (a JSON object).
    pub public_metadata: Option<Value>,
    /// A label that tells apart several accounts of the user with the same provider.
    pub label: Option<String>,
    /// When the account was created (Unix time in milliseconds); the user's `created_at` when
    /// absent.
    pub created_at: Option<i64>,
    /// When the account was last updated (Unix time in milliseconds); its `created_at` when absent.
    pub updated_at: Option<i64>,
    /// The account's OAuth tokens, in clear; none when absent.
    pub oauth_token: Option<ImportOAuthToken>,
}

/// The OAuth tokens of an external account, in clear (sealed by the server on import).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOAuthToken {
    /// The access token.
    pub access_token: Option<String>,
    /// The refresh token, which renews an expired access token.
    pub refresh_token: Option<String>,
    /// Unix ms; `None`: the token does not expire.
    pub expires_at: Option<i64>,
    /// The scopes the tokens grant.
    pub scopes: Option<Vec<String>>,
    /// The OpenID Connect ID token, when the provider issued one.
    pub id_token: Option<String>,
    /// The token secret (OAuth 1.0a providers).
    pub token_secret: Option<String>,
}

/// A passkey of the user to import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportPasskey {
    /// The passkey's id: `idn_` and 1 to 64 letters, digits or `_`; generated when absent.
    pub id: Option<String>,
    /// The passkey's display name.
    pub name: String,
    /// When the passkey was last used (Unix time in milliseconds); its `created_at` when absent.
    pub last_used_at: Option<i64>,
    /// When the passkey was created (Unix time in milliseconds); the user's `created_at` when
    /// absent.
    pub created_at: Option<i64>,
}

/// A trusted device of the user, as Clerk's `TrustedDevice` object shows it (import and export).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportTrustedDevice {
    /// The device's id: `td_` and 1 to 64 letters, digits or `_`; generated when absent.
    pub id: Option<String>,
    /// The device's platform, `ios` or `android` (required).
    pub platform: String,
    /// The identifier of the app on the device (required).
    pub app_identifier: String,
    /// The device's name.
    pub name: Option<String>,
    /// The algorithm of the device's key, `ES256` (required).
    pub algorithm: String,
    /// `active` or `revoked`; `active` when absent.
    pub status: Option<String>,
    /// When the device was created (Unix time in milliseconds); the user's `created_at` when
    /// absent.
    pub created_at: Option<i64>,
    /// When the device was last updated (Unix time in milliseconds); its `created_at` when absent.
    pub updated_at: Option<i64>,
    /// When the device was last used (Unix time in milliseconds).
    pub last_used_at: Option<i64>,
    /// When the device was revoked (Unix time in milliseconds); for a revoked device, its
    /// `created_at` when absent.
    pub revoked_at: Option<i64>,
}

/// What happened to one record of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// The user was created, whole.
    Created,
    /// A user with this id (or, without an id, this external id) was already there; nothing
    /// was changed.
    Exists,
    /// The record was refused and nothing of it was written; `errors` says why.
    Failed,
}

/// The outcome of one record of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportUserResult {
    /// The record's position in the request's `users`, from 0.
    pub index: usize,
    /// What happened to the record.
    pub status: ImportStatus,
    /// The user's id (the new user's, or the one already there); `null` when the record failed.
    pub id: Option<String>,
    /// Why the record failed, as Clerk errors; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ClerkError>,
}

/// The response of `POST /v1/_ext/import/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResponse {
    /// Always `import_result`.
    pub object: String,
    /// How many records created a user.
    pub created: usize,
    /// How many records named a user already there.
    pub existing: usize,
    /// How many records failed.
    pub failed: usize,
    /// One result per record, in the order of the request.
    pub results: Vec<ImportUserResult>,
}

/// The response of `GET /v1/_ext/export/users`: records are user objects plus secrets, kept
/// as JSON so a reader loses no field it does not know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportPage {
    /// The users of the page, in the store's creation order: each a user object plus its secrets.
    pub data: Vec<Value>,
    /// Whether another page follows; ask for it with `starting_after` set to the last user's id.
    pub has_more: bool,
}
