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
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod secret_keys;
pub mod serve;
pub mod settings;
pub mod store;
pub mod webhooks;

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
    /// Keys that also open what hands out secrets in clear (the full export).
    pub admin_keys: Arc<Vec<String>>,
    /// Seals TOTP secrets and OAuth tokens at rest.
    pub encryption_key: Arc<crypto::SecretKey>,
    /// Where password hashing runs: bounded, off the async runtime.
    pub hash_pool: crypto::HashPool,
    /// Where profile images are kept.
    pub images: store::images::ImageStore,
    /// Calls OAuth providers' token endpoints (token refresh).
    pub http_client: reqwest::Client,
    /// This instance's id (`ins_…`), in every webhook event; made on the first start.
    pub instance_id: Arc<str>,
}

#[derive(Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// `sqlite://FILE` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// Accepted secret keys (several allow rotation). Must not be empty; each is trimmed and
    /// must have at least [`secret_keys::MIN_KEY_CHARS`] characters.
    pub secret_keys: Vec<String>,
    /// Admin keys: accepted wherever a secret key is, and the only keys that open the full
    /// export (`GET /v1/_ext/export/users`, which returns password digests, TOTP secrets and
    /// OAuth tokens). Same rules as secret keys, and none may also be a secret key. May be empty.
    pub admin_keys: Vec<String>,
    pub settings: Settings,
    /// Key sealing secrets at rest. `None` makes a random one for this process only (tests);
    /// `clerk serve` always passes a persistent one. Checked against the database's key check
    /// value at start ([`StartError::EncryptionKeyMismatch`]).
    pub encryption_key: Option<crypto::SecretKey>,
    /// Profile image storage: a directory, `file:///dir`, `s3://bucket/prefix`, or `memory:`
    /// (the default here; `clerk serve` defaults to a directory beside the database).
    pub image_store: String,
    /// Timeouts, connection cap and shutdown deadline.
    pub serving: ServingConfig,
    /// Webhook delivery: retry schedule, timeout, endpoints set up at start.
    pub webhooks: webhooks::WebhookConfig,
    /// Serve the operator's dashboard at `/dashboard/` (and send `GET /` there).
    pub dashboard: bool,
}

/// The keys stay out of logs: only how many there are.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |keys: &[String]| format!("<{} redacted>", keys.len());
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database_url", &self.database_url)
            .field("secret_keys", &redacted(&self.secret_keys))
            .field("admin_keys", &redacted(&self.admin_keys))
            .field("settings", &self.settings)
            .field("encryption_key", &self.encryption_key)
            .field("image_store", &self.image_store)
            .field("webhooks", &self.webhooks)
            .field("dashboard", &self.dashboard)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://clerk.db".into(),
            secret_keys: Vec::new(),
            admin_keys: Vec::new(),
            settings: Settings::default(),
            encryption_key: None,
            image_store: "memory:".into(),
            serving: ServingConfig::default(),
            webhooks: webhooks::WebhookConfig::default(),
            dashboard: true,
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
    Key(#[from] secret_keys::KeyError),
    /// The encryption key does not open the key check value the database holds: it is not the
    /// key the database's TOTP secrets and OAuth tokens were sealed with.
    #[error(
        "the encryption key is not the one this database's TOTP secrets and OAuth tokens were \
         sealed with (it does not open the key check value recorded on {recorded}); start with \
         the original key"
    )]
    EncryptionKeyMismatch {
        /// When the check value was written (RFC 3339), to help find the right key.
        recorded: String,
    },
    #[error("cannot check the encryption key against the database: {0}")]
    KeyCheck(#[source] store::DbError),
    #[error(transparent)]
    ImageStore(#[from] store::images::ImageStoreError),
    #[error("cannot set up the webhook endpoints given at start: {0}")]
    WebhookEndpoints(String),
}

/// A server running on the current tokio runtime.
pub struct RunningServer {
    addr: SocketAddr,
    store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    delivery: webhooks::DeliveryWorker,
}

/// Opens and migrates the database, checks the encryption key against it, binds the listener
/// and starts serving.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    if config.secret_keys.is_empty() {
        return Err(StartError::NoSecretKey);
    }
    let secret_keys = secret_keys::normalize(&config.secret_keys, secret_keys::KeyKind::Secret)?;
    let admin_keys = secret_keys::normalize(&config.admin_keys, secret_keys::KeyKind::Admin)?;
    secret_keys::check_admin_keys_distinct(&secret_keys, &admin_keys)?;
    let encryption_key = config
        .encryption_key
        .unwrap_or_else(crypto::SecretKey::generate);
    let store = Store::connect(&config.database_url).await?;
    if let Err(e) = check_encryption_key(&store, &encryption_key).await {
        store.close().await;
        return Err(e);
    }
    let instance_id = match instance_id(&store).await {
        Ok(id) => id,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
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
    let images = store::images::ImageStore::open(&config.image_store)?;
    let mut settings = config.settings;
    if settings.public_url.is_empty() {
        settings.public_url = format!("http://{addr}");
    }
    let hash_pool = crypto::HashPool::for_machine(settings.hash_jobs, settings.hash_queue);
    let app = AppState {
        store: store.clone(),
        settings: Arc::new(settings),
        secret_keys: Arc::new(secret_keys),
        admin_keys: Arc::new(admin_keys),
        encryption_key: Arc::new(encryption_key),
        hash_pool,
        images,
        // Token endpoints are configured by the operator; a redirect would send the client
        // secret and refresh token (a 307 repeats the form) wherever the answer points, so
        // none is followed. The timeout bounds the whole exchange, body included.
        http_client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a default HTTP client builds"),
        instance_id,
    };
    if let Err(e) =
        domain::webhook_endpoints::ensure_endpoints(&app, &config.webhooks.endpoints).await
    {
        store.close().await;
        return Err(StartError::WebhookEndpoints(e.long_message));
    }
    let delivery = webhooks::DeliveryWorker::spawn(app.clone(), &config.webhooks);
    let router = http::router(app, &config.serving, config.dashboard);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(listener, router, config.serving, rx));
    Ok(RunningServer {
        addr,
        store,
        shutdown: Some(tx),
        task,
        delivery,
    })
}

/// The `instance_keys` row of the instance's id.
const INSTANCE_ID: &str = "instance_id";

/// The instance's id, made on the first start and the same on every node.
async fn instance_id(store: &Store) -> Result<Arc<str>, StartError> {
    let recorded =
        store::instance_keys::record_check_value(store, INSTANCE_ID, &ids::new_id("ins"))
            .await
            .map_err(StartError::KeyCheck)?;
    Ok(recorded.value.into())
}

/// The `instance_keys` row of the encryption key's check value.
const ENCRYPTION_KEY_CHECK: &str = "encryption_key";

/// Records the key's check value if the database has none (a new database, or one made before
/// check values existed), then insists that the recorded one opens under `key`. Insert first and
/// read back: of two nodes starting at once with different keys, the second one refuses.
async fn check_encryption_key(store: &Store, key: &crypto::SecretKey) -> Result<(), StartError> {
    use store::instance_keys;
    let recorded =
        instance_keys::record_check_value(store, ENCRYPTION_KEY_CHECK, &key.check_value())
            .await
            .map_err(StartError::KeyCheck)?;
    if key.matches_check_value(&recorded.value) {
        return Ok(());
    }
    Err(StartError::EncryptionKeyMismatch {
        recorded: chrono::DateTime::from_timestamp_millis(recorded.created_at)
            .map_or_else(|| "an unknown date".to_owned(), |at| at.to_rfc3339()),
    })
}

/// Whether the database at `database_url` already holds an encryption key check value, i.e.
/// secrets may be sealed in it under some key. `clerk serve` asks before it creates a key file:
/// a database that has one needs its key back, not a new one. Opens (and migrates) the database.
pub async fn encryption_key_recorded(database_url: &str) -> Result<bool, StartError> {
    let store = Store::connect(database_url).await?;
    let recorded = store::instance_keys::check_value(&store, ENCRYPTION_KEY_CHECK).await;
    store.close().await;
    Ok(recorded.map_err(StartError::KeyCheck)?.is_some())
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
        self.delivery.stop().await;
        self.store.close().await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_debug_shows_no_key() {
        let config = super::ServerConfig {
            secret_keys: vec!["sk_test_secret_shown_nowhere_0000000000".into()],
            admin_keys: vec!["sk_test_admin_shown_nowhere_00000000000".into()],
            encryption_key: Some(super::crypto::SecretKey::generate()),
            ..Default::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("shown_nowhere"), "{text}");
        assert!(text.contains("secret_keys: \"<1 redacted>\""), "{text}");
    }
}
