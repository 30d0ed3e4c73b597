//! SQL for memberships: write, find, delete, and the lists of an organization's members and of
//! a user's organizations.

use super::rows::{
    membership_from_row, org_from_row, org_select, push_order_and_page, MembershipRow, OrgRow,
    MEMBERSHIP_COLUMNS,
};
use crate::store::{Arg, Sql};
use crate::store::{Conn, DbResult};

pub async fn find_membership(
    conn: &mut Conn,
    organization_id: &str,
    user_seq: i64,
) -> DbResult<Option<MembershipRow>> {
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
pub async fn insert_membership(conn: &mut Conn, m: &MembershipRow) -> DbResult<i64> {
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
    conn: &mut Conn,
    seq: i64,
    role: &str,
    updated_at: i64,
) -> DbResult<()> {
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

pub async fn update_membership_metadata(conn: &mut Conn, m: &MembershipRow) -> DbResult<()> {
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

pub async fn delete_membership(conn: &mut Conn, seq: i64) -> DbResult<()> {
    Sql::new("DELETE FROM organization_memberships WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn count_members(conn: &mut Conn, organization_id: &str) -> DbResult<i64> {
    Sql::new("SELECT COUNT(*) FROM organization_memberships WHERE organization_id = ")
        .bind(organization_id)
        .fetch_i64(conn)
        .await
}

/// Whether a member of the organization has this (normalized) email address.
pub async fn email_is_member(
    conn: &mut Conn,
    organization_id: &str,
    email_norm: &str,
) -> DbResult<bool> {
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

/// One page of an organization's memberships, oldest first.
pub async fn organization_memberships(
    conn: &mut Conn,
    organization_id: &str,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<MembershipRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM organization_memberships m WHERE m.organization_id = "
    ));
    sql.bind(organization_id);
    push_order_and_page(&mut sql, "m.created_at", "m.seq", false, limit, offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(membership_from_row)
        .collect()
}

/// One page of a user's memberships with their organizations, newest first. Memberships of
/// organizations that do not exist (rows put in place by hand) are left out, here and in
/// [`count_user_memberships`].
pub async fn user_memberships(
    conn: &mut Conn,
    user_seq: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<(MembershipRow, OrgRow)>> {
    let mut sql = Sql::new(&format!(
        "SELECT {MEMBERSHIP_COLUMNS}, {} FROM organization_memberships m \
         JOIN organizations o ON o.id = m.organization_id WHERE m.user_seq = ",
        org_select()
    ));
    sql.bind(user_seq);
    push_order_and_page(&mut sql, "m.created_at", "m.seq", true, limit, offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((membership_from_row(row)?, org_from_row(row)?)))
        .collect()
}

pub async fn count_user_memberships(conn: &mut Conn, user_seq: i64) -> DbResult<i64> {
    Sql::new(
        "SELECT COUNT(*) FROM organization_memberships m \
         JOIN organizations o ON o.id = m.organization_id WHERE m.user_seq = ",
    )
    .bind(user_seq)
    .fetch_i64(conn)
    .await
}
