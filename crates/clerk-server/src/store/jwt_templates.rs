//! SQL for JWT templates (`jwt_templates`).

use super::{Arg, Sql};
use crate::store::{Conn, DbResult, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplateRow {
    pub id: String,
    pub name: String,
    /// JSON object text.
    pub claims: String,
    /// Seconds.
    pub lifetime: i64,
    /// Seconds.
    pub allowed_clock_skew: i64,
    pub custom_signing_key: bool,
    pub signing_algorithm: String,
    /// The template's own key, sealed; `None` without `custom_signing_key`.
    pub signing_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, name, claims, lifetime, allowed_clock_skew, custom_signing_key, \
    signing_algorithm, signing_key, created_at, updated_at";

fn from_row(row: &Row) -> DbResult<JwtTemplateRow> {
    Ok(JwtTemplateRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        claims: row.try_get("claims")?,
        lifetime: row.try_get("lifetime")?,
        allowed_clock_skew: row.try_get("allowed_clock_skew")?,
        custom_signing_key: row.try_get("custom_signing_key")?,
        signing_algorithm: row.try_get("signing_algorithm")?,
        signing_key: row.try_get("signing_key")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn values(t: &JwtTemplateRow) -> [Arg; 10] {
    [
        t.id.clone().into(),
        t.name.clone().into(),
        t.claims.clone().into(),
        t.lifetime.into(),
        t.allowed_clock_skew.into(),
        t.custom_signing_key.into(),
        t.signing_algorithm.clone().into(),
        t.signing_key.clone().into(),
        t.created_at.into(),
        t.updated_at.into(),
    ]
}

pub async fn insert(conn: &mut Conn, t: &JwtTemplateRow) -> DbResult<()> {
    let mut sql = Sql::new(&format!("INSERT INTO jwt_templates ({COLUMNS}) VALUES "));
    sql.bind_list(&values(t));
    sql.execute(conn).await.map(|_| ())
}

/// Writes every column of the template with `t.id`.
pub async fn update(conn: &mut Conn, t: &JwtTemplateRow) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE jwt_templates SET ");
    let values = values(t);
    for (i, (column, value)) in COLUMNS.split(", ").zip(values).enumerate().skip(1) {
        if i > 1 {
            sql.push(", ");
        }
        sql.push(column.trim()).push(" = ").bind(value);
    }
    sql.push(" WHERE id = ").bind(&t.id);
    sql.execute(conn).await.map(|_| ())
}

fn find_by(column: &str, value: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM jwt_templates WHERE {column} = "
    ));
    sql.bind(value);
    sql
}

pub async fn find(conn: &mut Conn, id: &str) -> DbResult<Option<JwtTemplateRow>> {
    find_by("id", id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The template with this id, its row locked for the transaction (PostgreSQL; SQLite writers
/// are serialized already).
pub async fn find_for_update(conn: &mut Conn, id: &str) -> DbResult<Option<JwtTemplateRow>> {
    let mut sql = find_by("id", id);
    if conn.dialect() == super::Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn find_by_name(conn: &mut Conn, name: &str) -> DbResult<Option<JwtTemplateRow>> {
    find_by("name", name)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// A page of templates, oldest first.
pub async fn list(conn: &mut Conn, limit: i64, offset: i64) -> DbResult<Vec<JwtTemplateRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM jwt_templates ORDER BY seq LIMIT "
    ));
    sql.bind(limit).push(" OFFSET ").bind(offset);
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

pub async fn count(conn: &mut Conn) -> DbResult<i64> {
    Sql::new("SELECT COUNT(*) FROM jwt_templates")
        .fetch_i64(conn)
        .await
}

/// Whether it deleted one.
pub async fn delete(conn: &mut Conn, id: &str) -> DbResult<bool> {
    let mut sql = Sql::new("DELETE FROM jwt_templates WHERE id = ");
    sql.bind(id);
    Ok(sql.execute(conn).await? > 0)
}
