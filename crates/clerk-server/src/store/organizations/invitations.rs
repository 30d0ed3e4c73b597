//! SQL for invitations: write, find, change status, and the lists of an organization's
//! invitations and of those sent to a user.

use super::rows::{
    invitation_from_row, org_from_row, org_select, push_order_and_page, InvitationRow,
    InvitationStatus, Order, OrgRow, INVITATION_COLUMNS,
};
use crate::store::{Arg, Sql};
use crate::store::{Conn, DbResult};

/// `AND (…)` matching any of `statuses` at `now` (nothing when empty): a pending invitation
/// past `expires_at` counts as expired.
fn push_status_filter(sql: &mut Sql, statuses: &[InvitationStatus], now: i64) {
    if statuses.is_empty() {
        return;
    }
    let pending = InvitationStatus::Pending.as_str();
    sql.push(" AND (");
    for (i, status) in statuses.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match status {
            InvitationStatus::Pending => sql
                .push("(i.status = ")
                .bind(pending)
                .push(" AND (i.expires_at IS NULL OR i.expires_at > ")
                .bind(now)
                .push("))"),
            InvitationStatus::Expired => sql
                .push("i.status = ")
                .bind(status.as_str())
                .push(" OR (i.status = ")
                .bind(pending)
                .push(" AND i.expires_at <= ")
                .bind(now)
                .push(")"),
            InvitationStatus::Accepted | InvitationStatus::Revoked => {
                sql.push("i.status = ").bind(status.as_str())
            }
        };
    }
    sql.push(")");
}

/// Inserts the invitation and returns its `seq`.
pub async fn insert_invitation(conn: &mut Conn, i: &InvitationRow) -> DbResult<i64> {
    let mut sql = Sql::new(
        "INSERT INTO organization_invitations (id, organization_seq, email_address, email_norm, \
         role, inviter_user_id, status, public_metadata, private_metadata, redirect_url, \
         expires_at, created_at, updated_at) VALUES ",
    );
    sql.bind_list::<Arg>(&[
        i.id.clone().into(),
        i.organization_seq.into(),
        i.email_address.clone().into(),
        i.email_norm.clone().into(),
        i.role.clone().into(),
        i.inviter_user_id.clone().into(),
        i.status.as_str().into(),
        i.public_metadata.clone().into(),
        i.private_metadata.clone().into(),
        i.redirect_url.clone().into(),
        i.expires_at.into(),
        i.created_at.into(),
        i.updated_at.into(),
    ]);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

pub async fn find_invitation(
    conn: &mut Conn,
    organization_seq: i64,
    id: &str,
) -> DbResult<Option<InvitationRow>> {
    Sql::new(&format!(
        "SELECT {INVITATION_COLUMNS} FROM organization_invitations i WHERE i.organization_seq = "
    ))
    .bind(organization_seq)
    .push(" AND i.id = ")
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|row| invitation_from_row(&row))
    .transpose()
}

/// Writes the invitation's status and `updated_at` back.
pub async fn update_invitation_status(conn: &mut Conn, i: &InvitationRow) -> DbResult<()> {
    Sql::new("UPDATE organization_invitations SET status = ")
        .bind(i.status.as_str())
        .push(", updated_at = ")
        .bind(i.updated_at)
        .push(" WHERE seq = ")
        .bind(i.seq)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Filters of an organization's invitations.
#[derive(Debug, Clone, Default)]
pub struct InvitationFilter {
    pub statuses: Vec<InvitationStatus>,
    /// Normalized (lowercased) email address.
    pub email_norm: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationOrderField {
    CreatedAt,
    EmailAddress,
}

fn organization_invitations_from(
    select: &str,
    organization_seq: i64,
    filter: &InvitationFilter,
    now: i64,
) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {select} FROM organization_invitations i WHERE i.organization_seq = "
    ));
    sql.bind(organization_seq);
    if let Some(email) = &filter.email_norm {
        sql.push(" AND i.email_norm = ").bind(email);
    }
    push_status_filter(&mut sql, &filter.statuses, now);
    sql
}

/// One page of an organization's invitations.
pub async fn organization_invitations(
    conn: &mut Conn,
    organization_seq: i64,
    filter: &InvitationFilter,
    order: Order<InvitationOrderField>,
    now: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<InvitationRow>> {
    let mut sql = organization_invitations_from(INVITATION_COLUMNS, organization_seq, filter, now);
    let column = match order.field {
        InvitationOrderField::CreatedAt => "i.created_at",
        InvitationOrderField::EmailAddress => "i.email_norm",
    };
    push_order_and_page(&mut sql, column, "i.seq", order.descending, limit, offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(invitation_from_row)
        .collect()
}

/// How many of an organization's invitations pass `filter` at `now`.
pub async fn count_organization_invitations(
    conn: &mut Conn,
    organization_seq: i64,
    filter: &InvitationFilter,
    now: i64,
) -> DbResult<i64> {
    organization_invitations_from("COUNT(*)", organization_seq, filter, now)
        .fetch_i64(conn)
        .await
}

/// `FROM … WHERE` of the invitations that concern a user: those sent to one of the user's
/// email addresses (case-insensitively: both sides are normalized).
fn user_invitations_from(
    select: &str,
    user_seq: i64,
    statuses: &[InvitationStatus],
    now: i64,
) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {select} FROM organization_invitations i \
         JOIN organizations o ON o.seq = i.organization_seq \
         WHERE i.email_norm IN (SELECT norm FROM identifications \
         WHERE kind = 'email_address' AND user_seq = "
    ));
    sql.bind(user_seq).push(")");
    push_status_filter(&mut sql, statuses, now);
    sql
}

/// One page of the invitations that concern a user, with their organizations, newest first.
pub async fn user_invitations(
    conn: &mut Conn,
    user_seq: i64,
    statuses: &[InvitationStatus],
    now: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<(InvitationRow, OrgRow)>> {
    let select = format!("{INVITATION_COLUMNS}, {}", org_select());
    let mut sql = user_invitations_from(&select, user_seq, statuses, now);
    push_order_and_page(&mut sql, "i.created_at", "i.seq", true, limit, offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((invitation_from_row(row)?, org_from_row(row)?)))
        .collect()
}

pub async fn count_user_invitations(
    conn: &mut Conn,
    user_seq: i64,
    statuses: &[InvitationStatus],
    now: i64,
) -> DbResult<i64> {
    user_invitations_from("COUNT(*)", user_seq, statuses, now)
        .fetch_i64(conn)
        .await
}
