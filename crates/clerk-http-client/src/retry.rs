//! When and how long to wait before trying a request again.
//!
//! Clerk rate-limits per instance and per user (429 with `Retry-After`) and, like any service,
//! sometimes answers 5xx or drops connections. Retrying with exponential backoff and jitter rides
//! out those blips without stampeding the server; bounds on attempts and total time keep a caller
//! from hanging.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

/// Retry settings. The defaults (3 attempts, 500 ms doubling up to 8 s, 60 s in total) suit an
/// interactive backend; batch jobs may raise them. `#[non_exhaustive]`: start from
/// [`RetryPolicy::default`] or [`RetryPolicy::never`] and use the setters.
///
/// ```
/// use std::time::Duration;
/// use clerk_http_client::RetryPolicy;
///
/// let batch = RetryPolicy::default()
///     .max_attempts(8)
///     .max_backoff(Duration::from_secs(30))
///     .max_elapsed(Duration::from_secs(300));
/// assert_eq!(batch.max_attempts, 8);
/// assert_eq!(RetryPolicy::never().max_attempts, 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in total, the first included; `1` disables retries.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Cap on one backoff (and on a server's `Retry-After` that we are willing to honour).
    pub max_backoff: Duration,
    /// Time budget for all attempts and waits together; no retry starts after it would end.
    pub max_elapsed: Duration,
    /// Retry requests that are not safe to repeat (creating a user, verifying a password, …)
    /// after a 5xx, timeout or dropped connection. Off by default: the first attempt may have
    /// taken effect before the failure.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(60),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// One attempt, never retried.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in total, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before the first retry; doubled for each further one.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Cap on one backoff, and on a `Retry-After` the client is willing to wait for.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Time budget for all attempts and waits together.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Also retry requests that are not safe to repeat after a 5xx, timeout or dropped
    /// connection (only when the caller de-duplicates).
    pub fn retry_non_idempotent(mut self, enabled: bool) -> Self {
        self.retry_non_idempotent = enabled;
        self
    }

    /// Backoff before retry number `retry` (1-based): exponential, capped, with "equal jitter"
    /// (a random point in the upper half) so that clients that failed together spread out while
    /// still waiting at least half the nominal time.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let nominal = exp.min(self.max_backoff);
        let half = nominal / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Why an attempt failed, as far as the retry decision cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server answered with this status.
    Status(StatusCode),
    /// The connection could not be opened: the request never reached the server.
    Connect,
    /// The request may have reached the server (timeout, reset mid-response).
    Transport,
}

/// Whether `failure` is worth another attempt for a request with the given safety.
///
/// A 429 and a failed connect are retried whatever the method: the server refused or never saw
/// the request, so repeating it cannot apply it twice. 5xx and mid-flight failures are retried
/// only when repeating is safe (idempotent operation, or the caller opted in).
pub(crate) fn is_retryable(failure: Failure, repeat_is_safe: bool) -> bool {
    match failure {
        Failure::Status(status) if status == StatusCode::TOO_MANY_REQUESTS => true,
        Failure::Status(status) => status.is_server_error() && repeat_is_safe,
        Failure::Connect => true,
        Failure::Transport => repeat_is_safe,
    }
}

/// `Retry-After` as a wait: either delay-seconds or an HTTP date, the two forms HTTP allows.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // Fractional seconds are not in the RFC, but some proxies send them.
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Some(Duration::from_secs_f64(seconds));
        }
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_exponentially_within_jitter_and_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = policy.backoff(30);
            assert!(capped >= Duration::from_millis(500) && capped <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));

        let later = SystemTime::now() + Duration::from_secs(120);
        headers.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(110) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );

        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_safe_failures_are_retried_for_unsafe_requests() {
        let unavailable = Failure::Status(StatusCode::SERVICE_UNAVAILABLE);
        assert!(is_retryable(unavailable, true));
        assert!(!is_retryable(unavailable, false));
        assert!(is_retryable(
            Failure::Status(StatusCode::TOO_MANY_REQUESTS),
            false
        ));
        assert!(is_retryable(Failure::Connect, false));
        assert!(!is_retryable(Failure::Transport, false));
        assert!(!is_retryable(Failure::Status(StatusCode::NOT_FOUND), true));
    }
}
