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
    pub id: String,
    pub object: String,
    pub external_id: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    /// Deprecated by Clerk in favour of `image_url`; still sent.
    pub profile_image_url: String,
    pub image_url: String,
    pub has_image: bool,
    pub public_metadata: Value,
    pub private_metadata: Option<Value>,
    pub unsafe_metadata: Value,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub web3_wallets: Vec<Web3Wallet>,
    pub passkeys: Vec<Passkey>,
    pub password_enabled: bool,
    pub two_factor_enabled: bool,
    pub totp_enabled: bool,
    pub backup_code_enabled: bool,
    pub mfa_enabled_at: Option<i64>,
    pub mfa_disabled_at: Option<i64>,
    pub password_last_updated_at: Option<i64>,
    pub external_accounts: Vec<ExternalAccount>,
    pub saml_accounts: Vec<SamlAccount>,
    pub enterprise_accounts: Vec<EnterpriseAccount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_memberships: Option<Vec<OrganizationMembership>>,
    pub last_sign_in_at: Option<i64>,
    pub banned: bool,
    pub locked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprovisioned: Option<bool>,
    pub lockout_expires_in_seconds: Option<i64>,
    pub verification_attempts_remaining: Option<i64>,
    pub updated_at: i64,
    pub created_at: i64,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub last_active_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub bypass_client_trust: bool,
}
