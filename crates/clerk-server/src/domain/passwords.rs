//! Password rules of the API, mapped onto Clerk's error codes. The hashing itself is
//! `crate::crypto`; it runs on the app's bounded [`crate::crypto::HashPool`].

use crate::crypto::{self, PasswordHasher, PasswordRuleError};
use crate::error::{ApiError, ApiResult};
use crate::store::UserRow;
use crate::AppState;

/// Checks a new plaintext password. `skip_checks` (for migrations) waives the policy
/// (minimum length) but never bcrypt's 72-byte limit, past which bcrypt silently truncates.
pub fn check_new_password(password: &str, skip_checks: bool) -> ApiResult<()> {
    match crypto::check_new_password(password) {
        Ok(()) => Ok(()),
        Err(PasswordRuleError::TooShort) if skip_checks && !password.is_empty() => Ok(()),
        Err(PasswordRuleError::TooShort) => Err(ApiError::form(
            "form_password_length_too_short",
            "password",
            "Passwords must be 8 characters or more.",
            format!(
                "Passwords must be {} characters or more.",
                crypto::passwords::MIN_PASSWORD_CHARS
            ),
        )),
        Err(PasswordRuleError::TooLong) => Err(ApiError::form(
            "form_password_size_in_bytes_exceeded",
            "password",
            "Passwords may not exceed 72 bytes.",
            format!(
                "Passwords may not exceed {} bytes. Please choose a shorter password.",
                crypto::passwords::MAX_PASSWORD_BYTES
            ),
        )),
    }
}

/// bcrypt of a new password, at the configured cost, off the async runtime. A full hashing
/// pool answers 429 (nothing was hashed; the caller retries).
pub async fn hash_password(app: &AppState, password: String) -> ApiResult<String> {
    let cost = app.settings.bcrypt_cost;
    Ok(app
        .hash_pool
        .run(move || crypto::hash_bcrypt(&password, cost))
        .await?)
}

/// Checks an imported `password_digest` against its `password_hasher`.
pub fn check_digest(hasher: &str, digest: &str) -> ApiResult<PasswordHasher> {
    let parsed: PasswordHasher = hasher.parse().map_err(|_| {
        ApiError::value_invalid(
            "password_hasher",
            format!("{hasher} is not a supported password hasher."),
        )
    })?;
    crypto::check_digest(parsed, digest).map_err(|e| {
        ApiError::form(
            "form_password_digest_invalid_code",
            "password_digest",
            "is invalid",
            e.to_string(),
        )
    })?;
    Ok(parsed)
}

/// A password as a request sets it: the digest to store and its hasher.
#[derive(Debug, Clone)]
pub struct PasswordCredentials {
    pub digest: String,
    pub hasher: PasswordHasher,
}

impl PasswordCredentials {
    /// Stores the password on the row, as set at `set_at` (ms); a compromised flag goes.
    pub fn apply(&self, user: &mut UserRow, set_at: i64) {
        user.password_digest = Some(self.digest.clone());
        user.password_hasher = Some(self.hasher.as_str().to_owned());
        user.password_last_updated_at = Some(set_at);
        user.password_compromised_at = None;
    }
}

/// The refusal of a request with both a password and a digest.
pub fn password_and_digest_error() -> ApiError {
    ApiError::form(
        "form_conditional_param_disallowed",
        "password_digest",
        "is not allowed",
        "password_digest cannot be combined with password.".into(),
    )
}

/// The password a request sets: a new password (checked, then hashed with bcrypt), or an
/// imported digest; `None` when it sets neither.
pub async fn from_request(
    app: &AppState,
    password: Option<String>,
    digest: Option<String>,
    hasher: Option<String>,
    skip_checks: bool,
) -> ApiResult<Option<PasswordCredentials>> {
    match (password, digest) {
        (Some(_), Some(_)) => Err(password_and_digest_error()),
        (Some(password), None) => {
            check_new_password(&password, skip_checks)?;
            Ok(Some(PasswordCredentials {
                digest: hash_password(app, password).await?,
                hasher: PasswordHasher::Bcrypt,
            }))
        }
        (None, digest) => imported_digest(digest, hasher),
    }
}

/// An imported `password_digest` with its `password_hasher`, checked; `None` without a digest.
pub fn imported_digest(
    digest: Option<String>,
    hasher: Option<String>,
) -> ApiResult<Option<PasswordCredentials>> {
    let Some(digest) = digest else {
        return Ok(None);
    };
    let hasher = hasher.ok_or_else(|| {
        ApiError::form(
            "form_conditional_param_missing",
            "password_hasher",
            "is missing",
            "password_hasher is required with password_digest.".into(),
        )
    })?;
    let hasher = check_digest(&hasher, &digest)?;
    Ok(Some(PasswordCredentials { digest, hasher }))
}
