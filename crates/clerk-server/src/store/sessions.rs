//! SQL for sessions (`sessions`): insert, read, list by user or client, and status changes.

use super::{Arg, Sql};
use crate::store::{Conn, DbError, DbResult, Row};

/// What was done to a session, as stored. `expired` and `abandoned` are not stored: they are
/// an active session past `expire_at` or `abandon_at` (see [`SessionRow::status_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredStatus {
    Active,
    Revoked,
    Ended,
}

impl StoredStatus {
    pub const ALL: [Self; 3] = [Self::Active, Self::Revoked, Self::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Ended => "ended",
        }
    }

    fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A session's status as the API shows it at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Stored(StoredStatus),
    Expired,
    Abandoned,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub status: StoredStatus,
    pub last_active_organization_id: Option<String>,
    /// JSON object text.
    pub actor: Option<String>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SessionRow {
    /// The status at `now`: an active session past its expiry is expired, past its abandon
    /// time abandoned.
    pub fn status_at(&self, now: i64) -> Status {
        match self.status {
            StoredStatus::Active if now >= self.expire_at => Status::Expired,
            StoredStatus::Active if now >= self.abandon_at => Status::Abandoned,
            stored => Status::Stored(stored),
        }
    }
}

const COLUMNS: &str = "id, user_id, client_id, status, last_active_organization_id, actor, \
    last_active_at, expire_at, abandon_at, created_at, updated_at";

fn from_row(row: &Row) -> DbResult<SessionRow> {
    let status: String = row.try_get("status")?;
    Ok(SessionRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        status: StoredStatus::from_stored(&status).ok_or_else(|| {
            DbError::decode("status", format!("unknown session status {status:?}"))
        })?,
        last_active_organization_id: row.try_get("last_active_organization_id")?,
        actor: row.try_get("actor")?,
        last_active_at: row.try_get("last_active_at")?,
        expire_at: row.try_get("expire_at")?,
        abandon_at: row.try_get("abandon_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn insert(conn: &mut Conn, s: &SessionRow) -> DbResult<()> {
    let mut sql = Sql::new(&format!("INSERT INTO sessions ({COLUMNS}) VALUES "));
    sql.bind_list::<Arg>(&[
        s.id.clone().into(),
        s.user_id.clone().into(),
        s.client_id.clone().into(),
        s.status.as_str().into(),
        s.last_active_organization_id.clone().into(),
        s.actor.clone().into(),
        s.last_active_at.into(),
        s.expire_at.into(),
        s.abandon_at.into(),
        s.created_at.into(),
        s.updated_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// The session with this id; `for_update` locks its row (PostgreSQL).
pub async fn find(conn: &mut Conn, id: &str, for_update: bool) -> DbResult<Option<SessionRow>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM sessions WHERE id = "));
    sql.bind(id);
    if for_update && conn.dialect() == super::Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub status: Option<Status>,
}

fn push_where(sql: &mut Sql, filter: &SessionFilter, now: i64) {
    sql.push(" WHERE 1 = 1");
    if let Some(user_id) = &filter.user_id {
        sql.push(" AND user_id = ").bind(user_id);
    }
    if let Some(client_id) = &filter.client_id {
        sql.push(" AND client_id = ").bind(client_id);
    }
    let active = StoredStatus::Active.as_str();
    match filter.status {
        None => {}
        Some(Status::Stored(StoredStatus::Active)) => {
            sql.push(" AND status = ").bind(active);
            sql.push(" AND expire_at > ").bind(now);
            sql.push(" AND abandon_at > ").bind(now);
        }
        Some(Status::Stored(stored)) => {
            sql.push(" AND status = ").bind(stored.as_str());
        }
        Some(Status::Expired) => {
            sql.push(" AND status = ").bind(active);
            sql.push(" AND expire_at <= ").bind(now);
        }
        Some(Status::Abandoned) => {
            sql.push(" AND status = ").bind(active);
            sql.push(" AND expire_at > ").bind(now);
            sql.push(" AND abandon_at <= ").bind(now);
        }
    }
}

/// A page of the sessions `filter` selects, newest first.
pub async fn list(
    conn: &mut Conn,
    filter: &SessionFilter,
    now: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<SessionRow>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM sessions"));
    push_where(&mut sql, filter, now);
    sql.push(" ORDER BY created_at DESC, seq DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// How many sessions `filter` selects.
pub async fn count(conn: &mut Conn, filter: &SessionFilter, now: i64) -> DbResult<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM sessions");
    push_where(&mut sql, filter, now);
    sql.fetch_i64(conn).await
}

/// Sets a session's stored status.
pub async fn set_status(conn: &mut Conn, id: &str, status: StoredStatus, now: i64) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE sessions SET status = ");
    sql.bind(status.as_str())
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id);
    sql.execute(conn).await.map(|_| ())
}

/// Moves every session of the user that is active at `now` to `status`, and returns them as
/// they are now.
pub async fn end_active_of_user(
    conn: &mut Conn,
    user_id: &str,
    status: StoredStatus,
    now: i64,
) -> DbResult<Vec<SessionRow>> {
    let mut sql = Sql::new("UPDATE sessions SET status = ");
    sql.bind(status.as_str())
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE user_id = ")
        .bind(user_id)
        .push(" AND status = ")
        .bind(StoredStatus::Active.as_str())
        .push(" AND expire_at > ")
        .bind(now)
        .push(" AND abandon_at > ")
        .bind(now)
        .push(&format!(" RETURNING {COLUMNS}"));
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// A new session is a sign-in: it moves the user's `last_sign_in_at` and `last_active_at`
/// (and nothing else: `updated_at` tracks changes to the user, not its activity).
pub async fn record_sign_in(conn: &mut Conn, user_seq: i64, now: i64) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE users SET last_sign_in_at = ");
    sql.bind(now)
        .push(", last_active_at = ")
        .bind(now)
        .push(" WHERE seq = ")
        .bind(user_seq);
    sql.execute(conn).await.map(|_| ())
}
