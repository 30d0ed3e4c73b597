//! Persistence: one [`Store`] over SQLite (default) or PostgreSQL.
//!
//! Both run the same query text (numbered placeholders), each through its own driver (see
//! [`db`]); the few places where the two SQL dialects differ ask [`Dialect`]. Each backend has
//! its own embedded migrations, applied with sqlx's migrator.

pub mod attempts;
pub mod billing;
mod db;
pub mod external_accounts;
pub mod identities;
pub mod images;
pub mod instance_keys;
pub mod jwt_templates;
pub mod organizations;
pub mod sessions;
pub mod signing_keys;
mod sql;
pub mod transfer;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::Connection as _;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

pub use db::{Conn, DbError, DbResult, Row};
pub use sql::{Arg, Sql};
pub use users::{
    BackupCodes, IdentKind, IdentRow, IdentStatus, NewIdentification, UserFilter, UserOrder,
    UserRecord, UserRow,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else {
            None
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(db::SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite allows one writer at a time; writers queue here instead of waiting on the
    /// database's lock. `None` on PostgreSQL.
    write_lock: Option<Arc<Mutex<()>>>,
    /// Wakes this process's webhook delivery worker when a transaction that wrote to the
    /// outbox commits.
    delivery_signal: Arc<Notify>,
}

/// The PostgreSQL channel a commit that wrote to the outbox notifies, so that every node's
/// delivery worker learns of the work at once.
pub const DELIVERY_CHANNEL: &str = "clerk_webhook_outbox";

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    /// `None` once committed.
    conn: Option<Conn>,
    pub dialect: Dialect,
    _writer: Option<OwnedMutexGuard<()>>,
    delivery_signal: Arc<Notify>,
    /// Whether the transaction wrote to the outbox.
    wakes_delivery: bool,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .expect("a WriteTx is not used after commit")
    }

    pub async fn commit(mut self) -> DbResult<()> {
        match self.conn.take() {
            Some(Conn::Postgres(db::PgConn::Tx(tx))) => tx.commit().await?,
            Some(mut conn) => {
                let committed = conn.execute_batch("COMMIT").await;
                if committed.is_err() {
                    self.conn = Some(conn); // rolled back on drop
                }
                committed?
            }
            None => {}
        }
        if self.wakes_delivery {
            self.delivery_signal.notify_one();
        }
        Ok(())
    }

    /// Marks the transaction as one that wrote to the webhook outbox: its commit wakes the
    /// delivery worker here and, on PostgreSQL, notifies every node (a notification is sent
    /// only if the transaction commits).
    pub async fn wake_delivery_on_commit(&mut self) -> DbResult<()> {
        if self.wakes_delivery {
            return Ok(());
        }
        if self.dialect == Dialect::Postgres {
            let mut notify = Sql::new("SELECT pg_notify(");
            notify.bind(DELIVERY_CHANNEL).push(", '')");
            notify.execute(self.conn()).await?;
        }
        self.wakes_delivery = true;
        Ok(())
    }

    /// Marks the transaction as one whose commit wakes this process's delivery worker, when
    /// the caller has already notified the other nodes inside it.
    pub fn wake_local_delivery_on_commit(&mut self) {
        self.wakes_delivery = true;
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        // PostgreSQL's transaction rolls itself back when dropped; a SQLite connection is
        // rolled back here, before the writer's turn passes to the next one.
        if let Some(Conn::Sqlite(conn)) = &self.conn {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot open the database: {0}")]
    OpenSqlite(#[from] DbError),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        let dialect =
            Dialect::from_url(url).ok_or_else(|| ConnectError::UnsupportedUrl(url.to_owned()))?;
        match dialect {
            Dialect::Sqlite => Self::connect_sqlite(url).await,
            Dialect::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(url)
                    .await?;
                migrator(dialect).run(&pool).await?;
                Ok(Self {
                    pool: Pool::Postgres(pool),
                    write_lock: None,
                    delivery_signal: Arc::default(),
                })
            }
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, ConnectError> {
        let path = sqlite_file_path(url)
            .ok_or_else(|| ConnectError::UnsupportedUrl(url.to_owned()))?
            .to_string_lossy()
            .into_owned();
        // Migrations run once, on their own connection, before the pool opens.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        migrator(Dialect::Sqlite).run(&mut conn).await?;
        conn.close().await?;

        let manager = db::SqliteManager::new(path);
        manager.open().map_err(DbError::from)?; // fail now, not on the first request
        let pool = db::SqlitePool::builder(manager)
            .max_size(8)
            .wait_timeout(Some(ACQUIRE_TIMEOUT))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
            write_lock: Some(Arc::new(Mutex::new(()))),
            delivery_signal: Arc::default(),
        })
    }

    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Notified when a transaction that wrote to the webhook outbox commits in this process.
    pub fn delivery_signal(&self) -> Arc<Notify> {
        self.delivery_signal.clone()
    }

    /// The PostgreSQL pool, to listen on [`DELIVERY_CHANNEL`]; `None` on SQLite.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    /// A pooled connection for reads.
    pub async fn read(&self) -> DbResult<Conn> {
        match &self.pool {
            Pool::Sqlite(pool) => Ok(Conn::Sqlite(pool.get().await.map_err(pool_error)?)),
            Pool::Postgres(pool) => Ok(Conn::Postgres(db::PgConn::Pooled(pool.acquire().await?))),
        }
    }

    pub async fn begin_write(&self) -> DbResult<WriteTx> {
        let writer = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let conn = match &self.pool {
            Pool::Sqlite(pool) => {
                let mut conn = Conn::Sqlite(pool.get().await.map_err(pool_error)?);
                conn.execute_batch("BEGIN IMMEDIATE").await?;
                conn
            }
            Pool::Postgres(pool) => Conn::Postgres(db::PgConn::Tx(begin_postgres(pool).await?)),
        };
        Ok(WriteTx {
            conn: Some(conn),
            dialect: self.dialect(),
            _writer: writer,
            delivery_signal: self.delivery_signal.clone(),
            wakes_delivery: false,
        })
    }

    /// Whether this store can serve requests: the database answers and every embedded
    /// migration is applied (a database restored from an older backup, or migrated by an older
    /// build, is not). One small query on a pooled connection, so it can be polled; bounded by
    /// [`READINESS_TIMEOUT`] so a hung database or an exhausted pool answers instead of hanging.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        let probe = async {
            let mut conn = self.read().await?;
            let rows = Sql::new("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&mut conn)
                .await?;
            rows.iter()
                .map(|row| row.try_get::<i64, _>(0))
                .collect::<DbResult<Vec<i64>>>()
        };
        let applied = tokio::time::timeout(READINESS_TIMEOUT, probe)
            .await
            .map_err(|_| NotReady::TimedOut)?
            .map_err(NotReady::Database)?;
        let missing = migrator(self.dialect())
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .find(|m| !applied.contains(&m.version));
        match missing {
            Some(m) => Err(NotReady::MigrationMissing(m.version)),
            None => Ok(()),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close(),
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Opens a PostgreSQL transaction on a task of its own, so that it always completes. sqlx's
/// `begin` is not cancel-safe: dropped after `BEGIN` went out and before its answer came back,
/// it returns the connection to the pool inside a transaction it no longer tracks, and the next
/// user of that connection runs inside it (seen when clients hang up mid-request). Run to its
/// end, a transaction nobody is waiting for any more is dropped, and so rolled back.
async fn begin_postgres(pool: &PgPool) -> DbResult<sqlx::Transaction<'static, sqlx::Postgres>> {
    let pool = pool.clone();
    match tokio::spawn(async move { pool.begin().await }).await {
        Ok(begun) => Ok(begun?),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(DbError::Pool(e.to_string())),
    }
}

fn pool_error(e: deadpool::managed::PoolError<rusqlite::Error>) -> DbError {
    match e {
        deadpool::managed::PoolError::Timeout(_) => DbError::PoolTimeout(ACQUIRE_TIMEOUT),
        deadpool::managed::PoolError::Backend(e) => DbError::Sqlite(e),
        other => DbError::Pool(other.to_string()),
    }
}

/// How long [`Store::readiness`] waits for a connection and its query together.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// Why [`Store::readiness`] failed.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the database did not answer within {READINESS_TIMEOUT:?}")]
    TimedOut,
    #[error("the database failed: {0}")]
    Database(DbError),
    #[error("migration {0} is not applied")]
    MigrationMissing(i64),
}

/// The migrations embedded in this build for `dialect`.
fn migrator(dialect: Dialect) -> &'static Migrator {
    static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
    static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// The file behind a `sqlite://` URL, if it names one.
pub fn sqlite_file_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
}

/// Milliseconds since the Unix epoch, the unit of every timestamp on the wire.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sqlite_write_dropped_without_commit_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/s.db", dir.path().display()))
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        Sql::new("CREATE TABLE probe (v INTEGER)")
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut dropped = store.begin_write().await.unwrap();
        Sql::new("INSERT INTO probe (v) VALUES (1)")
            .execute(dropped.conn())
            .await
            .unwrap();
        drop(dropped);

        // The next writer gets the lock and a connection outside any transaction.
        let mut tx = store.begin_write().await.unwrap();
        Sql::new("INSERT INTO probe (v) VALUES (2)")
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let total = Sql::new("SELECT COALESCE(SUM(v), 0) FROM probe")
            .fetch_i64(&mut conn)
            .await
            .unwrap();
        assert_eq!(total, 2);
    }
}
