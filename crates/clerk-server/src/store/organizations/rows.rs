//! The rows of `organizations`, `organization_memberships` and `organization_invitations`, how
//! they are read, and the order every list of them takes.

use crate::store::Sql;
use crate::store::{DbResult, Row};

/// One row of `organizations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgRow {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub slug: String,
    /// 0 means unlimited.
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    pub public_metadata: String,
    pub private_metadata: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One row of `organization_memberships`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MembershipRow {
    pub seq: i64,
    pub id: String,
    /// The organization's public id.
    pub organization_id: String,
    pub user_seq: i64,
    pub role: String,
    pub public_metadata: String,
    pub private_metadata: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One row of `organization_invitations`. `status` is as stored: a pending invitation past
/// `expires_at` is shown as expired (see [`InvitationRow::status_at`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvitationRow {
    pub seq: i64,
    pub id: String,
    pub organization_seq: i64,
    pub email_address: String,
    pub email_norm: String,
    pub role: String,
    pub inviter_user_id: Option<String>,
    pub status: InvitationStatus,
    pub public_metadata: String,
    pub private_metadata: String,
    pub redirect_url: Option<String>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl InvitationRow {
    /// The status shown at `now`: a pending invitation whose time has passed is expired.
    pub fn status_at(&self, now: i64) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if self.expires_at.is_some_and(|t| t <= now) => {
                InvitationStatus::Expired
            }
            status => status,
        }
    }
}

/// An invitation's status. [`InvitationStatus::as_str`] is both the stored text of
/// `organization_invitations.status` and the wire's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InvitationStatus {
    #[default]
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    const ALL: [Self; 4] = [Self::Pending, Self::Accepted, Self::Revoked, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// The status named `value` (stored text or a `status` filter), if any.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Stored text; text this server never writes reads as expired.
    fn from_stored(value: &str) -> Self {
        Self::parse(value).unwrap_or(Self::Expired)
    }
}

/// A list's order: `field`, ascending unless `descending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order<F> {
    pub field: F,
    pub descending: bool,
}

/// ` ORDER BY column, seq … LIMIT … OFFSET …`: `seq` breaks ties in the same direction.
pub(super) fn push_order_and_page(
    sql: &mut Sql,
    column: &str,
    seq: &str,
    descending: bool,
    limit: i64,
    offset: i64,
) {
    let direction = if descending { "DESC" } else { "ASC" };
    sql.push(&format!(
        " ORDER BY {column} {direction}, {seq} {direction} LIMIT "
    ))
    .bind(limit)
    .push(" OFFSET ")
    .bind(offset);
}

pub(super) const ORG_COLUMNS: [&str; 11] = [
    "seq",
    "id",
    "name",
    "slug",
    "max_allowed_memberships",
    "admin_delete_enabled",
    "public_metadata",
    "private_metadata",
    "created_by",
    "created_at",
    "updated_at",
];

/// `o.seq AS o_seq, o.id AS o_id, …`: the organization's columns in a join.
pub(super) fn org_select() -> String {
    ORG_COLUMNS
        .iter()
        .map(|c| format!("o.{c} AS o_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The organization of a row selected with [`org_select`].
pub(super) fn org_from_row(row: &Row) -> DbResult<OrgRow> {
    Ok(OrgRow {
        seq: row.try_get("o_seq")?,
        id: row.try_get("o_id")?,
        name: row.try_get("o_name")?,
        slug: row.try_get("o_slug")?,
        max_allowed_memberships: row.try_get("o_max_allowed_memberships")?,
        admin_delete_enabled: row.try_get("o_admin_delete_enabled")?,
        public_metadata: row.try_get("o_public_metadata")?,
        private_metadata: row.try_get("o_private_metadata")?,
        created_by: row.try_get("o_created_by")?,
        created_at: row.try_get("o_created_at")?,
        updated_at: row.try_get("o_updated_at")?,
    })
}

pub(super) const MEMBERSHIP_COLUMNS: &str = "m.seq, m.id, m.organization_id, m.user_seq, \
    m.role, m.public_metadata, m.private_metadata, m.created_at, m.updated_at";

pub(super) fn membership_from_row(row: &Row) -> DbResult<MembershipRow> {
    Ok(MembershipRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        user_seq: row.try_get("user_seq")?,
        role: row.try_get("role")?,
        public_metadata: row.try_get("public_metadata")?,
        private_metadata: row.try_get("private_metadata")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) const INVITATION_COLUMNS: &str = "i.seq, i.id, i.organization_seq, \
    i.email_address, i.email_norm, i.role, i.inviter_user_id, i.status, i.public_metadata, \
    i.private_metadata, i.redirect_url, i.expires_at, i.created_at, i.updated_at";

pub(super) fn invitation_from_row(row: &Row) -> DbResult<InvitationRow> {
    let status: String = row.try_get("status")?;
    Ok(InvitationRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        organization_seq: row.try_get("organization_seq")?,
        email_address: row.try_get("email_address")?,
        email_norm: row.try_get("email_norm")?,
        role: row.try_get("role")?,
        inviter_user_id: row.try_get("inviter_user_id")?,
        status: InvitationStatus::from_stored(&status),
        public_metadata: row.try_get("public_metadata")?,
        private_metadata: row.try_get("private_metadata")?,
        redirect_url: row.try_get("redirect_url")?,
        expires_at: row.try_get("expires_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_status_text_and_expiry() {
        for status in InvitationStatus::ALL {
            assert_eq!(InvitationStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(InvitationStatus::parse("gone"), None);
        assert_eq!(
            InvitationStatus::from_stored("gone"),
            InvitationStatus::Expired
        );
        let row = |status, expires_at| InvitationRow {
            status,
            expires_at,
            ..InvitationRow::default()
        };
        let pending = InvitationStatus::Pending;
        assert_eq!(row(pending, None).status_at(5), pending);
        assert_eq!(row(pending, Some(6)).status_at(5), pending);
        assert_eq!(
            row(pending, Some(5)).status_at(5),
            InvitationStatus::Expired
        );
        let revoked = InvitationStatus::Revoked;
        assert_eq!(row(revoked, Some(1)).status_at(5), revoked);
    }
}
