//! `GET /users` and `GET /users/count`: the filters, the order, and the queries.

use super::super::{Dialect, Sql};
use super::read::attach_children;
use super::row::{user_from_row, UserRecord, USER_COLUMNS};
use super::search::{push_search, SEARCH_COLUMNS};
use super::values::IdentKind;
use crate::store::{Conn, DbResult};

/// Values to include (`+id` or bare) and to exclude (`-id`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncludeExclude {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// Bounds on a timestamp column, exclusive, in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeRange {
    pub after: Option<i64>,
    pub before: Option<i64>,
}

/// The filters of `GET /users` and `GET /users/count`. Text values are already normalized
/// (lowercased where the column is case-insensitive).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFilter {
    pub email_addresses: Vec<String>,
    pub phone_numbers: Vec<String>,
    pub web3_wallets: Vec<String>,
    pub usernames: Vec<String>,
    pub external_ids: IncludeExclude,
    pub user_ids: IncludeExclude,
    pub organization_ids: IncludeExclude,
    pub query: Option<String>,
    pub email_address_query: Option<String>,
    pub phone_number_query: Option<String>,
    pub username_query: Option<String>,
    pub name_query: Option<String>,
    pub banned: Option<bool>,
    pub created_at: TimeRange,
    pub last_active_at: TimeRange,
    pub last_sign_in_at: TimeRange,
    /// `provider` with its `provider_user_id` values.
    pub provider: Option<(String, Vec<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    CreatedAt,
    UpdatedAt,
    EmailAddress,
    Web3Wallet,
    FirstName,
    LastName,
    PhoneNumber,
    Username,
    LastActiveAt,
    LastSignInAt,
}

impl OrderField {
    fn column(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::EmailAddress => "primary_email_address",
            Self::Web3Wallet => "primary_web3_wallet",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::PhoneNumber => "primary_phone_number",
            Self::Username => "username",
            Self::LastActiveAt => "last_active_at",
            Self::LastSignInAt => "last_sign_in_at",
        }
    }

    fn nullable(self) -> bool {
        !matches!(self, Self::CreatedAt | Self::UpdatedAt)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserOrder {
    pub field: OrderField,
    pub descending: bool,
}

/// How a substring-search term joins the rest of the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchPlan {
    /// Look the matching users up by `seq` (few matches).
    LookUpMatches,
    /// Walk the ORDER BY index and keep users that are among the matches (many matches: the
    /// page fills after a few index entries instead of sorting every match). SQLite only.
    ScanOrder,
}

/// Each substring-search term of `filter`: the search-index columns it reads, and the needle.
fn search_terms(filter: &UserFilter) -> Vec<(&'static [&'static str], &str)> {
    [
        (&SEARCH_COLUMNS[..], &filter.query),
        (&["emails"][..], &filter.email_address_query),
        (&["phones"][..], &filter.phone_number_query),
        (&["usernames"][..], &filter.username_query),
        (&["names"][..], &filter.name_query),
    ]
    .into_iter()
    .filter_map(|(columns, needle)| needle.as_deref().map(|n| (columns, n)))
    .collect()
}

/// Whether substring search is all `filter` asks for.
fn search_only(filter: &UserFilter) -> bool {
    let without_search = UserFilter {
        query: None,
        email_address_query: None,
        phone_number_query: None,
        username_query: None,
        name_query: None,
        ..filter.clone()
    };
    without_search == UserFilter::default() && !search_terms(filter).is_empty()
}

/// Appends `WHERE …` for `filter` (always a valid clause, `WHERE 1 = 1` at least).
fn push_filter(sql: &mut Sql, dialect: Dialect, filter: &UserFilter, plan: SearchPlan) {
    sql.push(" WHERE 1 = 1");
    for (kind, values) in [
        (IdentKind::Email, &filter.email_addresses),
        (IdentKind::Phone, &filter.phone_numbers),
        (IdentKind::Web3, &filter.web3_wallets),
    ] {
        if !values.is_empty() {
            sql.push(" AND seq IN (SELECT user_seq FROM identifications WHERE kind = ")
                .bind(kind.as_str())
                .push(" AND norm IN ")
                .bind_list(values)
                .push(")");
        }
    }
    if !filter.usernames.is_empty() {
        sql.push(" AND lower(username) IN ")
            .bind_list(&filter.usernames);
    }
    push_include_exclude(sql, "external_id", &filter.external_ids);
    push_include_exclude(sql, "id", &filter.user_ids);
    let orgs = &filter.organization_ids;
    if !orgs.include.is_empty() {
        sql.push(
            " AND seq IN (SELECT user_seq FROM organization_memberships WHERE organization_id IN ",
        )
        .bind_list(&orgs.include)
        .push(")");
    }
    if !orgs.exclude.is_empty() {
        sql.push(
            " AND seq NOT IN (SELECT user_seq FROM organization_memberships WHERE organization_id IN ",
        )
        .bind_list(&orgs.exclude)
        .push(")");
    }
    if let Some((provider, ids)) = &filter.provider {
        sql.push(" AND seq IN (SELECT user_seq FROM external_accounts WHERE provider = ")
            .bind(provider)
            .push(" AND provider_user_id IN ")
            .bind_list(ids)
            .push(")");
    }
    for (columns, needle) in search_terms(filter) {
        // `+seq` keeps SQLite from looking the matches up by rowid, so it walks the ORDER BY
        // index instead and probes the (materialized) matches.
        let key = match plan {
            SearchPlan::LookUpMatches => "seq",
            SearchPlan::ScanOrder => "+seq",
        };
        sql.push(&format!(" AND {key} IN ("));
        push_search(sql, dialect, columns, needle);
        sql.push(")");
    }
    if let Some(banned) = filter.banned {
        sql.push(" AND banned = ").bind(banned);
    }
    for (column, range) in [
        ("created_at", filter.created_at),
        ("last_active_at", filter.last_active_at),
        ("last_sign_in_at", filter.last_sign_in_at),
    ] {
        if let Some(after) = range.after {
            sql.push(&format!(" AND {column} > ")).bind(after);
        }
        if let Some(before) = range.before {
            sql.push(&format!(" AND {column} < ")).bind(before);
        }
    }
}

fn push_include_exclude(sql: &mut Sql, column: &str, set: &IncludeExclude) {
    if !set.include.is_empty() {
        sql.push(&format!(" AND {column} IN "))
            .bind_list(&set.include);
    }
    if !set.exclude.is_empty() {
        // NULL external ids are not "one of the excluded", so they stay in the result.
        sql.push(&format!(" AND ({column} IS NULL OR {column} NOT IN "))
            .bind_list(&set.exclude)
            .push(")");
    }
}

/// The `created_at` and `seq` of the user a cursor names.
pub async fn cursor_position(conn: &mut Conn, id: &str) -> DbResult<Option<(i64, i64)>> {
    let row = Sql::new("SELECT created_at, seq FROM users WHERE id = ")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("created_at")?, r.try_get("seq")?)))
        .transpose()
}

/// One page of users matching `filter` in `order`. `cursor` is the (created_at, seq)
/// position to start after, from [`cursor_position`].
pub async fn list_users(
    conn: &mut Conn,
    dialect: Dialect,
    filter: &UserFilter,
    order: UserOrder,
    cursor: Option<(i64, i64)>,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<UserRecord>> {
    let plan = search_plan(conn, dialect, filter, limit + offset).await?;
    let mut sql = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users"));
    push_filter(&mut sql, dialect, filter, plan);
    if let Some((created_at, seq)) = cursor {
        let op = if order.descending { "<" } else { ">" };
        sql.push(&format!(" AND (created_at, seq) {op} ("))
            .bind(created_at)
            .push(", ")
            .bind(seq)
            .push(")");
    }
    let column = order.field.column();
    let direction = if order.descending { "DESC" } else { "ASC" };
    // Nulls sort first ascending on both stores (SQLite's rule); see the PostgreSQL indexes.
    let nulls = match (dialect, order.field.nullable(), order.descending) {
        (Dialect::Postgres, true, false) => " NULLS FIRST",
        (Dialect::Postgres, true, true) => " NULLS LAST",
        _ => "",
    };
    sql.push(&format!(
        " ORDER BY {column} {direction}{nulls}, seq {direction} LIMIT "
    ))
    .bind(limit)
    .push(" OFFSET ")
    .bind(offset);
    let rows = sql.fetch_all(conn).await?;
    let users = rows
        .iter()
        .map(user_from_row)
        .collect::<DbResult<Vec<_>>>()?;
    attach_children(conn, dialect, users).await
}

/// Picks the plan for a search-only list on SQLite, whose planner knows nothing of how many
/// rows an FTS5 query matches: looking every match up and sorting them costs about as many
/// row reads as there are matches, walking the ORDER BY index about
/// `wanted × users / matches` index entries (an index entry is ~20× cheaper than a row read).
/// Counting the matches stops at the crossover, so it stays cheap for broad needles.
/// PostgreSQL keeps its planner's choice: counting there first builds the whole bitmap of six
/// GIN scans, and forcing the lookup plan (a `MATERIALIZED` CTE) measured slower overall
/// (BENCHMARKS.md).
async fn search_plan(
    conn: &mut Conn,
    dialect: Dialect,
    filter: &UserFilter,
    wanted: i64,
) -> DbResult<SearchPlan> {
    if dialect != Dialect::Sqlite || !search_only(filter) {
        return Ok(SearchPlan::LookUpMatches);
    }
    let users = Sql::new("SELECT COALESCE(MAX(seq), 0) FROM users")
        .fetch_i64(conn)
        .await?;
    let crossover = ((wanted.max(1) as f64) * (users as f64) / 20.0).sqrt() as i64;
    for (columns, needle) in search_terms(filter) {
        let mut sql = Sql::new("SELECT COUNT(*) FROM (");
        push_search(&mut sql, dialect, columns, needle);
        sql.push(" LIMIT ").bind(crossover + 1).push(")");
        if sql.fetch_i64(conn).await? <= crossover {
            return Ok(SearchPlan::LookUpMatches);
        }
    }
    Ok(SearchPlan::ScanOrder)
}

pub async fn count_users(conn: &mut Conn, dialect: Dialect, filter: &UserFilter) -> DbResult<i64> {
    if *filter == UserFilter::default() {
        // Kept by triggers in the same transaction as every insert and delete (migration
        // 0012): one row on SQLite, 16 slots on PostgreSQL.
        return Sql::new("SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM user_count")
            .fetch_i64(conn)
            .await;
    }
    if search_only(filter) {
        // Every user has exactly one search-index row: count the matches there, without
        // reading each matching user's row.
        let mut sql = Sql::new("SELECT COUNT(*) FROM (");
        for (i, (columns, needle)) in search_terms(filter).into_iter().enumerate() {
            if i > 0 {
                sql.push(" INTERSECT ");
            }
            push_search(&mut sql, dialect, columns, needle);
        }
        sql.push(") matches");
        return sql.fetch_i64(conn).await;
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM users");
    push_filter(&mut sql, dialect, filter, SearchPlan::LookUpMatches);
    sql.fetch_i64(conn).await
}
