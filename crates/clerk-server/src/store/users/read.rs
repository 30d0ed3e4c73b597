//! Reading users: by public id, with what hangs off them, and the uniqueness checks.

use super::super::external_accounts;
use super::super::{Arg, Dialect, Sql};
use super::row::{user_from_row, UserRecord, UserRow, USER_COLUMNS};
use super::values::IdentKind;
use crate::store::{Conn, DbError, DbResult};

/// The `seq` of the user with this public id. `for_update` locks the row on PostgreSQL.
pub async fn seq_for_id(
    conn: &mut Conn,
    dialect: Dialect,
    id: &str,
    for_update: bool,
) -> DbResult<Option<i64>> {
    let mut sql = Sql::new("SELECT seq FROM users WHERE id = ");
    sql.bind(id);
    if for_update && dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .map(|row| row.try_get("seq"))
        .transpose()
}

/// Finds the user by public id. `for_update` locks the row on PostgreSQL (SQLite writers are
/// already serialized).
pub async fn find_user(
    conn: &mut Conn,
    dialect: Dialect,
    id: &str,
    for_update: bool,
) -> DbResult<Option<UserRecord>> {
    find_where(conn, dialect, ("id", id.into()), for_update).await
}

/// Finds the user by its internal key, without a lock.
pub(super) async fn find_by_seq(
    conn: &mut Conn,
    dialect: Dialect,
    seq: i64,
) -> DbResult<Option<UserRecord>> {
    find_where(conn, dialect, ("seq", seq.into()), false).await
}

/// The user whose `column` (a unique one) has this value, with its identifications, external
/// accounts and passkeys: one query, the children in one JSON array column.
async fn find_where(
    conn: &mut Conn,
    dialect: Dialect,
    (column, value): (&str, Arg),
    for_update: bool,
) -> DbResult<Option<UserRecord>> {
    let children = children_query(dialect, "user_seq = users.seq");
    let array = match dialect {
        Dialect::Sqlite => "json_group_array(json_array(part, doc) ORDER BY part, seq)",
        Dialect::Postgres => "json_agg(json_build_array(part, doc) ORDER BY part, seq)::text",
    };
    let mut sql = Sql::new(&format!(
        "SELECT {USER_COLUMNS}, (SELECT {array} FROM ({children}) AS c) AS children \
         FROM users WHERE {column} = "
    ));
    sql.bind(value);
    if for_update && dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    let Some(row) = sql.fetch_optional(conn).await? else {
        return Ok(None);
    };
    let mut record = UserRecord {
        user: user_from_row(&row)?,
        ..UserRecord::default()
    };
    // PostgreSQL's json_agg over no rows is NULL; SQLite's json_group_array is `[]`.
    let children: Option<String> = row.try_get("children")?;
    let children: Vec<(i64, serde_json::Value)> =
        serde_json::from_str(children.as_deref().unwrap_or("[]"))
            .map_err(|e| DbError::decode("children", e))?;
    for (part, doc) in children {
        // The document is text inside the array (PostgreSQL, and SQLite where the JSON
        // subtype is lost through the subquery) or an object.
        let doc = match doc {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        push_child(&mut record, part, &doc)?;
    }
    Ok(Some(record))
}

/// The identifications, external accounts and passkeys of the users matching `user_filter`
/// (a condition on `user_seq`): columns `part` (0, 1, 2 for the three tables), `user_seq`,
/// `seq`, and `doc`, the row as a JSON object (text).
fn children_query(dialect: Dialect, user_filter: &str) -> String {
    let parts = [
        (IDENT_COLUMNS, "identifications"),
        (external_accounts::COLUMNS, "external_accounts"),
        (PASSKEY_COLUMNS, "passkeys"),
    ];
    parts
        .iter()
        .enumerate()
        .map(|(part, (columns, table))| {
            format!(
                "SELECT {part} AS part, user_seq, seq, {} AS doc FROM {table} WHERE {user_filter}",
                json_object(dialect, columns)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Adds one child read by [`children_query`] to its user's record.
fn push_child(record: &mut UserRecord, part: i64, doc: &str) -> DbResult<()> {
    let decoded = match part {
        0 => serde_json::from_str(doc).map(|i| record.identifications.push(i)),
        1 => serde_json::from_str(doc).map(|a| record.external_accounts.push(a)),
        _ => serde_json::from_str(doc).map(|p| record.passkeys.push(p)),
    };
    decoded.map_err(|e| DbError::decode("doc", e))
}

/// Loads the identifications, external accounts and passkeys of `users`, keeping their order.
/// One query for the three tables (each row as a JSON object): a page of users costs two
/// round trips to the database, not four.
pub(in crate::store) async fn attach_children(
    conn: &mut Conn,
    dialect: Dialect,
    users: Vec<UserRow>,
) -> DbResult<Vec<UserRecord>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let seqs: Vec<i64> = users.iter().map(|u| u.seq).collect();
    let mut in_list = Sql::default();
    in_list.push("user_seq IN ").bind_list(&seqs);
    // The three parts share the list's placeholders, bound once.
    let mut sql = Sql::new(&children_query(dialect, in_list.text()));
    for seq in &seqs {
        sql.arg(*seq);
    }
    sql.push(" ORDER BY part, user_seq, seq");
    let rows = sql.fetch_all(conn).await?;

    let mut records: Vec<UserRecord> = users
        .into_iter()
        .map(|user| UserRecord {
            user,
            ..UserRecord::default()
        })
        .collect();
    let index: std::collections::HashMap<i64, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.user.seq, i))
        .collect();
    for row in &rows {
        let part: i64 = row.try_get("part")?;
        let user_seq: i64 = row.try_get("user_seq")?;
        let doc: String = row.try_get("doc")?;
        push_child(&mut records[index[&user_seq]], part, &doc)?;
    }
    Ok(records)
}

const IDENT_COLUMNS: &str = "id, user_seq, kind, value, status, strategy, \
    reserved_for_second_factor, default_second_factor, created_at, updated_at";
const PASSKEY_COLUMNS: &str = "id, user_seq, name, last_used_at, created_at";

/// A JSON object of `columns` (keys named after them), as text.
fn json_object(dialect: Dialect, columns: &str) -> String {
    let pairs = columns
        .split(',')
        .map(|c| format!("'{0}', {0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    match dialect {
        Dialect::Sqlite => format!("json_object({pairs})"),
        Dialect::Postgres => format!("json_build_object({pairs})::text"),
    }
}

/// Normalized values of `kind` among `norms` that some user other than `except_user_seq`
/// already has.
pub async fn taken_identifiers(
    conn: &mut Conn,
    kind: IdentKind,
    norms: &[String],
    except_user_seq: Option<i64>,
) -> DbResult<Vec<String>> {
    if norms.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT norm FROM identifications WHERE kind = ");
    sql.bind(kind.as_str())
        .push(" AND norm IN ")
        .bind_list(norms);
    if let Some(seq) = except_user_seq {
        sql.push(" AND user_seq <> ").bind(seq);
    }
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("norm"))
        .collect()
}

/// Whether another user has this `external_id` / username (case-insensitively).
pub async fn column_taken(
    conn: &mut Conn,
    column: UniqueColumn,
    value: &str,
    except_user_seq: Option<i64>,
) -> DbResult<bool> {
    let mut sql = Sql::new(match column {
        UniqueColumn::ExternalId => "SELECT COUNT(*) FROM users WHERE external_id = ",
        UniqueColumn::Username => "SELECT COUNT(*) FROM users WHERE lower(username) = lower(",
    });
    sql.bind(value);
    if column == UniqueColumn::Username {
        sql.push(")");
    }
    if let Some(seq) = except_user_seq {
        sql.push(" AND seq <> ").bind(seq);
    }
    Ok(sql.fetch_i64(conn).await? > 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueColumn {
    ExternalId,
    Username,
}
