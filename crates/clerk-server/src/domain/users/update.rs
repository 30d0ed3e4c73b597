//! `PATCH /users/{user_id}`: the plain fields, primary identifications, credentials and
//! (before API version 2026-05-12) metadata of a user.

use clerk_model::{UpdateUserRequest, User};

use crate::domain::events::{self, EventType};
use crate::domain::input::{optional_text, second_factors};
use crate::domain::metadata;
use crate::domain::passwords;
use crate::domain::session_state::{end_user_sessions, SessionEnd};
use crate::domain::validate;
use crate::domain::view;
use crate::domain::write::{ensure_unique, reload, retry_on_unique_violation, user_for_update};
use crate::error::{ApiError, ApiResult};
use crate::store::users as sql;
use crate::store::{now_ms, IdentKind, IdentStatus, UserRecord, UserRow};
use crate::AppState;

pub async fn update_user(
    app: &AppState,
    user_id: &str,
    req: UpdateUserRequest,
    api_version: Option<&str>,
) -> ApiResult<User> {
    metadata::reject_in_update_for_version(
        api_version,
        &[
            ("public_metadata", req.public_metadata.is_some()),
            ("private_metadata", req.private_metadata.is_some()),
            ("unsafe_metadata", req.unsafe_metadata.is_some()),
        ],
        "/users/{user_id}/metadata",
    )?;
    let factors = second_factors(
        app,
        user_id,
        req.totp_secret.as_deref(),
        req.backup_codes.as_deref(),
    )?;
    if let Some(image_id) = &req.profile_image_id {
        return Err(ApiError::form(
            "form_resource_not_found",
            "profile_image_id",
            "not found",
            format!("No uploaded image was found with id {image_id}."),
        ));
    }
    let credentials = passwords::from_request(
        app,
        req.password.clone(),
        req.password_digest.clone(),
        req.password_hasher.clone(),
        req.skip_password_checks.unwrap_or(false),
    )
    .await?;
    // A new password with `sign_out_of_other_sessions` revokes the user's sessions (all of
    // them: a Backend API call has no session of its own to keep).
    let end_sessions = req.password.is_some() && req.sign_out_of_other_sessions == Some(true);

    retry_on_unique_violation(|| async {
        let now = now_ms();
        let mut tx = app.store.begin_write().await?;
        let record = user_for_update(&mut tx, user_id).await?;
        let mut user = record.user.clone();
        apply_update(&mut user, &record, &req)?;
        if let Some(credentials) = &credentials {
            credentials.apply(&mut user, now);
        }
        factors.clone().apply(&mut user, now);
        ensure_unique(&mut tx, &user, &[], Some(user.seq)).await?;
        user.updated_at = now;
        sql::update_user(tx.conn(), &user).await?;
        let dialect = tx.dialect;
        sql::refresh_derived(tx.conn(), dialect, user.seq).await?;
        let record = reload(&mut tx, user_id).await?;
        events::user_event(&mut tx, app, EventType::UserUpdated, &record).await?;
        if end_sessions {
            end_user_sessions(&mut tx, app, user_id, SessionEnd::Revoke, now).await?;
        }
        tx.commit().await?;
        Ok(view::user(&record, &app.settings, now_ms()))
    })
    .await
}

/// Applies the plain fields of an update to the row (no I/O).
fn apply_update(user: &mut UserRow, record: &UserRecord, req: &UpdateUserRequest) -> ApiResult<()> {
    if let Some(v) = &req.external_id {
        user.external_id = optional_text("external_id", v.clone().filter(|s| !s.is_empty()))?;
    }
    if let Some(v) = &req.first_name {
        user.first_name = optional_text("first_name", v.clone())?;
    }
    if let Some(v) = &req.last_name {
        user.last_name = optional_text("last_name", v.clone())?;
    }
    if let Some(v) = &req.locale {
        user.locale = v.as_deref().map(validate::locale).transpose()?;
    }
    if let Some(v) = &req.username {
        user.username = match v.as_deref() {
            None | Some("") => None,
            Some(name) => Some(validate::username(name)?),
        };
    }
    for (kind, wanted) in [
        (IdentKind::Email, &req.primary_email_address_id),
        (IdentKind::Phone, &req.primary_phone_number_id),
        (IdentKind::Web3, &req.primary_web3_wallet_id),
    ] {
        let Some(wanted) = wanted else { continue };
        let param = &format!("primary_{}_id", kind.as_str());
        let ident = record
            .identifications
            .iter()
            .find(|i| &i.id == wanted && i.kind == kind)
            .ok_or_else(|| {
                ApiError::form(
                    "form_resource_not_found",
                    param,
                    "not found",
                    format!(
                        "No {} with id {wanted} belongs to this user.",
                        kind.describe()
                    ),
                )
            })?;
        if ident.status != IdentStatus::Verified {
            return Err(ApiError::value_invalid(
                param,
                format!(
                    "The {} {wanted} is not verified and cannot be primary.",
                    kind.describe()
                ),
            ));
        }
        *user.primary_id_mut(kind) = Some(wanted.clone());
    }
    let supplied = [
        &req.public_metadata,
        &req.private_metadata,
        &req.unsafe_metadata,
    ];
    for ((param, target), value) in user.metadata_bags().into_iter().zip(supplied) {
        if let Some(v) = value {
            // Before 2026-05-12, metadata in an update replaced the bag.
            *target = metadata::to_stored(param, v)?;
        }
    }
    if let Some(v) = req.delete_self_enabled {
        user.delete_self_enabled = v;
    }
    if let Some(v) = req.create_organization_enabled {
        user.create_organization_enabled = v;
    }
    if let Some(v) = &req.legal_accepted_at {
        user.legal_accepted_at = v
            .as_deref()
            .map(|t| validate::rfc3339_ms("legal_accepted_at", t))
            .transpose()?;
    }
    if let Some(v) = req.create_organizations_limit {
        user.create_organizations_limit = v
            .map(|n| validate::non_negative("create_organizations_limit", n))
            .transpose()?;
    }
    if let Some(t) = &req.created_at {
        user.created_at = validate::rfc3339_ms("created_at", t)?;
    }
    if let Some(v) = req.bypass_client_trust {
        user.bypass_client_trust = v;
    }
    Ok(())
}
