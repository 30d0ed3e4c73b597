//! Invitations: create, revoke, get, and the lists of an organization's invitations and of
//! those sent to a user.

use crate::store::{Conn, DbResult};
use std::collections::HashMap;

use clerk_model::{
    CreateInvitationRequest, OrganizationInvitation, OrganizationInvitations,
    RevokeInvitationRequest,
};

use super::lookup::{
    ensure_room, existing_organization, existing_user, locked_organization, pending_invitations,
};
use super::rules::{
    already_a_member, invitation_not_found, new_bags, not_an_admin, required_role, ADMIN_ROLE,
    DEFAULT_INVITATION_DAYS,
};
use super::view::invitation_view;
use crate::domain::events::{self, EventType};
use crate::domain::list::Page;
use crate::domain::validate;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::organizations::{
    self as sql, InvitationFilter, InvitationOrderField, InvitationRow, InvitationStatus, Order,
    OrgRow, PublicUserRow,
};
use crate::store::{now_ms, WriteTx};
use crate::AppState;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What `GET /organizations/{id}/invitations` asks for.
#[derive(Debug, Clone)]
pub struct InvitationListQuery {
    pub filter: InvitationFilter,
    pub order: Order<InvitationOrderField>,
    pub page: Page,
}

/// What `GET /users/{user_id}/organization_invitations` asks for.
#[derive(Debug, Clone)]
pub struct UserInvitationListQuery {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<InvitationStatus>,
    pub page: Page,
}

/// Checks that `user_id` names an existing user who is an admin of the organization.
async fn ensure_admin(tx: &mut WriteTx, org: &OrgRow, user_id: &str) -> ApiResult<PublicUserRow> {
    let user = existing_user(tx.conn(), user_id).await?;
    match sql::find_membership(tx.conn(), &org.id, user.seq).await? {
        Some(m) if m.role == ADMIN_ROLE => Ok(user),
        _ => Err(not_an_admin()),
    }
}

/// The inviters of these invitations, by user id.
async fn inviters(
    conn: &mut Conn,
    invitations: &[&InvitationRow],
) -> DbResult<HashMap<String, PublicUserRow>> {
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

/// The invitation's inviter among `inviters`.
fn inviter<'a>(
    inv: &InvitationRow,
    inviters: &'a HashMap<String, PublicUserRow>,
) -> Option<&'a PublicUserRow> {
    inv.inviter_user_id.as_ref().and_then(|id| inviters.get(id))
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
    let role = required_role(req.role)?;
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
    let [public_metadata, private_metadata] =
        new_bags(req.public_metadata.as_ref(), req.private_metadata.as_ref())?;
    let now = now_ms();

    let mut tx = app.store.begin_write().await?;
    let org = locked_organization(&mut tx, organization_id).await?;
    let inviter = match &req.inviter_user_id {
        Some(id) => Some(ensure_admin(&mut tx, &org, id).await?),
        None => None,
    };
    if sql::email_is_member(tx.conn(), &org.id, &email_norm).await? {
        return Err(already_a_member(&email));
    }
    let pending = pending_invitations(Some(email_norm.clone()));
    if sql::count_organization_invitations(tx.conn(), org.seq, &pending, now).await? > 0 {
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
        status: InvitationStatus::Pending,
        public_metadata,
        private_metadata,
        redirect_url: req.redirect_url,
        expires_at: Some(now + days * DAY_MS),
        created_at: now,
        updated_at: now,
    };
    invitation.seq = sql::insert_invitation(tx.conn(), &invitation).await?;
    let view = invitation_view(&invitation, &org, inviter.as_ref(), false, now);
    events::emit(&mut tx, app, EventType::InvitationCreated, &view).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn revoke_invitation(
    app: &AppState,
    organization_id: &str,
    invitation_id: &str,
    req: RevokeInvitationRequest,
) -> ApiResult<OrganizationInvitation> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let org = locked_organization(&mut tx, organization_id).await?;
    let mut invitation = sql::find_invitation(tx.conn(), org.seq, invitation_id)
        .await?
        .ok_or_else(|| invitation_not_found(invitation_id))?;
    if let Some(id) = &req.requesting_user_id {
        ensure_admin(&mut tx, &org, id).await?;
    }
    let status = invitation.status_at(now);
    if status != InvitationStatus::Pending {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "organization_invitation_not_pending",
            "not pending",
            format!(
                "Only pending invitations can be revoked; this one is {}.",
                status.as_str()
            ),
        ));
    }
    invitation.status = InvitationStatus::Revoked;
    invitation.updated_at = now;
    sql::update_invitation_status(tx.conn(), &invitation).await?;
    let inviters = inviters(tx.conn(), &[&invitation]).await?;
    let inviter = inviter(&invitation, &inviters);
    let view = invitation_view(&invitation, &org, inviter, false, now);
    events::emit(&mut tx, app, EventType::InvitationRevoked, &view).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn get_organization_invitation(
    app: &AppState,
    organization_id: &str,
    invitation_id: &str,
) -> ApiResult<OrganizationInvitation> {
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let org = existing_organization(&mut conn, app.store.dialect(), organization_id, false).await?;
    let invitation = sql::find_invitation(&mut conn, org.seq, invitation_id)
        .await?
        .ok_or_else(|| invitation_not_found(invitation_id))?;
    let inviters = inviters(&mut conn, &[&invitation]).await?;
    let inviter = inviter(&invitation, &inviters);
    Ok(invitation_view(&invitation, &org, inviter, false, now))
}

/// `GET /organizations/{id}/invitations`.
pub async fn list_organization_invitations(
    app: &AppState,
    organization_id: &str,
    query: &InvitationListQuery,
) -> ApiResult<OrganizationInvitations> {
    let InvitationListQuery {
        filter,
        order,
        page: Page { limit, offset },
    } = query;
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let org = existing_organization(&mut conn, app.store.dialect(), organization_id, false).await?;
    let rows =
        sql::organization_invitations(&mut conn, org.seq, filter, *order, now, *limit, *offset)
            .await?;
    let total_count = sql::count_organization_invitations(&mut conn, org.seq, filter, now).await?;
    let inviters = inviters(&mut conn, &rows.iter().collect::<Vec<_>>()).await?;
    Ok(OrganizationInvitations {
        data: rows
            .iter()
            .map(|inv| invitation_view(inv, &org, inviter(inv, &inviters), false, now))
            .collect(),
        total_count,
    })
}

/// `GET /users/{user_id}/organization_invitations`: the invitations sent to any of the user's
/// email addresses, newest first.
pub async fn list_user_invitations(
    app: &AppState,
    user_id: &str,
    query: &UserInvitationListQuery,
) -> ApiResult<OrganizationInvitations> {
    let Page { limit, offset } = query.page;
    let statuses = &query.statuses;
    let now = now_ms();
    let mut conn = app.store.read().await?;
    let user = existing_user(&mut conn, user_id).await?;
    let rows = sql::user_invitations(&mut conn, user.seq, statuses, now, limit, offset).await?;
    let total_count = sql::count_user_invitations(&mut conn, user.seq, statuses, now).await?;
    let invitations: Vec<&InvitationRow> = rows.iter().map(|(i, _)| i).collect();
    let inviters = inviters(&mut conn, &invitations).await?;
    Ok(OrganizationInvitations {
        data: rows
            .iter()
            .map(|(inv, org)| invitation_view(inv, org, inviter(inv, &inviters), true, now))
            .collect(),
        total_count,
    })
}
