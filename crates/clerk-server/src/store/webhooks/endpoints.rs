//! SQL for webhook endpoints: write, find, delete, list and count.

use crate::store::{Arg, Conn, DbResult, Dialect, Row, Sql, WriteTx};

/// A stored endpoint. The secrets are sealed with the encryption key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub description: String,
    /// The event types sent to it; `None` for every type.
    pub filter_types: Option<Vec<String>>,
    pub disabled: bool,
    pub secret: String,
    /// After a rotation: the previous secret, which still signs until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, url, description, filter_types, disabled, secret, previous_secret, \
                       previous_secret_expires_at, created_at, updated_at";

fn values(row: &EndpointRow) -> Vec<Arg> {
    vec![
        row.id.clone().into(),
        row.url.clone().into(),
        row.description.clone().into(),
        row.filter_types
            .as_ref()
            .map(|types| serde_json::to_string(types).expect("strings serialize"))
            .into(),
        row.disabled.into(),
        row.secret.clone().into(),
        row.previous_secret.clone().into(),
        row.previous_secret_expires_at.into(),
        row.created_at.into(),
        row.updated_at.into(),
    ]
}

fn from_row(row: &Row) -> DbResult<EndpointRow> {
    let filter_types = row
        .try_get::<Option<String>, _>("filter_types")?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| crate::store::DbError::decode("filter_types", e.to_string()))
        })
        .transpose()?;
    Ok(EndpointRow {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        description: row.try_get("description")?,
        filter_types,
        disabled: row.try_get("disabled")?,
        secret: row.try_get("secret")?,
        previous_secret: row.try_get("previous_secret")?,
        previous_secret_expires_at: row.try_get("previous_secret_expires_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn insert(conn: &mut Conn, row: &EndpointRow) -> DbResult<()> {
    let mut sql = Sql::new(&format!(
        "INSERT INTO webhook_endpoints ({COLUMNS}) VALUES "
    ));
    sql.bind_list(&values(row));
    sql.execute(conn).await.map(|_| ())
}

/// Writes every column but `id` and `created_at` back.
pub async fn update(conn: &mut Conn, row: &EndpointRow) -> DbResult<()> {
    let mut sql = Sql::new(
        "UPDATE webhook_endpoints SET (url, description, filter_types, disabled, secret, \
         previous_secret, previous_secret_expires_at, updated_at) = ",
    );
    let values = values(row);
    sql.bind_list(&[&values[1..8], &values[9..]].concat());
    sql.push(" WHERE id = ").bind(&row.id);
    sql.execute(conn).await.map(|_| ())
}

/// The endpoint with this id; `for_update` locks its row on PostgreSQL.
pub async fn find(conn: &mut Conn, id: &str, for_update: bool) -> DbResult<Option<EndpointRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id = "
    ));
    sql.bind(id);
    if for_update && conn.dialect() == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Deletes the endpoint with its deliveries and their attempts; whether there was one.
pub async fn delete(conn: &mut Conn, id: &str) -> DbResult<bool> {
    let mut sql = Sql::new("DELETE FROM webhook_endpoints WHERE id = ");
    sql.bind(id);
    Ok(sql.execute(conn).await? > 0)
}

/// A page of endpoints, oldest first.
pub async fn list(conn: &mut Conn, limit: i64, offset: i64) -> DbResult<Vec<EndpointRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints ORDER BY created_at, id LIMIT "
    ));
    sql.bind(limit).push(" OFFSET ").bind(offset);
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

pub async fn count(conn: &mut Conn) -> DbResult<i64> {
    Sql::new("SELECT COUNT(*) FROM webhook_endpoints")
        .fetch_i64(conn)
        .await
}

/// The endpoint with exactly this URL, the oldest if several (`clerk serve --webhook`).
pub async fn find_by_url(conn: &mut Conn, url: &str) -> DbResult<Option<EndpointRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE url = "
    ));
    sql.bind(url).push(" ORDER BY created_at, id LIMIT 1");
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The endpoints with these ids (the delivery worker's batch).
pub async fn find_many(conn: &mut Conn, ids: &[String]) -> DbResult<Vec<EndpointRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id IN "
    ));
    sql.bind_list(ids);
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Makes concurrent setups of endpoints (`clerk serve --webhook` on nodes starting at once) run
/// one after the other on PostgreSQL; SQLite writers already do. Reads and deliveries go on.
pub async fn lock_for_setup(tx: &mut WriteTx) -> DbResult<()> {
    if tx.dialect == Dialect::Postgres {
        Sql::new("LOCK TABLE webhook_endpoints IN SHARE ROW EXCLUSIVE MODE")
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
