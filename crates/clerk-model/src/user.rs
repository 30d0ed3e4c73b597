//! The user object, as Clerk's `/users` operations return it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    EmailAddress, EnterpriseAccount, ExternalAccount, OrganizationMembership, Passkey, PhoneNumber,
    SamlAccount, Web3Wallet,
};

/// A user (`object: "user"`), as `GET /users/{user_id}` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// The user's id (`user_…`).
    pub id: String,
    /// Always `user`.
    pub object: String,
    /// The user's id in your own system, if you set one.
    pub external_id: Option<String>,
    /// The id of the primary entry of `email_addresses`.
    pub primary_email_address_id: Option<String>,
    /// The id of the primary entry of `phone_numbers`.
    pub primary_phone_number_id: Option<String>,
    /// The id of the primary entry of `web3_wallets`.
    pub primary_web3_wallet_id: Option<String>,
    /// The user's username.
    pub username: Option<String>,
    /// The user's first name.
    pub first_name: Option<String>,
    /// The user's last name.
    pub last_name: Option<String>,
    /// The user's locale, a BCP 47 language tag.
    pub locale: Option<String>,
    /// Deprecated by Clerk in favour of `image_url`; still sent.
    pub profile_image_url: String,
    /// The URL of the user's profile image (a default image when none was set).
    pub image_url: String,
    /// Whether the user has set a profile image of their own.
    pub has_image: bool,
    /// Metadata the frontend can read and only the Backend API can write.
    pub public_metadata: Value,
    /// Metadata only the Backend API can read and write.
    pub private_metadata: Option<Value>,
    /// Metadata the frontend can read and write.
    pub unsafe_metadata: Value,
    /// The user's email addresses.
    pub email_addresses: Vec<EmailAddress>,
    /// The user's phone numbers.
    pub phone_numbers: Vec<PhoneNumber>,
    /// The user's web3 wallets.
    pub web3_wallets: Vec<Web3Wallet>,
    /// The user's passkeys.
    pub passkeys: Vec<Passkey>,
    /// Whether the user has a password.
    pub password_enabled: bool,
    /// Whether the user has a second factor (TOTP, backup codes or a reserved phone number).
    pub two_factor_enabled: bool,
    /// Whether the user has a TOTP authenticator app set up.
    pub totp_enabled: bool,
    /// Whether the user has backup codes.
    pub backup_code_enabled: bool,
    /// When MFA was last enabled (Unix time in milliseconds); kept when MFA is disabled.
    pub mfa_enabled_at: Option<i64>,
    /// When MFA was last disabled (Unix time in milliseconds); kept when MFA is enabled again.
    pub mfa_disabled_at: Option<i64>,
    /// When the user's password was last set or changed (Unix time in milliseconds).
    pub password_last_updated_at: Option<i64>,
    /// The user's OAuth accounts.
    pub external_accounts: Vec<ExternalAccount>,
    /// The user's SAML accounts.
    pub saml_accounts: Vec<SamlAccount>,
    /// The user's enterprise SSO accounts.
    pub enterprise_accounts: Vec<EnterpriseAccount>,
    /// The user's organization memberships, when the response includes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_memberships: Option<Vec<OrganizationMembership>>,
    /// When the user last signed in (Unix time in milliseconds).
    pub last_sign_in_at: Option<i64>,
    /// Whether the user is banned.
    pub banned: bool,
    /// Whether the user is currently locked, i.e. kept from signing in.
    pub locked: bool,
    /// Whether the user was deprovisioned (by their directory) and cannot sign in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprovisioned: Option<bool>,
    /// Seconds until a locked user's lockout ends; `null` for a locked user means never.
    pub lockout_expires_in_seconds: Option<i64>,
    /// Failed verification attempts left before the user is locked; `null` when account lockout is
    /// off.
    pub verification_attempts_remaining: Option<i64>,
    /// When the user was last updated (Unix time in milliseconds).
    pub updated_at: i64,
    /// When the user was created (Unix time in milliseconds).
    pub created_at: i64,
    /// Whether the user may delete themselves through the Frontend API.
    pub delete_self_enabled: bool,
    /// Whether the user may create organizations through the Frontend API.
    pub create_organization_enabled: bool,
    /// Most organizations the user may create; `0` means no limit.
    pub create_organizations_limit: Option<i64>,
    /// When the user was last active in a session, to the day (Unix time in milliseconds).
    pub last_active_at: Option<i64>,
    /// When the user accepted the legal requirements (Unix time in milliseconds).
    pub legal_accepted_at: Option<i64>,
    /// Whether the user skips Device Trust checks when signing in.
    pub bypass_client_trust: bool,
}
