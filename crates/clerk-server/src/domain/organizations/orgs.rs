//! Organizations themselves: create, get, update, delete, their metadata, and the list.

use clerk_model::{
    CreateOrganizationRequest, DeletedObject, Organization, OrganizationMetadataRequest,
    UpdateOrganizationRequest,
};
use serde::Serialize;

use super::lookup::locked_organization;
use super::rules::{
    apply_metadata, created_at, max_allowed_memberships, new_bags, organization_name,
    organization_not_found, random_suffix, slug_from_name, validate_slug, ADMIN_ROLE,
};
use super::view::{membership_view, organization_view};
use crate::domain::events::{self, EventType};
use crate::domain::list::Page;
use crate::domain::metadata::{reject_in_update_for_version, to_stored, MetadataMode};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::now_ms;
use crate::store::organizations::{
    self as sql, MembershipRow, Order, OrgRow, OrganizationFilter, OrganizationOrderField,
};
use crate::AppState;

pub async fn create_organization(
    app: &AppState,
    req: CreateOrganizationRequest,
) -> ApiResult<Organization> {
    let name = organization_name(req.name)?;
    let given_slug = req.slug.as_deref().map(validate_slug).transpose()?;
    let max_allowed_memberships = max_allowed_memberships(req.max_allowed_memberships)?;
    let [public_metadata, private_metadata] =
        new_bags(req.public_metadata.as_ref(), req.private_metadata.as_ref())?;
    let now = now_ms();
    let created_at = created_at(req.created_at.as_deref())?.unwrap_or(now);

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
            max_allowed_memberships: max_allowed_memberships.unwrap_or(0),
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
            Err(e) if e.is_unique_violation() && given_slug.is_none() && attempt < 2 => continue,
            Err(e) if e.is_unique_violation() => {
                return Err(ApiError::identifier_exists("slug", "slug"))
            }
            Err(e) => return Err(e.into()),
        };
        let view = organization_view(&org, None);
        events::emit(&mut tx, app, EventType::OrganizationCreated, &view).await?;
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
            let membership = membership_view(&membership, &org, Some(creator));
            events::emit(&mut tx, app, EventType::MembershipCreated, &membership).await?;
        }
        tx.commit().await?;
        return Ok(view);
    }
    unreachable!("the last attempt returns")
}

/// `GET /organizations/{id_or_slug}`.
pub async fn get_organization(
    app: &AppState,
    key: &str,
    include_members_count: bool,
) -> ApiResult<Organization> {
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

/// `PATCH /organizations/{id}`. Metadata is accepted only before API version 2026-05-12, as
/// on `PATCH /users/{id}`; there a supplied bag replaces the stored one.
pub async fn update_organization(
    app: &AppState,
    organization_id: &str,
    req: UpdateOrganizationRequest,
    api_version: Option<&str>,
) -> ApiResult<Organization> {
    reject_in_update_for_version(
        api_version,
        &[
            ("public_metadata", req.public_metadata.is_some()),
            ("private_metadata", req.private_metadata.is_some()),
        ],
        "/organizations/{organization_id}/metadata",
    )?;
    let name = req.name.map(|n| organization_name(Some(n))).transpose()?;
    let slug = req.slug.as_deref().map(validate_slug).transpose()?;
    let max_allowed_memberships = max_allowed_memberships(req.max_allowed_memberships)?;
    let created_at = created_at(req.created_at.as_deref())?;
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
    let mut org = locked_organization(&mut tx, organization_id).await?;
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
        Err(e) if e.is_unique_violation() => {
            return Err(ApiError::identifier_exists("slug", "slug"))
        }
        Err(e) => return Err(e.into()),
    }
    let view = organization_view(&org, None);
    events::emit(&mut tx, app, EventType::OrganizationUpdated, &view).await?;
    tx.commit().await?;
    Ok(view)
}

/// `PATCH` (`Merge`) and `PUT` (`Replace`) `/organizations/{id}/metadata`.
pub async fn update_organization_metadata(
    app: &AppState,
    organization_id: &str,
    req: OrganizationMetadataRequest,
    mode: MetadataMode,
) -> ApiResult<Organization> {
    let mut tx = app.store.begin_write().await?;
    let mut org = locked_organization(&mut tx, organization_id).await?;
    apply_metadata(
        &req,
        &mut org.public_metadata,
        &mut org.private_metadata,
        mode,
    )?;
    org.updated_at = now_ms();
    sql::update_organization(tx.conn(), &org).await?;
    let view = organization_view(&org, None);
    events::emit(&mut tx, app, EventType::OrganizationUpdated, &view).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn delete_organization(
    app: &AppState,
    organization_id: &str,
) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    let org = locked_organization(&mut tx, organization_id).await?;
    sql::delete_organization(tx.conn(), &org).await?;
    events::deleted_event(
        &mut tx,
        app,
        EventType::OrganizationDeleted,
        "organization",
        &org.id,
    )
    .await?;
    tx.commit().await?;
    Ok(DeletedObject {
        object: "organization".into(),
        id: Some(org.id),
        deleted: true,
        ..DeletedObject::default()
    })
}

/// What `GET /organizations` asks for.
#[derive(Debug, Clone)]
pub struct OrganizationListQuery {
    pub filter: OrganizationFilter,
    /// Whether each organization shows `members_count`.
    pub include_members_count: bool,
    pub order: Order<OrganizationOrderField>,
    pub page: Page,
}

/// `Organizations`: one page of `GET /organizations` and the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationList {
    pub data: Vec<Organization>,
    pub total_count: i64,
}

/// `GET /organizations`.
pub async fn list_organizations(
    app: &AppState,
    query: &OrganizationListQuery,
) -> ApiResult<OrganizationList> {
    let Page { limit, offset } = query.page;
    let mut conn = app.store.read().await?;
    let rows =
        sql::list_organizations(&mut conn, &query.filter, query.order, limit, offset).await?;
    let total_count = sql::count_organizations(&mut conn, &query.filter).await?;
    Ok(OrganizationList {
        data: rows
            .iter()
            .map(|(org, count)| {
                organization_view(org, query.include_members_count.then_some(*count))
            })
            .collect(),
        total_count,
    })
}
