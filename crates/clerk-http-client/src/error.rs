//! The one error type of the client.
//!
//! A caller mostly wants to know "did Clerk say no, and why" ([`Error::Api`], with Clerk's error
//! codes), "could I not reach it" ([`Error::Transport`], [`Error::Timeout`]), "did it answer
//! something I cannot read" ([`Error::Decode`]) or "did I pass something invalid"
//! ([`Error::Validation`]). Each variant keeps what is needed to debug it.

use std::fmt;
use std::time::Duration;

use clerk_model::ClerkErrors;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The request could not be sent or the response not received.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// No complete response within the timeout (per attempt, or the retry budget).
    #[error("request timed out after {0:?}")]
    Timeout(Duration),

    /// A 2xx response whose body is not the expected JSON.
    #[error("could not decode the {status} response: {source}")]
    #[non_exhaustive]
    Decode {
        /// The response's status.
        status: StatusCode,
        /// The body as received (lossily UTF-8), to see what the server actually sent.
        body: String,
        /// The response's headers.
        headers: Box<HeaderMap>,
        /// Why it could not be decoded.
        #[source]
        source: serde_json::Error,
    },

    /// A parameter broke a documented rule; nothing was sent.
    #[error("invalid parameter `{param}`: {message}")]
    #[non_exhaustive]
    Validation {
        /// The parameter, as the API names it.
        param: String,
        /// The rule it broke.
        message: String,
    },

    /// The client could not be set up (no secret key, bad base URL, bad header value).
    #[error("configuration error: {0}")]
    Configuration(String),

    /// A profile image file could not be read.
    #[error("could not read {path}: {source}")]
    #[non_exhaustive]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// A non-2xx response. `#[non_exhaustive]`; [`ApiError::new`] builds one (e.g. for a test
/// double), and its `Display` shows the same message as [`ApiError::message`]:
///
/// ```
/// use clerk_http_client::model::{ClerkError, ClerkErrors};
/// use clerk_http_client::{ApiError, StatusCode};
///
/// let mut envelope = ClerkErrors::default();
/// envelope.errors.push(ClerkError {
///     message: "not found".into(),
///     long_message: "No user was found with id user_1".into(),
///     code: "resource_not_found".into(),
///     meta: None,
/// });
/// let error = ApiError::new(StatusCode::NOT_FOUND, envelope);
/// assert_eq!(error.code(), Some("resource_not_found"));
/// assert_eq!(error.message(), Some("No user was found with id user_1"));
/// assert_eq!(error.short_message(), Some("not found"));
/// assert_eq!(
///     error.to_string(),
///     "Clerk API error 404 Not Found: No user was found with id user_1 (resource_not_found)"
/// );
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Clerk's error envelope; empty when the body was not one (see [`ApiError::body`]).
    pub errors: ClerkErrors,
    /// The raw body, kept when it was not a `ClerkErrors` envelope (an HTML page from a proxy,
    /// plain text from a load balancer).
    pub body: Option<String>,
    /// The response headers.
    pub headers: HeaderMap,
    /// The server's `Retry-After`, if it sent one (429, 503).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// An error with `status` and Clerk's error envelope, no headers and no raw body.
    pub fn new(status: StatusCode, errors: ClerkErrors) -> Self {
        Self {
            status,
            errors,
            body: None,
            headers: HeaderMap::new(),
            retry_after: None,
        }
    }

    /// The code of the first error (`resource_not_found`, `form_identifier_exists`, …).
    pub fn code(&self) -> Option<&str> {
        self.errors.code()
    }

    /// The first error's message as `Display` shows it: Clerk's `long_message`, or its short
    /// `message` when the long one is empty.
    pub fn message(&self) -> Option<&str> {
        self.errors
            .errors
            .first()
            .map(LongMessage::long_message_or_message)
    }

    /// The first error's short `message` (e.g. "not found").
    pub fn short_message(&self) -> Option<&str> {
        self.errors.errors.first().map(|e| e.message.as_str())
    }

    /// Clerk's trace id for support requests: from the body, else the `Clerk-Trace-Id` or
    /// `CF-Ray` header (where Clerk's Go and JS SDKs look).
    pub fn trace_id(&self) -> Option<&str> {
        self.errors.clerk_trace_id.as_deref().or_else(|| {
            ["clerk-trace-id", "cf-ray"]
                .iter()
                .find_map(|name| self.headers.get(*name)?.to_str().ok())
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clerk API error {}", self.status)?;
        match self.errors.errors.first() {
            Some(first) => {
                write!(f, ": {} ({})", first.long_message_or_message(), first.code)?;
                if self.errors.errors.len() > 1 {
                    write!(f, " and {} more", self.errors.errors.len() - 1)?;
                }
            }
            None => {
                if let Some(body) = self.body.as_deref().filter(|b| !b.is_empty()) {
                    write!(f, ": {}", truncate(body, 200))?;
                }
            }
        }
        if let Some(trace) = self.trace_id() {
            write!(f, " [trace {trace}]")?;
        }
        Ok(())
    }
}

trait LongMessage {
    fn long_message_or_message(&self) -> &str;
}

impl LongMessage for clerk_model::ClerkError {
    fn long_message_or_message(&self) -> &str {
        if self.long_message.is_empty() {
            &self.message
        } else {
            &self.long_message
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl Error {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The API error, when the server answered non-2xx.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Clerk's first error code, when the server sent one.
    pub fn code(&self) -> Option<&str> {
        self.api()?.code()
    }

    /// The response headers, for errors that got a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api(api) => Some(&api.headers),
            Error::Decode { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// Whether the server answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the server answered 429 (after the retries the policy allowed).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    pub(crate) fn validation(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            param: param.into(),
            message: message.into(),
        }
    }
}

impl From<ApiError> for Error {
    fn from(api: ApiError) -> Self {
        Error::Api(Box::new(api))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clerk_model::ClerkError;

    #[test]
    fn display_names_status_code_message_and_trace() {
        let api = ApiError {
            status: StatusCode::NOT_FOUND,
            errors: ClerkErrors {
                errors: vec![ClerkError {
                    message: "not found".into(),
                    long_message: "No user was found with id user_1".into(),
                    code: "resource_not_found".into(),
                    meta: None,
                }],
                meta: None,
                clerk_trace_id: Some("abc123".into()),
            },
            body: None,
            headers: HeaderMap::new(),
            retry_after: None,
        };
        let err = Error::from(api);
        assert_eq!(
            err.to_string(),
            "Clerk API error 404 Not Found: No user was found with id user_1 (resource_not_found) [trace abc123]"
        );
        assert_eq!(err.code(), Some("resource_not_found"));
        assert!(err.is_not_found());
    }

    #[test]
    fn trace_id_falls_back_to_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("cf-ray", "8f1e-IAD".parse().unwrap());
        let api = ApiError {
            status: StatusCode::BAD_GATEWAY,
            errors: ClerkErrors::default(),
            body: Some("<html>bad gateway</html>".into()),
            headers,
            retry_after: None,
        };
        assert_eq!(api.trace_id(), Some("8f1e-IAD"));
        assert!(api.to_string().contains("<html>bad gateway</html>"));
    }
}
