//! Password rules of the API, mapped onto Clerk's error codes. The hashing itself is
//! `crate::crypto`; it runs on the app's bounded [`crate::crypto::HashPool`].

use crate::crypto::{self, PasswordHasher, PasswordRuleError};
use crate::error::{ApiError, ApiResult};
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
