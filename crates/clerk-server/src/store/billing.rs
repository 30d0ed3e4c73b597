//! SQL for the users' credit ledgers.

use super::{Arg, Sql};
use crate::store::{Conn, DbResult, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub id: String,
    pub user_seq: i64,
    /// Cents; negative for decreases.
    pub amount: i64,
    pub currency: String,
    pub source_type: String,
    pub idempotency_key: String,
    pub note: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, user_seq, amount, currency, source_type, idempotency_key, note, created_at";

fn from_row(row: &Row) -> DbResult<LedgerRow> {
    Ok(LedgerRow {
        id: row.try_get("id")?,
        user_seq: row.try_get("user_seq")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        source_type: row.try_get("source_type")?,
        idempotency_key: row.try_get("idempotency_key")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn find_by_idempotency_key(
    conn: &mut Conn,
    user_seq: i64,
    key: &str,
) -> DbResult<Option<LedgerRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM billing_credit_ledger WHERE user_seq = "
    ));
    sql.bind(user_seq).push(" AND idempotency_key = ").bind(key);
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The balance in cents and its currency; `None` when the user never had credits.
pub async fn balance(conn: &mut Conn, user_seq: i64) -> DbResult<Option<(i64, String)>> {
    // Every entry of a user has one currency (the domain refuses others), so MIN is that one.
    // PostgreSQL sums BIGINT to NUMERIC, which the Any driver cannot read: cast it back.
    let mut sql = Sql::new(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total, MIN(currency) AS currency, COUNT(*) AS n \
         FROM billing_credit_ledger WHERE user_seq = ",
    );
    sql.bind(user_seq);
    let row = sql.fetch_one(conn).await?;
    let n: i64 = row.try_get("n")?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some((row.try_get("total")?, row.try_get("currency")?)))
}

pub async fn insert(conn: &mut Conn, entry: &LedgerRow) -> DbResult<()> {
    let mut sql = Sql::new(&format!(
        "INSERT INTO billing_credit_ledger ({COLUMNS}) VALUES "
    ));
    sql.bind_list::<Arg>(&[
        entry.id.clone().into(),
        entry.user_seq.into(),
        entry.amount.into(),
        entry.currency.clone().into(),
        entry.source_type.clone().into(),
        entry.idempotency_key.clone().into(),
        entry.note.clone().into(),
        entry.created_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}
