//! Account state: ban, lock, and the lockout that failed checks lead to.

use clerk_model::User;

use super::users::mutate_user_view;
use super::view::{self, is_locked};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::settings::Settings;
use crate::store::attempts::{self, Factor};
use crate::store::users as sql;
use crate::store::{now_ms, UserRow};
use crate::AppState;

/// Bulk ban / unban take 1 to 50 ids.
pub const MAX_BULK_IDS: usize = 50;

fn lock(user: &mut UserRow, settings: &Settings, now: i64) {
    user.locked_at = Some(now);
    user.lockout_expires_at = Some(lockout_expiry(settings, now));
}

fn lockout_expiry(settings: &Settings, now: i64) -> i64 {
    now + settings.lockout_duration.as_millis() as i64
}

fn unlock(user: &mut UserRow) {
    user.locked_at = None;
    user.lockout_expires_at = None;
    user.failed_verification_attempts = 0;
    user.failed_second_factor_attempts = 0;
}

/// Claims one check of `factor` for the user before any hashing: the attempt is counted as
/// failed up front, so concurrent requests (on any node) can never run more checks than the
/// instance allows. Refused with 403 `user_locked` when the user is locked or out of attempts
/// (a refusal for lack of attempts locks the user: more checks were asked for than allowed), and
/// 404 when no user has this id.
pub async fn claim_attempt(app: &AppState, user_id: &str, factor: Factor) -> ApiResult<()> {
    let max = app.settings.max_verification_attempts;
    // A refused claim finds the user locked, unless a concurrent success or unlock freed an
    // attempt between the two statements (PostgreSQL); then it tries again.
    for _ in 0..3 {
        let now = now_ms();
        let mut tx = app.store.begin_write().await?;
        if attempts::claim(tx.conn(), user_id, factor, max, now).await? {
            tx.commit().await?;
            return Ok(());
        }
        let expiry = lockout_expiry(&app.settings, now);
        attempts::lock_if_exhausted(tx.conn(), user_id, max, now, expiry).await?;
        let dialect = tx.dialect;
        let user = sql::find_user(tx.conn(), dialect, user_id, false)
            .await?
            .ok_or_else(|| ApiError::user_not_found(user_id))?
            .user;
        tx.commit().await?;
        if is_locked(&user, now) {
            return Err(locked_error(&user, now));
        }
    }
    Err(ApiError::too_many_requests(
        1,
        "Too many verification attempts at once for this user; try again.",
    ))
}

/// After a claimed check failed: it was counted when claimed; lock the user if that was the
/// last attempt.
pub async fn settle_failed_attempt(app: &AppState, user_id: &str) -> ApiResult<()> {
    let now = now_ms();
    let max = app.settings.max_verification_attempts;
    let mut tx = app.store.begin_write().await?;
    let expiry = lockout_expiry(&app.settings, now);
    attempts::lock_if_exhausted(tx.conn(), user_id, max, now, expiry).await?;
    tx.commit().await?;
    Ok(())
}

/// After a claimed check succeeded, inside the transaction that records the success: a user
/// locked meanwhile stays locked and the success is refused; otherwise that factor's failures
/// are cleared. A password success never clears second-factor failures, so knowing the
/// password gives no extra guesses at the second factor.
pub fn settle_successful_attempt(user: &mut UserRow, factor: Factor, now: i64) -> ApiResult<()> {
    if is_locked(user, now) {
        return Err(locked_error(user, now));
    }
    match factor {
        Factor::Password => user.failed_verification_attempts = 0,
        Factor::SecondFactor => user.failed_second_factor_attempts = 0,
    }
    Ok(())
}

/// The refusal of a check while the user is locked: Clerk's 403 `user_locked`, with the
/// seconds left in `meta.lockout_expires_in_seconds` (`null`: the lock does not expire).
pub fn locked_error(user: &UserRow, now: i64) -> ApiError {
    let expires_in = user
        .lockout_expires_at
        .map(|until| ((until - now).max(0) + 999) / 1000);
    let detail = match expires_in {
        Some(seconds) => format!("Try again in {seconds} seconds."),
        None => "The lock does not expire; an administrator must unlock the account.".into(),
    };
    ApiError::new(
        ErrorKind::Forbidden,
        "user_locked",
        "Account locked",
        format!("This account is locked after too many failed verification attempts. {detail}"),
    )
    .meta("lockout_expires_in_seconds", expires_in)
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
            ErrorKind::BadRequest,
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
