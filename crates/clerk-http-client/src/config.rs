//! Client configuration: where to send requests, how to authenticate, how long to wait and how
//! often to retry. Everything here can be overridden per call (see [`crate::RequestOptions`]).

use std::fmt;
use std::time::Duration;

use crate::retry::RetryPolicy;

/// Clerk's production Backend API.
pub const DEFAULT_BASE_URL: &str = "https://api.clerk.com/v1";

/// Environment variable read when no secret key is configured (the name Clerk's SDKs use).
pub const SECRET_KEY_ENV: &str = "CLERK_SECRET_KEY";

/// Environment variable [`Configuration::from_env`] reads for the base URL.
pub const API_URL_ENV: &str = "CLERK_API_URL";

/// A secret key (`sk_test_…` / `sk_live_…`). Its `Debug` output is redacted so that logging a
/// configuration never leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself; only the transport should need this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<S: Into<String>> From<S> for SecretKey {
    fn from(key: S) -> Self {
        Self::new(key)
    }
}

/// What replaces a secret in logs and `Debug` output.
pub(crate) const REDACTED: &str = "[redacted]";

/// Settings shared by every request of a [`crate::Client`].
///
/// `Configuration::default()` and [`Configuration::from_env`] are the same thing: the built-in
/// defaults, with the secret key from `CLERK_SECRET_KEY` and the base URL from `CLERK_API_URL`
/// where those are set. What the code sets afterwards wins over the environment. The struct is
/// `#[non_exhaustive]`: build it from a default and the setters, so a later field is not a
/// breaking change.
///
/// ```
/// use std::time::Duration;
/// use clerk_http_client::{Configuration, RetryPolicy};
///
/// let config = Configuration::new("sk_test_123")
///     .base_url("http://127.0.0.1:8080/v1")
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_attempts(5));
/// assert_eq!(config.base_url, "http://127.0.0.1:8080/v1");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Configuration {
    /// Server URL including the version prefix; paths such as `/users` are appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer <key>`. [`crate::Client::new`] fails without one.
    pub secret_key: Option<SecretKey>,
    /// `Clerk-API-Version` header; `None` sends none and lets the server pick its default.
    pub api_version: Option<String>,
    /// `User-Agent` header (default `clerk-http-client-rust/<version>`).
    pub user_agent: String,
    /// Limit for one attempt (connect, send, and read the whole response).
    pub timeout: Option<Duration>,
    /// Limit for opening a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// When and how often a failed request is tried again.
    pub retry_policy: RetryPolicy,
    /// Check parameters against the API's documented bounds before sending (limit 1..=500,
    /// at most 100 values per array filter, 1..=50 ids in bulk calls, …), so that a mistake fails
    /// fast with [`crate::Error::Validation`] instead of costing a round trip and rate limit.
    pub client_side_validation: bool,
    /// Also log request and response bodies (at `DEBUG`, through `tracing`). Bodies can hold
    /// personal data, so this is off by default; request lines and statuses are always logged.
    /// Secrets in bodies are redacted: passwords and digests, TOTP secrets and codes, backup
    /// codes, tokens, signing keys and webhook secrets.
    pub debugging: bool,
}

/// The same as [`Configuration::from_env`].
impl Default for Configuration {
    fn default() -> Self {
        Self::from_env()
    }
}

impl Configuration {
    /// The built-in defaults, whatever the environment says.
    fn builtin() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            secret_key: None,
            api_version: Some(clerk_model::API_VERSION.to_owned()),
            user_agent: concat!("clerk-http-client-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(10),
            retry_policy: RetryPolicy::default(),
            client_side_validation: true,
            debugging: false,
        }
    }

    /// The defaults (with the base URL from `CLERK_API_URL` if set) and the given secret key.
    pub fn new(secret_key: impl Into<SecretKey>) -> Self {
        Self {
            secret_key: Some(secret_key.into()),
            ..Self::default()
        }
    }

    /// The defaults, with the secret key from `CLERK_SECRET_KEY` and the base URL from
    /// `CLERK_API_URL` where they are set (empty values count as unset). The only place this
    /// crate reads the environment.
    ///
    /// ```
    /// use clerk_http_client::Configuration;
    ///
    /// let config = Configuration::from_env().timeout(std::time::Duration::from_secs(5));
    /// match std::env::var("CLERK_API_URL") {
    ///     Ok(url) if !url.is_empty() => assert_eq!(config.base_url, url),
    ///     _ => assert_eq!(config.base_url, "https://api.clerk.com/v1"),
    /// }
    /// // `default()` reads the same variables.
    /// assert_eq!(Configuration::default().base_url, config.base_url);
    /// ```
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut config = Self::builtin();
        config.secret_key = var(SECRET_KEY_ENV).map(SecretKey::new);
        if let Some(url) = var(API_URL_ENV) {
            config.base_url = url;
        }
        config
    }

    /// Server URL including the version prefix, e.g. `http://127.0.0.1:8080/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The secret key (`sk_test_…` / `sk_live_…`).
    pub fn secret_key(mut self, key: impl Into<SecretKey>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// `None` sends no `Clerk-API-Version` header.
    pub fn api_version(mut self, version: Option<&str>) -> Self {
        self.api_version = version.map(str::to_owned);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Limit for one attempt: connect, send, and read the whole response.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No per-attempt limit (the retry policy's total budget still applies to retries).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Limit for opening a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When and how often failed requests are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Check parameters against the API's bounds before sending (on by default).
    pub fn client_side_validation(mut self, enabled: bool) -> Self {
        self.client_side_validation = enabled;
        self
    }

    /// Log request and response bodies at `DEBUG`, with secrets redacted.
    ///
    /// ```
    /// use clerk_http_client::{Client, Configuration};
    ///
    /// // A password sent with `create_user` is logged as "[redacted]", never as sent.
    /// let client = Client::new(Configuration::new("sk_test_123").debugging(true));
    /// assert!(client.is_ok());
    /// ```
    pub fn debugging(mut self, enabled: bool) -> Self {
        self.debugging = enabled;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret_key() {
        let config = Configuration::new("sk_test_supersecret_00000000000000000000");
        let printed = format!("{config:?}");
        assert!(!printed.contains("supersecret"), "{printed}");
        assert!(printed.contains(REDACTED));
    }

    #[test]
    fn defaults_follow_clerk() {
        let config = Configuration::builtin();
        assert_eq!(config.base_url, "https://api.clerk.com/v1");
        assert_eq!(config.api_version.as_deref(), Some("2026-05-12"));
        assert!(config.client_side_validation);
    }
}
