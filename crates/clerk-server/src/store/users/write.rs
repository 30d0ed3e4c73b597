//! Writing users: the row, its identifications, and what is derived from them.

use super::super::{Arg, Dialect, Sql};
use super::read::find_by_seq;
use super::row::{bind_user_values, IdentRow, NewIdentification, UserRow, USER_COLUMNS};
use super::search::{delete_search_row, write_search_row, Searchable};
use crate::store::{Conn, DbResult};

/// Inserts the user row and returns its `seq`.
pub async fn insert_user(conn: &mut Conn, user: &UserRow) -> DbResult<i64> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("INSERT INTO users ({columns}) VALUES "));
    bind_user_values(&mut sql, user);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

/// Writes every column of the row back (the caller read it inside the same transaction).
/// `SET (a, b, …) = ($1, $2, …)` is a row-value assignment both SQLite and PostgreSQL accept.
pub async fn update_user(conn: &mut Conn, user: &UserRow) -> DbResult<()> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("UPDATE users SET ({columns}) = "));
    bind_user_values(&mut sql, user);
    sql.push(" WHERE seq = ").bind(user.seq);
    sql.execute(conn).await.map(|_| ())
}

pub async fn delete_user(conn: &mut Conn, dialect: Dialect, seq: i64) -> DbResult<()> {
    delete_search_row(conn, dialect, seq).await?;
    Sql::new("DELETE FROM users WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn insert_identification(
    conn: &mut Conn,
    user_seq: i64,
    ident: &NewIdentification,
) -> DbResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO identifications (id, user_seq, kind, value, norm, status, strategy, \
         reserved_for_second_factor, default_second_factor, created_at, updated_at) VALUES ",
    );
    sql.bind_list::<Arg>(&[
        ident.id.clone().into(),
        user_seq.into(),
        ident.kind.as_str().into(),
        ident.value.clone().into(),
        ident.norm.clone().into(),
        ident.status.as_str().into(),
        ident.status.strategy().into(),
        ident.reserved_for_second_factor.into(),
        ident.default_second_factor.into(),
        ident.created_at.into(),
        ident.created_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// Writes back what an identification's owner may change: its status (with the strategy that
/// goes with it), its second-factor flags and `updated_at`. The value never changes.
pub async fn update_identification(conn: &mut Conn, ident: &IdentRow) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE identifications SET status = ");
    sql.bind(ident.status.as_str())
        .push(", strategy = ")
        .bind(ident.status.strategy())
        .push(", reserved_for_second_factor = ")
        .bind(ident.reserved_for_second_factor)
        .push(", default_second_factor = ")
        .bind(ident.default_second_factor)
        .push(", updated_at = ")
        .bind(ident.updated_at)
        .push(" WHERE id = ")
        .bind(ident.id.as_str());
    sql.execute(conn).await.map(|_| ())
}

/// Recomputes what is derived from a user's identifications: the order-by keys of the
/// primary identifications and the row of the substring-search index.
pub async fn refresh_derived(conn: &mut Conn, dialect: Dialect, seq: i64) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE users SET ");
    for (column, pointer) in [
        ("primary_email_address", "primary_email_address_id"),
        ("primary_phone_number", "primary_phone_number_id"),
        ("primary_web3_wallet", "primary_web3_wallet_id"),
    ] {
        sql.push(&format!(
            "{column} = (SELECT norm FROM identifications i WHERE i.id = users.{pointer}), "
        ));
    }
    sql.push("seq = seq WHERE seq = ").bind(seq);
    sql.execute(conn).await?;

    let Some(record) = find_by_seq(conn, dialect, seq).await? else {
        return Ok(());
    };
    write_search_row(conn, dialect, seq, Searchable::of(&record).row()).await
}

/// Deletes identifications of the user by id (`ids` belong to `user_seq`).
pub async fn delete_identifications(
    conn: &mut Conn,
    user_seq: i64,
    ids: &[String],
) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM identifications WHERE user_seq = ");
    sql.bind(user_seq).push(" AND id IN ").bind_list(ids);
    sql.execute(conn).await.map(|_| ())
}
