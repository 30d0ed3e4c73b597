//! `Authorization: Bearer <secret key>`, compared in constant time against every configured key.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::AppState;

pub async fn require_secret_key(State(app): State<AppState>, req: Request, next: Next) -> Response {
    match check(&app.secret_keys, req.headers().get(header::AUTHORIZATION)) {
        Ok(()) => next.run(req).await,
        Err(err) => err.into_response(),
    }
}

fn check(keys: &[String], header: Option<&axum::http::HeaderValue>) -> Result<(), ApiError> {
    let Some(header) = header else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authentication_invalid",
            "Invalid authentication",
            "Unable to authenticate the request, you need to supply an active API key",
        ));
    };
    let presented = header
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authorization_header_format_invalid",
                "Invalid Authorization header format",
                "The Authorization header must be of the form `Bearer <secret key>`.",
            )
        })?;
    // Compare against every key without stopping early, so timing tells nothing about which
    // key (or how much of one) matched.
    let matched = keys.iter().fold(subtle::Choice::from(0), |acc, key| {
        acc | key.as_bytes().ct_eq(presented.as_bytes())
    });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "clerk_key_invalid",
            "Secret Key invalid",
            "The provided Secret Key is invalid. Make sure that your Secret Key is correct.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn codes() {
        let keys = vec!["sk_test_a".to_owned(), "sk_test_b".to_owned()];
        assert!(check(&keys, Some(&HeaderValue::from_static("Bearer sk_test_b"))).is_ok());
        assert_eq!(
            check(&keys, None).unwrap_err().code,
            "authentication_invalid"
        );
        assert_eq!(
            check(&keys, Some(&HeaderValue::from_static("Basic abc")))
                .unwrap_err()
                .code,
            "authorization_header_format_invalid"
        );
        assert_eq!(
            check(&keys, Some(&HeaderValue::from_static("Bearer sk_test_c")))
                .unwrap_err()
                .code,
            "clerk_key_invalid"
        );
    }
}
