//! Errors as HTTP answers: each [`ErrorKind`] gets its status code, the body is Clerk's
//! `ClerkErrors` envelope, and a 429 carries `Retry-After`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Cause, ErrorKind};

/// The status code Clerk answers for each kind of error.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The failure behind an answered error, left in the response's extensions for the request
/// log (see `log_response` in `http/mod.rs`), which logs it once beside the request's status.
#[derive(Clone)]
pub struct ErrorCause(pub Cause);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        let mut response = (
            status_of(self.kind),
            headers,
            axum::Json(self.to_envelope()),
        )
            .into_response();
        if let Some(cause) = self.cause {
            response.extensions_mut().insert(ErrorCause(cause));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_reaches_the_request_log_and_not_the_body() {
        let cause = std::io::Error::other("disk on fire");
        let response = ApiError::internal().caused_by(cause).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let logged = response.extensions().get::<ErrorCause>().unwrap();
        assert_eq!(logged.0.to_string(), "disk on fire");

        let plain = ApiError::route_not_found().into_response();
        assert_eq!(plain.status(), StatusCode::NOT_FOUND);
        assert!(plain.extensions().get::<ErrorCause>().is_none());
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let response = ApiError::too_many_requests(7, "slow down").into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
