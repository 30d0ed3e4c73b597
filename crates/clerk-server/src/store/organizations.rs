//! SQL for organizations, their memberships and invitations.
//!
//! `organization_memberships.organization_id` holds the organization's public id (the
//! `organization_id` filter of `GET /users` reads it directly); invitations point at the
//! organization's `seq` and go with it (ON DELETE CASCADE). Memberships have no foreign key on
//! the organization, so [`delete_organization`] removes them itself.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::sql::{escape_like, get_bool};
use super::{Arg, Dialect, Sql};

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
/// `expires_at` is shown as expired (see [`InvitationStatus`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvitationRow {
    pub seq: i64,
    pub id: String,
    pub organization_seq: i64,
    pub email_address: String,
    pub email_norm: String,
    pub role: String,
    pub inviter_user_id: Option<String>,
    pub status: String,
    pub public_metadata: String,
    pub private_metadata: String,
    pub redirect_url: Option<String>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What other objects show of a user (`public_user_data`, `public_inviter_data`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicUserRow {
    pub seq: i64,
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// The primary email address, phone number and web3 wallet, as written.
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub web3_wallet: Option<String>,
    pub banned: bool,
}

/// An invitation status as a filter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "revoked" => Some(Self::Revoked),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// The status shown at `now`: a pending invitation whose time has passed is expired.
    pub fn of(row: &InvitationRow, now: i64) -> &'static str {
        match row.status.as_str() {
            "pending" if row.expires_at.is_some_and(|t| t <= now) => "expired",
            "pending" => "pending",
            "accepted" => "accepted",
            "revoked" => "revoked",
            _ => "expired",
        }
    }

    /// `AND (…)` matching any of `statuses` at `now` (nothing when empty).
    fn push_filter(sql: &mut Sql, statuses: &[Self], now: i64) {
        if statuses.is_empty() {
            return;
        }
        sql.push(" AND (");
        for (i, status) in statuses.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            match status {
                Self::Pending => sql
                    .push("(i.status = 'pending' AND (i.expires_at IS NULL OR i.expires_at > ")
                    .bind(now)
                    .push("))"),
                Self::Expired => sql
                    .push("i.status = 'expired' OR (i.status = 'pending' AND i.expires_at <= ")
                    .bind(now)
                    .push(")"),
                Self::Accepted => sql.push("i.status = 'accepted'"),
                Self::Revoked => sql.push("i.status = 'revoked'"),
            };
        }
        sql.push(")");
    }
}

const ORG_COLUMNS: [&str; 11] = [
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
fn org_select() -> String {
    ORG_COLUMNS
        .iter()
        .map(|c| format!("o.{c} AS o_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn org_from_row(row: &AnyRow, prefix: &str) -> sqlx::Result<OrgRow> {
    let col = |c: &str| format!("{prefix}{c}");
    Ok(OrgRow {
        seq: row.try_get(col("seq").as_str())?,
        id: row.try_get(col("id").as_str())?,
        name: row.try_get(col("name").as_str())?,
        slug: row.try_get(col("slug").as_str())?,
        max_allowed_memberships: row.try_get(col("max_allowed_memberships").as_str())?,
        admin_delete_enabled: get_bool(row, &col("admin_delete_enabled"))?,
        public_metadata: row.try_get(col("public_metadata").as_str())?,
        private_metadata: row.try_get(col("private_metadata").as_str())?,
        created_by: row.try_get(col("created_by").as_str())?,
        created_at: row.try_get(col("created_at").as_str())?,
        updated_at: row.try_get(col("updated_at").as_str())?,
    })
}

const MEMBERSHIP_COLUMNS: &str = "m.seq, m.id, m.organization_id, m.user_seq, m.role, \
    m.public_metadata, m.private_metadata, m.created_at, m.updated_at";

fn membership_from_row(row: &AnyRow) -> sqlx::Result<MembershipRow> {
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

const INVITATION_COLUMNS: &str = "i.seq, i.id, i.organization_seq, i.email_address, \
    i.email_norm, i.role, i.inviter_user_id, i.status, i.public_metadata, i.private_metadata, \
    i.redirect_url, i.expires_at, i.created_at, i.updated_at";

fn invitation_from_row(row: &AnyRow) -> sqlx::Result<InvitationRow> {
    Ok(InvitationRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        organization_seq: row.try_get("organization_seq")?,
        email_address: row.try_get("email_address")?,
        email_norm: row.try_get("email_norm")?,
        role: row.try_get("role")?,
        inviter_user_id: row.try_get("inviter_user_id")?,
        status: row.try_get("status")?,
        public_metadata: row.try_get("public_metadata")?,
        private_metadata: row.try_get("private_metadata")?,
        redirect_url: row.try_get("redirect_url")?,
        expires_at: row.try_get("expires_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

// ---- organizations ----

/// Inserts the organization and returns its `seq`.
pub async fn insert_organization(conn: &mut AnyConnection, org: &OrgRow) -> sqlx::Result<i64> {
    let columns = ORG_COLUMNS[1..].join(", ");
    let mut sql = Sql::new(&format!("INSERT INTO organizations ({columns}) VALUES "));
    sql.bind_list::<Arg>(&[
        org.id.clone().into(),
        org.name.clone().into(),
        org.slug.clone().into(),
        org.max_allowed_memberships.into(),
        org.admin_delete_enabled.into(),
        org.public_metadata.clone().into(),
        org.private_metadata.clone().into(),
        org.created_by.clone().into(),
        org.created_at.into(),
        org.updated_at.into(),
    ]);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

/// Finds an organization by public id, or by slug too when `or_slug`. `for_update` locks the
/// row on PostgreSQL, so that membership changes of one organization run one at a time (SQLite
/// writers are already serialized).
pub async fn find_organization(
    conn: &mut AnyConnection,
    dialect: Dialect,
    key: &str,
    or_slug: bool,
    for_update: bool,
) -> sqlx::Result<Option<OrgRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM organizations o WHERE o.id = ",
        org_select()
    ));
    sql.bind(key);
    if or_slug {
        sql.push(" OR o.slug = ").bind(key);
    }
    // An id and a slug could in theory coincide; the id wins.
    sql.push(" ORDER BY CASE WHEN o.id = ")
        .bind(key)
        .push(" THEN 0 ELSE 1 END LIMIT 1");
    if for_update && dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .map(|row| org_from_row(&row, "o_"))
        .transpose()
}

pub async fn slug_taken(conn: &mut AnyConnection, slug: &str) -> sqlx::Result<bool> {
    Ok(Sql::new("SELECT COUNT(*) FROM organizations WHERE slug = ")
        .bind(slug)
        .fetch_i64(conn)
        .await?
        > 0)
}

/// Deletes the organization with its memberships and (by cascade) its invitations.
pub async fn delete_organization(conn: &mut AnyConnection, org: &OrgRow) -> sqlx::Result<()> {
    Sql::new("DELETE FROM organization_memberships WHERE organization_id = ")
        .bind(&org.id)
        .execute(conn)
        .await?;
    Sql::new("DELETE FROM organizations WHERE seq = ")
        .bind(org.seq)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn count_members(conn: &mut AnyConnection, organization_id: &str) -> sqlx::Result<i64> {
    Sql::new("SELECT COUNT(*) FROM organization_memberships WHERE organization_id = ")
        .bind(organization_id)
        .fetch_i64(conn)
        .await
}

pub async fn count_pending_invitations(
    conn: &mut AnyConnection,
    organization_seq: i64,
    now: i64,
) -> sqlx::Result<i64> {
    let mut sql =
        Sql::new("SELECT COUNT(*) FROM organization_invitations i WHERE i.organization_seq = ");
    sql.bind(organization_seq);
    InvitationStatus::push_filter(&mut sql, &[InvitationStatus::Pending], now);
    sql.fetch_i64(conn).await
}

// ---- memberships ----

pub async fn find_membership(
    conn: &mut AnyConnection,
    organization_id: &str,
    user_seq: i64,
) -> sqlx::Result<Option<MembershipRow>> {
    Sql::new(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM organization_memberships m WHERE m.organization_id = "
    ))
    .bind(organization_id)
    .push(" AND m.user_seq = ")
    .bind(user_seq)
    .fetch_optional(conn)
    .await?
    .map(|row| membership_from_row(&row))
    .transpose()
}

/// Inserts the membership and returns its `seq`.
pub async fn insert_membership(conn: &mut AnyConnection, m: &MembershipRow) -> sqlx::Result<i64> {
    let mut sql = Sql::new(
        "INSERT INTO organization_memberships (id, organization_id, user_seq, role, \
         public_metadata, private_metadata, created_at, updated_at) VALUES ",
    );
    sql.bind_list::<Arg>(&[
        m.id.clone().into(),
        m.organization_id.clone().into(),
        m.user_seq.into(),
        m.role.clone().into(),
        m.public_metadata.clone().into(),
        m.private_metadata.clone().into(),
        m.created_at.into(),
        m.updated_at.into(),
    ]);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

pub async fn update_membership_role(
    conn: &mut AnyConnection,
    seq: i64,
    role: &str,
    updated_at: i64,
) -> sqlx::Result<()> {
    Sql::new("UPDATE organization_memberships SET role = ")
        .bind(role)
        .push(", updated_at = ")
        .bind(updated_at)
        .push(" WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn delete_membership(conn: &mut AnyConnection, seq: i64) -> sqlx::Result<()> {
    Sql::new("DELETE FROM organization_memberships WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Whether a member of the organization has this (normalized) email address.
pub async fn email_is_member(
    conn: &mut AnyConnection,
    organization_id: &str,
    email_norm: &str,
) -> sqlx::Result<bool> {
    let count = Sql::new(
        "SELECT COUNT(*) FROM organization_memberships m \
         JOIN identifications e ON e.user_seq = m.user_seq \
         WHERE e.kind = 'email_address' AND m.organization_id = ",
    )
    .bind(organization_id)
    .push(" AND e.norm = ")
    .bind(email_norm)
    .fetch_i64(conn)
    .await?;
    Ok(count > 0)
}

/// One page of a user's memberships with their organizations, newest first. Memberships of
/// organizations that do not exist (rows put in place by hand) are left out, here and in
/// [`count_user_memberships`].
pub async fn user_memberships(
    conn: &mut AnyConnection,
    user_seq: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(MembershipRow, OrgRow)>> {
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBERSHIP_COLUMNS}, {} FROM organization_memberships m \
         JOIN organizations o ON o.id = m.organization_id WHERE m.user_seq = ",
        org_select()
    ));
    sql.bind(user_seq)
        .push(" ORDER BY m.created_at DESC, m.seq DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((membership_from_row(row)?, org_from_row(row, "o_")?)))
        .collect()
}

pub async fn count_user_memberships(conn: &mut AnyConnection, user_seq: i64) -> sqlx::Result<i64> {
    Sql::new(
        "SELECT COUNT(*) FROM organization_memberships m \
         JOIN organizations o ON o.id = m.organization_id WHERE m.user_seq = ",
    )
    .bind(user_seq)
    .fetch_i64(conn)
    .await
}

/// One page of an organization's memberships, oldest first.
pub async fn organization_memberships(
    conn: &mut AnyConnection,
    organization_id: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<MembershipRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM organization_memberships m WHERE m.organization_id = "
    ));
    sql.bind(organization_id)
        .push(" ORDER BY m.created_at, m.seq LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(membership_from_row)
        .collect()
}

// ---- invitations ----

/// Inserts the invitation and returns its `seq`.
pub async fn insert_invitation(conn: &mut AnyConnection, i: &InvitationRow) -> sqlx::Result<i64> {
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
        i.status.clone().into(),
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
    conn: &mut AnyConnection,
    organization_seq: i64,
    id: &str,
) -> sqlx::Result<Option<InvitationRow>> {
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

/// Whether the organization has a pending invitation for this (normalized) email at `now`.
pub async fn pending_invitation_exists(
    conn: &mut AnyConnection,
    organization_seq: i64,
    email_norm: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let mut sql =
        Sql::new("SELECT COUNT(*) FROM organization_invitations i WHERE i.organization_seq = ");
    sql.bind(organization_seq)
        .push(" AND i.email_norm = ")
        .bind(email_norm);
    InvitationStatus::push_filter(&mut sql, &[InvitationStatus::Pending], now);
    Ok(sql.fetch_i64(conn).await? > 0)
}

pub async fn set_invitation_status(
    conn: &mut AnyConnection,
    seq: i64,
    status: &str,
    updated_at: i64,
) -> sqlx::Result<()> {
    Sql::new("UPDATE organization_invitations SET status = ")
        .bind(status)
        .push(", updated_at = ")
        .bind(updated_at)
        .push(" WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
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
    InvitationStatus::push_filter(&mut sql, statuses, now);
    sql
}

/// One page of the invitations that concern a user, with their organizations, newest first.
pub async fn user_invitations(
    conn: &mut AnyConnection,
    user_seq: i64,
    statuses: &[InvitationStatus],
    now: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(InvitationRow, OrgRow)>> {
    let select = format!("{INVITATION_COLUMNS}, {}", org_select());
    let mut sql = user_invitations_from(&select, user_seq, statuses, now);
    sql.push(" ORDER BY i.created_at DESC, i.seq DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((invitation_from_row(row)?, org_from_row(row, "o_")?)))
        .collect()
}

pub async fn count_user_invitations(
    conn: &mut AnyConnection,
    user_seq: i64,
    statuses: &[InvitationStatus],
    now: i64,
) -> sqlx::Result<i64> {
    user_invitations_from("COUNT(*)", user_seq, statuses, now)
        .fetch_i64(conn)
        .await
}

// ---- users as other objects show them ----

const PUBLIC_USER_SELECT: &str = "SELECT u.seq, u.id, u.first_name, u.last_name, u.username, \
    u.banned, e.value AS email_address, p.value AS phone_number, w.value AS web3_wallet \
    FROM users u \
    LEFT JOIN identifications e ON e.id = u.primary_email_address_id \
    LEFT JOIN identifications p ON p.id = u.primary_phone_number_id \
    LEFT JOIN identifications w ON w.id = u.primary_web3_wallet_id";

fn public_user_from_row(row: &AnyRow) -> sqlx::Result<PublicUserRow> {
    Ok(PublicUserRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        username: row.try_get("username")?,
        email_address: row.try_get("email_address")?,
        phone_number: row.try_get("phone_number")?,
        web3_wallet: row.try_get("web3_wallet")?,
        banned: get_bool(row, "banned")?,
    })
}

/// The user with this public id.
pub async fn public_user(
    conn: &mut AnyConnection,
    id: &str,
) -> sqlx::Result<Option<PublicUserRow>> {
    Sql::new(&format!("{PUBLIC_USER_SELECT} WHERE u.id = "))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| public_user_from_row(&row))
        .transpose()
}

/// The users with these public ids (those that exist), in no particular order.
pub async fn public_users_by_id(
    conn: &mut AnyConnection,
    ids: &[String],
) -> sqlx::Result<Vec<PublicUserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{PUBLIC_USER_SELECT} WHERE u.id IN "));
    sql.bind_list(ids);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(public_user_from_row)
        .collect()
}

/// The users with these internal keys, in no particular order.
pub async fn public_users_by_seq(
    conn: &mut AnyConnection,
    seqs: &[i64],
) -> sqlx::Result<Vec<PublicUserRow>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{PUBLIC_USER_SELECT} WHERE u.seq IN "));
    sql.bind_list(seqs);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(public_user_from_row)
        .collect()
}

// ---- updates and organization-side lists ----

/// Writes the organization's editable columns back.
pub async fn update_organization(conn: &mut AnyConnection, org: &OrgRow) -> sqlx::Result<()> {
    let mut sql = Sql::new(
        "UPDATE organizations SET (name, slug, max_allowed_memberships, admin_delete_enabled, \
         public_metadata, private_metadata, created_at, updated_at) = ",
    );
    sql.bind_list::<Arg>(&[
        org.name.clone().into(),
        org.slug.clone().into(),
        org.max_allowed_memberships.into(),
        org.admin_delete_enabled.into(),
        org.public_metadata.clone().into(),
        org.private_metadata.clone().into(),
        org.created_at.into(),
        org.updated_at.into(),
    ]);
    sql.push(" WHERE seq = ").bind(org.seq);
    sql.execute(conn).await.map(|_| ())
}

pub async fn update_membership_metadata(
    conn: &mut AnyConnection,
    m: &MembershipRow,
) -> sqlx::Result<()> {
    Sql::new("UPDATE organization_memberships SET public_metadata = ")
        .bind(&m.public_metadata)
        .push(", private_metadata = ")
        .bind(&m.private_metadata)
        .push(", updated_at = ")
        .bind(m.updated_at)
        .push(" WHERE seq = ")
        .bind(m.seq)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Filters of `GET /organizations/{id}/invitations`.
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
    InvitationStatus::push_filter(&mut sql, &filter.statuses, now);
    sql
}

/// One page of an organization's invitations.
pub async fn organization_invitations(
    conn: &mut AnyConnection,
    organization_seq: i64,
    filter: &InvitationFilter,
    order: (InvitationOrderField, bool),
    now: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<InvitationRow>> {
    let mut sql = organization_invitations_from(INVITATION_COLUMNS, organization_seq, filter, now);
    let column = match order.0 {
        InvitationOrderField::CreatedAt => "i.created_at",
        InvitationOrderField::EmailAddress => "i.email_norm",
    };
    let direction = if order.1 { "DESC" } else { "ASC" };
    sql.push(&format!(
        " ORDER BY {column} {direction}, i.seq {direction} LIMIT "
    ))
    .bind(limit)
    .push(" OFFSET ")
    .bind(offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(invitation_from_row)
        .collect()
}

pub async fn count_organization_invitations(
    conn: &mut AnyConnection,
    organization_seq: i64,
    filter: &InvitationFilter,
    now: i64,
) -> sqlx::Result<i64> {
    organization_invitations_from("COUNT(*)", organization_seq, filter, now)
        .fetch_i64(conn)
        .await
}

/// Filters of `GET /organizations`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    /// Matches the id exactly, or the name or slug as a case-insensitive substring.
    pub query: Option<String>,
    /// Organizations with (include) or without (exclude) any of these users as members.
    pub user_ids: super::users::IncludeExclude,
    pub organization_ids: super::users::IncludeExclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderField {
    CreatedAt,
    Name,
    MembersCount,
}

const MEMBERS_COUNT: &str =
    "(SELECT COUNT(*) FROM organization_memberships mc WHERE mc.organization_id = o.id)";

fn organizations_from(select: &str, filter: &OrganizationFilter) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {select} FROM organizations o WHERE 1 = 1"));
    if let Some(query) = &filter.query {
        let pattern = format!("%{}%", escape_like(&query.to_lowercase()));
        sql.push(" AND (o.id = ")
            .bind(query)
            .push(" OR lower(o.name) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR o.slug LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    let members_of = |sql: &mut Sql, not: &str, ids: &[String]| {
        sql.push(&format!(
            " AND o.id {not}IN (SELECT m.organization_id FROM organization_memberships m \
             JOIN users u ON u.seq = m.user_seq WHERE u.id IN "
        ))
        .bind_list(ids)
        .push(")");
    };
    if !filter.user_ids.include.is_empty() {
        members_of(&mut sql, "", &filter.user_ids.include);
    }
    if !filter.user_ids.exclude.is_empty() {
        members_of(&mut sql, "NOT ", &filter.user_ids.exclude);
    }
    if !filter.organization_ids.include.is_empty() {
        sql.push(" AND o.id IN ")
            .bind_list(&filter.organization_ids.include);
    }
    if !filter.organization_ids.exclude.is_empty() {
        sql.push(" AND o.id NOT IN ")
            .bind_list(&filter.organization_ids.exclude);
    }
    sql
}

/// One page of organizations, with each one's member count.
pub async fn list_organizations(
    conn: &mut AnyConnection,
    filter: &OrganizationFilter,
    order: (OrganizationOrderField, bool),
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(OrgRow, i64)>> {
    let select = format!("{}, {MEMBERS_COUNT} AS members_count", org_select());
    let mut sql = organizations_from(&select, filter);
    let column = match order.0 {
        OrganizationOrderField::CreatedAt => "o.created_at",
        OrganizationOrderField::Name => "o.name",
        OrganizationOrderField::MembersCount => "members_count",
    };
    let direction = if order.1 { "DESC" } else { "ASC" };
    sql.push(&format!(
        " ORDER BY {column} {direction}, o.seq {direction} LIMIT "
    ))
    .bind(limit)
    .push(" OFFSET ")
    .bind(offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((org_from_row(row, "o_")?, row.try_get("members_count")?)))
        .collect()
}

pub async fn count_organizations(
    conn: &mut AnyConnection,
    filter: &OrganizationFilter,
) -> sqlx::Result<i64> {
    organizations_from("COUNT(*)", filter).fetch_i64(conn).await
}
