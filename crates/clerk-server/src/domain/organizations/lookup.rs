//! The lookups and checks operations start with: the organization (404 when missing), the
//! user, the membership quota.

use super::rules::{organization_not_found, quota_exceeded};
use crate::error::{ApiError, ApiResult};
use crate::store::organizations::{
    self as sql, InvitationFilter, InvitationStatus, OrgRow, PublicUserRow,
};
use crate::store::Conn;
use crate::store::{Dialect, WriteTx};

/// The organization with this id, or 404. `for_update` locks its row for the transaction.
pub(super) async fn existing_organization(
    conn: &mut Conn,
    dialect: Dialect,
    organization_id: &str,
    for_update: bool,
) -> ApiResult<OrgRow> {
    sql::find_organization(conn, dialect, organization_id, false, for_update)
        .await?
        .ok_or_else(|| organization_not_found(organization_id))
}

/// The organization with this id, locked for the transaction, or 404.
pub(super) async fn locked_organization(
    tx: &mut WriteTx,
    organization_id: &str,
) -> ApiResult<OrgRow> {
    let dialect = tx.dialect;
    existing_organization(tx.conn(), dialect, organization_id, true).await
}

/// The user with this id, or 404.
pub(super) async fn existing_user(conn: &mut Conn, user_id: &str) -> ApiResult<PublicUserRow> {
    sql::public_user(conn, user_id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))
}

/// The organization (locked for the transaction) and the user, or 404 for either.
pub(super) async fn organization_and_user(
    tx: &mut WriteTx,
    organization_id: &str,
    user_id: &str,
) -> ApiResult<(OrgRow, PublicUserRow)> {
    let org = locked_organization(tx, organization_id).await?;
    let user = existing_user(tx.conn(), user_id).await?;
    Ok((org, user))
}

/// The filter of an organization's pending invitations, for one email address or all.
pub(super) fn pending_invitations(email_norm: Option<String>) -> InvitationFilter {
    InvitationFilter {
        statuses: vec![InvitationStatus::Pending],
        email_norm,
    }
}

/// Fails when the organization is full: members plus pending invitations reach its cap.
pub(super) async fn ensure_room(tx: &mut WriteTx, org: &OrgRow, now: i64) -> ApiResult<()> {
    if org.max_allowed_memberships <= 0 {
        return Ok(());
    }
    let pending = pending_invitations(None);
    let used = sql::count_members(tx.conn(), &org.id).await?
        + sql::count_organization_invitations(tx.conn(), org.seq, &pending, now).await?;
    if used >= org.max_allowed_memberships {
        return Err(quota_exceeded(org.max_allowed_memberships));
    }
    Ok(())
}
