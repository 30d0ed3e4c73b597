//! The connections under a [`super::Store`], one kind per database:
//!
//! - SQLite through `rusqlite`: a small pool of connections, each statement prepared once and
//!   cached. Queries run synchronously on the calling thread, with no hand-off to another
//!   thread (sqlx's SQLite driver made two per query). A point query takes microseconds; the
//!   routes whose queries grow with the data set run their whole request on a blocking thread
//!   (`http::on_blocking_thread`), one hop per request.
//! - PostgreSQL through sqlx's native driver, which prepares each statement once per connection.
//!
//! Both read into the same [`Row`] so that the code above reads a column one way whichever
//! database answered.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use deadpool::managed::{self, Metrics, RecycleResult};
use rusqlite::types::{FromSql, Value, ValueRef};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Column as _, Postgres, Row as _, Transaction, TypeInfo as _, ValueRef as _};

use super::sql::Arg;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A failed database call.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("no database connection became free within {0:?}")]
    PoolTimeout(Duration),
    #[error("the connection pool failed: {0}")]
    Pool(String),
    #[error("column {column}: {reason}")]
    Decode { column: String, reason: String },
    #[error("the query returned no row")]
    RowNotFound,
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    /// Whether a write failed on a unique index (an id, email, slug … taken meanwhile).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            Self::Postgres(sqlx::Error::Database(db)) => db.is_unique_violation(),
            _ => false,
        }
    }

    /// A value read back that the code cannot use (a stored enum it does not know, bad JSON).
    pub fn decode(column: &str, reason: impl std::fmt::Display) -> Self {
        Self::Decode {
            column: column.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// Opens SQLite connections with the settings every connection needs.
pub struct SqliteManager {
    path: String,
}

/// How many prepared statements each SQLite connection keeps (the store has about a hundred
/// distinct query texts; lists with `IN (…)` of different lengths make a few more).
const STATEMENT_CACHE: usize = 256;

impl SqliteManager {
    pub fn new(path: String) -> Self {
        Self { path }
    }

    pub fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
        )?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }
}

impl managed::Manager for SqliteManager {
    type Type = rusqlite::Connection;
    type Error = rusqlite::Error;

    async fn create(&self) -> rusqlite::Result<rusqlite::Connection> {
        self.open()
    }

    async fn recycle(
        &self,
        conn: &mut rusqlite::Connection,
        _: &Metrics,
    ) -> RecycleResult<rusqlite::Error> {
        // A connection comes back outside any transaction (WriteTx rolls back on drop); one
        // that does not is discarded rather than handed to the next request mid-transaction.
        if conn.is_autocommit() {
            Ok(())
        } else {
            Err(managed::RecycleError::message("left inside a transaction"))
        }
    }
}

pub type SqlitePool = managed::Pool<SqliteManager>;

/// One connection, taken from its pool for a request or a transaction.
pub enum Conn {
    Sqlite(managed::Object<SqliteManager>),
    Postgres(PgConn),
}

/// A PostgreSQL connection, either plain or inside a transaction.
pub enum PgConn {
    Pooled(PoolConnection<Postgres>),
    Tx(Transaction<'static, Postgres>),
}

impl PgConn {
    fn connection(&mut self) -> &mut PgConnection {
        match self {
            Self::Pooled(c) => c,
            Self::Tx(tx) => tx,
        }
    }
}

impl Conn {
    pub fn dialect(&self) -> super::Dialect {
        match self {
            Self::Sqlite(_) => super::Dialect::Sqlite,
            Self::Postgres(_) => super::Dialect::Postgres,
        }
    }

    /// Runs `sql` with `args` bound; the number of rows changed.
    pub(super) async fn execute(&mut self, sql: &str, args: &[Arg]) -> DbResult<u64> {
        match self {
            Self::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_sqlite(&mut stmt, args)?;
                Ok(stmt.raw_execute()? as u64)
            }
            Self::Postgres(conn) => Ok(pg_execute(conn.connection(), sql, args).await?),
        }
    }

    /// Runs `sql` with `args` bound; every row it returns.
    pub(super) async fn fetch_all(&mut self, sql: &str, args: &[Arg]) -> DbResult<Vec<Row>> {
        match self {
            Self::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_sqlite(&mut stmt, args)?;
                let columns: Arc<[String]> =
                    stmt.column_names().into_iter().map(str::to_owned).collect();
                let width = columns.len();
                let mut rows = stmt.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let values = (0..width)
                        .map(|i| row.get::<_, Value>(i))
                        .collect::<rusqlite::Result<Vec<Value>>>()?;
                    out.push(Row {
                        columns: columns.clone(),
                        values,
                    });
                }
                Ok(out)
            }
            Self::Postgres(conn) => {
                let rows = pg_fetch_all(conn.connection(), sql, args).await?;
                let Some(first) = rows.first() else {
                    return Ok(Vec::new());
                };
                let columns: Arc<[String]> = first
                    .columns()
                    .iter()
                    .map(|c| c.name().to_owned())
                    .collect();
                rows.iter()
                    .map(|row| {
                        Ok(Row {
                            columns: columns.clone(),
                            values: pg_values(row)?,
                        })
                    })
                    .collect()
            }
        }
    }

    /// Runs statements with no parameters (`BEGIN`, `COMMIT`); on PostgreSQL, one statement.
    pub(super) async fn execute_batch(&mut self, sql: &str) -> DbResult<()> {
        match self {
            Self::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Self::Postgres(conn) => Ok(pg_execute(conn.connection(), sql, &[]).await.map(drop)?),
        }
    }
}

/// Binds `args` to the statement's `$N` placeholders by number. SQLite numbers named
/// parameters in the order they first appear, so the number is read from each one's name.
fn bind_sqlite(stmt: &mut rusqlite::CachedStatement<'_>, args: &[Arg]) -> DbResult<()> {
    for index in 1..=stmt.parameter_count() {
        let arg = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or_else(|| DbError::decode("?", format!("parameter {index} has no value")))?;
        match arg {
            Arg::Int(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Text(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Bool(v) => stmt.raw_bind_parameter(index, v)?,
        }
    }
    Ok(())
}

// The PostgreSQL calls are boxed: an `async fn` that awaits sqlx's executor on a borrowed
// connection directly makes the callers' futures fail rustc's `Send` check ("implementation of
// `Executor` is not general enough"), and a boxed future names its lifetime.
fn pg_execute<'a>(
    conn: &'a mut PgConnection,
    sql: &'a str,
    args: &'a [Arg],
) -> BoxFuture<'a, sqlx::Result<u64>> {
    Box::pin(async move { Ok(pg_query(sql, args).execute(conn).await?.rows_affected()) })
}

fn pg_fetch_all<'a>(
    conn: &'a mut PgConnection,
    sql: &'a str,
    args: &'a [Arg],
) -> BoxFuture<'a, sqlx::Result<Vec<PgRow>>> {
    Box::pin(async move { pg_query(sql, args).fetch_all(conn).await })
}

fn pg_query<'q>(
    sql: &'q str,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(sql);
    for arg in args {
        q = match arg {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_deref()),
            Arg::Bool(v) => q.bind(*v),
        };
    }
    q
}

/// The values of a PostgreSQL row in SQLite's five storage classes (booleans as 0/1), which
/// is all the store's queries return.
fn pg_values(row: &PgRow) -> DbResult<Vec<Value>> {
    use sqlx::Decode;
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let type_name = raw.type_info().name().to_owned();
            let value = match type_name.as_str() {
                "INT8" => Value::Integer(<i64 as Decode<Postgres>>::decode(raw).map_err(dec(i))?),
                "INT4" => Value::Integer(
                    <i32 as Decode<Postgres>>::decode(raw)
                        .map_err(dec(i))?
                        .into(),
                ),
                "INT2" => Value::Integer(
                    <i16 as Decode<Postgres>>::decode(raw)
                        .map_err(dec(i))?
                        .into(),
                ),
                "BOOL" => Value::Integer(
                    <bool as Decode<Postgres>>::decode(raw)
                        .map_err(dec(i))?
                        .into(),
                ),
                "FLOAT8" => Value::Real(<f64 as Decode<Postgres>>::decode(raw).map_err(dec(i))?),
                "FLOAT4" => Value::Real(
                    <f32 as Decode<Postgres>>::decode(raw)
                        .map_err(dec(i))?
                        .into(),
                ),
                "BYTEA" => Value::Blob(<Vec<u8> as Decode<Postgres>>::decode(raw).map_err(dec(i))?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                    Value::Text(<String as Decode<Postgres>>::decode(raw).map_err(dec(i))?)
                }
                other => {
                    return Err(DbError::decode(
                        row.column(i).name(),
                        format!("PostgreSQL type {other} is not read by the store"),
                    ))
                }
            };
            Ok(value)
        })
        .collect()
}

fn dec(i: usize) -> impl Fn(sqlx::error::BoxDynError) -> DbError {
    move |e| DbError::decode(&i.to_string(), e)
}

/// A row read from either database.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

/// A column of a [`Row`], by position or by name.
pub trait ColumnIndex: std::fmt::Display + Copy {
    fn position(self, columns: &[String]) -> Option<usize>;
}

impl ColumnIndex for usize {
    fn position(self, columns: &[String]) -> Option<usize> {
        (self < columns.len()).then_some(self)
    }
}

impl ColumnIndex for &str {
    fn position(self, columns: &[String]) -> Option<usize> {
        columns.iter().position(|c| c == self)
    }
}

impl Row {
    /// How many columns the row has.
    pub fn width(&self) -> usize {
        self.values.len()
    }

    /// The column's value as `T` (integers, reals, text, bytes, booleans, and `Option`s of
    /// them for nullable columns).
    pub fn try_get<T: FromSql, I: ColumnIndex>(&self, index: I) -> DbResult<T> {
        let position = index
            .position(&self.columns)
            .ok_or_else(|| DbError::decode(&index.to_string(), "no such column"))?;
        T::column_result(ValueRef::from(&self.values[position]))
            .map_err(|e| DbError::decode(&index.to_string(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pooled connection to a fresh SQLite file (the directory is removed when dropped).
    async fn sqlite() -> (tempfile::TempDir, Conn) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").display().to_string();
        let pool = SqlitePool::builder(SqliteManager::new(path))
            .max_size(1)
            .build()
            .unwrap();
        (dir, Conn::Sqlite(pool.get().await.unwrap()))
    }

    fn text(v: &str) -> Arg {
        Arg::Text(Some(v.to_owned()))
    }

    #[tokio::test]
    async fn placeholders_bind_by_their_number_wherever_they_appear() {
        let (_dir, mut conn) = sqlite().await;
        let rows = conn
            .fetch_all(
                "SELECT $2 AS second, $1 AS first, $2 AS again, $3 AS none",
                &[Arg::Int(Some(7)), text("x"), Arg::Int(None)],
            )
            .await
            .unwrap();
        let row = &rows[0];
        assert_eq!(row.try_get::<String, _>("second").unwrap(), "x");
        assert_eq!(row.try_get::<i64, _>("first").unwrap(), 7);
        assert_eq!(row.try_get::<String, _>(2).unwrap(), "x");
        assert_eq!(row.try_get::<Option<i64>, _>("none").unwrap(), None);
        assert_eq!(row.width(), 4);
    }

    #[tokio::test]
    async fn a_placeholder_without_a_value_fails_instead_of_binding_null() {
        let (_dir, mut conn) = sqlite().await;
        let err = conn
            .fetch_all("SELECT $1, $2", &[Arg::Int(Some(1))])
            .await
            .unwrap_err();
        assert!(matches!(err, DbError::Decode { .. }), "{err}");
    }

    #[tokio::test]
    async fn reading_a_missing_column_or_a_wrong_type_is_a_decode_error() {
        let (_dir, mut conn) = sqlite().await;
        let rows = conn.fetch_all("SELECT 'a' AS t", &[]).await.unwrap();
        assert!(matches!(
            rows[0].try_get::<String, _>("missing"),
            Err(DbError::Decode { .. })
        ));
        assert!(matches!(
            rows[0].try_get::<i64, _>("t"),
            Err(DbError::Decode { .. })
        ));
        assert!(matches!(
            rows[0].try_get::<i64, _>(5),
            Err(DbError::Decode { .. })
        ));
    }

    #[tokio::test]
    async fn a_unique_clash_is_recognised_and_other_failures_are_not() {
        let (_dir, mut conn) = sqlite().await;
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, u TEXT UNIQUE)")
            .await
            .unwrap();
        let insert = "INSERT INTO t (k, u) VALUES ($1, $2)";
        assert_eq!(
            conn.execute(insert, &[text("a"), text("x")]).await.unwrap(),
            1
        );
        for clash in [[text("b"), text("x")], [text("a"), text("y")]] {
            let err = conn.execute(insert, &clash).await.unwrap_err();
            assert!(err.is_unique_violation(), "{err}");
        }
        let err = conn
            .execute("INSERT INTO missing VALUES ($1)", &[text("a")])
            .await
            .unwrap_err();
        assert!(!err.is_unique_violation(), "{err}");
    }
}
