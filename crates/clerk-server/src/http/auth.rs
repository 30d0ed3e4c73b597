//! `Authorization: Bearer <key>`, compared in constant time against every configured secret and
//! admin key. An admin key is accepted wherever a secret key is; routes that hand out secrets in
//! clear also take the [`AdminKey`] extractor, which only an admin key satisfies.

use crate::error::ErrorKind;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Which kind of key authenticated the request (a request extension set by
/// [`require_secret_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presented {
    Secret,
    Admin,
}

pub async fn require_secret_key(
    State(app): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    match check(
        &app.secret_keys,
        &app.admin_keys,
        req.headers().get(header::AUTHORIZATION),
    ) {
        Ok(presented) => {
            req.extensions_mut().insert(presented);
            next.run(req).await
        }
        Err(err) => err.into_response(),
    }
}

/// A handler argument that only a request made with an admin key gets; any other key is
/// refused with 403 `admin_key_required` before the handler reads anything else.
pub struct AdminKey;

impl<S: Send + Sync> FromRequestParts<S> for AdminKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        match parts.extensions.get::<Presented>() {
            Some(Presented::Admin) => Ok(AdminKey),
            _ => Err(ApiError::new(
                ErrorKind::Forbidden,
                "admin_key_required",
                "Admin key required",
                "This route returns secrets in clear (password digests, TOTP secrets, OAuth \
                 tokens); it needs an admin key (`clerk serve --admin-key`), not a secret key.",
            )),
        }
    }
}

fn check(
    secret_keys: &[String],
    admin_keys: &[String],
    header: Option<&axum::http::HeaderValue>,
) -> Result<Presented, ApiError> {
    let Some(header) = header else {
        return Err(ApiError::new(
            ErrorKind::Unauthenticated,
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
                ErrorKind::Unauthenticated,
                "authorization_header_format_invalid",
                "Invalid Authorization header format",
                "The Authorization header must be of the form `Bearer <secret key>`.",
            )
        })?;
    key_kind(secret_keys, admin_keys, presented).ok_or_else(|| {
        ApiError::new(
            ErrorKind::Unauthenticated,
            "clerk_key_invalid",
            "Secret Key invalid",
            "The provided Secret Key is invalid. Make sure that your Secret Key is correct.",
        )
    })
}

/// Which kind of configured key `presented` is, if any (also the dashboard's sign-in check).
/// Compared against every key without stopping early, so timing tells nothing about which key
/// (or how much of one) matched.
pub(crate) fn key_kind(
    secret_keys: &[String],
    admin_keys: &[String],
    presented: &str,
) -> Option<Presented> {
    let matches = |keys: &[String]| {
        keys.iter().fold(subtle::Choice::from(0), |acc, key| {
            acc | key.as_bytes().ct_eq(presented.as_bytes())
        })
    };
    let (secret, admin) = (matches(secret_keys), matches(admin_keys));
    if bool::from(admin) {
        Some(Presented::Admin)
    } else if bool::from(secret) {
        Some(Presented::Secret)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const A: &str = "sk_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "sk_test_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const ADMIN: &str = "sk_test_admin_aaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn bearer(key: &str) -> HeaderValue {
        HeaderValue::from_str(&format!("Bearer {key}")).unwrap()
    }

    #[test]
    fn codes() {
        let keys = vec![A.to_owned(), B.to_owned()];
        let admin = vec![ADMIN.to_owned()];
        assert_eq!(
            check(&keys, &admin, Some(&bearer(B))).ok(),
            Some(Presented::Secret)
        );
        assert_eq!(
            check(&keys, &admin, Some(&bearer(ADMIN))).ok(),
            Some(Presented::Admin)
        );
        assert_eq!(
            check(&keys, &admin, None).unwrap_err().code,
            "authentication_invalid"
        );
        assert_eq!(
            check(&keys, &admin, Some(&HeaderValue::from_static("Basic abc")))
                .unwrap_err()
                .code,
            "authorization_header_format_invalid"
        );
        assert_eq!(
            check(
                &keys,
                &admin,
                Some(&bearer("sk_test_cccccccccccccccccccccccccccccccc"))
            )
            .unwrap_err()
            .code,
            "clerk_key_invalid"
        );
    }
}
