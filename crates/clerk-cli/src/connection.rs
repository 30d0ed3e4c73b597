//! Where the users, webhooks, export and import commands send their requests, and how their
//! failures are told to a person: Clerk's error code and message, not a Rust debug dump.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use clerk_http_client::{Client, Configuration, Error, RetryPolicy, DEFAULT_BASE_URL};

/// Connection flags, shared by every command that talks to an API.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Backend API base URL, version prefix included (e.g. http://127.0.0.1:8080/v1 for
    /// `clerk serve`).
    #[arg(
        long,
        env = "CLERK_API_URL",
        hide_env_values = true,
        default_value = DEFAULT_BASE_URL,
        global = true
    )]
    pub api_url: String,
    /// Secret key (sk_test_… / sk_live_…).
    #[arg(long, env = "CLERK_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,
    /// Show every request and response status on stderr (the secret key is redacted).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

impl ConnectionArgs {
    /// A client for one-off commands: the client's default retries (429 with Retry-After,
    /// transient failures of safe requests).
    pub fn client(&self) -> anyhow::Result<Client> {
        self.client_with(RetryPolicy::default())
    }

    /// A client for long batch jobs: they should ride out rate limits and blips rather than give
    /// up after a minute.
    pub fn batch_client(&self) -> anyhow::Result<Client> {
        self.client_with(
            RetryPolicy::default()
                .max_attempts(10)
                .max_backoff(Duration::from_secs(60))
                .max_elapsed(Duration::from_secs(15 * 60)),
        )
    }

    /// These flags with `key`, when given, in place of the secret key (an admin key is accepted
    /// wherever a secret key is).
    pub fn with_key(&self, key: Option<&str>) -> Self {
        let mut args = self.clone();
        if let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) {
            args.secret_key = Some(key.to_owned());
        }
        args
    }

    fn client_with(&self, retry: RetryPolicy) -> anyhow::Result<Client> {
        Client::new(self.configuration(retry)?).map_err(anyhow::Error::from)
    }

    fn configuration(&self, retry: RetryPolicy) -> anyhow::Result<Configuration> {
        if self.verbose {
            init_request_logging();
        }
        let key = self
            .secret_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .context("no secret key: pass --secret-key or set CLERK_SECRET_KEY")?;
        Ok(Configuration::new(key)
            .base_url(&self.api_url)
            .retry_policy(retry)
            // Exports and imports move big pages; the default 30 s could cut off a slow one.
            .timeout(Duration::from_secs(120)))
    }
}

/// The client logs each request line, redacted headers and the status through `tracing`
/// (target `clerk_http_client`); `--verbose` routes that to stderr.
fn init_request_logging() {
    let filter = tracing_subscriber::EnvFilter::new("clerk_http_client=debug");
    // A second call (never expected) would fail harmlessly.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// `error` with `explanation` in front when it is a 404: what a route of our own server (under
/// `/v1/_ext/`) answers from a server without it, Clerk itself or an older `clerk serve`.
pub fn explain_not_found(error: anyhow::Error, explanation: &'static str) -> anyhow::Error {
    let not_found = error
        .downcast_ref::<Error>()
        .is_some_and(Error::is_not_found);
    if not_found {
        error.context(explanation)
    } else {
        error
    }
}

/// One line for a person: for an API error, the status, Clerk's code and message.
pub fn describe(error: &anyhow::Error) -> String {
    let mut out = String::new();
    // The outermost context first ("cannot read users.jsonl: …").
    for (i, cause) in error.chain().enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        match cause.downcast_ref::<Error>() {
            Some(client_error) => {
                out.push_str(&describe_client_error(client_error));
                break;
            }
            None => out.push_str(&cause.to_string()),
        }
    }
    out
}

/// A client error as `<status> <code>: <message> (<long message>)`.
pub fn describe_client_error(error: &Error) -> String {
    let Some(api) = error.api() else {
        // Transport errors say what failed only in their sources ("dns error: …").
        let mut out = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !out.contains(&text) {
                out.push_str(": ");
                out.push_str(&text);
            }
            source = cause.source();
        }
        return out;
    };
    let Some(first) = api.errors.errors.first() else {
        let body = api.body.as_deref().unwrap_or("").trim();
        return format!("{} {}", api.status, truncate(body, 300));
    };
    let mut out = format!("{} {}: {}", api.status, first.code, first.message);
    if !first.long_message.is_empty() && first.long_message != first.message {
        out.push_str(&format!(" ({})", first.long_message));
    }
    if let Some(param) = first.param_name() {
        out.push_str(&format!(" [parameter {param}]"));
    }
    for more in api.errors.errors.iter().skip(1) {
        out.push_str(&format!("; {}: {}", more.code, more.message));
    }
    out
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
