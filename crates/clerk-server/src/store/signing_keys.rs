//! SQL for the instance's token signing keys (`signing_keys`): the current key, the keys the
//! JWKS lists, and rotation.

use super::{Arg, Sql, WriteTx};
use crate::store::{Conn, DbResult, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    /// Sealed PKCS#1 DER.
    pub private_key: String,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    /// Every token this key signed expires by then (Unix ms).
    pub tokens_valid_until: i64,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

const COLUMNS: &str =
    "kid, algorithm, private_key, public_jwk, tokens_valid_until, created_at, retired_at";

fn from_row(row: &Row) -> DbResult<SigningKeyRow> {
    Ok(SigningKeyRow {
        kid: row.try_get("kid")?,
        algorithm: row.try_get("algorithm")?,
        private_key: row.try_get("private_key")?,
        public_jwk: row.try_get("public_jwk")?,
        tokens_valid_until: row.try_get("tokens_valid_until")?,
        created_at: row.try_get("created_at")?,
        retired_at: row.try_get("retired_at")?,
    })
}

/// The key tokens are signed with now, if one was made.
pub async fn current(conn: &mut Conn) -> DbResult<Option<SigningKeyRow>> {
    Sql::new(&format!(
        "SELECT {COLUMNS} FROM signing_keys WHERE current = 1"
    ))
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The current key and every retired key a token it signed may still be verified with,
/// newest first.
pub async fn published(conn: &mut Conn, now: i64) -> DbResult<Vec<SigningKeyRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM signing_keys WHERE current = 1 OR tokens_valid_until > "
    ));
    sql.bind(now).push(" ORDER BY created_at DESC, kid");
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// The key with this id, current or retired.
pub async fn find(conn: &mut Conn, kid: &str) -> DbResult<Option<SigningKeyRow>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM signing_keys WHERE kid = "));
    sql.bind(kid);
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Inserts `key` as the current key unless there is one already (another node made it first);
/// whether it was inserted.
pub async fn insert_current_if_none(tx: &mut WriteTx, key: &SigningKeyRow) -> DbResult<bool> {
    let mut sql = Sql::new(&format!(
        "INSERT INTO signing_keys ({COLUMNS}, current) VALUES "
    ));
    sql.bind_list::<Arg>(&[
        key.kid.clone().into(),
        key.algorithm.clone().into(),
        key.private_key.clone().into(),
        key.public_jwk.clone().into(),
        key.tokens_valid_until.into(),
        key.created_at.into(),
        key.retired_at.into(),
        1i64.into(),
    ])
    .push(" ON CONFLICT (current) DO NOTHING");
    Ok(sql.execute(tx.conn()).await? > 0)
}

/// Retires the current key (it stays published until its tokens expire) and makes `key` the
/// current one.
pub async fn rotate(tx: &mut WriteTx, key: &SigningKeyRow, now: i64) -> DbResult<()> {
    let mut retire = Sql::new("UPDATE signing_keys SET current = NULL, retired_at = ");
    retire.bind(now).push(" WHERE current = 1");
    retire.execute(tx.conn()).await?;
    insert_current_if_none(tx, key).await.map(|_| ())
}

/// Records that a token signed with `kid` is valid until `until`, if that is later than what
/// the key has recorded.
pub async fn extend_tokens_valid_until(conn: &mut Conn, kid: &str, until: i64) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE signing_keys SET tokens_valid_until = ");
    sql.bind(until)
        .push(" WHERE kid = ")
        .bind(kid)
        .push(" AND tokens_valid_until < ")
        .bind(until);
    sql.execute(conn).await.map(|_| ())
}
