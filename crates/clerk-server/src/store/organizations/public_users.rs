//! Users as other objects show them (`public_user_data`, `public_inviter_data`).

use crate::store::Sql;
use crate::store::{Conn, DbResult, Row};

/// What other objects show of a user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicUserRow {
    pub seq: i64,
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// The primary email address, phone number and web3 wallet, as written.
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub web3_wallet: Option<String>,
    pub banned: bool,
}

const PUBLIC_USER_SELECT: &str = "SELECT u.seq, u.id, u.first_name, u.last_name, u.username, \
    u.banned, e.value AS email_address, p.value AS phone_number, w.value AS web3_wallet \
    FROM users u \
    LEFT JOIN identifications e ON e.id = u.primary_email_address_id \
    LEFT JOIN identifications p ON p.id = u.primary_phone_number_id \
    LEFT JOIN identifications w ON w.id = u.primary_web3_wallet_id";

fn public_user_from_row(row: &Row) -> DbResult<PublicUserRow> {
    Ok(PublicUserRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        username: row.try_get("username")?,
        email_address: row.try_get("email_address")?,
        phone_number: row.try_get("phone_number")?,
        web3_wallet: row.try_get("web3_wallet")?,
        banned: row.try_get("banned")?,
    })
}

/// The user with this public id.
pub async fn public_user(conn: &mut Conn, id: &str) -> DbResult<Option<PublicUserRow>> {
    Sql::new(&format!("{PUBLIC_USER_SELECT} WHERE u.id = "))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| public_user_from_row(&row))
        .transpose()
}

/// The users with these public ids (those that exist), in no particular order.
pub async fn public_users_by_id(conn: &mut Conn, ids: &[String]) -> DbResult<Vec<PublicUserRow>> {
    public_users_where(conn, "u.id", ids).await
}

/// The users with these internal keys, in no particular order.
pub async fn public_users_by_seq(conn: &mut Conn, seqs: &[i64]) -> DbResult<Vec<PublicUserRow>> {
    public_users_where(conn, "u.seq", seqs).await
}

/// The users whose `column` is one of `values`.
async fn public_users_where<T: Into<crate::store::Arg> + Clone>(
    conn: &mut Conn,
    column: &str,
    values: &[T],
) -> DbResult<Vec<PublicUserRow>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{PUBLIC_USER_SELECT} WHERE {column} IN "));
    sql.bind_list(values);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(public_user_from_row)
        .collect()
}
