//! Account state: ban and lock, one user or many.

use clerk_model::User;

use super::events::{self, EventType};
use super::session_state::{end_user_sessions, SessionEnd};
use super::view;
use super::write::{mutate_user_view, mutate_user_view_ending_sessions};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::users as sql;
use crate::store::{now_ms, UserRecord};
use crate::AppState;

/// Bulk ban / unban take 1 to 50 ids.
pub const MAX_BULK_IDS: usize = 50;

/// Ban revokes every active session of the user; unban brings none back.
pub async fn set_banned(app: &AppState, user_id: &str, banned: bool) -> ApiResult<User> {
    let end = banned.then_some(SessionEnd::Revoke);
    mutate_user_view_ending_sessions(app, user_id, end, |user, _, _| {
        user.banned = banned;
        Ok(())
    })
    .await
}

pub async fn set_locked(app: &AppState, user_id: &str, locked: bool) -> ApiResult<User> {
    mutate_user_view(app, user_id, |user, _, now| {
        if locked {
            user.lock(now, Some(app.settings.lockout_expires_at(now)));
        } else {
            user.unlock();
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
            .any(|r: &UserRecord| r.user.seq == record.user.seq)
        {
            continue;
        }
        let mut user = record.user.clone();
        if user.banned != banned {
            user.banned = banned;
            user.updated_at = now;
            sql::update_user(tx.conn(), &user).await?;
            let record = UserRecord {
                user: user.clone(),
                ..record.clone()
            };
            events::user_event(&mut tx, app, EventType::UserUpdated, &record).await?;
            if banned {
                end_user_sessions(&mut tx, app, id, SessionEnd::Revoke, now).await?;
            }
        }
        changed.push(UserRecord { user, ..record });
    }
    tx.commit().await?;
    Ok(changed
        .iter()
        .map(|r| view::user(r, &app.settings, now))
        .collect())
}
