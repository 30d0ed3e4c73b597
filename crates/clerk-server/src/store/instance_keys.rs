//! SQL for the key check values (`instance_keys`): one row per key, written once.

use super::{now_ms, Arg, Sql, Store};
use crate::store::{DbResult, Row};

/// A recorded check value and when it was written (Unix ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckValue {
    pub value: String,
    pub created_at: i64,
}

fn select(name: &str) -> Sql {
    let mut sql = Sql::new("SELECT check_value, created_at FROM instance_keys WHERE name = ");
    sql.bind(name);
    sql
}

fn from_row(row: &Row) -> DbResult<CheckValue> {
    Ok(CheckValue {
        value: row.try_get("check_value")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The check value recorded under `name`, if any.
pub async fn check_value(store: &Store, name: &str) -> DbResult<Option<CheckValue>> {
    let mut conn = store.read().await?;
    select(name)
        .fetch_optional(&mut conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Records `check_value` under `name` unless a value is already there, and returns the one that
/// is there now. Two nodes starting at once both get the one written first, so they cannot both
/// go on with different keys.
pub async fn record_check_value(
    store: &Store,
    name: &str,
    check_value: &str,
) -> DbResult<CheckValue> {
    let mut tx = store.begin_write().await?;
    let mut insert = Sql::new("INSERT INTO instance_keys (name, check_value, created_at) VALUES ");
    insert
        .bind_list::<Arg>(&[name.into(), check_value.into(), now_ms().into()])
        .push(" ON CONFLICT (name) DO NOTHING");
    insert.execute(tx.conn()).await?;
    let stored = from_row(&select(name).fetch_one(tx.conn()).await?)?;
    tx.commit().await?;
    Ok(stored)
}
