//! Organizations, memberships and invitations: the rules, independent of HTTP and SQL.
//!
//! Roles are `org:<key>` strings. `org:admin` and `org:member` are Clerk's default roles and
//! carry Clerk's default system permissions; any other `org:<key>` is accepted as a custom role
//! without permissions (this server keeps no role catalogue). Errors use the codes and statuses
//! of Clerk's Backend API error index.

use std::collections::HashMap;

use clerk_model::{
    DeletedObject, Organization, OrganizationInvitation, OrganizationInvitations,
    OrganizationMembership, OrganizationMembershipPublicUserData, OrganizationMemberships,
    PublicInviterData, PublicOrganizationData,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::list::Page;
use super::metadata::MetadataMode;
use super::metadata::{from_stored, to_stored};
use super::validate;
use super::view::DEFAULT_AVATAR_URL;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::http::query::QueryParams;
use crate::ids;
use crate::store::organizations::{
    self as sql, InvitationFilter, InvitationOrderField, InvitationRow, InvitationStatus,
    MembershipRow, OrgRow, OrganizationFilter, OrganizationOrderField, PublicUserRow,
};
use crate::store::{is_unique_violation, now_ms};
use crate::AppState;

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
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const MAX_NAME_LEN: usize = 256;

// ---- requests ----

/// `POST /organizations`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub created_at: Option<String>,
    /// Accepted for compatibility; this server has no role sets.
    pub role_set_key: Option<String>,
}

/// `POST /organizations/{id}/memberships`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateMembershipRequest {
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// `PATCH /organizations/{id}/memberships/{user_id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    pub role: Option<String>,
}

/// `POST /organizations/{id}/invitations`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateInvitationRequest {
    pub email_address: Option<String>,
    pub inviter_user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub redirect_url: Option<String>,
    pub expires_in_days: Option<i64>,
    /// This server sends no email, so there is nothing to switch off.
    pub notify: Option<bool>,
}

/// `POST /organizations/{id}/invitations/{invitation_id}/revoke`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevokeInvitationRequest {
    pub requesting_user_id: Option<String>,
}

// ---- errors ----

fn organization_not_found(key: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("Given organization not found: no organization has the id or slug {key}."),
    )
}

fn membership_not_found(organization_id: &str, user_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("User {user_id} is not a member of organization {organization_id}."),
    )
}

fn invitation_not_found(invitation_id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No invitation was found with id {invitation_id}."),
    )
}

fn already_a_member(who: &str) -> ApiError {
    ApiError::new(
        ErrorKind::BadRequest,
        "already_a_member_in_organization",
        "already a member",
        format!("{who} is already a member of the organization."),
    )
}

fn not_an_admin() -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "not_an_admin_in_organization",
        "not an administrator",
        "Current user is not an administrator in the organization. Only administrators can \
         perform this action.",
    )
}

fn quota_exceeded(max: i64) -> ApiError {
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

// ---- input rules ----

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

fn organization_name(value: Option<String>) -> ApiResult<String> {
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
fn validate_slug(value: &str) -> ApiResult<String> {
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

fn random_suffix() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..6)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn stored_metadata(param: &str, value: Option<&Value>) -> ApiResult<String> {
    value.map_or_else(|| Ok("{}".into()), |v| to_stored(param, v))
}

// ---- views ----

pub fn organization_view(org: &OrgRow, members_count: Option<i64>) -> Organization {
    Organization {
        object: "organization".into(),
        id: org.id.clone(),
        name: org.name.clone(),
        slug: org.slug.clone(),
        image_url: None,
        has_image: false,
        members_count,
        pending_invitations_count: None,
        max_allowed_memberships: org.max_allowed_memberships,
        admin_delete_enabled: org.admin_delete_enabled,
        public_metadata: from_stored(&org.public_metadata),
        private_metadata: Some(from_stored(&org.private_metadata)),
        created_by: org.created_by.clone(),
        created_at: org.created_at,
        updated_at: org.updated_at,
    }
}

/// How a user is named to others: primary email, else phone, username, web3 wallet.
fn identifier(user: &PublicUserRow) -> Option<String> {
    user.email_address
        .clone()
        .or_else(|| user.phone_number.clone())
        .or_else(|| user.username.clone())
        .or_else(|| user.web3_wallet.clone())
}

fn public_user_data(user: &PublicUserRow) -> OrganizationMembershipPublicUserData {
    OrganizationMembershipPublicUserData {
        user_id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        profile_image_url: Some(DEFAULT_AVATAR_URL.into()),
        image_url: DEFAULT_AVATAR_URL.into(),
        has_image: false,
        identifier: identifier(user),
        username: user.username.clone(),
    }
}

fn public_inviter_data(user: &PublicUserRow) -> PublicInviterData {
    PublicInviterData {
        user_id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        image_url: DEFAULT_AVATAR_URL.into(),
        has_image: false,
        identifier: identifier(user).unwrap_or_default(),
    }
}

pub fn membership_view(
    m: &MembershipRow,
    org: &OrgRow,
    user: Option<&PublicUserRow>,
) -> OrganizationMembership {
    OrganizationMembership {
        id: m.id.clone(),
        object: "organization_membership".into(),
        role: m.role.clone(),
        role_name: Some(role_name(&m.role)),
        permissions: Some(permissions(&m.role)),
        public_metadata: from_stored(&m.public_metadata),
        private_metadata: Some(from_stored(&m.private_metadata)),
        organization: organization_view(org, None),
        public_user_data: user.map(public_user_data),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// An invitation; `with_organization_data` adds `public_organization_data` (the user-side
/// lists show it; the organization-side answers' schema forbids it).
pub fn invitation_view(
    inv: &InvitationRow,
    org: &OrgRow,
    inviter: Option<&PublicUserRow>,
    with_organization_data: bool,
    now: i64,
) -> OrganizationInvitation {
    OrganizationInvitation {
        object: "organization_invitation".into(),
        id: inv.id.clone(),
        email_address: inv.email_address.clone(),
        role: inv.role.clone(),
        role_name: role_name(&inv.role),
        organization_id: Some(org.id.clone()),
        inviter_id: inv.inviter_user_id.clone(),
        public_inviter_data: inviter.map(public_inviter_data),
        status: Some(InvitationStatus::of(inv, now).into()),
        public_metadata: from_stored(&inv.public_metadata),
        private_metadata: Some(from_stored(&inv.private_metadata)),
        url: None,
        expires_at: inv.expires_at,
        created_at: inv.created_at,
        updated_at: inv.updated_at,
        public_organization_data: with_organization_data.then(|| PublicOrganizationData {
            id: org.id.clone(),
            name: org.name.clone(),
            slug: org.slug.clone(),
            image_url: None,
            has_image: false,
        }),
    }
}

// ---- organizations ----

pub async fn create_organization(
    app: &AppState,
    req: CreateOrganizationRequest,
) -> ApiResult<Organization> {
    let name = organization_name(req.name)?;
    let given_slug = req.slug.as_deref().map(validate_slug).transpose()?;
    let max_allowed_memberships = req
        .max_allowed_memberships
        .map(|v| validate::non_negative("max_allowed_memberships", v))
        .transpose()?
        .unwrap_or(0);
    let public_metadata = stored_metadata("public_metadata", req.public_metadata.as_ref())?;
    let private_metadata = stored_metadata("private_metadata", req.private_metadata.as_ref())?;
    let now = now_ms();
    let created_at = req
        .created_at
        .as_deref()
        .map(|t| validate::rfc3339_ms("created_at", t))
        .transpose()?
        .unwrap_or(now);

    for attempt in 0..3 {
        let mut tx = app.store.begin_write().await?;
        let creator = match &req.created_by {
            Some(user_id) => {
                Some(sql::public_user(tx.conn(), user_id).await?.ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::BadRequest,
                        "organization_creator_not_found",
                        "creator not found",
                        format!("No users found with id {user_id}."),
                    )
                })?)
            }
            None => None,
        };
        let slug = match &given_slug {
            Some(slug) => {
                if sql::slug_taken(tx.conn(), slug).await? {
                    return Err(ApiError::identifier_exists("slug", "slug"));
                }
                slug.clone()
            }
            None => {
                let base = slug_from_name(&name);
                let mut slug = base.clone();
                while sql::slug_taken(tx.conn(), &slug).await? {
                    slug = format!("{base}-{}", random_suffix());
                }
                slug
            }
        };
        let mut org = OrgRow {
            seq: 0,
            id: ids::new_id("org"),
            name: name.clone(),
            slug,
            max_allowed_memberships,
            admin_delete_enabled: true,
            public_metadata: public_metadata.clone(),
            private_metadata: private_metadata.clone(),
            created_by: creator.as_ref().map(|u| u.id.clone()),
            created_at,
            updated_at: now,
        };
        org.seq = match sql::insert_organization(tx.conn(), &org).await {
            Ok(seq) => seq,
            // Another request took the slug between the check and the insert (PostgreSQL): a
            // slug made from the name is made again, a slug the caller chose is taken.
            Err(e) if is_unique_violation(&e) && given_slug.is_none() && attempt < 2 => continue,
            Err(e) if is_unique_violation(&e) => {
                return Err(ApiError::identifier_exists("slug", "slug"))
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(creator) = &creator {
            let membership = MembershipRow {
                seq: 0,
                id: ids::new_id("orgmem"),
                organization_id: org.id.clone(),
                user_seq: creator.seq,
                role: ADMIN_ROLE.into(),
                public_metadata: "{}".into(),
                private_metadata: "{}".into(),
                created_at: now,
                updated_at: now,
            };
            sql::insert_membership(tx.conn(), &membership).await?;
        }
        tx.commit().await?;
        return Ok(organization_view(&org, None));
    }
    unreachable!("the last attempt returns")
}

/// `GET /organizations/{id_or_slug}`.
pub async fn get_organization(
    app: &AppState,
    key: &str,
    q: &QueryParams,
) -> ApiResult<Organization> {
    let include_members_count = q.bool("include_members_count")?.unwrap_or(false);
    let mut conn = app.store.read().await?;
    let org = sql::find_organization(&mut conn, app.store.dialect(), key, true, false)
        .await?
        .ok_or_else(|| organization_not_found(key))?;
    let members_count = if include_members_count {
        Some(sql::count_members(&mut conn, &org.id).await?)
    } else {
        None
    };
    Ok(organization_view(&org, members_count))
}

pub async fn delete_organization(
    app: &AppState,
    organization_id: &str,
) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    sql::delete_organization(tx.conn(), &org).await?;
    tx.commit().await?;
    Ok(DeletedObject {
        object: "organization".into(),
        id: Some(org.id),
        deleted: true,
        ..DeletedObject::default()
    })
}

// ---- memberships ----

/// Fails when the organization is full: members plus pending invitations reach its cap.
async fn ensure_room(tx: &mut crate::store::WriteTx, org: &OrgRow, now: i64) -> ApiResult<()> {
    if org.max_allowed_memberships <= 0 {
        return Ok(());
    }
    let used = sql::count_members(tx.conn(), &org.id).await?
        + sql::count_pending_invitations(tx.conn(), org.seq, now).await?;
    if used >= org.max_allowed_memberships {
        return Err(quota_exceeded(org.max_allowed_memberships));
    }
    Ok(())
}

/// The organization (locked for the transaction) and the user, or 404 for either.
async fn organization_and_user(
    tx: &mut crate::store::WriteTx,
    organization_id: &str,
    user_id: &str,
) -> ApiResult<(OrgRow, PublicUserRow)> {
    let dialect = tx.dialect;
    let org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    let user = sql::public_user(tx.conn(), user_id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    Ok((org, user))
}

pub async fn create_membership(
    app: &AppState,
    organization_id: &str,
    req: CreateMembershipRequest,
) -> ApiResult<OrganizationMembership> {
    let user_id = req
        .user_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::param_missing("user_id"))?;
    let role = validate_role(&req.role.ok_or_else(|| ApiError::param_missing("role"))?)?;
    let public_metadata = stored_metadata("public_metadata", req.public_metadata.as_ref())?;
    let private_metadata = stored_metadata("private_metadata", req.private_metadata.as_ref())?;
    let now = now_ms();

    let mut tx = app.store.begin_write().await?;
    let (org, user) = organization_and_user(&mut tx, organization_id, &user_id).await?;
    if sql::find_membership(tx.conn(), &org.id, user.seq)
        .await?
        .is_some()
    {
        return Err(already_a_member(&format!("User {user_id}")));
    }
    ensure_room(&mut tx, &org, now).await?;
    let mut membership = MembershipRow {
        seq: 0,
        id: ids::new_id("orgmem"),
        organization_id: org.id.clone(),
        user_seq: user.seq,
        role,
        public_metadata,
        private_metadata,
        created_at: now,
        updated_at: now,
    };
    membership.seq = match sql::insert_membership(tx.conn(), &membership).await {
        Ok(seq) => seq,
        Err(e) if is_unique_violation(&e) => {
            return Err(already_a_member(&format!("User {user_id}")))
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(membership_view(&membership, &org, Some(&user)))
}

pub async fn update_membership(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
    req: UpdateMembershipRequest,
) -> ApiResult<OrganizationMembership> {
    let role = validate_role(&req.role.ok_or_else(|| ApiError::param_missing("role"))?)?;
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let (org, user) = organization_and_user(&mut tx, organization_id, user_id).await?;
    let mut membership = sql::find_membership(tx.conn(), &org.id, user.seq)
        .await?
        .ok_or_else(|| membership_not_found(organization_id, user_id))?;
    if membership.role != role {
        membership.role = role;
        membership.updated_at = now;
        sql::update_membership_role(tx.conn(), membership.seq, &membership.role, now).await?;
    }
    tx.commit().await?;
    Ok(membership_view(&membership, &org, Some(&user)))
}

/// Removes the membership and answers with it as it was.
pub async fn delete_membership(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
) -> ApiResult<OrganizationMembership> {
    let mut tx = app.store.begin_write().await?;
    let (org, user) = organization_and_user(&mut tx, organization_id, user_id).await?;
    let membership = sql::find_membership(tx.conn(), &org.id, user.seq)
        .await?
        .ok_or_else(|| membership_not_found(organization_id, user_id))?;
    sql::delete_membership(tx.conn(), membership.seq).await?;
    tx.commit().await?;
    Ok(membership_view(&membership, &org, Some(&user)))
}

/// `GET /organizations/{id}/memberships`: oldest first, `limit`/`offset` paging.
pub async fn list_organization_memberships(
    app: &AppState,
    organization_id: &str,
    q: &QueryParams,
) -> ApiResult<OrganizationMemberships> {
    let Page { limit, offset } = q.page()?;
    let mut conn = app.store.read().await?;
    let org = sql::find_organization(
        &mut conn,
        app.store.dialect(),
        organization_id,
        false,
        false,
    )
    .await?
    .ok_or_else(|| organization_not_found(organization_id))?;
    let rows = sql::organization_memberships(&mut conn, &org.id, limit, offset).await?;
    let total_count = sql::count_members(&mut conn, &org.id).await?;
    let seqs: Vec<i64> = rows.iter().map(|m| m.user_seq).collect();
    let users: HashMap<i64, PublicUserRow> = sql::public_users_by_seq(&mut conn, &seqs)
        .await?
        .into_iter()
        .map(|u| (u.seq, u))
        .collect();
    Ok(OrganizationMemberships {
        data: rows
            .iter()
            .map(|m| membership_view(m, &org, users.get(&m.user_seq)))
            .collect(),
        total_count,
    })
}

/// `GET /users/{user_id}/organization_memberships`: newest first.
pub async fn list_user_memberships(
    app: &AppState,
    user_id: &str,
    q: &QueryParams,
) -> ApiResult<OrganizationMemberships> {
    let Page { limit, offset } = q.page()?;
    let mut conn = app.store.read().await?;
    let user = sql::public_user(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    let rows = sql::user_memberships(&mut conn, user.seq, limit, offset).await?;
    let total_count = sql::count_user_memberships(&mut conn, user.seq).await?;
    Ok(OrganizationMemberships {
        data: rows
            .iter()
            .map(|(m, org)| membership_view(m, org, Some(&user)))
            .collect(),
        total_count,
    })
}

// ---- invitations ----

/// Checks that `user_id` names an existing user who is an admin of the organization.
async fn ensure_admin(
    tx: &mut crate::store::WriteTx,
    org: &OrgRow,
    user_id: &str,
) -> ApiResult<PublicUserRow> {
    let user = sql::public_user(tx.conn(), user_id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    match sql::find_membership(tx.conn(), &org.id, user.seq).await? {
        Some(m) if m.role == ADMIN_ROLE => Ok(user),
        _ => Err(not_an_admin()),
    }
}

pub async fn create_invitation(
    app: &AppState,
    organization_id: &str,
    req: CreateInvitationRequest,
) -> ApiResult<OrganizationInvitation> {
    let email = validate::email(
        "email_address",
        &req.email_address
            .ok_or_else(|| ApiError::param_missing("email_address"))?,
    )?;
    let email_norm = email.to_lowercase();
    let role = validate_role(&req.role.ok_or_else(|| ApiError::param_missing("role"))?)?;
    let days = req.expires_in_days.unwrap_or(DEFAULT_INVITATION_DAYS);
    if !(1..=365).contains(&days) {
        return Err(ApiError::value_invalid(
            "expires_in_days",
            "expires_in_days must be between 1 and 365.",
        ));
    }
    if let Some(redirect_url) = &req.redirect_url {
        if url::Url::parse(redirect_url).is_err() {
            return Err(ApiError::format_invalid("redirect_url", "URL"));
        }
    }
    let public_metadata = stored_metadata("public_metadata", req.public_metadata.as_ref())?;
    let private_metadata = stored_metadata("private_metadata", req.private_metadata.as_ref())?;
    let now = now_ms();

    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    let inviter = match &req.inviter_user_id {
        Some(id) => Some(ensure_admin(&mut tx, &org, id).await?),
        None => None,
    };
    if sql::email_is_member(tx.conn(), &org.id, &email_norm).await? {
        return Err(already_a_member(&email));
    }
    if sql::pending_invitation_exists(tx.conn(), org.seq, &email_norm, now).await? {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "organization_invitation_not_unique",
            "organization invitation not unique",
            "Organizations cannot have duplicate pending invitations for an email address.",
        ));
    }
    ensure_room(&mut tx, &org, now).await?;
    let mut invitation = InvitationRow {
        seq: 0,
        id: ids::new_id("orginv"),
        organization_seq: org.seq,
        email_address: email,
        email_norm,
        role,
        inviter_user_id: inviter.as_ref().map(|u| u.id.clone()),
        status: "pending".into(),
        public_metadata,
        private_metadata,
        redirect_url: req.redirect_url,
        expires_at: Some(now + days * DAY_MS),
        created_at: now,
        updated_at: now,
    };
    invitation.seq = sql::insert_invitation(tx.conn(), &invitation).await?;
    tx.commit().await?;
    Ok(invitation_view(
        &invitation,
        &org,
        inviter.as_ref(),
        false,
        now,
    ))
}

pub async fn revoke_invitation(
    app: &AppState,
    organization_id: &str,
    invitation_id: &str,
    req: RevokeInvitationRequest,
) -> ApiResult<OrganizationInvitation> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    let mut invitation = sql::find_invitation(tx.conn(), org.seq, invitation_id)
        .await?
        .ok_or_else(|| invitation_not_found(invitation_id))?;
    if let Some(id) = &req.requesting_user_id {
        ensure_admin(&mut tx, &org, id).await?;
    }
    let status = InvitationStatus::of(&invitation, now);
    if status != "pending" {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "organization_invitation_not_pending",
            "not pending",
            format!("Only pending invitations can be revoked; this one is {status}."),
        ));
    }
    invitation.status = "revoked".into();
    invitation.updated_at = now;
    sql::set_invitation_status(tx.conn(), invitation.seq, "revoked", now).await?;
    let inviter = match &invitation.inviter_user_id {
        Some(id) => sql::public_user(tx.conn(), id).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(invitation_view(
        &invitation,
        &org,
        inviter.as_ref(),
        false,
        now,
    ))
}

/// `GET /users/{user_id}/organization_invitations`: the invitations sent to any of the user's
/// email addresses, newest first, optionally filtered by `status` (repeatable).
pub async fn list_user_invitations(
    app: &AppState,
    user_id: &str,
    q: &QueryParams,
) -> ApiResult<OrganizationInvitations> {
    let statuses = statuses(q)?;
    let Page { limit, offset } = q.page()?;
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let user = sql::public_user(&mut conn, user_id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    let rows = sql::user_invitations(&mut conn, user.seq, &statuses, now, limit, offset).await?;
    let total_count = sql::count_user_invitations(&mut conn, user.seq, &statuses, now).await?;
    let invitations: Vec<InvitationRow> = rows.iter().map(|(i, _)| i.clone()).collect();
    let inviters = inviters(&mut conn, &invitations).await?;
    Ok(OrganizationInvitations {
        data: rows
            .iter()
            .map(|(inv, org)| {
                let inviter = inv.inviter_user_id.as_ref().and_then(|id| inviters.get(id));
                invitation_view(inv, org, inviter, true, now)
            })
            .collect(),
        total_count,
    })
}

// ---- updates ----

/// `PATCH /organizations/{id}`. Metadata is accepted only before API version 2026-05-12, as
/// on `PATCH /users/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub admin_delete_enabled: Option<bool>,
    pub created_at: Option<String>,
    /// Accepted for compatibility; this server has no role sets.
    pub role_set_key: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// `PATCH|PUT /organizations/{id}/metadata` and `PATCH …/memberships/{user_id}/metadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetadataRequest {
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// Merges (deep, `null` deletes) or replaces each supplied bag.
fn apply_metadata(
    req: &MetadataRequest,
    public: &mut String,
    private: &mut String,
    mode: MetadataMode,
) -> ApiResult<()> {
    for (param, value, target) in [
        ("public_metadata", &req.public_metadata, public),
        ("private_metadata", &req.private_metadata, private),
    ] {
        let Some(value) = value else { continue };
        let Value::Object(patch) = value else {
            return Err(ApiError::value_invalid(
                param,
                format!("{param} must be a JSON object."),
            ));
        };
        let next = match mode {
            MetadataMode::Replace => patch.clone(),
            MetadataMode::Merge => {
                let mut current = match from_stored(target) {
                    Value::Object(map) => map,
                    _ => serde_json::Map::new(),
                };
                super::metadata::deep_merge(&mut current, patch);
                current
            }
        };
        *target = to_stored(param, &Value::Object(next))?;
    }
    Ok(())
}

pub async fn update_organization(
    app: &AppState,
    organization_id: &str,
    req: UpdateOrganizationRequest,
    api_version: Option<&str>,
) -> ApiResult<Organization> {
    super::metadata::reject_in_update_for_version(
        api_version,
        &[
            ("public_metadata", req.public_metadata.is_some()),
            ("private_metadata", req.private_metadata.is_some()),
        ],
        "/organizations/{organization_id}/metadata",
    )?;
    let name = req.name.map(|n| organization_name(Some(n))).transpose()?;
    let slug = req.slug.as_deref().map(validate_slug).transpose()?;
    let max_allowed_memberships = req
        .max_allowed_memberships
        .map(|v| validate::non_negative("max_allowed_memberships", v))
        .transpose()?;
    let created_at = req
        .created_at
        .as_deref()
        .map(|t| validate::rfc3339_ms("created_at", t))
        .transpose()?;
    let public_metadata = req
        .public_metadata
        .as_ref()
        .map(|v| to_stored("public_metadata", v))
        .transpose()?;
    let private_metadata = req
        .private_metadata
        .as_ref()
        .map(|v| to_stored("private_metadata", v))
        .transpose()?;

    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let mut org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    if let Some(slug) = slug {
        if slug != org.slug && sql::slug_taken(tx.conn(), &slug).await? {
            return Err(ApiError::identifier_exists("slug", "slug"));
        }
        org.slug = slug;
    }
    if let Some(name) = name {
        org.name = name;
    }
    if let Some(max) = max_allowed_memberships {
        org.max_allowed_memberships = max;
    }
    if let Some(enabled) = req.admin_delete_enabled {
        org.admin_delete_enabled = enabled;
    }
    if let Some(created_at) = created_at {
        org.created_at = created_at;
    }
    if let Some(bag) = public_metadata {
        org.public_metadata = bag;
    }
    if let Some(bag) = private_metadata {
        org.private_metadata = bag;
    }
    org.updated_at = now_ms();
    match sql::update_organization(tx.conn(), &org).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(ApiError::identifier_exists("slug", "slug"))
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(organization_view(&org, None))
}

pub async fn update_organization_metadata(
    app: &AppState,
    organization_id: &str,
    req: MetadataRequest,
    mode: MetadataMode,
) -> ApiResult<Organization> {
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let mut org = sql::find_organization(tx.conn(), dialect, organization_id, false, true)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))?;
    apply_metadata(
        &req,
        &mut org.public_metadata,
        &mut org.private_metadata,
        mode,
    )?;
    org.updated_at = now_ms();
    sql::update_organization(tx.conn(), &org).await?;
    tx.commit().await?;
    Ok(organization_view(&org, None))
}

/// `PATCH /organizations/{id}/memberships/{user_id}/metadata`: deep merge.
pub async fn update_membership_metadata(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
    req: MetadataRequest,
) -> ApiResult<OrganizationMembership> {
    let mut tx = app.store.begin_write().await?;
    let (org, user) = organization_and_user(&mut tx, organization_id, user_id).await?;
    let mut membership = sql::find_membership(tx.conn(), &org.id, user.seq)
        .await?
        .ok_or_else(|| membership_not_found(organization_id, user_id))?;
    apply_metadata(
        &req,
        &mut membership.public_metadata,
        &mut membership.private_metadata,
        MetadataMode::Merge,
    )?;
    membership.updated_at = now_ms();
    sql::update_membership_metadata(tx.conn(), &membership).await?;
    tx.commit().await?;
    Ok(membership_view(&membership, &org, Some(&user)))
}

// ---- organization-side lists ----

/// `Organizations`: one page of `GET /organizations` and the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationList {
    pub data: Vec<Organization>,
    pub total_count: i64,
}

/// `order_by`: a field with an optional `+` (ascending, the default) or `-` prefix.
fn order_by<F: Copy>(
    q: &QueryParams,
    default: (F, bool),
    fields: &[(&str, F)],
) -> ApiResult<(F, bool)> {
    let Some(raw) = q.first("order_by") else {
        return Ok(default);
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

fn statuses(q: &QueryParams) -> ApiResult<Vec<InvitationStatus>> {
    q.list("status")?
        .iter()
        .map(|s| {
            InvitationStatus::parse(s).ok_or_else(|| {
                ApiError::query_invalid(
                    "status",
                    format!(
                        "{s} does not match one of the allowed values for parameter status \
                         (pending, accepted, revoked, expired)."
                    ),
                )
            })
        })
        .collect()
}

/// `GET /organizations`: newest first by default.
pub async fn list_organizations(app: &AppState, q: &QueryParams) -> ApiResult<OrganizationList> {
    let include_members_count = q.bool("include_members_count")?.unwrap_or(false);
    let filter = OrganizationFilter {
        query: q.needle("query")?,
        user_ids: q.include_exclude("user_id")?,
        organization_ids: q.include_exclude("organization_id")?,
    };
    let order = order_by(
        q,
        (OrganizationOrderField::CreatedAt, true),
        &[
            ("created_at", OrganizationOrderField::CreatedAt),
            ("name", OrganizationOrderField::Name),
            ("members_count", OrganizationOrderField::MembersCount),
        ],
    )?;
    let Page { limit, offset } = q.page()?;
    let mut conn = app.store.read().await?;
    let rows = sql::list_organizations(&mut conn, &filter, order, limit, offset).await?;
    let total_count = sql::count_organizations(&mut conn, &filter).await?;
    Ok(OrganizationList {
        data: rows
            .iter()
            .map(|(org, count)| organization_view(org, include_members_count.then_some(*count)))
            .collect(),
        total_count,
    })
}

async fn inviters(
    conn: &mut sqlx::AnyConnection,
    invitations: &[InvitationRow],
) -> sqlx::Result<HashMap<String, PublicUserRow>> {
    let mut ids: Vec<String> = invitations
        .iter()
        .filter_map(|i| i.inviter_user_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    Ok(sql::public_users_by_id(conn, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect())
}

/// `GET /organizations/{id}/invitations`: newest first by default.
pub async fn list_organization_invitations(
    app: &AppState,
    organization_id: &str,
    q: &QueryParams,
) -> ApiResult<OrganizationInvitations> {
    let filter = InvitationFilter {
        statuses: statuses(q)?,
        email_norm: q.first("email_address").map(|e| e.trim().to_lowercase()),
    };
    let order = order_by(
        q,
        (InvitationOrderField::CreatedAt, true),
        &[
            ("created_at", InvitationOrderField::CreatedAt),
            ("email_address", InvitationOrderField::EmailAddress),
        ],
    )?;
    let Page { limit, offset } = q.page()?;
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let org = sql::find_organization(
        &mut conn,
        app.store.dialect(),
        organization_id,
        false,
        false,
    )
    .await?
    .ok_or_else(|| organization_not_found(organization_id))?;
    let rows =
        sql::organization_invitations(&mut conn, org.seq, &filter, order, now, limit, offset)
            .await?;
    let total_count = sql::count_organization_invitations(&mut conn, org.seq, &filter, now).await?;
    let inviters = inviters(&mut conn, &rows).await?;
    Ok(OrganizationInvitations {
        data: rows
            .iter()
            .map(|inv| {
                let inviter = inv.inviter_user_id.as_ref().and_then(|id| inviters.get(id));
                invitation_view(inv, &org, inviter, false, now)
            })
            .collect(),
        total_count,
    })
}

pub async fn get_organization_invitation(
    app: &AppState,
    organization_id: &str,
    invitation_id: &str,
) -> ApiResult<OrganizationInvitation> {
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let org = sql::find_organization(
        &mut conn,
        app.store.dialect(),
        organization_id,
        false,
        false,
    )
    .await?
    .ok_or_else(|| organization_not_found(organization_id))?;
    let invitation = sql::find_invitation(&mut conn, org.seq, invitation_id)
        .await?
        .ok_or_else(|| invitation_not_found(invitation_id))?;
    let inviters = inviters(&mut conn, std::slice::from_ref(&invitation)).await?;
    let inviter = invitation
        .inviter_user_id
        .as_ref()
        .and_then(|id| inviters.get(id));
    Ok(invitation_view(&invitation, &org, inviter, false, now))
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
