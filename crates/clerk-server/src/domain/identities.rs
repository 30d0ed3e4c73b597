//! A user's identifications and linked accounts: replacing the email address or phone
//! number, deleting web3 wallets, passkeys and external accounts, trusted devices.

use clerk_model::{
    DeletedObject, EmailAddress, IdentificationStatus, Paginated, PhoneNumber,
    ReplaceEmailAddressRequest, ReplacePhoneNumberRequest, TrustedDevice,
};

use super::events::{self, EventType};
use super::view;
use super::write::{read_user, reload, save_identity_change, user_for_update};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::identities::{self as sql_ids, DeviceStatus, OwnedTable, TrustedDeviceRow};
use crate::store::users as sql;
use crate::store::{now_ms, IdentKind, IdentRow, IdentStatus, NewIdentification};
use crate::AppState;

/// What hangs off a user besides its identifications, deleted by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    Passkey,
    ExternalAccount,
}

impl Linked {
    fn table(self) -> OwnedTable {
        match self {
            Self::Passkey => OwnedTable::Passkeys,
            Self::ExternalAccount => OwnedTable::ExternalAccounts,
        }
    }

    /// The deleted object's `object`, and how an error names it.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Passkey => ("passkey", "passkey"),
            Self::ExternalAccount => ("external_account", "external account"),
        }
    }
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No {what} was found with id {id}"),
    )
}

/// `DELETE /users/{id}/web3_wallets/{idn}`. A deleted primary wallet hands the primary role to
/// the user's next verified wallet, if any.
pub async fn delete_web3_wallet(
    app: &AppState,
    user_id: &str,
    wallet_id: &str,
) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let kind = IdentKind::Web3;
    if !record
        .identifications
        .iter()
        .any(|i| i.id == wallet_id && i.kind == kind)
    {
        return Err(not_found("web3 wallet", wallet_id));
    }
    sql_ids::delete_owned(
        tx.conn(),
        OwnedTable::Identifications,
        record.user.seq,
        wallet_id,
    )
    .await?;
    let mut user = record.user.clone();
    if user.primary_web3_wallet_id.as_deref() == Some(wallet_id) {
        user.primary_web3_wallet_id = record
            .identifications
            .iter()
            .find(|i| i.kind == kind && i.id != wallet_id && i.status == IdentStatus::Verified)
            .map(|i| i.id.clone());
    }
    user.updated_at = now_ms();
    save_identity_change(app, &mut tx, &user).await?;
    tx.commit().await?;
    Ok(view::deleted("web3_wallet", wallet_id))
}

/// `DELETE /users/{id}/passkeys/{idn}` and `DELETE /users/{id}/external_accounts/{eac}`.
pub async fn delete_linked(
    app: &AppState,
    user_id: &str,
    linked: Linked,
    id: &str,
) -> ApiResult<DeletedObject> {
    let (object, what) = linked.names();
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    if !sql_ids::delete_owned(tx.conn(), linked.table(), record.user.seq, id).await? {
        return Err(not_found(what, id));
    }
    let mut user = record.user;
    user.updated_at = now_ms();
    sql::update_user(tx.conn(), &user).await?;
    let record = reload(&mut tx, user_id).await?;
    events::user_event(&mut tx, app, EventType::UserUpdated, &record).await?;
    tx.commit().await?;
    Ok(view::deleted(object, id))
}

/// Replaces every identification of `kind` with one new primary one, and answers with it as
/// `show` renders it.
async fn replace_identification<T>(
    app: &AppState,
    user_id: &str,
    kind: IdentKind,
    (value, status): (Option<String>, Option<IdentificationStatus>),
    show: fn(&IdentRow) -> T,
) -> ApiResult<T> {
    let param = kind.as_str();
    let value = value.ok_or_else(|| ApiError::param_missing(param))?;
    let value = kind.validate(param, &value)?;
    let status = match &status {
        None => IdentStatus::Verified,
        Some(wire) => IdentStatus::from_wire(wire).ok_or_else(|| {
            ApiError::value_invalid(
                "identification_status",
                format!(
                    "identification_status must be verified, reserved or unverified, not {wire}."
                ),
            )
        })?,
    };
    let now = now_ms();
    let ident = NewIdentification::new(ids::new_id("idn"), kind, value, status, now);
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let seq = record.user.seq;
    if !sql::taken_identifiers(
        tx.conn(),
        kind,
        std::slice::from_ref(&ident.norm),
        Some(seq),
    )
    .await?
    .is_empty()
    {
        return Err(ApiError::identifier_exists(param, kind.describe()));
    }
    let old: Vec<String> = record
        .identifications
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.id.clone())
        .collect();
    sql::delete_identifications(tx.conn(), seq, &old).await?;
    sql::insert_identification(tx.conn(), seq, &ident).await?;
    let mut user = record.user;
    *user.primary_id_mut(kind) = Some(ident.id.clone());
    user.updated_at = now;
    let record = save_identity_change(app, &mut tx, &user).await?;
    tx.commit().await?;
    let ident = record
        .identifications
        .iter()
        .find(|i| i.kind == kind)
        .expect("the identification was inserted in this transaction");
    Ok(show(ident))
}

/// `PUT /users/{id}/email_address`: the user's only email address, primary.
pub async fn replace_email_address(
    app: &AppState,
    user_id: &str,
    req: ReplaceEmailAddressRequest,
) -> ApiResult<EmailAddress> {
    let request = (req.email_address, req.identification_status);
    replace_identification(app, user_id, IdentKind::Email, request, view::email_address).await
}

/// `PUT /users/{id}/phone_number`: the user's only phone number, primary.
pub async fn replace_phone_number(
    app: &AppState,
    user_id: &str,
    req: ReplacePhoneNumberRequest,
) -> ApiResult<PhoneNumber> {
    let request = (req.phone_number, req.identification_status);
    replace_identification(app, user_id, IdentKind::Phone, request, view::phone_number).await
}

fn trusted_device(row: TrustedDeviceRow) -> TrustedDevice {
    TrustedDevice {
        object: "trusted_device".into(),
        id: row.id,
        platform: row.platform,
        app_identifier: row.app_identifier,
        name: row.name,
        algorithm: row.algorithm,
        status: row.status.as_str().into(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    }
}

/// `GET /users/{id}/trusted_devices`: active devices only.
pub async fn list_trusted_devices(
    app: &AppState,
    user_id: &str,
) -> ApiResult<Paginated<TrustedDevice>> {
    let record = read_user(app, user_id).await?;
    let mut conn = app.store.read().await?;
    let devices = sql_ids::active_trusted_devices(&mut conn, record.user.seq).await?;
    Ok(Paginated {
        total_count: devices.len() as i64,
        data: devices.into_iter().map(trusted_device).collect(),
    })
}

/// `DELETE /users/{id}/trusted_devices/{device}`: revokes the device (again: no change).
pub async fn revoke_trusted_device(
    app: &AppState,
    user_id: &str,
    device_id: &str,
) -> ApiResult<TrustedDevice> {
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let seq = record.user.seq;
    let device = sql_ids::find_trusted_device(tx.conn(), seq, device_id)
        .await?
        .ok_or_else(|| not_found("trusted device", device_id))?;
    if device.status == DeviceStatus::Active {
        sql_ids::revoke_trusted_device(tx.conn(), device_id, now_ms()).await?;
    }
    let device = sql_ids::find_trusted_device(tx.conn(), seq, device_id)
        .await?
        .ok_or_else(|| not_found("trusted device", device_id))?;
    tx.commit().await?;
    Ok(trusted_device(device))
}
