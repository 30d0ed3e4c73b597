//! Request bodies of the `/users` operations.
//!
//! They reject unknown fields (Clerk's request schemas are `additionalProperties: false`) and
//! leave out absent fields when serialized. Where `null` means something different from an absent
//! field (`username: null` removes the username), the field is an `Option<Option<T>>`: `None`
//! absent, `Some(None)` null.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

string_enum!(
    /// `email_address_identification_status` / `identification_status` items.
    IdentificationStatus {
        /// Verified (the default), through the `admin` verification strategy.
        Verified = "verified",
        /// Unverified but usable for sign-in, and locked so that no other user can claim it.
        Reserved = "reserved",
        /// Neither usable for sign-in nor locked. Only accepted when replacing a user's email
        /// address or phone number; it can lock out a user who has no other usable identifier.
        Unverified = "unverified",
    }
);

/// Deserializes a present field, `null` included, as `Some(..)`, so that an absent field
/// (`None`, through `#[serde(default)]`) stays distinguishable from an explicit `null`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `CreateUserRequest` (`POST /users`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateUserRequest {
    /// The user's ID in your own systems or previous authentication solution; unique within
    /// the instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The user's first name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// The user's last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The user's locale, a BCP 47 tag such as `en-US` or `fr-FR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Email addresses to add, each unique within the instance. The first becomes the primary
    /// address; all are created verified unless `email_address_identification_status` says
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<Vec<String>>,
    /// Status of each address of `email_address`, by position: `verified` or `reserved`. When
    /// given it must hold exactly one item per address; absent or empty, every address is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address_identification_status: Option<Vec<IdentificationStatus>>,
    /// Phone numbers (E.164) to add, each unique within the instance. The first becomes the primary
    /// number; all are created verified unless `phone_number_identification_status` says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<Vec<String>>,
    /// Status of each number of `phone_number`, by position: `verified` or `reserved`. When
    /// given it must hold exactly one item per number; absent or empty, every number is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_identification_status: Option<Vec<IdentificationStatus>>,
    /// Web3 wallet addresses to add, each unique within the instance; the first becomes the
    /// primary wallet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web3_wallet: Option<Vec<String>>,
    /// The username, unique within the instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Plaintext password: at least 8 characters and in no list of breached passwords (unless
    /// `skip_password_checks` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An existing password hash to import instead of a plaintext password; `password_hasher`
    /// names the algorithm that produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    /// The algorithm that produced `password_digest`, e.g. `bcrypt`, `argon2id`,
    /// `pbkdf2_sha256` or `scrypt_firebase`; each expects its own digest format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    /// Skip every password policy check. Meant for migrating plaintext passwords; the users
    /// should then be prompted to pick stronger ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    /// Allow creating the user without a password on an instance that uses passwords; not
    /// allowed when password is the only way to sign in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_requirement: Option<bool>,
    /// A TOTP secret (base32) that enables TOTP for the user without re-enrolment, when TOTP is
    /// configured on the instance. Only 30-second, 6-digit, SHA-1 codes are supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Backup codes to enable for the user, when backup codes are configured on the instance;
    /// each in plain text or as a bcrypt digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// Metadata readable from both the Frontend and Backend APIs, writable only from the Backend
    /// API. Must be a JSON object of at most 8 KB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    /// Metadata visible only to the Backend API. Must be a JSON object of at most 8 KB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    /// Metadata the Frontend API can update too, so not to be trusted. Must be a JSON object of
    /// at most 8 KB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Value>,
    /// Whether the user may delete their own account through the Frontend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    /// When the user accepted the legal requirements, an RFC 3339 date-time such as
    /// `2012-10-20T07:15:20.902Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_accepted_at: Option<String>,
    /// Skip the legal-acceptance checks; meant for migrating users to Clerk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    /// Do not enforce the instance's required identification types. At least one enabled type
    /// (email, phone, web3 wallet or username) must still be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_user_requirement: Option<bool>,
    /// Whether the user may create organizations through the Frontend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    /// The maximum number of organizations the user may create; 0 means unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organizations_limit: Option<i64>,
    /// A custom sign-up time, an RFC 3339 date-time such as `2012-10-20T07:15:20.902Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Let the user bypass Device Trust checks at sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
    /// Create the user already banned, unable to sign in. Needs the same plan feature as banning a
    /// user (402 otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// Create the user already locked; needs user lockout enabled on the instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

/// `UpdateUserRequest` (`PATCH /users/{user_id}`). The metadata fields are accepted only by
/// API versions older than 2026-05-12.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// The user's ID in your own systems, unique within the instance; `null` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_id: Option<Option<String>>,
    /// The user's first name; `null` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_name: Option<Option<String>>,
    /// The user's last name; `null` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_name: Option<Option<String>>,
    /// The user's locale, a BCP 47 tag such as `en-US`; `null` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub locale: Option<Option<String>>,
    /// ID of the email address to make primary; it must be verified and belong to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email_address_id: Option<String>,
    /// Notify the user that their primary email address changed (default `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
    /// ID of the phone number to make primary; it must be verified and belong to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_phone_number_id: Option<String>,
    /// ID of the web3 wallet to make primary; it must be verified and belong to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_web3_wallet_id: Option<String>,
    /// The username, unique within the instance; `null` or `""` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub username: Option<Option<String>>,
    /// ID of an uploaded image to make the user's profile image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_image_id: Option<String>,
    /// A new plaintext password: at least 8 characters and in no list of breached passwords
    /// (unless `skip_password_checks` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An existing password hash to set instead of a plaintext password; `password_hasher`
    /// names the algorithm that produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    /// The algorithm that produced `password_digest`, e.g. `bcrypt` or `argon2id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    /// Skip the password policy checks; only valid together with `password`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    /// Sign the user out of all their active sessions once the password is changed; only valid
    /// together with `password`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
    /// A TOTP secret that enables TOTP for the user without re-enrolment, when TOTP is
    /// configured on the instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Backup codes to enable for the user, when backup codes are configured on the instance;
    /// each in plain text or as a bcrypt digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// Replaces the stored public metadata (API versions before 2026-05-12 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    /// Replaces the stored private metadata (API versions before 2026-05-12 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    /// Replaces the stored unsafe metadata (API versions before 2026-05-12 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Value>,
    /// Whether the user may delete their own account through the Frontend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    /// Whether the user may create organizations through the Frontend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    /// When the user accepted the legal requirements, an RFC 3339 date-time; `null` removes it.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub legal_accepted_at: Option<Option<String>>,
    /// Skip the legal-acceptance checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    /// The maximum number of organizations the user may create; 0 means unlimited, `null`
    /// removes the user's own limit.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_organizations_limit: Option<Option<i64>>,
    /// A custom sign-up time, an RFC 3339 date-time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Let the user bypass Device Trust checks at sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
}

/// `PATCH` (deep merge) and `PUT` (replace) `/users/{user_id}/metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateUserMetadataRequest {
    /// Metadata readable from both the Frontend and Backend APIs, writable only from the Backend
    /// API. An object of at most 8 KB; `null` resets it to `{}`.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_metadata: Option<Option<Value>>,
    /// Metadata visible only to the Backend API. An object of at most 8 KB; `null` resets it
    /// to `{}`.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_metadata: Option<Option<Value>>,
    /// Metadata the Frontend API can update too, so not to be trusted. An object of at most
    /// 8 KB; `null` resets it to `{}`.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unsafe_metadata: Option<Option<Value>>,
}

/// `POST /users/ban` and `POST /users/unban`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkUserIdsRequest {
    /// IDs of the users to ban or unban: 1 to 50 of them.
    pub user_ids: Vec<String>,
}

/// `POST /users/{user_id}/verify_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyPasswordRequest {
    /// The password to check against the user's; required.
    pub password: Option<String>,
}

/// `POST /users/{user_id}/verify_totp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyTotpRequest {
    /// The TOTP code or backup code to check; required. A backup code that matches is used up.
    pub code: Option<String>,
}

/// `PUT /users/{user_id}/email_address`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplaceEmailAddressRequest {
    /// The new, sole email address (RFC 5322); it becomes primary. Required.
    pub email_address: Option<String>,
    /// Status of the new address: `verified` (the default), `reserved` or `unverified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identification_status: Option<IdentificationStatus>,
    /// Notify the previous primary address of the change (default `false`); nothing is sent
    /// when the address stays the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
}

/// `PUT /users/{user_id}/phone_number`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplacePhoneNumberRequest {
    /// The new, sole phone number (E.164); it becomes primary. Required.
    pub phone_number: Option<String>,
    /// Status of the new number: `verified` (the default), `reserved` or `unverified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identification_status: Option<IdentificationStatus>,
}

/// `POST /users/{user_id}/remove_password` (body optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemovePasswordRequest {
    /// Revoke all of the user's active sessions after removing the password (default `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
}

/// `POST /users/{user_id}/password/set_compromised` (body optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetPasswordCompromisedRequest {
    /// Also revoke all of the user's active sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_all_sessions: Option<bool>,
}
