//! SQL for bulk import and full export: finding an already-imported user, and walking every
//! user in store order.

use super::users::{attach_children, user_from_row, UserRecord, USER_COLUMNS};
use super::{Dialect, Sql};
use crate::store::{Conn, DbResult};

/// The public id of the user that has this id, or else this external id.
pub async fn existing_user_id(
    conn: &mut Conn,
    id: Option<&str>,
    external_id: Option<&str>,
) -> DbResult<Option<String>> {
    let (column, value) = match (id, external_id) {
        (Some(id), _) => ("id", id),
        (None, Some(external_id)) => ("external_id", external_id),
        (None, None) => return Ok(None),
    };
    let mut sql = Sql::new(&format!("SELECT id FROM users WHERE {column} = "));
    sql.bind(value);
    sql.fetch_optional(conn)
        .await?
        .map(|row| row.try_get("id"))
        .transpose()
}

/// Up to `limit` users after `after_seq`, in store order (the primary key: stable while
/// users are added, and an index walk whatever the size).
pub async fn page_after(
    conn: &mut Conn,
    dialect: Dialect,
    after_seq: Option<i64>,
    limit: i64,
) -> DbResult<Vec<UserRecord>> {
    let mut sql = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE seq > "));
    sql.bind(after_seq.unwrap_or(0))
        .push(" ORDER BY seq LIMIT ")
        .bind(limit);
    let users = sql
        .fetch_all(conn)
        .await?
        .iter()
        .map(user_from_row)
        .collect::<DbResult<Vec<_>>>()?;
    attach_children(conn, dialect, users).await
}
