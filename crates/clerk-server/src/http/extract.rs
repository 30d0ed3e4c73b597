//! Request extractors that answer bad input with Clerk's errors instead of axum's plain text.

use crate::error::ErrorKind;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::query::QueryParams;
use crate::error::ApiError;

/// A JSON body. An empty body reads as `{}` (several Clerk bodies are optional).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
            let essence = content_type
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default();
            if !essence.trim().eq_ignore_ascii_case("application/json") {
                return Err(ApiError::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_content_type",
                    "Unsupported content type",
                    "The request body must be JSON, sent with Content-Type: application/json.",
                ));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    ErrorKind::PayloadTooLarge,
                    "request_body_too_large",
                    "Request body too large",
                    "The request body exceeds the allowed size.",
                )
            } else if is_body_timeout(&rejection) {
                body_timeout()
            } else {
                ApiError::body_invalid("The request body could not be read.")
            }
        })?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        parse_json(bytes).map(JsonBody)
    }
}

/// Whether reading the body failed because the client stopped sending it for longer than the
/// body timeout (`tower_http`'s `RequestBodyTimeoutLayer`, see `http::router`).
pub fn is_body_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// 408: the client, not the server, was too slow.
pub fn body_timeout() -> ApiError {
    ApiError::new(
        ErrorKind::RequestTimeout,
        "request_timeout",
        "Request timeout",
        "The request body stopped arriving before it was complete.",
    )
}

/// Deserializes `bytes`, naming the parameter at fault when the JSON is well-formed but does
/// not fit the request schema.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    if contains_escaped_nul(bytes) {
        return Err(ApiError::body_invalid(
            "Strings in the request body may not contain NUL (\\u0000) characters.",
        ));
    }
    // serde reads a struct from a JSON array too; Clerk's bodies are objects only.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::body_invalid(
            "The request body must be a JSON object.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(ApiError::schema)?;
    de.end()
        .map_err(|e| ApiError::body_invalid(format!("The request body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Whether the JSON text has a `\u0000` escape (the only way JSON carries NUL), skipping
/// escaped backslashes (`\\u0000` is a backslash and the text `u0000`).
fn contains_escaped_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The query string as [`QueryParams`].
pub struct Query(pub QueryParams);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = QueryParams::parse(parts.uri.query().unwrap_or_default());
        if let Some(name) = params.name_with_nul() {
            return Err(ApiError::query_invalid(
                &name,
                format!("{name} may not contain NUL characters."),
            ));
        }
        Ok(Query(params))
    }
}

/// `Clerk-API-Version` (header) or `__clerk_api_version` (query): optional, `YYYY-MM-DD`;
/// giving both is invalid.
pub struct ApiVersion(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get("clerk-api-version")
            .map(|v| v.to_str().unwrap_or("?").to_owned());
        let query =
            QueryParams::parse(parts.uri.query().unwrap_or_default()).first("__clerk_api_version");
        let version = match (header, query) {
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    ErrorKind::BadRequest,
                    "invalid_api_version",
                    "Invalid API version",
                    "Give the API version either in the Clerk-API-Version header or in the \
                     __clerk_api_version query parameter, not both.",
                ))
            }
            (v, None) | (None, v) => v,
        };
        if let Some(v) = &version {
            if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err() {
                return Err(ApiError::new(
                    ErrorKind::BadRequest,
                    "invalid_api_version",
                    "Invalid API version",
                    format!("{v} is not a valid API version; versions look like 2026-05-12."),
                ));
            }
        }
        Ok(ApiVersion(version))
    }
}

#[cfg(test)]
mod tests {
    use super::contains_escaped_nul;

    #[test]
    fn finds_escaped_nul_only() {
        assert!(contains_escaped_nul(br#"{"a":"x\u0000y"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"x\\u0000y"}"#));
        assert!(contains_escaped_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"u0000"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"\""}"#));
    }
}
