//! Identifications and linked accounts that hang off a [`crate::User`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ClerkError;

string_enum!(
    /// State of a [`Verification`].
    #[derive(Default)]
    VerificationStatus {
        /// Not verified (yet).
        #[default]
        Unverified = "unverified",
        /// Verified.
        Verified = "verified",
        /// The verification failed (a wrong code too often, a provider error, …).
        Failed = "failed",
        /// The verification expired before it was completed.
        Expired = "expired",
        /// OAuth or SAML: the provider verified an account that belongs to no user yet, so the
        /// flow can be transferred to a sign-up.
        Transferable = "transferable",
    }
);

/// Every verification variant of the spec (`verification_admin`, `verification_otp`,
/// `verification_oauth`, …) in one tolerant shape: the variant is named by `object` and
/// `strategy`; fields only some variants carry are omitted when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Verification {
    /// The variant: `verification_admin`, `verification_otp`, `verification_oauth`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Where the verification stands.
    pub status: VerificationStatus,
    /// How the identification is verified: `admin`, `email_code`, `phone_code`,
    /// `oauth_google`, `saml`, `passkey`, …
    pub strategy: String,
    /// How many attempts were made; `null` where none are counted.
    pub attempts: Option<i64>,
    /// When the verification expires (Unix time in milliseconds); `null` when it does not.
    pub expire_at: Option<i64>,
    /// The client the verification was completed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at_client: Option<String>,
    /// The channel a code was delivered through (phone codes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// OAuth and SAML: the provider URL the user is sent to in order to verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_verification_redirect_url: Option<String>,
    /// Web3 and passkey verifications: the nonce to sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Web3 and passkey verifications: the message to sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// OAuth, SAML and Google One Tap: why the verification failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ClerkError>,
}

impl Verification {
    /// The verification Clerk gives identifications created through the Backend API.
    pub fn admin() -> Self {
        Self {
            object: Some("verification_admin".into()),
            status: VerificationStatus::Verified,
            strategy: "admin".into(),
            ..Self::default()
        }
    }
}

/// Link from an identification to an OAuth identification (`type` = `oauth_*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentificationLink {
    /// The linked identification's type, `oauth_<provider>` (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: String,
    /// The linked identification's id.
    pub id: String,
}

/// An email address of a user (`email_address`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailAddress {
    /// The address's id (`idn_…`).
    pub id: String,
    /// Always `email_address`.
    pub object: String,
    /// The address itself.
    pub email_address: String,
    /// Whether the address is held for the user without being verified.
    pub reserved: bool,
    /// How the address was verified; `null` when it has no verification.
    pub verification: Option<Verification>,
    /// The OAuth identifications the address is linked to.
    pub linked_to: Vec<IdentificationLink>,
    /// Whether the address's domain matches an active enterprise connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_sso_connection: Option<bool>,
    /// When it was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When it was last updated (Unix time in milliseconds).
    pub updated_at: i64,
}

/// A phone number of a user (`phone_number`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneNumber {
    /// The number's id (`idn_…`).
    pub id: String,
    /// Always `phone_number`.
    pub object: String,
    /// The number, in E.164 format.
    pub phone_number: String,
    /// Whether the number is reserved for multi-factor authentication.
    pub reserved_for_second_factor: bool,
    /// Whether the number is the user's default second factor.
    pub default_second_factor: bool,
    /// Whether the number is held for the user without being verified.
    pub reserved: bool,
    /// How the number was verified; `null` when it has no verification.
    pub verification: Option<Verification>,
    /// The OAuth identifications the number is linked to.
    pub linked_to: Vec<IdentificationLink>,
    /// Backup codes, when Clerk returns them with the number; this server leaves them out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// When it was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When it was last updated (Unix time in milliseconds).
    pub updated_at: i64,
}

/// A web3 wallet of a user (`web3_wallet`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Web3Wallet {
    /// The wallet's id (`idn_…`).
    pub id: String,
    /// Always `web3_wallet`.
    pub object: String,
    /// The wallet's address.
    pub web3_wallet: String,
    /// How the wallet was verified; `null` when it has no verification.
    pub verification: Option<Verification>,
    /// When it was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When it was last updated (Unix time in milliseconds).
    pub updated_at: i64,
}

/// A passkey of a user (`passkey`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Passkey {
    /// The passkey's id (`idn_…`).
    pub id: String,
    /// Always `passkey`.
    pub object: String,
    /// The passkey's display name.
    pub name: String,
    /// When the passkey was last used (Unix time in milliseconds).
    pub last_used_at: i64,
    /// The passkey's verification; `null` when it has none.
    pub verification: Option<Verification>,
}

/// `ExternalAccountWithVerification`: an OAuth account linked to the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalAccount {
    /// `external_account` (Clerk's spec also allows the legacy `google_account` and
    /// `facebook_account`).
    pub object: String,
    /// The account's id (`eac_…`).
    pub id: String,
    /// The OAuth provider: `oauth_google`, `oauth_github`, …
    pub provider: String,
    /// The id of the OAuth identification behind the account.
    pub identification_id: String,
    /// The user's unique id in the provider's system.
    pub provider_user_id: String,
    /// The OAuth scopes the user granted, separated by spaces.
    pub approved_scopes: String,
    /// The email address the provider gave.
    pub email_address: String,
    /// Whether the provider said the email address was verified when the account was created;
    /// `null` when unknown.
    pub email_address_verified: Option<bool>,
    /// The first name the provider gave.
    pub first_name: String,
    /// The last name the provider gave.
    pub last_name: String,
    /// Deprecated by Clerk in favour of `image_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// The profile image URL the provider gave.
    pub image_url: Option<String>,
    /// The username the provider gave.
    pub username: Option<String>,
    /// The phone number the provider gave.
    pub phone_number: Option<String>,
    /// Metadata attached to the account (a JSON object).
    pub public_metadata: Value,
    /// A label that tells apart several accounts of one user with the same provider.
    pub label: Option<String>,
    /// When it was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When it was last updated (Unix time in milliseconds).
    pub updated_at: i64,
    /// The OAuth (or Google One Tap) verification of the account.
    pub verification: Option<Verification>,
}

/// An account of the user at a SAML identity provider (`saml_account`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamlAccount {
    /// The account's id.
    pub id: String,
    /// Always `saml_account`.
    pub object: String,
    /// The SAML provider (`saml_okta`, `saml_custom`, …).
    pub provider: String,
    /// Whether the account is active.
    pub active: bool,
    /// The email address the identity provider gave.
    pub email_address: String,
    /// The first name the identity provider gave.
    pub first_name: Option<String>,
    /// The last name the identity provider gave.
    pub last_name: Option<String>,
    /// The user's unique id at the identity provider.
    pub provider_user_id: Option<String>,
    /// When the account last authenticated (Unix time in milliseconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authenticated_at: Option<i64>,
    /// Metadata attached to the account (a JSON object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    /// The SAML (or ticket) verification of the account.
    pub verification: Option<Verification>,
    /// `SAMLAccountConnection`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_connection: Option<Value>,
}

/// An account of the user at an enterprise SSO provider, over SAML or OAuth
/// (`enterprise_account`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnterpriseAccount {
    /// The account's id.
    pub id: String,
    /// Always `enterprise_account`.
    pub object: String,
    /// The protocol used to sign in: `oauth` or `saml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The identity provider (`saml_okta`, …).
    pub provider: String,
    /// Whether the account is active.
    pub active: bool,
    /// The email address the identity provider gave.
    pub email_address: String,
    /// The first name the identity provider gave.
    pub first_name: Option<String>,
    /// The last name the identity provider gave.
    pub last_name: Option<String>,
    /// The user's unique id in the provider's system.
    pub provider_user_id: Option<String>,
    /// The id of the enterprise connection the account signs in through.
    pub enterprise_connection_id: Option<String>,
    /// Metadata attached to the account (a JSON object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    /// The ticket, SAML or OAuth verification of the account.
    pub verification: Option<Verification>,
    /// `EnterpriseAccountConnection`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_connection: Option<Value>,
    /// When the account last authenticated (Unix time in milliseconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authenticated_at: Option<i64>,
}
