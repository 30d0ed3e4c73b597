//! Rules for passwords set through the API, and hashing them off the async runtime.

use crate::error::{ApiError, ApiResult};

/// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
pub const MAX_PASSWORD_BYTES: usize = 72;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new plaintext password. `skip_checks` (for migrations) waives the policy
/// (minimum length) but never bcrypt's byte limit.
pub fn check_new_password(password: &str, skip_checks: bool) -> ApiResult<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::form(
            "form_password_size_in_bytes_exceeded",
            "password",
            "Passwords may not exceed 72 bytes.",
            format!("Passwords may not exceed {MAX_PASSWORD_BYTES} bytes. Please choose a shorter password."),
        ));
    }
    if !skip_checks && password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::form(
            "form_password_length_too_short",
            "password",
            "Passwords must be 8 characters or more.",
            format!("Passwords must be {MIN_PASSWORD_CHARS} characters or more."),
        ));
    }
    if password.is_empty() {
        return Err(ApiError::form(
            "form_param_value_invalid",
            "password",
            "is invalid",
            "password may not be empty.".into(),
        ));
    }
    Ok(())
}

/// Hashes with bcrypt on a blocking thread, so the async runtime keeps serving requests.
pub async fn hash_password(password: String, cost: u32) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "bcrypt failed");
            ApiError::internal()
        })
}

/// Checks an imported `password_digest` against its `password_hasher`.
pub fn check_digest(hasher: &str, digest: &str) -> ApiResult<()> {
    let fits = match hasher {
        "bcrypt" => digest.parse::<bcrypt::HashParts>().is_ok(),
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(ApiError::form(
            "form_password_digest_invalid_code",
            "password_digest",
            "is invalid",
            format!("The password digest does not fit the password hasher {hasher}."),
        ))
    }
}
