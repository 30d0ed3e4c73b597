//! Identifications and linked accounts that hang off a [`crate::User`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ClerkError;

string_enum!(
    /// State of a [`Verification`].
    #[derive(Default)]
    VerificationStatus {
        #[default]
        Unverified = "unverified",
        Verified = "verified",
        Failed = "failed",
        Expired = "expired",
        Transferable = "transferable",
    }
);

/// Every verification variant of the spec (`verification_admin`, `verification_otp`,
/// `verification_oauth`, …) in one tolerant shape: the variant is named by `object` and
/// `strategy`; fields only some variants carry are omitted when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Verification {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub status: VerificationStatus,
    pub strategy: String,
    pub attempts: Option<i64>,
    pub expire_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at_client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_verification_redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
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
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailAddress {
    pub id: String,
    pub object: String,
    pub email_address: String,
    pub reserved: bool,
    pub verification: Option<Verification>,
    pub linked_to: Vec<IdentificationLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_sso_connection: Option<bool>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneNumber {
    pub id: String,
    pub object: String,
    pub phone_number: String,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub reserved: bool,
    pub verification: Option<Verification>,
    pub linked_to: Vec<IdentificationLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Web3Wallet {
    pub id: String,
    pub object: String,
    pub web3_wallet: String,
    pub verification: Option<Verification>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Passkey {
    pub id: String,
    pub object: String,
    pub name: String,
    pub last_used_at: i64,
    pub verification: Option<Verification>,
}

/// `ExternalAccountWithVerification`: an OAuth account linked to the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalAccount {
    pub object: String,
    pub id: String,
    pub provider: String,
    pub identification_id: String,
    pub provider_user_id: String,
    pub approved_scopes: String,
    pub email_address: String,
    pub email_address_verified: Option<bool>,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub image_url: Option<String>,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub public_metadata: Value,
    pub label: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub verification: Option<Verification>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamlAccount {
    pub id: String,
    pub object: String,
    pub provider: String,
    pub active: bool,
    pub email_address: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub provider_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authenticated_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    pub verification: Option<Verification>,
    /// `SAMLAccountConnection`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_connection: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnterpriseAccount {
    pub id: String,
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    pub provider: String,
    pub active: bool,
    pub email_address: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub provider_user_id: Option<String>,
    pub enterprise_connection_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    pub verification: Option<Verification>,
    /// `EnterpriseAccountConnection`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_connection: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_authenticated_at: Option<i64>,
}
