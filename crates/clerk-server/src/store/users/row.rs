//! The rows of a user as stored: `users`, `identifications`, `passkeys`, and how a `users`
//! row maps to its columns.

use super::super::external_accounts::ExternalAccountRow;
use super::super::{Arg, Sql};
use super::values::{BackupCodes, IdentKind, IdentStatus};
use crate::store::{DbResult, Row};

/// One row of `users`. `seq` is the internal key; `id` the public `user_…` id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserRow {
    pub seq: i64,
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    /// JSON text of the three metadata bags.
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub password_last_updated_at: Option<i64>,
    pub banned: bool,
    pub locked_at: Option<i64>,
    /// `None` while locked means the lock never expires.
    pub lockout_expires_at: Option<i64>,
    /// Failed password checks since the last successful one (or unlock).
    pub failed_verification_attempts: i64,
    /// Failed TOTP / backup-code checks since the last successful one (or unlock).
    pub failed_second_factor_attempts: i64,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: bool,
    pub mfa_enabled_at: Option<i64>,
    pub mfa_disabled_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Sealed (AES-256-GCM) base32 TOTP secret.
    pub totp_secret: Option<String>,
    pub totp_created_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub backup_codes: Option<BackupCodes>,
    pub password_compromised_at: Option<i64>,
    /// Key of the profile image in the image store.
    pub image_key: Option<String>,
}

/// One row of `identifications`: an email address, phone number or web3 wallet.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct IdentRow {
    pub id: String,
    pub user_seq: i64,
    pub kind: IdentKind,
    pub value: String,
    pub status: IdentStatus,
    pub strategy: Option<String>,
    /// Phone numbers: reserved as a second factor.
    #[serde(deserialize_with = "stored_flag")]
    pub reserved_for_second_factor: bool,
    /// Phone numbers: the user's default second factor.
    #[serde(deserialize_with = "stored_flag")]
    pub default_second_factor: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A boolean column read from a row's JSON document: SQLite's `json_object` writes its
/// INTEGER 0/1, PostgreSQL's `json_build_object` its BOOLEAN as `true`/`false`.
fn stored_flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match serde::Deserialize::deserialize(deserializer)? {
        Flag::Bool(b) => b,
        Flag::Int(n) => n != 0,
    })
}

/// An identification to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIdentification {
    pub id: String,
    pub kind: IdentKind,
    pub value: String,
    /// The value as compared for uniqueness and exact filters.
    pub norm: String,
    pub status: IdentStatus,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub created_at: i64,
}

/// A user with everything the wire `User` object shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserRecord {
    pub user: UserRow,
    pub identifications: Vec<IdentRow>,
    pub external_accounts: Vec<ExternalAccountRow>,
    pub passkeys: Vec<PasskeyRow>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct PasskeyRow {
    pub id: String,
    pub user_seq: i64,
    pub name: String,
    pub last_used_at: i64,
    pub created_at: i64,
}

pub(in crate::store) const USER_COLUMNS: &str =
    "seq, id, external_id, username, first_name, last_name, locale, \
    primary_email_address_id, primary_phone_number_id, primary_web3_wallet_id, \
    public_metadata, private_metadata, unsafe_metadata, password_digest, password_hasher, \
    password_last_updated_at, banned, locked_at, lockout_expires_at, \
    failed_verification_attempts, delete_self_enabled, create_organization_enabled, \
    create_organizations_limit, bypass_client_trust, mfa_enabled_at, mfa_disabled_at, \
    last_active_at, last_sign_in_at, legal_accepted_at, created_at, updated_at, \
    totp_secret, totp_created_at, totp_last_step, backup_codes, password_compromised_at, \
    image_key, failed_second_factor_attempts";

pub(in crate::store) fn user_from_row(row: &Row) -> DbResult<UserRow> {
    Ok(UserRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        external_id: row.try_get("external_id")?,
        username: row.try_get("username")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        locale: row.try_get("locale")?,
        primary_email_address_id: row.try_get("primary_email_address_id")?,
        primary_phone_number_id: row.try_get("primary_phone_number_id")?,
        primary_web3_wallet_id: row.try_get("primary_web3_wallet_id")?,
        public_metadata: row.try_get("public_metadata")?,
        private_metadata: row.try_get("private_metadata")?,
        unsafe_metadata: row.try_get("unsafe_metadata")?,
        password_digest: row.try_get("password_digest")?,
        password_hasher: row.try_get("password_hasher")?,
        password_last_updated_at: row.try_get("password_last_updated_at")?,
        banned: row.try_get("banned")?,
        locked_at: row.try_get("locked_at")?,
        lockout_expires_at: row.try_get("lockout_expires_at")?,
        failed_verification_attempts: row.try_get("failed_verification_attempts")?,
        delete_self_enabled: row.try_get("delete_self_enabled")?,
        create_organization_enabled: row.try_get("create_organization_enabled")?,
        create_organizations_limit: row.try_get("create_organizations_limit")?,
        bypass_client_trust: row.try_get("bypass_client_trust")?,
        mfa_enabled_at: row.try_get("mfa_enabled_at")?,
        mfa_disabled_at: row.try_get("mfa_disabled_at")?,
        last_active_at: row.try_get("last_active_at")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
        legal_accepted_at: row.try_get("legal_accepted_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_created_at: row.try_get("totp_created_at")?,
        totp_last_step: row.try_get("totp_last_step")?,
        backup_codes: row
            .try_get::<Option<String>, _>("backup_codes")?
            .map(|text| BackupCodes::from_stored(&text)),
        password_compromised_at: row.try_get("password_compromised_at")?,
        image_key: row.try_get("image_key")?,
        failed_second_factor_attempts: row.try_get("failed_second_factor_attempts")?,
    })
}

/// Binds every column of `users` but `seq`, in [`USER_COLUMNS`] order.
pub(super) fn bind_user_values(sql: &mut Sql, u: &UserRow) {
    let values: Vec<Arg> = vec![
        u.id.clone().into(),
        u.external_id.clone().into(),
        u.username.clone().into(),
        u.first_name.clone().into(),
        u.last_name.clone().into(),
        u.locale.clone().into(),
        u.primary_email_address_id.clone().into(),
        u.primary_phone_number_id.clone().into(),
        u.primary_web3_wallet_id.clone().into(),
        u.public_metadata.clone().into(),
        u.private_metadata.clone().into(),
        u.unsafe_metadata.clone().into(),
        u.password_digest.clone().into(),
        u.password_hasher.clone().into(),
        u.password_last_updated_at.into(),
        u.banned.into(),
        u.locked_at.into(),
        u.lockout_expires_at.into(),
        u.failed_verification_attempts.into(),
        u.delete_self_enabled.into(),
        u.create_organization_enabled.into(),
        u.create_organizations_limit.into(),
        u.bypass_client_trust.into(),
        u.mfa_enabled_at.into(),
        u.mfa_disabled_at.into(),
        u.last_active_at.into(),
        u.last_sign_in_at.into(),
        u.legal_accepted_at.into(),
        u.created_at.into(),
        u.updated_at.into(),
        u.totp_secret.clone().into(),
        u.totp_created_at.into(),
        u.totp_last_step.into(),
        u.backup_codes.as_ref().map(BackupCodes::to_stored).into(),
        u.password_compromised_at.into(),
        u.image_key.clone().into(),
        u.failed_second_factor_attempts.into(),
    ];
    sql.bind_list(&values);
}
