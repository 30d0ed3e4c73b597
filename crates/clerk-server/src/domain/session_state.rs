//! A session as the API shows it, and ending a user's sessions inside the transaction of the
//! change that ends them (ban, delete, a new password, …), with their events.

use clerk_model::{Session, SessionStatus};

use super::events::{self, EventType};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::sessions::{self as sql, SessionRow, Status, StoredStatus};
use crate::store::WriteTx;
use crate::AppState;

/// How long a new session lasts, whatever its activity (Clerk's default: 7 days).
pub const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
/// When a new session is abandoned for inactivity (30 days).
pub const SESSION_ABANDON_MS: i64 = 30 * 24 * 3600 * 1000;

pub fn status(status: Status) -> SessionStatus {
    match status {
        Status::Stored(StoredStatus::Active) => SessionStatus::Active,
        Status::Stored(StoredStatus::Revoked) => SessionStatus::Revoked,
        Status::Stored(StoredStatus::Ended) => SessionStatus::Ended,
        Status::Expired => SessionStatus::Expired,
        Status::Abandoned => SessionStatus::Abandoned,
    }
}

/// The session as `GET /sessions/{id}` shows it at `now`.
pub fn session(row: &SessionRow, now: i64) -> Session {
    Session {
        object: "session".into(),
        id: row.id.clone(),
        user_id: row.user_id.clone(),
        client_id: row.client_id.clone(),
        actor: row
            .actor
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok()),
        status: status(row.status_at(now)),
        last_active_organization_id: row.last_active_organization_id.clone(),
        last_active_at: row.last_active_at,
        latest_activity: None,
        expire_at: row.expire_at,
        abandon_at: row.abandon_at,
        updated_at: row.updated_at,
        created_at: row.created_at,
        tasks: None,
    }
}

/// Clerk's 403 for a banned user asking for a session or a token.
pub fn user_banned() -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "user_banned",
        "User banned",
        "This user is banned and cannot sign in.",
    )
}

/// How a change ends a user's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Ban, a new password with `sign_out_of_other_sessions`, a compromised password with
    /// `revoke_all_sessions`: `revoked`, `session.revoked`.
    Revoke,
    /// The user is deleted: `ended`, `session.ended`.
    End,
}

/// Ends every session of the user that is active at `now`, in `tx`, with one event each.
pub async fn end_user_sessions(
    tx: &mut WriteTx,
    app: &AppState,
    user_id: &str,
    how: SessionEnd,
    now: i64,
) -> ApiResult<()> {
    let (stored, event) = match how {
        SessionEnd::Revoke => (StoredStatus::Revoked, EventType::SessionRevoked),
        SessionEnd::End => (StoredStatus::Ended, EventType::SessionEnded),
    };
    let ended = sql::end_active_of_user(tx.conn(), user_id, stored, now).await?;
    for row in &ended {
        events::emit(tx, app, event, &session(row, now)).await?;
    }
    Ok(())
}
