//! The one error type of the server: what went wrong, as one Clerk error. It names the kind of
//! failure, not an HTTP status: `http::error` maps each kind to its status and renders Clerk's
//! `ClerkErrors` envelope.

use std::sync::Arc;

use clerk_model::{ClerkError, ClerkErrors};
use serde_json::json;

/// The failure behind an error. Boxed inside the `Arc` so the pointer is one word wide: the
/// error travels in every `Result` of the server and must stay small.
pub type Cause = Arc<Box<dyn std::error::Error + Send + Sync>>;

/// What kind of failure an error is; the HTTP layer gives each its status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is malformed: a query parameter, a body that is not JSON (400).
    BadRequest,
    /// No valid credentials (401).
    Unauthenticated,
    /// Credentials that may not do this, or a user refused by a rule such as a lock (403).
    Forbidden,
    /// The resource or route does not exist (404).
    NotFound,
    /// The route exists, the method does not (405).
    MethodNotAllowed,
    /// The client did not send its body in time (408).
    RequestTimeout,
    /// The request conflicts with the current state, e.g. a reused idempotency key (409).
    Conflict,
    /// The body is larger than the route accepts (413).
    PayloadTooLarge,
    /// The body is in a format the route does not take (415).
    UnsupportedMediaType,
    /// A well-formed request whose values break a rule (422, Clerk's `form_*` errors).
    Unprocessable,
    /// Too many requests: retry after `retry_after_secs` (429).
    TooManyRequests,
    /// The server failed; not the caller's fault (500).
    Internal,
    /// The server cannot serve this now: timed out, not ready (503).
    Unavailable,
}

/// An error answered to the caller: its kind plus one Clerk error.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub long_message: String,
    pub param_name: Option<String>,
    /// More `meta` entries beside `param_name` (e.g. `lockout_expires_in_seconds`); boxed, as
    /// few errors have any and the error travels in every `Result` of the server.
    pub meta: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    /// Seconds for a `Retry-After` header (429 `too_many_requests`). Kept as a number, not a
    /// header map, so the error stays small (it travels in every `Result` of the server).
    pub retry_after_secs: Option<u32>,
    /// The failure behind an error the caller is not told about (a database error behind a
    /// 500), for the request log: the HTTP layer logs it once, with the request it failed.
    pub cause: Option<Cause>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(
        kind: ErrorKind,
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            long_message: long_message.into(),
            param_name: None,
            meta: None,
            retry_after_secs: None,
            cause: None,
        }
    }

    /// A 500 whose cause, for the request log, is described in words.
    pub fn internal_because(why: impl std::fmt::Display) -> Self {
        let cause: Box<dyn std::error::Error + Send + Sync> = why.to_string().into();
        Self {
            cause: Some(Arc::new(cause)),
            ..Self::internal()
        }
    }

    /// Keeps the failure behind this error for the request log.
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(Box::new(cause)));
        self
    }

    /// 429 `too_many_requests` with `Retry-After: <seconds>`, Clerk's rate-limit answer.
    pub fn too_many_requests(retry_after_secs: u32, long_message: impl Into<String>) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                ErrorKind::TooManyRequests,
                "too_many_requests",
                "Too many requests",
                long_message,
            )
        }
    }

    /// Adds an entry to the error's `meta`.
    pub fn meta(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.meta
            .get_or_insert_with(Default::default)
            .insert(key.to_owned(), value.into());
        self
    }

    /// Names the request parameter at fault (`meta.param_name`).
    pub fn param(mut self, name: impl Into<String>) -> Self {
        self.param_name = Some(name.into());
        self
    }

    /// A 422 form error about one parameter.
    pub fn form(code: &'static str, param: &str, message: &str, long_message: String) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message, long_message).param(param)
    }

    pub fn user_not_found(user_id: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            "resource_not_found",
            "not found",
            format!("No user was found with id {user_id}"),
        )
    }

    pub fn route_not_found() -> Self {
        Self::new(
            ErrorKind::NotFound,
            "resource_not_found",
            "not found",
            "The requested resource was not found",
        )
    }

    /// A required parameter is absent.
    pub fn param_missing(param: &str) -> Self {
        Self::form(
            "form_param_missing",
            param,
            "is missing",
            format!("{param} must be included."),
        )
    }

    pub fn identifier_exists(param: &str, what: &str) -> Self {
        let text = format!("That {what} is taken. Please try another.");
        Self::form("form_identifier_exists", param, &text, text.clone())
    }

    pub fn format_invalid(param: &str, what: &str) -> Self {
        Self::form(
            "form_param_format_invalid",
            param,
            "is invalid",
            format!("{param} must be a valid {what}."),
        )
    }

    pub fn value_invalid(param: &str, long_message: impl Into<String>) -> Self {
        Self::form(
            "form_param_value_invalid",
            param,
            "is invalid",
            long_message.into(),
        )
    }

    pub fn query_invalid(param: &str, long_message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::BadRequest,
            "invalid_query_parameter_value",
            "Invalid query parameter value",
            long_message,
        )
        .param(param)
    }

    pub fn body_invalid(long_message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::BadRequest,
            "request_body_invalid",
            "Request body invalid",
            long_message,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. We've been notified and are working on fixing it.",
        )
    }

    /// A body that is well-formed JSON but does not fit the request schema, as Clerk answers it:
    /// the unknown, missing or mistyped parameter named in `meta.param_name`. Bulk import reports
    /// its records' shape errors with it too.
    pub fn schema(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return ApiError::body_invalid(format!("The request body is not valid JSON: {inner}"));
        }
        let text = inner.to_string();
        if let Some(field) = between(&text, "unknown field `", "`") {
            // The path already ends with the unknown field's name.
            let param = if path == "." { field.to_owned() } else { path };
            return ApiError::form(
                "form_param_unknown",
                &param,
                "is unknown",
                format!("{param} is not a valid parameter for this request."),
            );
        }
        if let Some(field) = between(&text, "missing field `", "`") {
            return ApiError::param_missing(field);
        }
        if path == "." {
            return ApiError::body_invalid("The request body must be a JSON object.");
        }
        let param = path.split(['[', '.']).next().unwrap_or(&path).to_owned();
        ApiError::form(
            "form_param_type_invalid",
            &param,
            "has the wrong type",
            format!(
                "{path} has the wrong type: {}",
                text.split(" at line").next().unwrap_or(&text)
            ),
        )
    }

    /// The error object of the envelope (also reported per record by bulk import).
    pub fn to_clerk_error(&self) -> ClerkError {
        ClerkError {
            message: self.message.clone(),
            long_message: self.long_message.clone(),
            code: self.code.to_owned(),
            meta: self.meta_object(),
        }
    }

    fn meta_object(&self) -> Option<serde_json::Value> {
        let mut meta = self.meta.as_deref().cloned().unwrap_or_default();
        if let Some(p) = &self.param_name {
            meta.insert("param_name".into(), json!(p));
        }
        (!meta.is_empty()).then_some(serde_json::Value::Object(meta))
    }

    /// The whole response body: this error in Clerk's envelope, with a fresh trace id.
    pub fn to_envelope(&self) -> ClerkErrors {
        ClerkErrors {
            errors: vec![self.to_clerk_error()],
            meta: None,
            clerk_trace_id: Some(trace_id()),
        }
    }
}

/// 32 lowercase hex characters, like Clerk's trace ids.
fn trace_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.long_message)
    }
}

impl std::error::Error for ApiError {}

/// Store failures that are not the caller's fault become a 500; the request log shows the cause.
impl From<crate::store::DbError> for ApiError {
    fn from(err: crate::store::DbError) -> Self {
        Self::internal().caused_by(err)
    }
}

/// The hashing pool is full: shed the request instead of queueing it (the caller retries).
impl From<crate::crypto::pool::PoolBusy> for ApiError {
    fn from(busy: crate::crypto::pool::PoolBusy) -> Self {
        Self::too_many_requests(
            busy.retry_after_secs(),
            "The server is busy hashing passwords. Please retry after the number of seconds in \
             the Retry-After header.",
        )
        .caused_by(busy)
    }
}

/// The text between the first `start` and the next `end` (serde names fields in backticks).
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}
