//! Full export (our extension, docs/import-export.md): every user as the Clerk user object
//! plus the secrets Clerk never returns, in the record shape bulk import reads back.

use std::collections::HashMap;

use clerk_model::{ExportPage, IdentificationStatus, ImportTrustedDevice};
use serde_json::{json, Map, Value};

use super::user_rules::totp_context;
use super::{oauth, view};
use crate::error::{ApiError, ApiResult};
use crate::store::identities::{self as ident_sql, TrustedDeviceRow};
use crate::store::{now_ms, transfer, users as users_sql, IdentKind, IdentStatus, UserRecord};
use crate::AppState;

/// Larger than the Users API's default page: an export walks everything.
pub const DEFAULT_LIMIT: i64 = 100;

/// One page of the export: `limit` records after the user `starting_after` (from the first).
pub async fn export_users(
    app: &AppState,
    limit: i64,
    starting_after: Option<&str>,
) -> ApiResult<ExportPage> {
    let mut conn = app.store.read().await?;
    let after = match starting_after {
        None => None,
        Some(id) => Some(
            users_sql::seq_for_id(&mut conn, app.store.dialect(), id, false)
                .await?
                .ok_or_else(|| {
                    ApiError::form(
                        "form_resource_not_found",
                        "starting_after",
                        "not found",
                        format!("No user was found with id {id} to start after."),
                    )
                })?,
        ),
    };
    // One more than asked tells whether another page follows.
    let mut records =
        transfer::page_after(&mut conn, app.store.dialect(), after, limit + 1).await?;
    let has_more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let seqs: Vec<i64> = records.iter().map(|r| r.user.seq).collect();
    let mut devices: HashMap<i64, Vec<TrustedDeviceRow>> = HashMap::new();
    for (seq, device) in ident_sql::trusted_devices_of(&mut conn, &seqs).await? {
        devices.entry(seq).or_default().push(device);
    }
    drop(conn);
    let now = now_ms();
    let data = records
        .iter()
        .map(|r| record(app, r, devices.remove(&r.user.seq).unwrap_or_default(), now))
        .collect::<ApiResult<_>>()?;
    Ok(ExportPage { data, has_more })
}

/// A sealed value that does not open fails the whole request: writing it as `null` would make
/// an export that looks complete and imports into users without their second factor or tokens.
/// It is a 500, not a 4xx: nothing in the request is wrong. It means the server runs with
/// another encryption key than the one the value was sealed with (or the row was tampered
/// with), which the key check at start already refuses for databases that have a check value;
/// the request log says which user and field.
fn unreadable(user_id: &str, field: &str) -> ApiError {
    ApiError::internal_because(format_args!(
        "export refused: the sealed {field} of {user_id} does not open under the encryption key"
    ))
}

fn record(
    app: &AppState,
    r: &UserRecord,
    devices: Vec<TrustedDeviceRow>,
    now: i64,
) -> ApiResult<Value> {
    let u = &r.user;
    let mut object = match serde_json::to_value(view::user(r, &app.settings, now)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let totp_secret = u
        .totp_secret
        .as_deref()
        .map(|sealed| {
            app.encryption_key
                .open_str(sealed, &totp_context(&u.id))
                .map_err(|_| unreadable(&u.id, "totp_secret"))
        })
        .transpose()?;
    let backup_code_digests = u.backup_codes.as_ref().map(|codes| codes.digests());
    let extras = json!({
        "password_digest": u.password_digest,
        "password_hasher": u.password_hasher,
        "totp_secret": totp_secret,
        "backup_code_digests": backup_code_digests,
        "trusted_devices": devices.into_iter().map(trusted_device).collect::<Vec<_>>(),
    });
    if let Value::Object(extras) = extras {
        object.extend(extras);
    }
    // The user object shows no verification for an unverified identification, which import
    // would read as verified: say it.
    for (key, kind) in [
        ("email_addresses", IdentKind::Email),
        ("phone_numbers", IdentKind::Phone),
        ("web3_wallets", IdentKind::Web3),
    ] {
        let rows = r.identifications.iter().filter(|i| i.kind == kind);
        if let Some(Value::Array(items)) = object.get_mut(key) {
            for (value, row) in items.iter_mut().zip(rows) {
                if row.status == IdentStatus::Unverified {
                    value["verification"] =
                        json!({ "status": IdentificationStatus::Unverified.as_str() });
                }
            }
        }
    }
    // Each external account gets its tokens, in clear.
    if let Some(Value::Array(accounts)) = object.get_mut("external_accounts") {
        for (value, row) in accounts.iter_mut().zip(&r.external_accounts) {
            if let Value::Object(account) = value {
                let tokens = oauth::try_open_tokens(app, row).map_err(|field| {
                    unreadable(&u.id, &format!("external_accounts.{}.{field}", row.id))
                })?;
                let has_tokens = tokens.access_token.is_some() || tokens.refresh_token.is_some();
                account.insert(
                    "oauth_token".into(),
                    if has_tokens {
                        serde_json::to_value(tokens).unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    },
                );
            }
        }
    }
    Ok(Value::Object(object))
}

fn trusted_device(d: TrustedDeviceRow) -> ImportTrustedDevice {
    ImportTrustedDevice {
        id: Some(d.id),
        platform: d.platform,
        app_identifier: d.app_identifier,
        name: d.name,
        algorithm: d.algorithm,
        status: Some(d.status.as_str().into()),
        created_at: Some(d.created_at),
        updated_at: Some(d.updated_at),
        last_used_at: d.last_used_at,
        revoked_at: d.revoked_at,
    }
}
