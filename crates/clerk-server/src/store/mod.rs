//! Persistence: one [`Store`] over SQLite (default) or PostgreSQL.
//!
//! Both go through sqlx's `Any` driver with the same query text (numbered placeholders); the
//! few places where the two SQL dialects differ ask [`Dialect`]. Each backend has its own
//! embedded migrations.

pub mod attempts;
pub mod billing;
pub mod external_accounts;
pub mod identities;
pub mod images;
pub mod instance_keys;
pub mod organizations;
mod sql;
pub mod transfer;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

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
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    /// SQLite allows one writer at a time; writers queue here instead of failing with
    /// SQLITE_BUSY when a deferred transaction tries to upgrade. `None` on PostgreSQL.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    pub dialect: Dialect,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Store {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        sqlx::any::install_default_drivers();
        let dialect =
            Dialect::from_url(url).ok_or_else(|| ConnectError::UnsupportedUrl(url.to_owned()))?;
        let (url, max_connections) = match dialect {
            Dialect::Sqlite => (sqlite_url_creating_file(url), 8),
            Dialect::Postgres => (url.to_owned(), 16),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA synchronous = NORMAL",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        migrator(dialect).run(&pool).await?;
        let write_lock = (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            dialect,
            write_lock,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A pooled connection for reads.
    pub async fn read(&self) -> sqlx::Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.pool.acquire().await
    }

    pub async fn begin_write(&self) -> sqlx::Result<WriteTx> {
        let writer = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        Ok(WriteTx {
            tx: self.pool.begin().await?,
            dialect: self.dialect,
            _writer: writer,
        })
    }

    /// Whether this store can serve requests: the database answers and every embedded
    /// migration is applied (a database restored from an older backup, or migrated by an older
    /// build, is not). One small query on a pooled connection, so it can be polled; bounded by
    /// [`READINESS_TIMEOUT`] so a hung database or an exhausted pool answers instead of hanging.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        let probe = async {
            let mut conn = self.pool.acquire().await?;
            let applied: Vec<i64> =
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(&mut *conn)
                    .await?;
            Ok::<_, sqlx::Error>(applied)
        };
        let applied = tokio::time::timeout(READINESS_TIMEOUT, probe)
            .await
            .map_err(|_| NotReady::TimedOut)?
            .map_err(NotReady::Database)?;
        let missing = migrator(self.dialect)
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .find(|m| !applied.contains(&m.version));
        match missing {
            Some(m) => Err(NotReady::MigrationMissing(m.version)),
            None => Ok(()),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
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
    Database(sqlx::Error),
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

/// sqlx opens an existing SQLite file only, unless the URL asks for `mode=rwc`.
fn sqlite_url_creating_file(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
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
/// Whether a write failed on a unique index (an id, email, slug … taken meanwhile).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
