//! Memberships: add, change the role, remove, their metadata, and the lists of an
//! organization's members and of a user's organizations.

use std::collections::HashMap;

use clerk_model::{
    CreateMembershipRequest, OrganizationMembership, OrganizationMemberships,
    OrganizationMetadataRequest, UpdateMembershipRequest,
};

use super::lookup::{ensure_room, existing_organization, existing_user, organization_and_user};
use super::rules::{
    already_a_member, apply_metadata, membership_not_found, new_bags, required_role,
};
use super::view::membership_view;
use crate::domain::events::{self, EventType};
use crate::domain::list::Page;
use crate::domain::metadata::MetadataMode;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::organizations::{self as sql, MembershipRow, OrgRow, PublicUserRow};
use crate::store::{now_ms, WriteTx};
use crate::AppState;

/// The organization (locked), the user and their membership, or 404 for any of them.
async fn membership(
    tx: &mut WriteTx,
    organization_id: &str,
    user_id: &str,
) -> ApiResult<(OrgRow, PublicUserRow, MembershipRow)> {
    let (org, user) = organization_and_user(tx, organization_id, user_id).await?;
    let membership = sql::find_membership(tx.conn(), &org.id, user.seq)
        .await?
        .ok_or_else(|| membership_not_found(organization_id, user_id))?;
    Ok((org, user, membership))
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
    let role = required_role(req.role)?;
    let [public_metadata, private_metadata] =
        new_bags(req.public_metadata.as_ref(), req.private_metadata.as_ref())?;
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
        Err(e) if e.is_unique_violation() => {
            return Err(already_a_member(&format!("User {user_id}")))
        }
        Err(e) => return Err(e.into()),
    };
    let view = membership_view(&membership, &org, Some(&user));
    events::emit(&mut tx, app, EventType::MembershipCreated, &view).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn update_membership(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
    req: UpdateMembershipRequest,
) -> ApiResult<OrganizationMembership> {
    let role = required_role(req.role)?;
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let (org, user, mut membership) = membership(&mut tx, organization_id, user_id).await?;
    if membership.role != role {
        membership.role = role;
        membership.updated_at = now;
        sql::update_membership_role(tx.conn(), membership.seq, &membership.role, now).await?;
        let view = membership_view(&membership, &org, Some(&user));
        events::emit(&mut tx, app, EventType::MembershipUpdated, &view).await?;
    }
    tx.commit().await?;
    Ok(membership_view(&membership, &org, Some(&user)))
}

/// `PATCH /organizations/{id}/memberships/{user_id}/metadata`: deep merge.
pub async fn update_membership_metadata(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
    req: OrganizationMetadataRequest,
) -> ApiResult<OrganizationMembership> {
    let mut tx = app.store.begin_write().await?;
    let (org, user, mut membership) = membership(&mut tx, organization_id, user_id).await?;
    apply_metadata(
        &req,
        &mut membership.public_metadata,
        &mut membership.private_metadata,
        MetadataMode::Merge,
    )?;
    membership.updated_at = now_ms();
    sql::update_membership_metadata(tx.conn(), &membership).await?;
    let view = membership_view(&membership, &org, Some(&user));
    events::emit(&mut tx, app, EventType::MembershipUpdated, &view).await?;
    tx.commit().await?;
    Ok(view)
}

/// Removes the membership and answers with it as it was.
pub async fn delete_membership(
    app: &AppState,
    organization_id: &str,
    user_id: &str,
) -> ApiResult<OrganizationMembership> {
    let mut tx = app.store.begin_write().await?;
    let (org, user, membership) = membership(&mut tx, organization_id, user_id).await?;
    sql::delete_membership(tx.conn(), membership.seq).await?;
    let view = membership_view(&membership, &org, Some(&user));
    events::emit(&mut tx, app, EventType::MembershipDeleted, &view).await?;
    tx.commit().await?;
    Ok(view)
}

/// `GET /organizations/{id}/memberships`: oldest first.
pub async fn list_organization_memberships(
    app: &AppState,
    organization_id: &str,
    page: Page,
) -> ApiResult<OrganizationMemberships> {
    let mut conn = app.store.read().await?;
    let org = existing_organization(&mut conn, app.store.dialect(), organization_id, false).await?;
    let rows = sql::organization_memberships(&mut conn, &org.id, page.limit, page.offset).await?;
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
    page: Page,
) -> ApiResult<OrganizationMemberships> {
    let mut conn = app.store.read().await?;
    let user = existing_user(&mut conn, user_id).await?;
    let rows = sql::user_memberships(&mut conn, user.seq, page.limit, page.offset).await?;
    let total_count = sql::count_user_memberships(&mut conn, user.seq).await?;
    Ok(OrganizationMemberships {
        data: rows
            .iter()
            .map(|(m, org)| membership_view(m, org, Some(&user)))
            .collect(),
        total_count,
    })
}
