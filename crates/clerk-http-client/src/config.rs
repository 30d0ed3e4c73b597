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
pub struct Configuration {
    /// Server URL including the version prefix; paths such as `/users` are appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer <key>`. When `None`, [`crate::Client::new`] reads
    /// `CLERK_SECRET_KEY`.
    pub secret_key: Option<SecretKey>,
    /// `Clerk-API-Version` header; `None` sends none and lets the server pick its default.
    pub api_version: Option<String>,
    pub user_agent: String,
    /// Limit for one attempt (connect, send, and read the whole response).
    pub timeout: Option<Duration>,
    pub connect_timeout: Duration,
    pub retry_policy: RetryPolicy,
    /// Check parameters against the API's documented bounds before sending (limit 1..=500,
    /// at most 100 values per array filter, 1..=50 ids in bulk calls, …), so that a mistake fails
    /// fast with [`crate::Error::Validation`] instead of costing a round trip and rate limit.
    pub client_side_validation: bool,
    /// Also log request and response bodies (at `DEBUG`, through `tracing`). Bodies can hold
    /// personal data, so this is off by default; request lines and statuses are always logged.
    pub debugging: bool,
}

impl Default for Configuration {
    fn default() -> Self {
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
}

impl Configuration {
    /// The defaults with the given secret key.
    pub fn new(secret_key: impl Into<SecretKey>) -> Self {
        Self {
            secret_key: Some(secret_key.into()),
            ..Self::default()
        }
    }

    /// The defaults, with the secret key from `CLERK_SECRET_KEY` and the base URL from
    /// `CLERK_API_URL` where they are set.
    pub fn from_env() -> Self {
        let mut config = Self {
            secret_key: std::env::var(SECRET_KEY_ENV).ok().map(SecretKey::new),
            ..Self::default()
        };
        if let Ok(url) = std::env::var(API_URL_ENV) {
            config.base_url = url;
        }
        config
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    pub fn secret_key(mut self, key: impl Into<SecretKey>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// `None` sends no `Clerk-API-Version` header.
    pub fn api_version(mut self, version: Option<&str>) -> Self {
        self.api_version = version.map(str::to_owned);
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No per-attempt limit (the retry policy's total budget still applies to retries).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    pub fn client_side_validation(mut self, enabled: bool) -> Self {
        self.client_side_validation = enabled;
        self
    }

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
        let config = Configuration::default();
        assert_eq!(config.base_url, "https://api.clerk.com/v1");
        assert_eq!(config.api_version.as_deref(), Some("2026-05-12"));
        assert!(config.client_side_validation);
    }
}
