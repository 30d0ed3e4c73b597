//! `clerk serve`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use clerk_server::crypto::SecretKey;
use clerk_server::domain::webhook_endpoints::EndpointSpec;
use clerk_server::secret_keys::{self, KeyKind};
use clerk_server::webhooks::WebhookConfig;
use clerk_server::{store, ServerConfig, ServingConfig, Settings, StartError};
use tracing_subscriber::EnvFilter;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    // The URL may hold a password: `--help` does not show it from the environment.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://clerk.db",
        hide_env_values = true
    )]
    database_url: String,
    /// Secret key clients must send as `Authorization: Bearer <key>`, at least 32 characters;
    /// repeat for several (key rotation). With none, a key is generated and kept beside the
    /// SQLite database, and printed once, when it is generated.
    #[arg(
        long = "secret-key",
        env = "CLERK_SECRET_KEY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    secret_keys: Vec<String>,
    /// Admin key: accepted wherever a secret key is, and the only key that opens the full
    /// export (`GET /v1/_ext/export/users`: password digests, TOTP secrets and OAuth tokens in
    /// clear). At least 32 characters, different from every secret key; repeat for several.
    /// Without one, the full export is closed.
    #[arg(
        long = "admin-key",
        env = "CLERK_ADMIN_KEY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    admin_keys: Vec<String>,
    /// Key sealing TOTP secrets and OAuth tokens at rest (32 bytes, hex or base64). Without it a
    /// key file is used: --encryption-key-file, else `<sqlite file>.encryption-key` beside a
    /// SQLite database or `clerk.encryption-key` in the working directory (created on first
    /// start, and only for a database that has no key yet). Several nodes sharing a PostgreSQL
    /// database must share this key; the server refuses to start with any other key than the
    /// one the database was first started with.
    #[arg(long, env = "CLERK_ENCRYPTION_KEY", hide_env_values = true)]
    encryption_key: Option<String>,
    /// File holding the encryption key (created with mode 0600 if missing).
    #[arg(long)]
    encryption_key_file: Option<std::path::PathBuf>,
    /// Where profile images are stored: a directory, `file:///dir` or `s3://bucket/prefix`
    /// (AWS_* environment variables for credentials). Default: `<sqlite file>.images` beside a
    /// SQLite database, else `clerk-images` in the working directory.
    #[arg(long, env = "CLERK_IMAGE_STORE")]
    image_store: Option<String>,
    /// Do not serve the operator's dashboard at /dashboard/ (nor redirect / there).
    #[arg(long, env = "CLERK_NO_DASHBOARD")]
    no_dashboard: bool,
    /// Public base URL of this server, used in the image URLs it returns and as the issuer
    /// (`iss`) of the session tokens it mints; nodes behind one load balancer share it
    /// (default: the listening address).
    #[arg(long, env = "CLERK_PUBLIC_URL")]
    public_url: Option<String>,
    /// bcrypt cost for passwords set through the API.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(4..=16))]
    bcrypt_cost: u32,
    /// Password hashes computed at once (default: one per core, less one core kept for the
    /// requests that do not hash).
    #[arg(long, env = "CLERK_HASH_JOBS", value_parser = clap::value_parser!(u16).range(1..))]
    hash_jobs: Option<u16>,
    /// Hashing jobs that may wait for a free slot (default: 32 per hashing slot); past that,
    /// requests that need a hash answer 429 with Retry-After.
    #[arg(long, env = "CLERK_HASH_QUEUE")]
    hash_queue: Option<u16>,
    /// Failed password/TOTP checks before a user is locked.
    #[arg(long, default_value_t = 100)]
    max_verification_attempts: i64,
    /// How long a lock lasts, in seconds.
    #[arg(long, default_value_t = 3600)]
    lockout_seconds: u64,
    /// An OAuth provider whose tokens `GET /users/{id}/oauth_access_tokens/{provider}` hands out
    /// and refreshes when expired: `provider=oauth_google,token_url=https://oauth2.googleapis.com/token,client_id=…,client_secret=…`.
    /// Repeat for several; in the environment, separate them with `;`.
    #[arg(
        long = "oauth-provider",
        env = "CLERK_OAUTH_PROVIDERS",
        value_delimiter = ';',
        hide_env_values = true
    )]
    oauth_providers: Vec<clerk_server::settings::OAuthProvider>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
    /// Boxed: keeps the `clerk` subcommands' arguments of similar size.
    #[command(flatten)]
    serving: Box<ServingArgs>,
    #[command(flatten)]
    webhooks: WebhookArgs,
}

/// Webhooks: each change to a user or organization is sent, signed as Svix signs it, to every
/// endpoint whose events include it. Endpoints are managed with `clerk webhooks`, or given here.
#[derive(Args, Debug)]
#[command(next_help_heading = "Webhooks")]
struct WebhookArgs {
    /// An endpoint to send events to, set up at start: `URL[,secret=whsec_…][,events=a|b]`
    /// (events such as user.created|user.deleted; all events when left out). If no endpoint
    /// has this URL yet one is created, with a generated secret unless one is given (`clerk
    /// webhooks list` shows it); else that endpoint is enabled and given these events (and
    /// this secret), so a restart with the same flag changes nothing. Repeat for several; in
    /// the environment, separate them with `;`.
    // A secret may be in it: `--help` does not show it from the environment, and a value that
    // does not parse is reported without its secret (see `webhook_endpoints`).
    #[arg(
        long = "webhook",
        env = "CLERK_WEBHOOKS",
        value_delimiter = ';',
        hide_env_values = true,
        value_name = "SPEC"
    )]
    webhooks: Vec<String>,
    /// How long to wait before each retry of a delivery that failed (no 2xx answer in time);
    /// the first attempt is immediate, and after the last retry the delivery is failed (`clerk
    /// webhooks resend` sends it again). The default is Svix's schedule.
    #[arg(
        long,
        default_value = DEFAULT_RETRY_SCHEDULE,
        value_parser = retry_schedule,
        value_name = "DURATIONS"
    )]
    webhook_retry_schedule: RetrySchedule,
    /// Longest one delivery attempt may take, the endpoint's answer included; past it the
    /// attempt has failed and is retried on the schedule.
    #[arg(long, default_value = "15s", value_parser = positive_duration)]
    webhook_timeout: Duration,
    /// How long a message and its attempts are kept (for `clerk webhooks attempts` and
    /// `resend`) once no endpoint still waits for it; then they are deleted. A message still
    /// being retried is kept.
    #[arg(long, default_value = "30d", value_parser = positive_duration)]
    webhook_retention: Duration,
}

/// Svix's retry schedule, as `--webhook-retry-schedule` writes it.
const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,10h";

/// The delays of `--webhook-retry-schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RetrySchedule(Vec<Duration>);

fn retry_schedule(text: &str) -> Result<RetrySchedule, String> {
    clerk_server::webhooks::parse_retry_schedule(text)
        .map(RetrySchedule)
        .map_err(|e| format!("{e} (write the delays before each retry, e.g. 5s,5m,30m)"))
}

impl WebhookArgs {
    /// The delivery settings, with each `--webhook` parsed. A value that does not parse is
    /// named without its secret: the error may end up in a log.
    fn config(&self) -> anyhow::Result<WebhookConfig> {
        let endpoints = self
            .webhooks
            .iter()
            .filter(|spec| !spec.trim().is_empty())
            .map(|spec| {
                spec.parse::<EndpointSpec>().map_err(|e| {
                    anyhow::anyhow!("--webhook / CLERK_WEBHOOKS {:?}: {e}", without_secret(spec))
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(WebhookConfig {
            retry_schedule: self.webhook_retry_schedule.0.clone(),
            timeout: self.webhook_timeout,
            endpoints,
            retention: self.webhook_retention,
        })
    }
}

/// A `--webhook` value with the secret's value replaced by `…`.
fn without_secret(spec: &str) -> String {
    spec.split(',')
        .map(|part| match part.trim_start().strip_prefix("secret=") {
            Some(_) => "secret=…",
            None => part,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Timeouts and limits against slow, stalled or too many clients (docs/operations.md).
/// Durations: `10s`, `500ms`, `2m`.
#[derive(Args, Debug)]
struct ServingArgs {
    /// A request's headers must be complete within this long after the connection is accepted
    /// or done with its previous response; else the connection is closed.
    #[arg(long, default_value = "10s", value_parser = positive_duration)]
    header_timeout: Duration,
    /// Longest wait for the next piece of a request body (408 request_timeout).
    #[arg(long, default_value = "30s", value_parser = positive_duration)]
    body_timeout: Duration,
    /// Longest a keep-alive connection waits for its next request. hyper counts this wait
    /// toward --header-timeout as well, so the shorter of the two applies.
    #[arg(long, default_value = "60s", value_parser = positive_duration)]
    idle_timeout: Duration,
    /// Longest a request may take, body included (503 request_timed_out). Bulk import has
    /// --import-timeout instead.
    #[arg(long, default_value = "30s", value_parser = positive_duration)]
    request_timeout: Duration,
    /// Longest a bulk import request (`POST /v1/_ext/import/users`, 500 users) may take.
    #[arg(long, default_value = "10m", value_parser = positive_duration)]
    import_timeout: Duration,
    /// Most client connections open at once; more wait in the listen backlog until one
    /// closes. Default: the soft file-descriptor limit (`ulimit -n`) less 64.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// On SIGTERM or Ctrl-C, how long in-flight requests may take to finish before their
    /// connections are closed and the process exits.
    #[arg(long, default_value = "30s", value_parser = positive_duration)]
    shutdown_timeout: Duration,
}

impl ServingArgs {
    fn config(&self) -> ServingConfig {
        ServingConfig {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            idle_timeout: self.idle_timeout,
            request_timeout: self.request_timeout,
            import_timeout: self.import_timeout,
            max_connections: self
                .max_connections
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            shutdown_timeout: self.shutdown_timeout,
        }
    }
}

/// A humantime duration other than zero (a zero timeout would close every connection).
fn positive_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be longer than 0".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (write e.g. 10s, 500ms, 2m)")),
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    let webhooks = args.webhooks.config()?;
    let secret_keys = configured_secret_keys(&args)?;
    let admin_keys = secret_keys::normalize(&given(&args.admin_keys), KeyKind::Admin)
        .context("--admin-key / CLERK_ADMIN_KEY")?;
    secret_keys::check_admin_keys_distinct(&secret_keys, &admin_keys)
        .context("--admin-key / CLERK_ADMIN_KEY")?;
    let (encryption_key, key_source) = match (&args.encryption_key, &args.encryption_key_file) {
        (Some(text), _) => (
            SecretKey::parse(text).context("--encryption-key / CLERK_ENCRYPTION_KEY")?,
            "--encryption-key / CLERK_ENCRYPTION_KEY".to_owned(),
        ),
        (None, file) => {
            let path = file
                .clone()
                .unwrap_or_else(|| default_encryption_key_file(&args.database_url));
            let key = encryption_key_from_file(&path, &args.database_url).await?;
            println!("encryption key kept in {}", path.display());
            (key, format!("the key file {}", path.display()))
        }
    };
    let image_store = args.image_store.clone().unwrap_or_else(|| {
        match store::sqlite_file_path(&args.database_url) {
            Some(db) => format!("{}.images", db.display()),
            None => "clerk-images".into(),
        }
    });
    let config = ServerConfig {
        encryption_key: Some(encryption_key),
        image_store,
        listen: args.listen,
        database_url: args.database_url.clone(),
        secret_keys,
        admin_keys,
        settings: Settings {
            bcrypt_cost: args.bcrypt_cost,
            max_verification_attempts: args.max_verification_attempts,
            lockout_duration: Duration::from_secs(args.lockout_seconds),
            public_url: args.public_url.clone().unwrap_or_default(),
            oauth_providers: args.oauth_providers.clone(),
            hash_jobs: args.hash_jobs.map(usize::from),
            hash_queue: args.hash_queue.map(usize::from),
        },
        serving: args.serving.config(),
        webhooks,
        dashboard: !args.no_dashboard,
    };
    let server = clerk_server::start(config).await.map_err(|e| {
        let wrong_key = matches!(e, StartError::EncryptionKeyMismatch { .. });
        let e = anyhow::Error::from(e);
        if wrong_key {
            e.context(format!(
                "refusing to start with the encryption key from {key_source}"
            ))
        } else {
            e
        }
    })?;
    println!("listening on {}", server.base_url());
    shutdown_signal().await;
    tracing::info!(
        deadline = %humantime::format_duration(args.serving.shutdown_timeout),
        "shutting down: no new connections; waiting for in-flight requests"
    );
    server.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// The keys given, without empty entries (`CLERK_SECRET_KEY=` or a trailing comma).
fn given(keys: &[String]) -> Vec<String> {
    keys.iter()
        .filter(|k| !k.trim().is_empty())
        .cloned()
        .collect()
}

/// The secret keys from the flags, or else the generated one kept beside the SQLite file. The
/// generated key is printed once, when it is created: later starts name the file only, so
/// the key does not end up in every log that captures stdout.
fn configured_secret_keys(args: &ServeArgs) -> anyhow::Result<Vec<String>> {
    let given = given(&args.secret_keys);
    if !given.is_empty() {
        return secret_keys::normalize(&given, KeyKind::Secret)
            .context("--secret-key / CLERK_SECRET_KEY");
    }
    let path = store::sqlite_file_path(&args.database_url).context(
        "no secret key given: pass --secret-key or CLERK_SECRET_KEY (a key is generated \
         automatically only for a SQLite database file)",
    )?;
    let key_file = secret_keys::key_file_for(&path);
    let (key, created) = secret_keys::load_or_create(&key_file)
        .with_context(|| format!("secret key file {}", key_file.display()))?;
    let keys = secret_keys::normalize(&[key], KeyKind::Secret)
        .with_context(|| format!("secret key file {}", key_file.display()))?;
    if created {
        println!(
            "secret key generated and kept in {}: {}",
            key_file.display(),
            keys[0]
        );
    } else {
        println!("secret key loaded from {}", key_file.display());
    }
    Ok(keys)
}

/// The encryption key in `path`, created there only for a database that holds no secrets
/// sealed under another key yet. A missing key file for a database that has a key check value
/// means the key is lost or elsewhere (another working directory, a backup restored without
/// it): creating a new one would only make the refusal at start less clear, and leave a wrong
/// key file where the right one should be restored.
async fn encryption_key_from_file(
    path: &std::path::Path,
    database_url: &str,
) -> anyhow::Result<SecretKey> {
    let exists = path
        .try_exists()
        .with_context(|| format!("encryption key file {}", path.display()))?;
    if !exists && clerk_server::encryption_key_recorded(database_url).await? {
        anyhow::bail!(
            "the encryption key file {} does not exist, but this database (--database-url) was \
             started with an encryption key before, and what it sealed (TOTP secrets, OAuth \
             tokens) opens under that key only: restore the file, or pass the key with \
             --encryption-key-file or --encryption-key / CLERK_ENCRYPTION_KEY. No new key file \
             was created.",
            path.display()
        );
    }
    SecretKey::load_or_create(path)
        .with_context(|| format!("encryption key file {}", path.display()))
}

/// Where the encryption key lives when nothing says: beside the SQLite file, else in the
/// working directory. Never inside the database itself.
fn default_encryption_key_file(database_url: &str) -> std::path::PathBuf {
    match store::sqlite_file_path(database_url) {
        Some(db) => {
            let mut name = db.into_os_string();
            name.push(".encryption-key");
            name.into()
        }
        None => "clerk.encryption-key".into(),
    }
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_retry_schedule_is_the_servers() {
        assert_eq!(
            retry_schedule(DEFAULT_RETRY_SCHEDULE).unwrap().0,
            clerk_server::webhooks::default_retry_schedule()
        );
    }

    #[test]
    fn the_default_retention_is_the_servers() {
        let args = <ServeArgs as clap::Args>::augment_args(clap::Command::new("serve"))
            .get_matches_from(["serve"]);
        assert_eq!(
            args.get_one::<Duration>("webhook_retention"),
            Some(&clerk_server::webhooks::DEFAULT_RETENTION)
        );
    }

    #[test]
    fn a_webhook_value_is_reported_without_its_secret() {
        assert_eq!(
            without_secret("http://x/hook,secret=whsec_c2VjcmV0,events=user.created,bogus"),
            "http://x/hook,secret=…,events=user.created,bogus"
        );
    }
}
