//! Account state: ban, lock, and the lockout that failed checks lead to.

use axum::http::StatusCode;
use clerk_model::User;

use super::users::mutate_user_view;
use super::view::{self, is_locked};
use crate::error::{ApiError, ApiResult};
use crate::settings::Settings;
use crate::store::users as sql;
use crate::store::{now_ms, UserRow};
use crate::AppState;

/// Bulk ban / unban take 1 to 50 ids.
pub const MAX_BULK_IDS: usize = 50;

fn lock(user: &mut UserRow, settings: &Settings, now: i64) {
    user.locked_at = Some(now);
    user.lockout_expires_at = Some(now + settings.lockout_duration.as_millis() as i64);
}

fn unlock(user: &mut UserRow) {
    user.locked_at = None;
    user.lockout_expires_at = None;
    user.failed_verification_attempts = 0;
}

/// Counts one failed password / TOTP / backup-code check; at the limit the user is locked.
/// A lock that has already expired is lifted first, with a fresh allowance.
pub fn record_failed_attempt(user: &mut UserRow, settings: &Settings, now: i64) {
    if user.locked_at.is_some() && !is_locked(user, now) {
        unlock(user);
    }
    user.failed_verification_attempts += 1;
    if user.failed_verification_attempts >= settings.max_verification_attempts {
        lock(user, settings, now);
    }
}

/// After a successful check the count starts again.
pub fn record_successful_attempt(user: &mut UserRow, now: i64) {
    if user.locked_at.is_some() && !is_locked(user, now) {
        unlock(user);
    }
    user.failed_verification_attempts = 0;
}

/// The refusal of a check while the user is locked.
pub fn locked_error(user: &UserRow, now: i64) -> ApiError {
    let detail = match user.lockout_expires_at {
        Some(until) => format!("Try again in {} seconds.", ((until - now) + 999) / 1000),
        None => "The lock does not expire; an administrator must unlock the account.".into(),
    };
    ApiError::new(
        StatusCode::FORBIDDEN,
        "user_locked",
        "Account locked",
        format!("This account is locked after too many failed verification attempts. {detail}"),
    )
}

pub async fn set_banned(app: &AppState, user_id: &str, banned: bool) -> ApiResult<User> {
    mutate_user_view(app, user_id, |user, _, _| {
        user.banned = banned;
        Ok(())
    })
    .await
}

pub async fn set_locked(app: &AppState, user_id: &str, locked: bool) -> ApiResult<User> {
    mutate_user_view(app, user_id, |user, _, now| {
        if locked {
            lock(user, &app.settings, now);
        } else {
            unlock(user);
        }
        Ok(())
    })
    .await
}

/// `POST /users/ban` and `/users/unban`: 1–50 ids in one transaction; ids that name no user
/// are skipped. Returns the users changed, in the order given.
pub async fn set_banned_bulk(
    app: &AppState,
    user_ids: &[String],
    banned: bool,
) -> ApiResult<Vec<User>> {
    if user_ids.is_empty() {
        return Err(ApiError::form(
            "form_param_missing",
            "user_ids",
            "is missing",
            "user_ids must contain at least one user id.".into(),
        ));
    }
    if user_ids.len() > MAX_BULK_IDS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bulk_size_exceeded",
            "Bulk size exceeded",
            format!("At most {MAX_BULK_IDS} user ids can be given at once."),
        )
        .param("user_ids"));
    }
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let mut changed = Vec::with_capacity(user_ids.len());
    for id in user_ids {
        let Some(record) = sql::find_user(tx.conn(), dialect, id, true).await? else {
            continue;
        };
        if changed
            .iter()
            .any(|r: &crate::store::UserRecord| r.user.seq == record.user.seq)
        {
            continue;
        }
        let mut user = record.user.clone();
        if user.banned != banned {
            user.banned = banned;
            user.updated_at = now;
            sql::update_user(tx.conn(), &user).await?;
        }
        changed.push(crate::store::UserRecord { user, ..record });
    }
    tx.commit().await?;
    Ok(changed
        .iter()
        .map(|r| view::user(r, &app.settings, now))
        .collect())
}
