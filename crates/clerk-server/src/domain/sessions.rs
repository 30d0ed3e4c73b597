//! Sessions: create one for a user (Clerk's testing endpoint), list, read and revoke them.
//! Tokens minted from a session are in `tokens`; the changes to a user that end its sessions
//! call `session_state::end_user_sessions`.

use clerk_model::{CreateSessionRequest, Paginated, Session, SessionStatus};

use super::events::{self, EventType};
use super::list::Page;
use super::session_state::{self, SESSION_ABANDON_MS, SESSION_LIFETIME_MS};
use super::write::user_for_update;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::now_ms;
use crate::store::organizations as sql_orgs;
use crate::store::sessions::{self as sql, SessionFilter, SessionRow, Status, StoredStatus};
use crate::AppState;

pub fn not_found(session_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No session was found with id {session_id}"),
    )
}

/// `POST /sessions`: a new active session for the user, which counts as a sign-in.
pub async fn create(app: &AppState, req: CreateSessionRequest) -> ApiResult<Session> {
    let user_id = req
        .user_id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::param_missing("user_id"))?;
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, &user_id).await?;
    if record.user.banned {
        return Err(session_state::user_banned());
    }
    if record.user.is_locked(now) {
        return Err(record.user.locked_error(now));
    }
    if let Some(org_id) = &req.active_organization_id {
        let dialect = tx.dialect;
        let org = sql_orgs::find_organization(tx.conn(), dialect, org_id, false, false)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "resource_not_found",
                    "not found",
                    format!("No organization was found with id {org_id}"),
                )
            })?;
        if sql_orgs::find_membership(tx.conn(), &org.id, record.user.seq)
            .await?
            .is_none()
        {
            return Err(ApiError::form(
                "not_a_member_in_organization",
                "active_organization_id",
                "not a member",
                format!("The user is not a member of the organization {org_id}."),
            ));
        }
    }
    let row = SessionRow {
        id: ids::new_id("sess"),
        user_id: record.user.id.clone(),
        client_id: ids::new_id("client"),
        status: StoredStatus::Active,
        last_active_organization_id: req.active_organization_id,
        actor: None,
        last_active_at: now,
        expire_at: now + SESSION_LIFETIME_MS,
        abandon_at: now + SESSION_ABANDON_MS,
        created_at: now,
        updated_at: now,
    };
    sql::insert(tx.conn(), &row).await?;
    sql::record_sign_in(tx.conn(), record.user.seq, now).await?;
    let session = session_state::session(&row, now);
    events::emit(&mut tx, app, EventType::SessionCreated, &session).await?;
    tx.commit().await?;
    Ok(session)
}

/// What `GET /sessions` asks for.
#[derive(Debug, Clone)]
pub struct SessionListQuery {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub status: Option<SessionStatus>,
    pub page: Page,
}

/// The filter `query` asks for; `None` when no session can match (a status this server never
/// gives a session).
fn filter(query: &SessionListQuery) -> ApiResult<Option<SessionFilter>> {
    if query.user_id.is_none() && query.client_id.is_none() {
        return Err(ApiError::form(
            "form_param_missing",
            "user_id",
            "is missing",
            "Either user_id or client_id must be given.".into(),
        ));
    }
    let status = match &query.status {
        None => None,
        Some(SessionStatus::Active) => Some(Status::Stored(StoredStatus::Active)),
        Some(SessionStatus::Revoked) => Some(Status::Stored(StoredStatus::Revoked)),
        Some(SessionStatus::Ended) => Some(Status::Stored(StoredStatus::Ended)),
        Some(SessionStatus::Expired) => Some(Status::Expired),
        Some(SessionStatus::Abandoned) => Some(Status::Abandoned),
        Some(SessionStatus::Removed | SessionStatus::Replaced | SessionStatus::Pending) => {
            return Ok(None)
        }
        Some(SessionStatus::Unknown(other)) => {
            return Err(ApiError::query_invalid(
                "status",
                format!(
                    "status must be one of abandoned, active, ended, expired, removed, \
                     replaced, revoked, not {other}."
                ),
            ))
        }
    };
    Ok(Some(SessionFilter {
        user_id: query.user_id.clone(),
        client_id: query.client_id.clone(),
        status,
    }))
}

/// `GET /sessions`: a page, newest first, and the total the filter selects when `with_total`
/// (`paginated=true`).
pub async fn list(
    app: &AppState,
    query: &SessionListQuery,
    with_total: bool,
) -> ApiResult<Paginated<Session>> {
    let Some(filter) = filter(query)? else {
        return Ok(Paginated {
            data: Vec::new(),
            total_count: 0,
        });
    };
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let rows = sql::list(&mut conn, &filter, now, query.page.limit, query.page.offset).await?;
    let total_count = if with_total {
        sql::count(&mut conn, &filter, now).await?
    } else {
        0
    };
    Ok(Paginated {
        data: rows
            .iter()
            .map(|row| session_state::session(row, now))
            .collect(),
        total_count,
    })
}

pub async fn get(app: &AppState, session_id: &str) -> ApiResult<Session> {
    let mut conn = app.store.read().await?;
    let row = sql::find(&mut conn, session_id, false)
        .await?
        .ok_or_else(|| not_found(session_id))?;
    Ok(session_state::session(&row, now_ms()))
}

/// `POST /sessions/{id}/revoke`: an active session becomes `revoked`; any other is answered
/// as it is (revoking twice changes nothing and sends one event).
pub async fn revoke(app: &AppState, session_id: &str) -> ApiResult<Session> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let mut row = sql::find(tx.conn(), session_id, true)
        .await?
        .ok_or_else(|| not_found(session_id))?;
    if row.status_at(now) == Status::Stored(StoredStatus::Active) {
        sql::set_status(tx.conn(), session_id, StoredStatus::Revoked, now).await?;
        row.status = StoredStatus::Revoked;
        row.updated_at = now;
        let session = session_state::session(&row, now);
        events::emit(&mut tx, app, EventType::SessionRevoked, &session).await?;
        tx.commit().await?;
    }
    Ok(session_state::session(&row, now))
}
