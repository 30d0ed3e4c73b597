//! Persistence: one [`Store`] over SQLite (default) or PostgreSQL.
//!
//! Both go through sqlx's `Any` driver with the same query text (numbered placeholders); the
//! few places where the two SQL dialects differ ask [`Dialect`]. Each backend has its own
//! embedded migrations.

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
use sqlx::{AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use sql::{Arg, Sql};
pub use users::{IdentRow, NewIdentification, UserFilter, UserOrder, UserRecord, UserRow};

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
        match dialect {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
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

    pub async fn close(&self) {
        self.pool.close().await;
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
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
