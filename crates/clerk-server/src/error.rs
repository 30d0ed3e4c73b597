//! The one error type of the server, rendered as Clerk's `ClerkErrors` envelope.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clerk_model::{ClerkError, ClerkErrors};
use serde_json::json;

/// An error answered to the caller: HTTP status plus one Clerk error.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
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
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            long_message: long_message.into(),
            param_name: None,
            meta: None,
            retry_after_secs: None,
        }
    }

    /// 429 `too_many_requests` with `Retry-After: <seconds>`, Clerk's rate-limit answer.
    pub fn too_many_requests(retry_after_secs: u32, long_message: impl Into<String>) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
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
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message,
            long_message,
        )
        .param(param)
    }

    pub fn user_not_found(user_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("No user was found with id {user_id}"),
        )
    }

    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
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
            StatusCode::BAD_REQUEST,
            "invalid_query_parameter_value",
            "Invalid query parameter value",
            long_message,
        )
        .param(param)
    }

    pub fn body_invalid(long_message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "request_body_invalid",
            "Request body invalid",
            long_message,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
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

    fn to_envelope(&self) -> ClerkErrors {
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        (self.status, headers, axum::Json(self.to_envelope())).into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.long_message
        )
    }
}

impl std::error::Error for ApiError {}

/// Store failures that are not the caller's fault become a logged 500.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::internal()
    }
}

/// The hashing pool is full: shed the request instead of queueing it (the caller retries).
impl From<crate::crypto::pool::PoolBusy> for ApiError {
    fn from(busy: crate::crypto::pool::PoolBusy) -> Self {
        tracing::warn!(%busy, "hashing pool full, request refused");
        Self::too_many_requests(
            busy.retry_after_secs(),
            "The server is busy hashing passwords. Please retry after the number of seconds in \
             the Retry-After header.",
        )
    }
}

/// The text between the first `start` and the next `end` (serde names fields in backticks).
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}
