//! `/v1/organizations` handlers, and the user-side lists of memberships and invitations.

use axum::extract::{Path, State};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};

use clerk_model::{
    CreateInvitationRequest, CreateMembershipRequest, CreateOrganizationRequest, DeletedObject,
    Organization, OrganizationInvitation, OrganizationInvitations, OrganizationMembership,
    OrganizationMemberships, OrganizationMetadataRequest, RevokeInvitationRequest,
    UpdateMembershipRequest, UpdateOrganizationRequest,
};

use super::extract::{ApiVersion, JsonBody, Query};
use super::on_blocking_thread;
use super::query::QueryParams;
use crate::domain::metadata::MetadataMode;
use crate::domain::organizations::{
    self as orgs, InvitationFilter, InvitationListQuery, InvitationOrderField, InvitationStatus,
    Order, OrganizationFilter, OrganizationListQuery, OrganizationOrderField,
    UserInvitationListQuery,
};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

// ---- query strings ----

/// `include_members_count`: false when absent.
fn include_members_count(q: &QueryParams) -> ApiResult<bool> {
    Ok(q.bool("include_members_count")?.unwrap_or(false))
}

/// `order_by` as an organization-side list's order.
fn order_by<F: Copy>(q: &QueryParams, fields: &[(&str, F)]) -> ApiResult<Order<F>> {
    let (field, descending) = q.order_by(fields)?;
    Ok(Order { field, descending })
}

/// `status` (repeatable): invitation statuses.
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
fn organization_list(q: &QueryParams) -> ApiResult<OrganizationListQuery> {
    let include_members_count = include_members_count(q)?;
    let filter = OrganizationFilter {
        query: q.needle("query")?,
        user_ids: q.include_exclude("user_id")?,
        organization_ids: q.include_exclude("organization_id")?,
    };
    let order = order_by(
        q,
        &[
            ("created_at", OrganizationOrderField::CreatedAt),
            ("name", OrganizationOrderField::Name),
            ("members_count", OrganizationOrderField::MembersCount),
        ],
    )?;
    Ok(OrganizationListQuery {
        filter,
        include_members_count,
        order,
        page: q.page()?,
    })
}

/// `GET /organizations/{id}/invitations`: newest first by default.
fn invitation_list(q: &QueryParams) -> ApiResult<InvitationListQuery> {
    let filter = InvitationFilter {
        statuses: statuses(q)?,
        email_norm: q.first("email_address").map(|e| e.trim().to_lowercase()),
    };
    let order = order_by(
        q,
        &[
            ("created_at", InvitationOrderField::CreatedAt),
            ("email_address", InvitationOrderField::EmailAddress),
        ],
    )?;
    Ok(InvitationListQuery {
        filter,
        order,
        page: q.page()?,
    })
}

/// `GET /users/{user_id}/organization_invitations`.
fn user_invitation_list(q: &QueryParams) -> ApiResult<UserInvitationListQuery> {
    Ok(UserInvitationListQuery {
        statuses: statuses(q)?,
        page: q.page()?,
    })
}

// ---- handlers ----

pub async fn create_organization(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreateOrganizationRequest>,
) -> ApiResult<Json<Organization>> {
    orgs::create_organization(&app, req).await.map(Json)
}

pub async fn get_organization(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<Organization>> {
    orgs::get_organization(&app, &organization_id, include_members_count(&q)?)
        .await
        .map(Json)
}

pub async fn delete_organization(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    orgs::delete_organization(&app, &organization_id)
        .await
        .map(Json)
}

pub async fn create_membership(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    JsonBody(req): JsonBody<CreateMembershipRequest>,
) -> ApiResult<Json<OrganizationMembership>> {
    orgs::create_membership(&app, &organization_id, req)
        .await
        .map(Json)
}

pub async fn list_memberships(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<OrganizationMemberships>> {
    orgs::list_organization_memberships(&app, &organization_id, q.page()?)
        .await
        .map(Json)
}

pub async fn update_membership(
    State(app): State<AppState>,
    Path((organization_id, user_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<UpdateMembershipRequest>,
) -> ApiResult<Json<OrganizationMembership>> {
    orgs::update_membership(&app, &organization_id, &user_id, req)
        .await
        .map(Json)
}

pub async fn delete_membership(
    State(app): State<AppState>,
    Path((organization_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<OrganizationMembership>> {
    orgs::delete_membership(&app, &organization_id, &user_id)
        .await
        .map(Json)
}

pub async fn create_invitation(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    JsonBody(req): JsonBody<CreateInvitationRequest>,
) -> ApiResult<Json<OrganizationInvitation>> {
    orgs::create_invitation(&app, &organization_id, req)
        .await
        .map(Json)
}

pub async fn revoke_invitation(
    State(app): State<AppState>,
    Path((organization_id, invitation_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<RevokeInvitationRequest>,
) -> ApiResult<Json<OrganizationInvitation>> {
    orgs::revoke_invitation(&app, &organization_id, &invitation_id, req)
        .await
        .map(Json)
}

pub async fn user_memberships(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<OrganizationMemberships>> {
    orgs::list_user_memberships(&app, &user_id, q.page()?)
        .await
        .map(Json)
}

pub async fn user_invitations(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<OrganizationInvitations>> {
    orgs::list_user_invitations(&app, &user_id, &user_invitation_list(&q)?)
        .await
        .map(Json)
}

pub async fn list_organizations(
    State(app): State<AppState>,
    Query(q): Query,
) -> ApiResult<Json<orgs::OrganizationList>> {
    orgs::list_organizations(&app, &organization_list(&q)?)
        .await
        .map(Json)
}

pub async fn update_organization(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    ApiVersion(version): ApiVersion,
    JsonBody(req): JsonBody<UpdateOrganizationRequest>,
) -> ApiResult<Json<Organization>> {
    orgs::update_organization(&app, &organization_id, req, version.as_deref())
        .await
        .map(Json)
}

pub async fn merge_metadata(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    JsonBody(req): JsonBody<OrganizationMetadataRequest>,
) -> ApiResult<Json<Organization>> {
    orgs::update_organization_metadata(&app, &organization_id, req, MetadataMode::Merge)
        .await
        .map(Json)
}

pub async fn replace_metadata(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    JsonBody(req): JsonBody<OrganizationMetadataRequest>,
) -> ApiResult<Json<Organization>> {
    orgs::update_organization_metadata(&app, &organization_id, req, MetadataMode::Replace)
        .await
        .map(Json)
}

pub async fn merge_membership_metadata(
    State(app): State<AppState>,
    Path((organization_id, user_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<OrganizationMetadataRequest>,
) -> ApiResult<Json<OrganizationMembership>> {
    orgs::update_membership_metadata(&app, &organization_id, &user_id, req)
        .await
        .map(Json)
}

pub async fn list_invitations(
    State(app): State<AppState>,
    Path(organization_id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<OrganizationInvitations>> {
    orgs::list_organization_invitations(&app, &organization_id, &invitation_list(&q)?)
        .await
        .map(Json)
}

pub async fn get_invitation(
    State(app): State<AppState>,
    Path((organization_id, invitation_id)): Path<(String, String)>,
) -> ApiResult<Json<OrganizationInvitation>> {
    orgs::get_organization_invitation(&app, &organization_id, &invitation_id)
        .await
        .map(Json)
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations",
            on_blocking_thread(get(list_organizations)).post(create_organization),
        )
        .route(
            "/organizations/{organization_id}",
            get(get_organization)
                .patch(update_organization)
                .merge(on_blocking_thread(delete(delete_organization))),
        )
        .route(
            "/organizations/{organization_id}/metadata",
            patch(merge_metadata).put(replace_metadata),
        )
        .route(
            "/organizations/{organization_id}/memberships",
            on_blocking_thread(get(list_memberships)).post(create_membership),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}",
            patch(update_membership).delete(delete_membership),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}/metadata",
            patch(merge_membership_metadata),
        )
        .route(
            "/organizations/{organization_id}/invitations",
            on_blocking_thread(get(list_invitations)).post(create_invitation),
        )
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}",
            get(get_invitation),
        )
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}/revoke",
            post(revoke_invitation),
        )
        .route(
            "/users/{user_id}/organization_memberships",
            get(user_memberships),
        )
        .route(
            "/users/{user_id}/organization_invitations",
            get(user_invitations),
        )
}
