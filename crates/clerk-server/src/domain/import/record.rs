//! One import record, validated whole before anything is written: the user's row, its
//! identifications, external accounts, passkeys and trusted devices.

use clerk_model::{
    ImportExternalAccount, ImportIdentification, ImportPasskey, ImportTrustedDevice, ImportUser,
};

use super::MAX_RECORD_ITEMS;
use crate::crypto;
use crate::domain::input::{optional_text, second_factors, stored_metadata};
use crate::domain::{oauth, passwords, validate};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::external_accounts::{ExternalAccountRow, SealedTokens};
use crate::store::identities::{DeviceStatus, TrustedDeviceRow};
use crate::store::users::PasskeyRow;
use crate::store::{now_ms, BackupCodes, IdentKind, IdentStatus, NewIdentification, UserRow};
use crate::AppState;

/// Everything one record writes, validated.
pub(super) struct Prepared {
    pub user: UserRow,
    /// Whether the record named its id (else the external id names an earlier import).
    pub id_given: bool,
    pub idents: Vec<NewIdentification>,
    pub accounts: Vec<ExternalAccountRow>,
    pub passkeys: Vec<PasskeyRow>,
    pub devices: Vec<TrustedDeviceRow>,
}

/// `prefix_` plus 1–64 of `[A-Za-z0-9_]`: Clerk's ids and the ids of systems migrated from.
fn check_id(param: &str, id: &str, prefix: &str) -> ApiResult<()> {
    let body = id.strip_prefix(prefix).and_then(|r| r.strip_prefix('_'));
    let ok = body.is_some_and(|b| {
        (1..=64).contains(&b.len()) && b.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::form(
            "form_param_format_invalid",
            param,
            "is invalid",
            format!("{param} must be `{prefix}_` followed by 1 to 64 letters, digits or `_`."),
        ))
    }
}

fn id_or_new(param: &str, id: Option<String>, prefix: &str) -> ApiResult<String> {
    match id {
        Some(id) => check_id(param, &id, prefix).map(|_| id),
        None => Ok(ids::new_id(prefix)),
    }
}

/// Refuses a record whose lists are longer than this server imports (before any other work).
fn check_list_sizes(r: &ImportUser) -> ApiResult<()> {
    let codes = |list: &Option<Vec<String>>| list.as_ref().map_or(0, Vec::len);
    for (param, len, max) in [
        ("email_addresses", r.email_addresses.len(), MAX_RECORD_ITEMS),
        ("phone_numbers", r.phone_numbers.len(), MAX_RECORD_ITEMS),
        ("web3_wallets", r.web3_wallets.len(), MAX_RECORD_ITEMS),
        (
            "external_accounts",
            r.external_accounts.len(),
            MAX_RECORD_ITEMS,
        ),
        ("passkeys", r.passkeys.len(), MAX_RECORD_ITEMS),
        ("trusted_devices", r.trusted_devices.len(), MAX_RECORD_ITEMS),
        (
            "backup_codes",
            codes(&r.backup_codes),
            crypto::MAX_BACKUP_CODES,
        ),
        (
            "backup_code_digests",
            codes(&r.backup_code_digests),
            crypto::MAX_BACKUP_CODES,
        ),
    ] {
        if len > max {
            return Err(ApiError::form(
                "form_param_array_size_exceeded",
                param,
                "has too many values",
                format!("{param} accepts at most {max} items; this record has {len}."),
            ));
        }
    }
    Ok(())
}

pub(super) fn prepare(app: &AppState, r: ImportUser) -> ApiResult<Prepared> {
    check_list_sizes(&r)?;
    let now = now_ms();
    let id_given = r.id.is_some();
    let user_id = id_or_new("id", r.id, "user")?;
    let created_at = r.created_at.unwrap_or(now);

    let mut idents = Vec::new();
    for (kind, items) in [
        (IdentKind::Email, &r.email_addresses),
        (IdentKind::Phone, &r.phone_numbers),
        (IdentKind::Web3, &r.web3_wallets),
    ] {
        for (i, item) in items.iter().enumerate() {
            let ident = identification(kind, i, item, created_at)?;
            if idents
                .iter()
                .any(|o: &NewIdentification| o.kind == ident.kind && o.norm == ident.norm)
            {
                return Err(ApiError::form(
                    "form_param_duplicate",
                    kind.as_str(),
                    "is duplicated",
                    format!(
                        "{} {} appears more than once.",
                        kind.describe(),
                        ident.value
                    ),
                ));
            }
            idents.push(ident);
        }
    }
    // One default second factor among the reserved numbers, as the API keeps it: the one the
    // record names, else the first.
    let default = idents
        .iter()
        .position(|i| i.reserved_for_second_factor && i.default_second_factor)
        .or_else(|| idents.iter().position(|i| i.reserved_for_second_factor));
    for (index, ident) in idents.iter_mut().enumerate() {
        ident.default_second_factor = Some(index) == default;
    }
    let primary = |kind: IdentKind, given: Option<String>| -> ApiResult<Option<String>> {
        let mut of_kind = idents.iter().filter(|i| i.kind == kind);
        match given {
            None => Ok(of_kind.next().map(|i| i.id.clone())),
            Some(id) if of_kind.any(|i| i.id == id) => Ok(Some(id)),
            Some(_) => {
                let param = format!("primary_{}_id", kind.as_str());
                Err(ApiError::form(
                    "form_param_value_invalid",
                    &param,
                    "is invalid",
                    format!(
                        "{param} must be the id of one of the record's {}s.",
                        kind.as_str()
                    ),
                ))
            }
        }
    };

    let mut user = UserRow {
        seq: 0,
        external_id: optional_text("external_id", r.external_id)?,
        username: r.username.as_deref().map(validate::username).transpose()?,
        first_name: optional_text("first_name", r.first_name)?,
        last_name: optional_text("last_name", r.last_name)?,
        locale: r.locale.as_deref().map(validate::locale).transpose()?,
        primary_email_address_id: primary(IdentKind::Email, r.primary_email_address_id)?,
        primary_phone_number_id: primary(IdentKind::Phone, r.primary_phone_number_id)?,
        primary_web3_wallet_id: primary(IdentKind::Web3, r.primary_web3_wallet_id)?,
        public_metadata: stored_metadata("public_metadata", r.public_metadata.as_ref())?,
        private_metadata: stored_metadata("private_metadata", r.private_metadata.as_ref())?,
        unsafe_metadata: stored_metadata("unsafe_metadata", r.unsafe_metadata.as_ref())?,
        banned: r.banned.unwrap_or(false),
        delete_self_enabled: r.delete_self_enabled.unwrap_or(true),
        create_organization_enabled: r.create_organization_enabled.unwrap_or(true),
        create_organizations_limit: r
            .create_organizations_limit
            .map(|v| validate::non_negative("create_organizations_limit", v))
            .transpose()?,
        bypass_client_trust: r.bypass_client_trust.unwrap_or(false),
        last_active_at: r.last_active_at,
        last_sign_in_at: r.last_sign_in_at,
        legal_accepted_at: r.legal_accepted_at,
        mfa_enabled_at: r.mfa_enabled_at,
        mfa_disabled_at: r.mfa_disabled_at,
        created_at,
        updated_at: r.updated_at.unwrap_or(created_at),
        ..UserRow::default()
    };

    if r.locked.unwrap_or(false) {
        // An imported lock is an administrator's lock: it lasts until unlocked.
        user.lock(now, None);
    }
    if let Some(credentials) = passwords::imported_digest(r.password_digest, r.password_hasher)? {
        credentials.apply(&mut user, r.password_last_updated_at.unwrap_or(created_at));
    }

    if r.backup_codes.is_some() && r.backup_code_digests.is_some() {
        return Err(ApiError::form(
            "form_conditional_param_disallowed",
            "backup_code_digests",
            "is not allowed",
            "backup_code_digests cannot be combined with backup_codes.".into(),
        ));
    }
    let factors = second_factors(
        app,
        &user_id,
        r.totp_secret.as_deref(),
        r.backup_codes.as_deref(),
    )?;
    user.totp_secret = factors.totp_secret;
    user.totp_created_at = user.totp_secret.is_some().then_some(created_at);
    user.backup_codes = factors.backup_codes.and_then(BackupCodes::new);
    if let Some(digests) = r.backup_code_digests.filter(|d| !d.is_empty()) {
        if !digests.iter().all(|d| crypto::is_stored_backup_code(d)) {
            return Err(ApiError::value_invalid(
                "backup_code_digests",
                "backup_code_digests must be backup codes as an export gives them \
                 (`sha256$` and 64 hex digits, or a bcrypt digest).",
            ));
        }
        user.backup_codes = BackupCodes::new(digests);
    }
    let reserved_phone = idents.iter().any(|i| i.reserved_for_second_factor);
    if (user.has_mfa() || reserved_phone) && user.mfa_enabled_at.is_none() {
        user.mfa_enabled_at = Some(created_at);
    }
    user.id = user_id;

    let accounts = each(r.external_accounts, |i, a| {
        external_account(app, i, a, created_at)
    })?;
    let passkeys = each(r.passkeys, |i, p| passkey(i, p, created_at))?;
    let devices = each(r.trusted_devices, |i, d| trusted_device(i, d, created_at))?;

    if idents.is_empty() && user.username.is_none() && accounts.is_empty() {
        return Err(ApiError::form(
            "form_data_missing",
            "email_addresses",
            "is missing",
            "A user needs an identifier: an email address, phone number, web3 wallet, \
             username or external account."
                .into(),
        ));
    }
    Ok(Prepared {
        user,
        id_given,
        idents,
        accounts,
        passkeys,
        devices,
    })
}

fn identification(
    kind: IdentKind,
    index: usize,
    item: &ImportIdentification,
    created_at: i64,
) -> ApiResult<NewIdentification> {
    let param = format!("{}s[{index}]", kind.as_str());
    let raw = match kind {
        IdentKind::Email => &item.email_address,
        IdentKind::Phone => &item.phone_number,
        IdentKind::Web3 => &item.web3_wallet,
    };
    let Some(raw) = raw else {
        return Err(ApiError::param_missing(&format!(
            "{param}.{}",
            kind.as_str()
        )));
    };
    let value = kind.validate(kind.as_str(), raw)?;
    let status = match item.verification.as_ref().and_then(|v| v.status.as_deref()) {
        _ if item.reserved => IdentStatus::Reserved,
        None => IdentStatus::Verified,
        Some(text) => match IdentStatus::from_wire(&text.parse().unwrap_or_else(|n| match n {})) {
            Some(status @ (IdentStatus::Verified | IdentStatus::Unverified)) => status,
            _ => {
                return Err(ApiError::value_invalid(
                    &format!("{param}.verification.status"),
                    format!(
                        "An identification's status is `verified` or `unverified`, not `{text}`."
                    ),
                ))
            }
        },
    };
    if item.reserved_for_second_factor
        && (kind != IdentKind::Phone || status != IdentStatus::Verified)
    {
        return Err(ApiError::value_invalid(
            &format!("{param}.reserved_for_second_factor"),
            "Only a verified phone number can be reserved for second factor.",
        ));
    }
    Ok(NewIdentification {
        reserved_for_second_factor: item.reserved_for_second_factor,
        default_second_factor: item.default_second_factor,
        ..NewIdentification::new(
            id_or_new(&format!("{param}.id"), item.id.clone(), "idn")?,
            kind,
            value,
            status,
            item.created_at.unwrap_or(created_at),
        )
    })
}

fn external_account(
    app: &AppState,
    index: usize,
    a: ImportExternalAccount,
    created_at: i64,
) -> ApiResult<ExternalAccountRow> {
    let param = format!("external_accounts[{index}]");
    let id = id_or_new(&format!("{param}.id"), a.id, "eac")?;
    if !oauth::is_oauth_provider(&a.provider) {
        return Err(ApiError::value_invalid(
            &format!("{param}.provider"),
            "provider must be an OAuth provider id such as `oauth_google`.",
        ));
    }
    if a.provider_user_id.is_empty() {
        return Err(ApiError::param_missing(&format!(
            "{param}.provider_user_id"
        )));
    }
    for (field, value) in [
        ("provider_user_id", Some(&a.provider_user_id)),
        ("email_address", a.email_address.as_ref()),
        ("first_name", a.first_name.as_ref()),
        ("last_name", a.last_name.as_ref()),
        ("username", a.username.as_ref()),
        ("phone_number", a.phone_number.as_ref()),
        ("label", a.label.as_ref()),
    ] {
        if let Some(value) = value {
            validate::max_len(&format!("{param}.{field}"), value, validate::MAX_TEXT_LEN)?;
        }
    }
    let tokens = match a.oauth_token {
        Some(t) => oauth::seal_tokens(app, &id, &t),
        None => SealedTokens::default(),
    };
    let created = a.created_at.unwrap_or(created_at);
    Ok(ExternalAccountRow {
        public_metadata: stored_metadata(
            &format!("{param}.public_metadata"),
            a.public_metadata.as_ref(),
        )?,
        id,
        user_seq: 0,
        provider: a.provider,
        provider_user_id: a.provider_user_id,
        email_address: a.email_address.unwrap_or_default(),
        first_name: a.first_name.unwrap_or_default(),
        last_name: a.last_name.unwrap_or_default(),
        username: a.username,
        phone_number: a.phone_number,
        avatar_url: a.avatar_url,
        approved_scopes: a.approved_scopes.unwrap_or_default(),
        label: a.label,
        created_at: created,
        updated_at: a.updated_at.unwrap_or(created),
        tokens,
    })
}

/// Each item of one of the record's lists, prepared by `prepare` with its index.
fn each<T, U>(items: Vec<T>, prepare: impl Fn(usize, T) -> ApiResult<U>) -> ApiResult<Vec<U>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| prepare(i, item))
        .collect()
}

fn passkey(index: usize, p: ImportPasskey, created_at: i64) -> ApiResult<PasskeyRow> {
    let param = format!("passkeys[{index}]");
    validate::max_len(&format!("{param}.name"), &p.name, validate::MAX_TEXT_LEN)?;
    let created = p.created_at.unwrap_or(created_at);
    Ok(PasskeyRow {
        id: id_or_new(&format!("{param}.id"), p.id, "idn")?,
        user_seq: 0,
        name: p.name,
        last_used_at: p.last_used_at.unwrap_or(created),
        created_at: created,
    })
}

fn trusted_device(
    index: usize,
    d: ImportTrustedDevice,
    created_at: i64,
) -> ApiResult<TrustedDeviceRow> {
    let param = format!("trusted_devices[{index}]");
    let status = match d.status.as_deref() {
        None => DeviceStatus::Active,
        Some(text) => DeviceStatus::from_stored(text).ok_or_else(|| {
            ApiError::value_invalid(
                &format!("{param}.status"),
                "A trusted device's status is `active` or `revoked`.",
            )
        })?,
    };
    for (field, value) in [
        ("platform", &d.platform),
        ("app_identifier", &d.app_identifier),
        ("algorithm", &d.algorithm),
    ] {
        if value.is_empty() {
            return Err(ApiError::param_missing(&format!("{param}.{field}")));
        }
        validate::max_len(&format!("{param}.{field}"), value, validate::MAX_TEXT_LEN)?;
    }
    let created = d.created_at.unwrap_or(created_at);
    Ok(TrustedDeviceRow {
        id: id_or_new(&format!("{param}.id"), d.id, "td")?,
        platform: d.platform,
        app_identifier: d.app_identifier,
        name: d.name,
        algorithm: d.algorithm,
        revoked_at: (status == DeviceStatus::Revoked).then(|| d.revoked_at.unwrap_or(created)),
        status,
        created_at: created,
        updated_at: d.updated_at.unwrap_or(created),
        last_used_at: d.last_used_at,
    })
}
