//! Client-side checks of the bounds Clerk documents, so a bad call fails before it costs a round
//! trip (and a slot of the rate limit). They run only when
//! [`crate::Configuration::client_side_validation`] is on, except [`path_param`]: an empty path
//! parameter would address a different endpoint (`DELETE /users/` instead of
//! `DELETE /users/{id}`), which no server-side check could catch, so it is always refused.

use crate::error::{Error, Result};

/// Most values Clerk accepts for one array filter of `GET /users`.
pub const MAX_FILTER_VALUES: usize = 100;
/// Most ids in one bulk ban/unban.
pub const MAX_BULK_IDS: usize = 50;
/// Page size bounds of every paginated list.
pub const LIMIT_RANGE: std::ops::RangeInclusive<u32> = 1..=500;
/// Bounds of a token's lifetime in seconds (`expires_in_seconds`, a JWT template's `lifetime`).
pub(crate) const LIFETIME_SECONDS: std::ops::RangeInclusive<i64> = 30..=315_360_000;

pub(crate) fn path_param(name: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::validation(name, "is required and must not be empty"));
    }
    Ok(())
}

/// `limit`: 1..=500. (`offset` ≥ 0 needs no check: it is unsigned.)
pub(crate) fn limit(enabled: bool, value: Option<u32>) -> Result<()> {
    match value {
        Some(limit) if enabled && !LIMIT_RANGE.contains(&limit) => Err(Error::validation(
            "limit",
            format!("must be between 1 and 500, got {limit}"),
        )),
        _ => Ok(()),
    }
}

/// A number Clerk bounds (`expires_in_seconds`, a JWT template's `lifetime`, …): within `range`.
pub(crate) fn in_range(
    enabled: bool,
    name: &str,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<()> {
    match value {
        Some(v) if enabled && !range.contains(&v) => Err(Error::validation(
            name,
            format!(
                "must be between {} and {}, got {v}",
                range.start(),
                range.end()
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn filter_values(enabled: bool, name: &str, values: &[String]) -> Result<()> {
    if enabled && values.len() > MAX_FILTER_VALUES {
        return Err(Error::validation(
            name,
            format!(
                "at most {MAX_FILTER_VALUES} values are allowed, got {}",
                values.len()
            ),
        ));
    }
    Ok(())
}

pub(crate) fn bulk_ids(enabled: bool, ids: &[String]) -> Result<()> {
    if enabled && !(1..=MAX_BULK_IDS).contains(&ids.len()) {
        return Err(Error::validation(
            "user_ids",
            format!(
                "between 1 and {MAX_BULK_IDS} ids are required, got {}",
                ids.len()
            ),
        ));
    }
    if enabled && ids.iter().any(String::is_empty) {
        return Err(Error::validation("user_ids", "ids must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert!(limit(true, Some(0)).is_err());
        assert!(limit(true, Some(1)).is_ok());
        assert!(limit(true, Some(500)).is_ok());
        assert!(limit(true, Some(501)).is_err());
        assert!(limit(false, Some(501)).is_ok());
        assert!(limit(true, None).is_ok());
    }

    #[test]
    fn range_bounds() {
        assert!(in_range(true, "lifetime", Some(29), 30..=60).is_err());
        assert!(in_range(true, "lifetime", Some(30), 30..=60).is_ok());
        assert!(in_range(true, "lifetime", Some(61), 30..=60).is_err());
        assert!(in_range(false, "lifetime", Some(61), 30..=60).is_ok());
        assert!(in_range(true, "lifetime", None, 30..=60).is_ok());
    }

    #[test]
    fn bulk_ids_bounds() {
        let ids = |n: usize| (0..n).map(|i| format!("user_{i}")).collect::<Vec<_>>();
        assert!(bulk_ids(true, &ids(0)).is_err());
        assert!(bulk_ids(true, &ids(50)).is_ok());
        assert!(bulk_ids(true, &ids(51)).is_err());
        assert!(bulk_ids(false, &ids(51)).is_ok());
    }

    #[test]
    fn empty_path_params_are_always_refused() {
        assert!(path_param("user_id", "").is_err());
        assert!(path_param("user_id", "user_1").is_ok());
    }
}
