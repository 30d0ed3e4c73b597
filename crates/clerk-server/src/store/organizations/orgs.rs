//! SQL for the organizations themselves: write, find, delete, list and count.

use super::rows::{org_from_row, org_select, push_order_and_page, Order, OrgRow, ORG_COLUMNS};
use crate::store::sql::escape_like;
use crate::store::users::IncludeExclude;
use crate::store::{Arg, Dialect, Sql};
use crate::store::{Conn, DbResult};

/// The organization's values for `ORG_COLUMNS[1..]` (all but `seq`).
fn values(org: &OrgRow) -> Vec<Arg> {
    vec![
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
    ]
}

/// Inserts the organization and returns its `seq`.
pub async fn insert_organization(conn: &mut Conn, org: &OrgRow) -> DbResult<i64> {
    let columns = ORG_COLUMNS[1..].join(", ");
    let mut sql = Sql::new(&format!("INSERT INTO organizations ({columns}) VALUES "));
    sql.bind_list(&values(org));
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

/// Writes the organization back: every column but `seq` and `id` (`created_by` does not
/// change, so it is written as it was read).
pub async fn update_organization(conn: &mut Conn, org: &OrgRow) -> DbResult<()> {
    let columns = ORG_COLUMNS[2..].join(", ");
    let mut sql = Sql::new(&format!("UPDATE organizations SET ({columns}) = "));
    sql.bind_list(&values(org)[1..]);
    sql.push(" WHERE seq = ").bind(org.seq);
    sql.execute(conn).await.map(|_| ())
}

/// Finds an organization by public id, or by slug too when `or_slug`. `for_update` locks the
/// row on PostgreSQL, so that membership changes of one organization run one at a time (SQLite
/// writers are already serialized).
pub async fn find_organization(
    conn: &mut Conn,
    dialect: Dialect,
    key: &str,
    or_slug: bool,
    for_update: bool,
) -> DbResult<Option<OrgRow>> {
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
        .map(|row| org_from_row(&row))
        .transpose()
}

pub async fn slug_taken(conn: &mut Conn, slug: &str) -> DbResult<bool> {
    Ok(Sql::new("SELECT COUNT(*) FROM organizations WHERE slug = ")
        .bind(slug)
        .fetch_i64(conn)
        .await?
        > 0)
}

/// Deletes the organization with its memberships and (by cascade) its invitations.
pub async fn delete_organization(conn: &mut Conn, org: &OrgRow) -> DbResult<()> {
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

/// Filters of `GET /organizations`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    /// Matches the id exactly, or the name or slug as a case-insensitive substring.
    pub query: Option<String>,
    /// Organizations with (include) or without (exclude) any of these users as members.
    pub user_ids: IncludeExclude,
    pub organization_ids: IncludeExclude,
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
    conn: &mut Conn,
    filter: &OrganizationFilter,
    order: Order<OrganizationOrderField>,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<(OrgRow, i64)>> {
    let select = format!("{}, {MEMBERS_COUNT} AS members_count", org_select());
    let mut sql = organizations_from(&select, filter);
    let column = match order.field {
        OrganizationOrderField::CreatedAt => "o.created_at",
        OrganizationOrderField::Name => "o.name",
        OrganizationOrderField::MembersCount => "members_count",
    };
    push_order_and_page(&mut sql, column, "o.seq", order.descending, limit, offset);
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((org_from_row(row)?, row.try_get("members_count")?)))
        .collect()
}

pub async fn count_organizations(conn: &mut Conn, filter: &OrganizationFilter) -> DbResult<i64> {
    organizations_from("COUNT(*)", filter).fetch_i64(conn).await
}
