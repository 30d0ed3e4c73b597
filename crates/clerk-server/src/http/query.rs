//! The query string: parameters by name, parsed into the typed filters, orders and pages the
//! domain takes. Bounds come from the domain (`domain::list`); this module knows the names.

use std::collections::HashMap;

use crate::domain::list::{
    IncludeExclude, OrderField, Page, TimeRange, UserFilter, UserListQuery, UserOrder,
    DEFAULT_LIMIT, MAX_FILTER_VALUES, MAX_LIMIT, MAX_NEEDLE_CHARS, MAX_OFFSET,
};
use crate::error::{ApiError, ApiResult};

/// Query parameters by name, each with every value given. `k[]=a` counts as `k=a`
/// (the Ruby SDK's array style) and `k=a&k=b` as two values.
#[derive(Debug, Clone, Default)]
pub struct QueryParams(HashMap<String, Vec<String>>);

impl QueryParams {
    pub fn parse(raw: &str) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            let key = key.strip_suffix("[]").unwrap_or(&key).to_owned();
            map.entry(key).or_default().push(value.into_owned());
        }
        Self(map)
    }

    /// The name of a parameter whose name or value has a NUL character, if any.
    pub fn name_with_nul(&self) -> Option<String> {
        self.0
            .iter()
            .find(|(k, values)| k.contains('\0') || values.iter().any(|v| v.contains('\0')))
            .map(|(k, _)| k.replace('\0', ""))
    }

    /// Every value of `name`, empty values dropped.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .get(name)
            .map(|v| v.iter().filter(|s| !s.is_empty()).cloned().collect())
            .unwrap_or_default()
    }

    /// The first non-empty value of `name` (Clerk honours the first of repeated scalars).
    pub fn first(&self, name: &str) -> Option<String> {
        self.all(name).into_iter().next()
    }

    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        self.first(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::query_invalid(name, format!("{name} must be an integer."))
                })
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        self.first(name)
            .map(|v| match v.as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(ApiError::query_invalid(
                    name,
                    format!("{name} must be true or false."),
                )),
            })
            .transpose()
    }

    /// `limit` (1..=500, default 10) and `offset` (0..=[`MAX_OFFSET`]), as every paginated
    /// list checks them.
    pub fn page(&self) -> ApiResult<Page> {
        let limit = self.limit(DEFAULT_LIMIT)?;
        let offset = self.int("offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::value_invalid(
                "offset",
                "offset must be 0 or greater.",
            ));
        }
        if offset > MAX_OFFSET {
            return Err(ApiError::query_invalid(
                "offset",
                format!(
                    "offset must be at most {MAX_OFFSET}; page deep lists with starting_after."
                ),
            ));
        }
        Ok(Page { limit, offset })
    }

    /// A substring-search needle: the first value of `name`, at most [`MAX_NEEDLE_CHARS`]
    /// characters.
    pub fn needle(&self, name: &str) -> ApiResult<Option<String>> {
        let Some(value) = self.first(name) else {
            return Ok(None);
        };
        if value.chars().count() > MAX_NEEDLE_CHARS {
            return Err(ApiError::query_invalid(
                name,
                format!("{name} must be at most {MAX_NEEDLE_CHARS} characters long."),
            ));
        }
        Ok(Some(value))
    }

    /// `limit`: 1..=500, `default` when absent.
    pub fn limit(&self, default: i64) -> ApiResult<i64> {
        let limit = self.int("limit")?.unwrap_or(default);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::value_invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ));
        }
        Ok(limit)
    }

    /// An array filter, at most [`MAX_FILTER_VALUES`] values.
    pub fn list(&self, name: &str) -> ApiResult<Vec<String>> {
        let values = self.all(name);
        if values.len() > MAX_FILTER_VALUES {
            return Err(ApiError::form(
                "form_param_array_size_exceeded",
                name,
                "has too many values",
                format!("{name} accepts at most {MAX_FILTER_VALUES} values."),
            ));
        }
        Ok(values)
    }

    /// `order_by`: one of `fields` with an optional `+` (ascending, the default) or `-`
    /// prefix, as `(field, descending)`; when absent, the first of `fields`, descending
    /// (newest first).
    pub fn order_by<F: Copy>(&self, fields: &[(&str, F)]) -> ApiResult<(F, bool)> {
        let Some(raw) = self.first("order_by") else {
            return Ok((fields[0].1, true));
        };
        let (descending, name) = match raw.as_bytes().first() {
            Some(b'-') => (true, &raw[1..]),
            Some(b'+') => (false, &raw[1..]),
            _ => (false, raw.as_str()),
        };
        match fields.iter().find(|(n, _)| *n == name) {
            Some((_, field)) => Ok((*field, descending)),
            None => {
                let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                Err(ApiError::value_invalid(
                    "order_by",
                    format!(
                        "order_by must be one of {}, with an optional + or - prefix; got {raw}.",
                        names.join(", ")
                    ),
                ))
            }
        }
    }

    /// An array filter whose values may carry `+` (include, the default) or `-` (exclude).
    pub fn include_exclude(&self, name: &str) -> ApiResult<IncludeExclude> {
        let mut set = IncludeExclude::default();
        for value in self.list(name)? {
            if let Some(excluded) = value.strip_prefix('-') {
                set.exclude.push(excluded.to_owned());
            } else {
                set.include
                    .push(value.strip_prefix('+').unwrap_or(&value).to_owned());
            }
        }
        Ok(set)
    }
}

fn lowercased(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().to_lowercase())
        .collect()
}

fn time_range(q: &QueryParams, after: &str, before: &str) -> ApiResult<TimeRange> {
    Ok(TimeRange {
        after: q.int(after)?,
        before: q.int(before)?,
    })
}

/// The filters shared by list and count.
pub fn user_filter(q: &QueryParams) -> ApiResult<UserFilter> {
    let provider = q.first("provider");
    let provider_user_ids = q.list("provider_user_id")?;
    let provider = match (provider, provider_user_ids.is_empty()) {
        (Some(p), false) => Some((p, provider_user_ids)),
        (None, true) => None,
        (Some(_), true) => {
            return Err(ApiError::form(
                "form_conditional_param_missing",
                "provider_user_id",
                "is missing",
                "provider_user_id is required when provider is given.".into(),
            ))
        }
        (None, false) => {
            return Err(ApiError::form(
                "form_conditional_param_missing",
                "provider",
                "is missing",
                "provider is required when provider_user_id is given.".into(),
            ))
        }
    };
    let mut last_active_at = time_range(q, "last_active_at_after", "last_active_at_before")?;
    if last_active_at.after.is_none() {
        // Deprecated alias, kept for old callers.
        last_active_at.after = q.int("last_active_at_since")?;
    }
    let needle = |name: &str| Ok::<_, ApiError>(q.needle(name)?.map(|v| v.to_lowercase()));
    Ok(UserFilter {
        email_addresses: lowercased(q.list("email_address")?),
        phone_numbers: q
            .list("phone_number")?
            .into_iter()
            .map(|v| v.trim().to_owned())
            .collect(),
        web3_wallets: lowercased(q.list("web3_wallet")?),
        usernames: lowercased(q.list("username")?),
        external_ids: q.include_exclude("external_id")?,
        user_ids: q.include_exclude("user_id")?,
        organization_ids: q.include_exclude("organization_id")?,
        query: needle("query")?,
        email_address_query: needle("email_address_query")?,
        phone_number_query: needle("phone_number_query")?,
        username_query: needle("username_query")?,
        name_query: needle("name_query")?,
        banned: q.bool("banned")?,
        created_at: time_range(q, "created_at_after", "created_at_before")?,
        last_active_at,
        last_sign_in_at: time_range(q, "last_sign_in_at_after", "last_sign_in_at_before")?,
        provider,
    })
}

/// The fields `GET /users` orders by; the first is the default.
const USER_ORDER_FIELDS: &[(&str, OrderField)] = &[
    ("created_at", OrderField::CreatedAt),
    ("updated_at", OrderField::UpdatedAt),
    ("email_address", OrderField::EmailAddress),
    ("web3wallet", OrderField::Web3Wallet),
    ("first_name", OrderField::FirstName),
    ("last_name", OrderField::LastName),
    ("phone_number", OrderField::PhoneNumber),
    ("username", OrderField::Username),
    ("last_active_at", OrderField::LastActiveAt),
    ("last_sign_in_at", OrderField::LastSignInAt),
];

/// `order_by` for `GET /users`: newest first by default.
pub fn user_order(q: &QueryParams) -> ApiResult<UserOrder> {
    let (field, descending) = q.order_by(USER_ORDER_FIELDS)?;
    Ok(UserOrder { field, descending })
}

/// `GET /users`: filters, `order_by`, `limit`/`offset` and `starting_after`.
pub fn user_list(q: &QueryParams) -> ApiResult<UserListQuery> {
    Ok(UserListQuery {
        filter: user_filter(q)?,
        order: user_order(q)?,
        page: q.page()?,
        starting_after: q.first("starting_after"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_in_both_styles() {
        let q = QueryParams::parse("email_address=a%40x.com&email_address[]=b%40x.com&user_id=-u1&user_id=%2Bu2&user_id=u3");
        assert_eq!(q.all("email_address"), vec!["a@x.com", "b@x.com"]);
        let ids = q.include_exclude("user_id").unwrap();
        assert_eq!(ids.include, vec!["u2", "u3"]);
        assert_eq!(ids.exclude, vec!["u1"]);
    }

    #[test]
    fn offset_and_needle_bounds() {
        let page = |raw: &str| QueryParams::parse(raw).page();
        assert_eq!(
            page("").unwrap(),
            Page {
                limit: DEFAULT_LIMIT,
                offset: 0
            }
        );
        assert_eq!(
            page("limit=500&offset=1000000000").unwrap(),
            Page {
                limit: 500,
                offset: MAX_OFFSET
            }
        );
        let too_deep = page("offset=1000000001").unwrap_err();
        assert_eq!(
            (too_deep.kind, too_deep.code),
            (
                crate::error::ErrorKind::BadRequest,
                "invalid_query_parameter_value"
            )
        );
        assert_eq!(too_deep.param_name.as_deref(), Some("offset"));
        // The old overflow: limit + offset past i64::MAX.
        assert!(page(&format!("limit=500&offset={}", i64::MAX)).is_err());
        assert!(page("offset=-1").is_err());

        let at_bound = "é".repeat(MAX_NEEDLE_CHARS);
        let q = QueryParams::parse(&format!("query={at_bound}&name_query={at_bound}x"));
        assert_eq!(q.needle("query").unwrap(), Some(at_bound.clone()));
        let e = q.needle("name_query").unwrap_err();
        assert_eq!(
            (e.kind, e.param_name.as_deref()),
            (crate::error::ErrorKind::BadRequest, Some("name_query"))
        );
        assert_eq!(q.needle("absent").unwrap(), None);
    }

    #[test]
    fn order_by_prefixes() {
        let o = user_order(&QueryParams::parse(
            "order_by=-username&order_by=created_at",
        ))
        .unwrap();
        assert_eq!(
            o,
            UserOrder {
                field: OrderField::Username,
                descending: true
            }
        );
        let o = user_order(&QueryParams::parse("order_by=%2Bweb3wallet")).unwrap();
        assert_eq!(
            o,
            UserOrder {
                field: OrderField::Web3Wallet,
                descending: false
            }
        );
        assert!(user_order(&QueryParams::parse("order_by=password")).is_err());
    }
}
