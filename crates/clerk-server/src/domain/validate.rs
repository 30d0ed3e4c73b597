//! Format and length rules for the values a caller sends.

use crate::error::{ApiError, ApiResult};

/// Longest value accepted for free-text fields (names, external id, locale, metadata keys).
pub const MAX_TEXT_LEN: usize = 256;

pub fn max_len(param: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::form(
            "form_param_max_length_exceeded",
            param,
            "is too long",
            format!("{param} must be at most {max} characters long."),
        ));
    }
    Ok(())
}

/// An email address (RFC 5322 addr-spec, as the `email_address` crate checks it) with a dot
/// in the domain, as Clerk requires of deliverable addresses.
pub fn email(param: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    max_len(param, value, 320)?;
    let parsed: Result<email_address::EmailAddress, _> = value.parse();
    match parsed {
        Ok(addr) if addr.domain().contains('.') && !value.contains(['<', '>', ' ']) => {
            Ok(value.to_owned())
        }
        _ => Err(ApiError::format_invalid(param, "email address")),
    }
}

/// An E.164 phone number: `+`, a non-zero digit, up to 15 digits in all.
pub fn phone(param: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    let digits = value.strip_prefix('+').unwrap_or_default();
    let ok = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::format_invalid(
            param,
            "phone number in E.164 format",
        ))
    }
}

/// A web3 wallet address: an Ethereum-style `0x` + 40 hex digits.
pub fn web3_wallet(param: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    let hex = value.strip_prefix("0x").unwrap_or_default();
    if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::format_invalid(
            param,
            "web3 wallet address (0x followed by 40 hex digits)",
        ))
    }
}

/// Clerk's default username rules: 4 to 64 characters of letters, digits, `_`, `-` and `.`,
/// not all digits.
pub fn username(value: &str) -> ApiResult<String> {
    let len = value.chars().count();
    if !(4..=64).contains(&len) {
        return Err(ApiError::form(
            "form_username_invalid_length",
            "username",
            "Username must be between 4 and 64 characters long.",
            "Username must be between 4 and 64 characters long.".into(),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(ApiError::form(
            "form_username_invalid_character",
            "username",
            "Username can only contain letters, numbers and '_', '-' or '.'.",
            "Username can only contain letters, numbers and '_', '-' or '.'.".into(),
        ));
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::form(
            "form_username_needs_non_number_char",
            "username",
            "Username must contain at least one non-number character.",
            "Username must contain at least one non-number character.".into(),
        ));
    }
    Ok(value.to_owned())
}

/// An RFC 3339 time (`2012-10-20T07:15:20.902Z`) as Unix milliseconds.
pub fn rfc3339_ms(param: &str, value: &str) -> ApiResult<i64> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            ApiError::form(
                "form_param_invalid_time",
                param,
                "is invalid",
                format!(
                    "{param} must be a valid RFC3339 date-time, e.g. 2012-10-20T07:15:20.902Z."
                ),
            )
        })
}

/// A BCP-47 language tag, loosely: alphanumeric subtags of 1–8 characters joined by `-`.
pub fn locale(value: &str) -> ApiResult<String> {
    let ok = !value.is_empty()
        && value.len() <= 35
        && value
            .split('-')
            .all(|t| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::format_invalid("locale", "BCP-47 language tag"))
    }
}

/// A non-negative integer.
pub fn non_negative(param: &str, value: i64) -> ApiResult<i64> {
    if value < 0 {
        return Err(ApiError::value_invalid(
            param,
            format!("{param} must be 0 or greater."),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("e", "a@example.com").is_ok());
        assert!(email("e", "A.B+c@sub.example.co").is_ok());
        for bad in ["", "a", "a@", "@b.com", "a@b", "a b@c.com", "<a@b.com>"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(phone("p", "+15555550100").is_ok());
        for bad in [
            "15555550100",
            "+0123",
            "+1",
            "+1234567890123456",
            "+1555-555",
            "",
        ] {
            assert!(phone("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames() {
        assert!(username("jane_doe").is_ok());
        assert_eq!(
            username("abc").unwrap_err().code,
            "form_username_invalid_length"
        );
        assert_eq!(
            username("ab cd").unwrap_err().code,
            "form_username_invalid_character"
        );
        assert_eq!(
            username("12345").unwrap_err().code,
            "form_username_needs_non_number_char"
        );
    }

    #[test]
    fn wallets_and_times() {
        assert!(web3_wallet("w", "0x52908400098527886E0F7030069857D2E4169EE7").is_ok());
        assert!(web3_wallet("w", "0x1234").is_err());
        assert_eq!(rfc3339_ms("t", "1970-01-01T00:00:01.5Z").unwrap(), 1500);
        assert!(rfc3339_ms("t", "yesterday").is_err());
    }
}
