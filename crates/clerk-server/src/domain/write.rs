//! Reading a user for an operation, and the transactions that change one: a change to the row,
//! a new user with its identifications, and the retry that reports a uniqueness clash right.

use crate::store::DbError;
use clerk_model::User;

use super::events::{self, EventType};
use super::session_state::{end_user_sessions, SessionEnd};
use super::view;
use crate::error::{ApiError, ApiResult};
use crate::store::users::{self as sql, UniqueColumn};
use crate::store::{now_ms, IdentKind, NewIdentification, UserRecord, UserRow, WriteTx};
use crate::AppState;

/// An operation's failure: the caller's fault, or the database's.
pub enum OpError {
    Api(ApiError),
    Db(DbError),
}

impl From<ApiError> for OpError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}
impl From<DbError> for OpError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

/// The user with this id, read outside any transaction; 404 if there is none.
pub async fn read_user(app: &AppState, user_id: &str) -> ApiResult<UserRecord> {
    let mut conn = app.store.read().await?;
    sql::find_user(&mut conn, app.store.dialect(), user_id, false)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))
}

/// The user with this id, its row locked for the transaction (PostgreSQL); 404 if there is none.
pub async fn user_for_update(tx: &mut WriteTx, user_id: &str) -> ApiResult<UserRecord> {
    let dialect = tx.dialect;
    sql::find_user(tx.conn(), dialect, user_id, true)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))
}

/// The user as the transaction has written it.
pub async fn reload(tx: &mut WriteTx, user_id: &str) -> ApiResult<UserRecord> {
    let dialect = tx.dialect;
    sql::find_user(tx.conn(), dialect, user_id, false)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))
}

/// Two requests can pass the uniqueness checks at once on PostgreSQL; the unique index
/// stops the second. Running it again reports the clash with the right parameter.
pub async fn retry_on_unique_violation<T, F, Fut>(op: F) -> ApiResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, OpError>>,
{
    for _ in 0..2 {
        match op().await {
            Ok(v) => return Ok(v),
            Err(OpError::Api(e)) => return Err(e),
            Err(OpError::Db(e)) if e.is_unique_violation() => continue,
            Err(OpError::Db(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::form(
        "form_identifier_exists",
        "identifier",
        "That identifier is taken. Please try another.",
        "That identifier is taken. Please try another.".into(),
    ))
}

/// Fails with `form_identifier_exists` if another user has one of these identifiers.
pub async fn ensure_unique(
    tx: &mut WriteTx,
    user: &UserRow,
    idents: &[&NewIdentification],
    except: Option<i64>,
) -> Result<(), OpError> {
    for kind in IdentKind::ALL {
        let norms: Vec<String> = idents
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.norm.clone())
            .collect();
        if !sql::taken_identifiers(tx.conn(), kind, &norms, except)
            .await?
            .is_empty()
        {
            return Err(ApiError::identifier_exists(kind.as_str(), kind.describe()).into());
        }
    }
    if let Some(username) = &user.username {
        if sql::column_taken(tx.conn(), UniqueColumn::Username, username, except).await? {
            return Err(ApiError::identifier_exists("username", "username").into());
        }
    }
    if let Some(external_id) = &user.external_id {
        if sql::column_taken(tx.conn(), UniqueColumn::ExternalId, external_id, except).await? {
            return Err(ApiError::identifier_exists("external_id", "external ID").into());
        }
    }
    Ok(())
}

/// Writes a new user with its identifications and what is derived from them, once no other
/// user has any of its identifiers; the new row's `seq`.
pub async fn insert_new_user(
    tx: &mut WriteTx,
    user: &UserRow,
    idents: &[&NewIdentification],
) -> Result<i64, OpError> {
    ensure_unique(tx, user, idents, None).await?;
    let seq = sql::insert_user(tx.conn(), user).await?;
    for ident in idents {
        sql::insert_identification(tx.conn(), seq, ident).await?;
    }
    let dialect = tx.dialect;
    sql::refresh_derived(tx.conn(), dialect, seq).await?;
    Ok(seq)
}

/// After a change to the user's identifications, inside its transaction: writes the user's row
/// back, recomputes what is derived from the identifications (the order-by keys of the primary
/// ones, the search row), reads the user back and emits `user.updated`. The caller commits.
pub async fn save_identity_change(
    app: &AppState,
    tx: &mut WriteTx,
    user: &UserRow,
) -> ApiResult<UserRecord> {
    sql::update_user(tx.conn(), user).await?;
    let dialect = tx.dialect;
    sql::refresh_derived(tx.conn(), dialect, user.seq).await?;
    let record = reload(tx, &user.id).await?;
    events::user_event(tx, app, EventType::UserUpdated, &record).await?;
    Ok(record)
}

/// Runs `change` on the user's row inside a write transaction (the row locked on PostgreSQL),
/// writes the row back if it changed, and returns what `change` returned with the user as
/// stored afterwards. `change` does no I/O; an error from it writes nothing.
pub async fn mutate_user<T>(
    app: &AppState,
    user_id: &str,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<T>,
) -> ApiResult<(T, UserRecord)> {
    mutate_user_ending_sessions(app, user_id, None, change).await
}

/// [`mutate_user`] that, when the row changed and `end` is given, also ends the user's active
/// sessions in the same transaction (ban, a removed or compromised password).
pub async fn mutate_user_ending_sessions<T>(
    app: &AppState,
    user_id: &str,
    end: Option<SessionEnd>,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<T>,
) -> ApiResult<(T, UserRecord)> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let mut user = record.user.clone();
    let out = change(&mut user, &record, now)?;
    if user == record.user {
        return Ok((out, record));
    }
    user.updated_at = now;
    sql::update_user(tx.conn(), &user).await?;
    let updated = reload(&mut tx, user_id).await?;
    if visibly_changed(app, &record, &updated, now) {
        events::user_event(&mut tx, app, EventType::UserUpdated, &updated).await?;
    }
    if let Some(how) = end {
        end_user_sessions(&mut tx, app, user_id, how, now).await?;
    }
    tx.commit().await?;
    Ok((out, updated))
}

/// Whether `GET /users/{id}` shows the change, leaving out what moves with every check of a
/// password or code (`updated_at`, attempts remaining): `user.updated` is not sent for those.
fn visibly_changed(app: &AppState, before: &UserRecord, after: &UserRecord, now: i64) -> bool {
    let shown = |record: &UserRecord| User {
        updated_at: 0,
        verification_attempts_remaining: None,
        ..view::user(record, &app.settings, now)
    };
    shown(before) != shown(after)
}

/// [`mutate_user`] for operations that answer with the user.
pub async fn mutate_user_view(
    app: &AppState,
    user_id: &str,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<()>,
) -> ApiResult<User> {
    mutate_user_view_ending_sessions(app, user_id, None, change).await
}

/// [`mutate_user_ending_sessions`] for operations that answer with the user.
pub async fn mutate_user_view_ending_sessions(
    app: &AppState,
    user_id: &str,
    end: Option<SessionEnd>,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<()>,
) -> ApiResult<User> {
    let ((), record) = mutate_user_ending_sessions(app, user_id, end, change).await?;
    Ok(view::user(&record, &app.settings, now_ms()))
}
