//! Writing users: the row, its identifications, and what is derived from them.

use sqlx::AnyConnection;

use super::super::{Arg, Dialect, Sql};
use super::read::attach_children;
use super::row::{bind_user_values, user_from_row, NewIdentification, UserRow, USER_COLUMNS};
use super::search::{delete_search_row, search_key};

/// Inserts the user row and returns its `seq`.
pub async fn insert_user(conn: &mut AnyConnection, user: &UserRow) -> sqlx::Result<i64> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("INSERT INTO users ({columns}) VALUES "));
    bind_user_values(&mut sql, user);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

/// Writes every column of the row back (the caller read it inside the same transaction).
/// `SET (a, b, …) = ($1, $2, …)` is a row-value assignment both SQLite and PostgreSQL accept.
pub async fn update_user(conn: &mut AnyConnection, user: &UserRow) -> sqlx::Result<()> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("UPDATE users SET ({columns}) = "));
    bind_user_values(&mut sql, user);
    sql.push(" WHERE seq = ").bind(user.seq);
    sql.execute(conn).await.map(|_| ())
}

pub async fn delete_user(conn: &mut AnyConnection, dialect: Dialect, seq: i64) -> sqlx::Result<()> {
    delete_search_row(conn, dialect, seq).await?;
    Sql::new("DELETE FROM users WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn insert_identification(
    conn: &mut AnyConnection,
    user_seq: i64,
    ident: &NewIdentification,
) -> sqlx::Result<()> {
    let mut sql = Sql::new(
        "INSERT INTO identifications \
         (id, user_seq, kind, value, norm, status, strategy, created_at, updated_at) VALUES ",
    );
    sql.bind_list::<Arg>(&[
        ident.id.clone().into(),
        user_seq.into(),
        ident.kind.into(),
        ident.value.clone().into(),
        ident.norm.clone().into(),
        ident.status.clone().into(),
        ident.strategy.clone().into(),
        ident.created_at.into(),
        ident.created_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// Recomputes what is derived from a user's identifications: the order-by keys of the
/// primary identifications and the row of the substring-search index.
pub async fn refresh_derived(
    conn: &mut AnyConnection,
    dialect: Dialect,
    seq: i64,
) -> sqlx::Result<()> {
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

    let Some(row) = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE seq = "))
        .bind(seq)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(());
    };
    let record = attach_children(conn, dialect, vec![user_from_row(&row)?])
        .await?
        .remove(0);
    let joined = |kind: &str| {
        record
            .identifications
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.value.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let user = &record.user;
    let names = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let values: Vec<Arg> = vec![
        seq.into(),
        joined("email_address").into(),
        joined("phone_number").into(),
        user.username
            .clone()
            .unwrap_or_default()
            .to_lowercase()
            .into(),
        names.into(),
        joined("web3_wallet").into(),
        user.id.to_lowercase().into(),
    ];
    delete_search_row(conn, dialect, seq).await?;
    let key = search_key(dialect);
    let mut sql = Sql::new(&format!(
        "INSERT INTO user_search ({key}, emails, phones, usernames, names, wallets, ids) VALUES "
    ));
    sql.bind_list(&values).execute(conn).await.map(|_| ())
}

/// Deletes identifications of the user by id (`ids` belong to `user_seq`).
pub async fn delete_identifications(
    conn: &mut AnyConnection,
    user_seq: i64,
    ids: &[String],
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM identifications WHERE user_seq = ");
    sql.bind(user_seq).push(" AND id IN ").bind_list(ids);
    sql.execute(conn).await.map(|_| ())
}
