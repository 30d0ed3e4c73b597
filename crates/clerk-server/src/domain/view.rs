//! Turns stored records into the wire objects Clerk returns.

use clerk_model::{
    DeletedObject, EmailAddress, ExternalAccount, Passkey, PhoneNumber, User, Verification,
    Web3Wallet,
};

use super::metadata::from_stored;
use crate::settings::Settings;
use crate::store::external_accounts::ExternalAccountRow;
use crate::store::{IdentKind, IdentRow, IdentStatus, UserRecord};

/// Clerk's default avatar, shown until the user has a profile image.
pub const DEFAULT_AVATAR_URL: &str = "https://www.gravatar.com/avatar?d=mp";

pub fn user(record: &UserRecord, settings: &Settings, now: i64) -> User {
    let u = &record.user;
    let image_url = match &u.image_key {
        Some(key) => settings.image_url(key),
        None => DEFAULT_AVATAR_URL.into(),
    };
    let idents = |kind: IdentKind| {
        record
            .identifications
            .iter()
            .filter(move |i| i.kind == kind)
    };
    User {
        id: u.id.clone(),
        object: "user".into(),
        external_id: u.external_id.clone(),
        primary_email_address_id: u.primary_email_address_id.clone(),
        primary_phone_number_id: u.primary_phone_number_id.clone(),
        primary_web3_wallet_id: u.primary_web3_wallet_id.clone(),
        username: u.username.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        locale: u.locale.clone(),
        profile_image_url: image_url.clone(),
        image_url,
        has_image: u.image_key.is_some(),
        public_metadata: from_stored(&u.public_metadata),
        private_metadata: Some(from_stored(&u.private_metadata)),
        unsafe_metadata: from_stored(&u.unsafe_metadata),
        email_addresses: idents(IdentKind::Email).map(email_address).collect(),
        phone_numbers: idents(IdentKind::Phone).map(phone_number).collect(),
        web3_wallets: idents(IdentKind::Web3).map(web3_wallet).collect(),
        passkeys: record
            .passkeys
            .iter()
            .map(|p| Passkey {
                id: p.id.clone(),
                object: "passkey".into(),
                name: p.name.clone(),
                last_used_at: p.last_used_at,
                verification: Some(Verification {
                    object: Some("verification_passkey".into()),
                    status: clerk_model::VerificationStatus::Verified,
                    strategy: "passkey".into(),
                    nonce: Some("nonce".into()),
                    ..Verification::default()
                }),
            })
            .collect(),
        password_enabled: u.password_digest.is_some(),
        two_factor_enabled: record.has_mfa(),
        totp_enabled: u.totp_secret.is_some(),
        backup_code_enabled: u.backup_codes.is_some(),
        mfa_enabled_at: u.mfa_enabled_at,
        mfa_disabled_at: u.mfa_disabled_at,
        password_last_updated_at: u.password_last_updated_at,
        external_accounts: record
            .external_accounts
            .iter()
            .map(external_account)
            .collect(),
        saml_accounts: Vec::new(),
        enterprise_accounts: Vec::new(),
        organization_memberships: None,
        last_sign_in_at: u.last_sign_in_at,
        banned: u.banned,
        locked: u.is_locked(now),
        deprovisioned: None,
        lockout_expires_in_seconds: u.lockout_expires_in_seconds(now),
        verification_attempts_remaining: Some(u.attempts_remaining(settings, now)),
        updated_at: u.updated_at,
        created_at: u.created_at,
        delete_self_enabled: u.delete_self_enabled,
        create_organization_enabled: u.create_organization_enabled,
        create_organizations_limit: u.create_organizations_limit,
        last_active_at: u.last_active_at,
        legal_accepted_at: u.legal_accepted_at,
        bypass_client_trust: u.bypass_client_trust,
    }
}

/// The answer to a deletion: the `object` kind and `id` of what was deleted.
pub fn deleted(object: &str, id: &str) -> DeletedObject {
    DeletedObject {
        object: object.into(),
        id: Some(id.into()),
        deleted: true,
        ..DeletedObject::default()
    }
}

/// `verification_admin` for verified identifications; reserved and unverified ones have
/// no completed verification.
fn verification(ident: &IdentRow) -> Option<Verification> {
    (ident.status == IdentStatus::Verified).then(Verification::admin)
}

pub fn email_address(ident: &IdentRow) -> EmailAddress {
    EmailAddress {
        id: ident.id.clone(),
        object: "email_address".into(),
        email_address: ident.value.clone(),
        reserved: ident.status == IdentStatus::Reserved,
        verification: verification(ident),
        linked_to: Vec::new(),
        matches_sso_connection: Some(false),
        created_at: ident.created_at,
        updated_at: ident.updated_at,
    }
}

pub fn phone_number(ident: &IdentRow) -> PhoneNumber {
    PhoneNumber {
        id: ident.id.clone(),
        object: "phone_number".into(),
        phone_number: ident.value.clone(),
        reserved_for_second_factor: ident.reserved_for_second_factor,
        default_second_factor: ident.default_second_factor,
        reserved: ident.status == IdentStatus::Reserved,
        verification: verification(ident),
        linked_to: Vec::new(),
        backup_codes: None,
        created_at: ident.created_at,
        updated_at: ident.updated_at,
    }
}

pub fn web3_wallet(ident: &IdentRow) -> Web3Wallet {
    Web3Wallet {
        id: ident.id.clone(),
        object: "web3_wallet".into(),
        web3_wallet: ident.value.clone(),
        verification: verification(ident),
        created_at: ident.created_at,
        updated_at: ident.updated_at,
    }
}

pub fn external_account(a: &ExternalAccountRow) -> ExternalAccount {
    ExternalAccount {
        object: "external_account".into(),
        id: a.id.clone(),
        provider: a.provider.clone(),
        provider_user_id: a.provider_user_id.clone(),
        approved_scopes: a.approved_scopes.clone(),
        email_address: a.email_address.clone(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        avatar_url: a.avatar_url.clone(),
        image_url: a.avatar_url.clone(),
        username: a.username.clone(),
        phone_number: a.phone_number.clone(),
        public_metadata: from_stored(&a.public_metadata),
        label: a.label.clone(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        ..ExternalAccount::default()
    }
}
