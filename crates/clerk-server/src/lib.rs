//! A self-hostable server speaking Clerk's Backend API `/v1/users` wire protocol.
//!
//! - `http`: routes and extractors — translation between HTTP and the domain only;
//! - `domain`: the rules (validation, metadata merge, passwords, list filters);
//! - `store`: SQL on SQLite (default) or PostgreSQL;
//! - `crypto`: password hashers, TOTP, secrets at rest.
//!
//! [`start`] runs the server in-process (the `clerk serve` command and the tests use it);
//! `serve` is its connection loop.

pub mod crypto;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod secret_keys;
pub mod serve;
pub mod settings;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use serve::ServingConfig;
pub use settings::Settings;
pub use store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub secret_keys: Arc<Vec<String>>,
    /// Seals TOTP secrets and OAuth tokens at rest.
    pub encryption_key: Arc<crypto::SecretKey>,
    /// Where password hashing runs: bounded, off the async runtime.
    pub hash_pool: crypto::HashPool,
    /// Where profile images are kept.
    pub images: store::images::ImageStore,
    /// Calls OAuth providers' token endpoints (token refresh).
    pub http_client: reqwest::Client,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// `sqlite://FILE` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// Accepted secret keys (several allow rotation). Must not be empty.
    pub secret_keys: Vec<String>,
    pub settings: Settings,
    /// Key sealing secrets at rest. `None` makes a random one for this process only (tests);
    /// `clerk serve` always passes a persistent one.
    pub encryption_key: Option<crypto::SecretKey>,
    /// Profile image storage: a directory, `file:///dir`, `s3://bucket/prefix`, or `memory:`
    /// (the default here; `clerk serve` defaults to a directory beside the database).
    pub image_store: String,
    /// Timeouts, connection cap and shutdown deadline.
    pub serving: ServingConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://clerk.db".into(),
            secret_keys: Vec::new(),
            settings: Settings::default(),
            encryption_key: None,
            image_store: "memory:".into(),
            serving: ServingConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] store::ConnectError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no secret key configured")]
    NoSecretKey,
    #[error(transparent)]
    ImageStore(#[from] store::images::ImageStoreError),
}

/// A server running on the current tokio runtime.
pub struct RunningServer {
    addr: SocketAddr,
    store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// Opens and migrates the database, binds the listener and starts serving.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    if config.secret_keys.is_empty() {
        return Err(StartError::NoSecretKey);
    }
    let store = Store::connect(&config.database_url).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: config.listen,
        source,
    })?;
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    let images = store::images::ImageStore::open(&config.image_store)?;
    let mut settings = config.settings;
    if settings.public_url.is_empty() {
        settings.public_url = format!("http://{addr}");
    }
    let app = AppState {
        store: store.clone(),
        settings: Arc::new(settings),
        secret_keys: Arc::new(config.secret_keys),
        encryption_key: Arc::new(
            config
                .encryption_key
                .unwrap_or_else(crypto::SecretKey::generate),
        ),
        hash_pool: crypto::HashPool::new(cpus),
        images,
        http_client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a default HTTP client builds"),
    };
    let router = http::router(app, &config.serving);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(listener, router, config.serving, rx));
    Ok(RunningServer {
        addr,
        store,
        shutdown: Some(tx),
        task,
    })
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/v1`, the base URL clients are given.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Stops accepting connections, lets in-flight requests finish within
    /// [`ServingConfig::shutdown_timeout`], closes the connections still open after it, then
    /// closes the database.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Err(e) = (&mut self.task).await {
            tracing::error!(error = %e, "server task failed");
        }
        self.store.close().await;
    }
}
