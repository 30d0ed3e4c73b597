//! Checks of what a request sends that creating, updating and importing users share: free
//! text, metadata bags and second factors.

use serde_json::Value;

use super::metadata;
use super::user_rules::totp_context;
use super::validate;
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::store::{BackupCodes, UserRow};
use crate::AppState;

/// A free-text field, at most [`validate::MAX_TEXT_LEN`] characters.
pub fn optional_text(param: &str, value: Option<String>) -> ApiResult<Option<String>> {
    match value {
        Some(v) => {
            validate::max_len(param, &v, validate::MAX_TEXT_LEN)?;
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

/// A metadata bag as stored; an absent bag is empty.
pub fn stored_metadata(param: &str, value: Option<&Value>) -> ApiResult<String> {
    match value {
        Some(v) => metadata::to_stored(param, v),
        None => Ok("{}".into()),
    }
}

/// Second factors a request sets: a sealed TOTP secret and hashed backup codes.
#[derive(Clone)]
pub struct SecondFactors {
    pub totp_secret: Option<String>,
    /// `Some` of an empty list removes the user's codes.
    pub backup_codes: Option<Vec<String>>,
}

impl SecondFactors {
    /// Sets on the row what the request set, at `now`.
    pub fn apply(self, user: &mut UserRow, now: i64) {
        user.change_second_factors(now, |user| {
            if let Some(secret) = self.totp_secret {
                user.set_totp(secret, now);
            }
            if let Some(codes) = self.backup_codes {
                user.backup_codes = BackupCodes::new(codes);
            }
        });
    }
}

pub fn second_factors(
    app: &AppState,
    user_id: &str,
    totp_secret: Option<&str>,
    backup_codes: Option<&[String]>,
) -> ApiResult<SecondFactors> {
    let totp_secret = totp_secret
        .map(|secret| {
            crypto::totp::validate_secret(secret).map_err(|_| {
                ApiError::form(
                    "invalid_totp_secret_code",
                    "totp_secret",
                    "Invalid TOTP secret",
                    "The TOTP secret must be a valid base32 string.".into(),
                )
            })?;
            Ok::<_, ApiError>(app.encryption_key.seal_str(secret, &totp_context(user_id)))
        })
        .transpose()?;
    let backup_codes = backup_codes
        .map(|codes| {
            crypto::check_backup_codes(codes).map_err(|e| backup_codes_error("backup_codes", e))
        })
        .transpose()?;
    Ok(SecondFactors {
        totp_secret,
        backup_codes,
    })
}

/// A refused list of backup codes: too many (`form_param_array_size_exceeded`), or one code
/// too short or a bcrypt digest too costly (`form_param_value_invalid`, naming the item).
fn backup_codes_error(param: &str, error: crypto::BackupCodesError) -> ApiError {
    match error {
        crypto::BackupCodesError::TooMany(_) => ApiError::form(
            "form_param_array_size_exceeded",
            param,
            "has too many values",
            format!(
                "{param} accepts at most {} backup codes.",
                crypto::MAX_BACKUP_CODES
            ),
        ),
        crypto::BackupCodesError::Code { index, error } => {
            ApiError::value_invalid(param, format!("{param}[{index}]: {error}."))
        }
    }
}
