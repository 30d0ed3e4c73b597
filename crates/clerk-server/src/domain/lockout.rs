//! The lockout that failed checks lead to: a check of a password or a second factor claims an
//! attempt before it runs, and settles it once its outcome is known.

use super::write::reload;
use crate::error::{ApiError, ApiResult};
use crate::store::attempts::{self, Factor};
use crate::store::{now_ms, UserRow};
use crate::AppState;

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
        let expiry = app.settings.lockout_expires_at(now);
        attempts::lock_if_exhausted(tx.conn(), user_id, max, now, expiry).await?;
        let user = reload(&mut tx, user_id).await?.user;
        tx.commit().await?;
        if user.is_locked(now) {
            return Err(user.locked_error(now));
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
    let expiry = app.settings.lockout_expires_at(now);
    attempts::lock_if_exhausted(tx.conn(), user_id, max, now, expiry).await?;
    tx.commit().await?;
    Ok(())
}

/// After a claimed check succeeded, inside the transaction that records the success: a user
/// locked meanwhile stays locked and the success is refused; otherwise that factor's failures
/// are cleared. A password success never clears second-factor failures, so knowing the
/// password gives no extra guesses at the second factor.
pub fn settle_successful_attempt(user: &mut UserRow, factor: Factor, now: i64) -> ApiResult<()> {
    if user.is_locked(now) {
        return Err(user.locked_error(now));
    }
    match factor {
        Factor::Password => user.failed_verification_attempts = 0,
        Factor::SecondFactor => user.failed_second_factor_attempts = 0,
    }
    Ok(())
}
