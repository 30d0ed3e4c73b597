//! The rules every organization operation shares: roles and their permissions, names and
//! slugs, metadata bags, and the errors of Clerk's Backend API error index.

use clerk_model::OrganizationMetadataRequest;
use serde_json::Value;

use crate::domain::metadata::{to_stored, update_bag, MetadataMode};
use crate::domain::validate;
use crate::error::{ApiError, ApiResult, ErrorKind};

pub const ADMIN_ROLE: &str = "org:admin";
pub const MEMBER_ROLE: &str = "org:member";

/// Clerk's system permissions of the default admin role.
pub const ADMIN_PERMISSIONS: &[&str] = &[
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
];
/// Clerk's system permissions of the default member role.
pub const MEMBER_PERMISSIONS: &[&str] = &["org:sys_memberships:read"];

/// Invitations last this long unless `expires_in_days` says otherwise (Clerk's default).
pub const DEFAULT_INVITATION_DAYS: i64 = 30;
const MAX_NAME_LEN: usize = 256;

// ---- errors ----

pub(super) fn organization_not_found(key: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("Given organization not found: no organization has the id or slug {key}."),
    )
}

pub(super) fn membership_not_found(organization_id: &str, user_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("User {user_id} is not a member of organization {organization_id}."),
    )
}

pub(super) fn invitation_not_found(invitation_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No invitation was found with id {invitation_id}."),
    )
}

pub(super) fn already_a_member(who: &str) -> ApiError {
    ApiError::new(
        ErrorKind::BadRequest,
        "already_a_member_in_organization",
        "already a member",
        format!("{who} is already a member of the organization."),
    )
}

pub(super) fn not_an_admin() -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "not_an_admin_in_organization",
        "not an administrator",
        "Current user is not an administrator in the organization. Only administrators can \
         perform this action.",
    )
}

pub(super) fn quota_exceeded(max: i64) -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "organization_membership_quota_exceeded",
        "membership quota exceeded",
        format!(
            "You have reached your limit of {max} organization memberships, including \
             outstanding invitations."
        ),
    )
}

// ---- roles ----

/// A role key: `org:` and 1 to 64 characters of lowercase letters, digits, `_`, `-` or `:`.
pub fn validate_role(value: &str) -> ApiResult<String> {
    let key = value.strip_prefix("org:").unwrap_or_default();
    let ok = (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-:".contains(&b));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::value_invalid(
            "role",
            format!(
                "{value} is not a valid role: roles look like org:<key>, e.g. {ADMIN_ROLE} or \
                 {MEMBER_ROLE}."
            ),
        ))
    }
}

/// The required `role` of a request, checked.
pub(super) fn required_role(value: Option<String>) -> ApiResult<String> {
    validate_role(&value.ok_or_else(|| ApiError::param_missing("role"))?)
}

/// Clerk's permissions of a role: the default roles' system permissions; none for others.
pub fn permissions(role: &str) -> Vec<String> {
    let list: &[&str] = match role {
        ADMIN_ROLE => ADMIN_PERMISSIONS,
        MEMBER_ROLE => MEMBER_PERMISSIONS,
        _ => &[],
    };
    list.iter().map(|p| (*p).to_owned()).collect()
}

/// `org:admin` → `Admin`, `org:billing_manager` → `Billing manager`.
pub fn role_name(role: &str) -> String {
    let key = role
        .strip_prefix("org:")
        .unwrap_or(role)
        .replace(['_', '-', ':'], " ");
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---- names and slugs ----

pub(super) fn organization_name(value: Option<String>) -> ApiResult<String> {
    let name = value.map(|n| n.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::param_missing("name"));
    }
    validate::max_len("name", &name, MAX_NAME_LEN)?;
    if name.contains(['<', '>']) || name.contains("://") {
        return Err(ApiError::value_invalid(
            "name",
            "The organization name may not contain URLs or HTML.",
        ));
    }
    Ok(name)
}

/// A slug given by the caller: lowercase letters, digits and `-`.
pub(super) fn validate_slug(value: &str) -> ApiResult<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_NAME_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::format_invalid(
            "slug",
            "slug of lowercase letters, digits and dashes",
        ))
    }
}

/// The slug made from a name: lowercase ASCII letters and digits, every other run of
/// characters becoming one `-`.
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(64).collect();
    if slug.is_empty() {
        "organization".into()
    } else {
        slug
    }
}

/// Six random lowercase letters and digits, to tell apart slugs made from the same name.
pub(super) fn random_suffix() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..6)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `max_allowed_memberships`, checked (0 means unlimited).
pub(super) fn max_allowed_memberships(value: Option<i64>) -> ApiResult<Option<i64>> {
    value
        .map(|v| validate::non_negative("max_allowed_memberships", v))
        .transpose()
}

/// `created_at` as an RFC 3339 time, in ms.
pub(super) fn created_at(value: Option<&str>) -> ApiResult<Option<i64>> {
    value
        .map(|t| validate::rfc3339_ms("created_at", t))
        .transpose()
}

// ---- metadata ----

/// The public and private bags a create request supplies, as stored text (`{}` when absent).
pub(super) fn new_bags(public: Option<&Value>, private: Option<&Value>) -> ApiResult<[String; 2]> {
    let stored = |param, value: Option<&Value>| {
        value.map_or_else(|| Ok("{}".into()), |v| to_stored(param, v))
    };
    Ok([
        stored("public_metadata", public)?,
        stored("private_metadata", private)?,
    ])
}

/// Applies a `…/metadata` request to the stored public and private bags: each supplied object
/// merges (deep, `null` deletes) or replaces as `mode` says; a bag given as `null` becomes `{}`.
pub(super) fn apply_metadata(
    req: &OrganizationMetadataRequest,
    public: &mut String,
    private: &mut String,
    mode: MetadataMode,
) -> ApiResult<()> {
    update_bag("public_metadata", public, &req.public_metadata, mode)?;
    update_bag("private_metadata", private, &req.private_metadata, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slug_from_name("Acme Inc."), "acme-inc");
        assert_eq!(slug_from_name("  --Ünïcode  & Co__ "), "n-code-co");
        assert_eq!(slug_from_name("!!!"), "organization");
    }

    #[test]
    fn roles() {
        assert!(validate_role("org:admin").is_ok());
        assert!(validate_role("org:billing_manager").is_ok());
        for bad in ["admin", "org:", "org:Admin", "role:x", ""] {
            assert_eq!(
                validate_role(bad).unwrap_err().code,
                "form_param_value_invalid"
            );
        }
        assert_eq!(role_name("org:billing_manager"), "Billing manager");
        assert_eq!(permissions(MEMBER_ROLE), vec!["org:sys_memberships:read"]);
        assert_eq!(permissions(ADMIN_ROLE).len(), 6);
        assert!(permissions("org:viewer").is_empty());
    }
}
