//! SQL for users, their identifications and the search index.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::external_accounts::{self, ExternalAccountRow};
use super::sql::{escape_like, get_bool};
use super::{Dialect, Sql};

/// One row of `users`. `seq` is the internal key; `id` the public `user_…` id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserRow {
    pub seq: i64,
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    /// JSON text of the three metadata bags.
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub password_last_updated_at: Option<i64>,
    pub banned: bool,
    pub locked_at: Option<i64>,
    /// `None` while locked means the lock never expires.
    pub lockout_expires_at: Option<i64>,
    /// Failed password checks since the last successful one (or unlock).
    pub failed_verification_attempts: i64,
    /// Failed TOTP / backup-code checks since the last successful one (or unlock).
    pub failed_second_factor_attempts: i64,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: bool,
    pub mfa_enabled_at: Option<i64>,
    pub mfa_disabled_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Sealed (AES-256-GCM) base32 TOTP secret.
    pub totp_secret: Option<String>,
    pub totp_created_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    /// JSON array of hashed backup codes.
    pub backup_codes: Option<String>,
    pub password_compromised_at: Option<i64>,
    /// Key of the profile image in the image store.
    pub image_key: Option<String>,
}

/// One row of `identifications`: an email address, phone number or web3 wallet.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct IdentRow {
    pub id: String,
    pub user_seq: i64,
    pub kind: String,
    pub value: String,
    pub status: String,
    pub strategy: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An identification to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIdentification {
    pub id: String,
    pub kind: &'static str,
    pub value: String,
    pub norm: String,
    pub status: String,
    pub strategy: Option<String>,
    pub created_at: i64,
}

/// A user with everything the wire `User` object shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserRecord {
    pub user: UserRow,
    pub identifications: Vec<IdentRow>,
    pub external_accounts: Vec<ExternalAccountRow>,
    pub passkeys: Vec<PasskeyRow>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct PasskeyRow {
    pub id: String,
    pub user_seq: i64,
    pub name: String,
    pub last_used_at: i64,
    pub created_at: i64,
}

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

/// Which page of the ordered list to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
    /// Return users after this user id (only with created_at ordering).
    pub starting_after: Option<String>,
}

pub(super) const USER_COLUMNS: &str =
    "seq, id, external_id, username, first_name, last_name, locale, \
    primary_email_address_id, primary_phone_number_id, primary_web3_wallet_id, \
    public_metadata, private_metadata, unsafe_metadata, password_digest, password_hasher, \
    password_last_updated_at, banned, locked_at, lockout_expires_at, \
    failed_verification_attempts, delete_self_enabled, create_organization_enabled, \
    create_organizations_limit, bypass_client_trust, mfa_enabled_at, mfa_disabled_at, \
    last_active_at, last_sign_in_at, legal_accepted_at, created_at, updated_at, \
    totp_secret, totp_created_at, totp_last_step, backup_codes, password_compromised_at, \
    image_key, failed_second_factor_attempts";

pub(super) fn user_from_row(row: &AnyRow) -> sqlx::Result<UserRow> {
    Ok(UserRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        external_id: row.try_get("external_id")?,
        username: row.try_get("username")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        locale: row.try_get("locale")?,
        primary_email_address_id: row.try_get("primary_email_address_id")?,
        primary_phone_number_id: row.try_get("primary_phone_number_id")?,
        primary_web3_wallet_id: row.try_get("primary_web3_wallet_id")?,
        public_metadata: row.try_get("public_metadata")?,
        private_metadata: row.try_get("private_metadata")?,
        unsafe_metadata: row.try_get("unsafe_metadata")?,
        password_digest: row.try_get("password_digest")?,
        password_hasher: row.try_get("password_hasher")?,
        password_last_updated_at: row.try_get("password_last_updated_at")?,
        banned: get_bool(row, "banned")?,
        locked_at: row.try_get("locked_at")?,
        lockout_expires_at: row.try_get("lockout_expires_at")?,
        failed_verification_attempts: row.try_get("failed_verification_attempts")?,
        delete_self_enabled: get_bool(row, "delete_self_enabled")?,
        create_organization_enabled: get_bool(row, "create_organization_enabled")?,
        create_organizations_limit: row.try_get("create_organizations_limit")?,
        bypass_client_trust: get_bool(row, "bypass_client_trust")?,
        mfa_enabled_at: row.try_get("mfa_enabled_at")?,
        mfa_disabled_at: row.try_get("mfa_disabled_at")?,
        last_active_at: row.try_get("last_active_at")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
        legal_accepted_at: row.try_get("legal_accepted_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_created_at: row.try_get("totp_created_at")?,
        totp_last_step: row.try_get("totp_last_step")?,
        backup_codes: row.try_get("backup_codes")?,
        password_compromised_at: row.try_get("password_compromised_at")?,
        image_key: row.try_get("image_key")?,
        failed_second_factor_attempts: row.try_get("failed_second_factor_attempts")?,
    })
}

/// Binds every column of `users` but `seq`, in [`USER_COLUMNS`] order.
fn bind_user_values(sql: &mut Sql, u: &UserRow) {
    let values: Vec<super::Arg> = vec![
        u.id.clone().into(),
        u.external_id.clone().into(),
        u.username.clone().into(),
        u.first_name.clone().into(),
        u.last_name.clone().into(),
        u.locale.clone().into(),
        u.primary_email_address_id.clone().into(),
        u.primary_phone_number_id.clone().into(),
        u.primary_web3_wallet_id.clone().into(),
        u.public_metadata.clone().into(),
        u.private_metadata.clone().into(),
        u.unsafe_metadata.clone().into(),
        u.password_digest.clone().into(),
        u.password_hasher.clone().into(),
        u.password_last_updated_at.into(),
        u.banned.into(),
        u.locked_at.into(),
        u.lockout_expires_at.into(),
        u.failed_verification_attempts.into(),
        u.delete_self_enabled.into(),
        u.create_organization_enabled.into(),
        u.create_organizations_limit.into(),
        u.bypass_client_trust.into(),
        u.mfa_enabled_at.into(),
        u.mfa_disabled_at.into(),
        u.last_active_at.into(),
        u.last_sign_in_at.into(),
        u.legal_accepted_at.into(),
        u.created_at.into(),
        u.updated_at.into(),
        u.totp_secret.clone().into(),
        u.totp_created_at.into(),
        u.totp_last_step.into(),
        u.backup_codes.clone().into(),
        u.password_compromised_at.into(),
        u.image_key.clone().into(),
        u.failed_second_factor_attempts.into(),
    ];
    sql.bind_list(&values);
}

/// Inserts the user row and returns its `seq`.
pub async fn insert_user(conn: &mut AnyConnection, user: &UserRow) -> sqlx::Result<i64> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("INSERT INTO users ({columns}) VALUES "));
    bind_user_values(&mut sql, user);
    sql.push(" RETURNING seq");
    sql.fetch_i64(conn).await
}

/// Writes every column of the row back (the caller read it inside the same transaction).
/// `SET (a, b, …) = ($1, $2, …)` is a row-value assignment both SQLite and PostgreSQL accept.
pub async fn update_user(conn: &mut AnyConnection, user: &UserRow) -> sqlx::Result<()> {
    let columns = USER_COLUMNS.trim_start_matches("seq, ");
    let mut sql = Sql::new(&format!("UPDATE users SET ({columns}) = "));
    bind_user_values(&mut sql, user);
    sql.push(" WHERE seq = ").bind(user.seq);
    sql.execute(conn).await.map(|_| ())
}

pub async fn delete_user(conn: &mut AnyConnection, dialect: Dialect, seq: i64) -> sqlx::Result<()> {
    delete_search_row(conn, dialect, seq).await?;
    Sql::new("DELETE FROM users WHERE seq = ")
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The `seq` of the user with this public id. `for_update` locks the row on PostgreSQL.
pub async fn seq_for_id(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: &str,
    for_update: bool,
) -> sqlx::Result<Option<i64>> {
    let mut sql = Sql::new("SELECT seq FROM users WHERE id = ");
    sql.bind(id);
    if for_update && dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    sql.fetch_optional(conn)
        .await?
        .map(|row| row.try_get("seq"))
        .transpose()
}

/// Finds the user by public id. `for_update` locks the row on PostgreSQL (SQLite writers are
/// already serialized).
pub async fn find_user(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: &str,
    for_update: bool,
) -> sqlx::Result<Option<UserRecord>> {
    let mut sql = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = "));
    sql.bind(id);
    if for_update && dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE");
    }
    let Some(row) = sql.fetch_optional(conn).await? else {
        return Ok(None);
    };
    let user = user_from_row(&row)?;
    Ok(attach_children(conn, dialect, vec![user]).await?.pop())
}

/// Loads the identifications, external accounts and passkeys of `users`, keeping their order.
/// One query for the three tables (each row as a JSON object): a read of a user costs two
/// round trips to the database, not four.
pub(super) async fn attach_children(
    conn: &mut AnyConnection,
    dialect: Dialect,
    users: Vec<UserRow>,
) -> sqlx::Result<Vec<UserRecord>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let seqs: Vec<i64> = users.iter().map(|u| u.seq).collect();
    let parts = [
        (IDENT_COLUMNS, "identifications"),
        (external_accounts::COLUMNS, "external_accounts"),
        (PASSKEY_COLUMNS, "passkeys"),
    ];
    let mut sql = Sql::default();
    for (part, (columns, table)) in parts.iter().enumerate() {
        if part > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!(
            "SELECT {part} AS part, user_seq, seq, {} AS doc FROM {table} WHERE user_seq IN ",
            json_object(dialect, columns)
        ));
        sql.bind_list(&seqs);
    }
    sql.push(" ORDER BY part, user_seq, seq");
    let rows = sql.fetch_all(conn).await?;

    let mut records: Vec<UserRecord> = users
        .into_iter()
        .map(|user| UserRecord {
            user,
            ..UserRecord::default()
        })
        .collect();
    let index: std::collections::HashMap<i64, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.user.seq, i))
        .collect();
    for row in &rows {
        let part: i64 = row.try_get("part")?;
        let user_seq: i64 = row.try_get("user_seq")?;
        let doc: String = row.try_get("doc")?;
        let record = &mut records[index[&user_seq]];
        let decoded = match part {
            0 => serde_json::from_str(&doc).map(|i| record.identifications.push(i)),
            1 => serde_json::from_str(&doc).map(|a| record.external_accounts.push(a)),
            _ => serde_json::from_str(&doc).map(|p| record.passkeys.push(p)),
        };
        decoded.map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    }
    Ok(records)
}

const IDENT_COLUMNS: &str = "id, user_seq, kind, value, status, strategy, created_at, updated_at";
const PASSKEY_COLUMNS: &str = "id, user_seq, name, last_used_at, created_at";

/// A JSON object of `columns` (keys named after them), as text.
fn json_object(dialect: Dialect, columns: &str) -> String {
    let pairs = columns
        .split(',')
        .map(|c| format!("'{0}', {0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    match dialect {
        Dialect::Sqlite => format!("json_object({pairs})"),
        Dialect::Postgres => format!("json_build_object({pairs})::text"),
    }
}

pub async fn insert_identification(
    conn: &mut AnyConnection,
    user_seq: i64,
    ident: &NewIdentification,
) -> sqlx::Result<()> {
    let mut sql = Sql::new(
        "INSERT INTO identifications \
         (id, user_seq, kind, value, norm, status, strategy, created_at, updated_at) VALUES ",
    );
    sql.bind_list::<super::Arg>(&[
        ident.id.clone().into(),
        user_seq.into(),
        ident.kind.into(),
        ident.value.clone().into(),
        ident.norm.clone().into(),
        ident.status.clone().into(),
        ident.strategy.clone().into(),
        ident.created_at.into(),
        ident.created_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// Normalized values of `kind` among `norms` that some user other than `except_user_seq`
/// already has.
pub async fn taken_identifiers(
    conn: &mut AnyConnection,
    kind: &str,
    norms: &[String],
    except_user_seq: Option<i64>,
) -> sqlx::Result<Vec<String>> {
    if norms.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT norm FROM identifications WHERE kind = ");
    sql.bind(kind).push(" AND norm IN ").bind_list(norms);
    if let Some(seq) = except_user_seq {
        sql.push(" AND user_seq <> ").bind(seq);
    }
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("norm"))
        .collect()
}

/// Whether another user has this `external_id` / username (case-insensitively).
pub async fn column_taken(
    conn: &mut AnyConnection,
    column: UniqueColumn,
    value: &str,
    except_user_seq: Option<i64>,
) -> sqlx::Result<bool> {
    let mut sql = Sql::new(match column {
        UniqueColumn::ExternalId => "SELECT COUNT(*) FROM users WHERE external_id = ",
        UniqueColumn::Username => "SELECT COUNT(*) FROM users WHERE lower(username) = lower(",
    });
    sql.bind(value);
    if column == UniqueColumn::Username {
        sql.push(")");
    }
    if let Some(seq) = except_user_seq {
        sql.push(" AND seq <> ").bind(seq);
    }
    Ok(sql.fetch_i64(conn).await? > 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueColumn {
    ExternalId,
    Username,
}

/// Recomputes what is derived from a user's identifications: the order-by keys of the
/// primary identifications and the row of the substring-search index.
pub async fn refresh_derived(
    conn: &mut AnyConnection,
    dialect: Dialect,
    seq: i64,
) -> sqlx::Result<()> {
    let mut sql = Sql::new("UPDATE users SET ");
    for (column, pointer) in [
        ("primary_email_address", "primary_email_address_id"),
        ("primary_phone_number", "primary_phone_number_id"),
        ("primary_web3_wallet", "primary_web3_wallet_id"),
    ] {
        sql.push(&format!(
            "{column} = (SELECT norm FROM identifications i WHERE i.id = users.{pointer}), "
        ));
    }
    sql.push("seq = seq WHERE seq = ").bind(seq);
    sql.execute(conn).await?;

    let Some(row) = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE seq = "))
        .bind(seq)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(());
    };
    let record = attach_children(conn, dialect, vec![user_from_row(&row)?])
        .await?
        .remove(0);
    let joined = |kind: &str| {
        record
            .identifications
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.value.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let user = &record.user;
    let names = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let values: Vec<super::Arg> = vec![
        seq.into(),
        joined("email_address").into(),
        joined("phone_number").into(),
        user.username
            .clone()
            .unwrap_or_default()
            .to_lowercase()
            .into(),
        names.into(),
        joined("web3_wallet").into(),
        user.id.to_lowercase().into(),
    ];
    delete_search_row(conn, dialect, seq).await?;
    let key = search_key(dialect);
    let mut sql = Sql::new(&format!(
        "INSERT INTO user_search ({key}, emails, phones, usernames, names, wallets, ids) VALUES "
    ));
    sql.bind_list(&values).execute(conn).await.map(|_| ())
}

/// The search table's link to `users.seq`: SQLite's FTS5 rowid, a column on PostgreSQL.
fn search_key(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "rowid",
        Dialect::Postgres => "user_seq",
    }
}

async fn delete_search_row(
    conn: &mut AnyConnection,
    dialect: Dialect,
    seq: i64,
) -> sqlx::Result<()> {
    let key = search_key(dialect);
    Sql::new(&format!("DELETE FROM user_search WHERE {key} = "))
        .bind(seq)
        .execute(conn)
        .await
        .map(|_| ())
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
    const ALL: &[&str] = &["emails", "phones", "usernames", "names", "wallets", "ids"];
    [
        (ALL, &filter.query),
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
        ("email_address", &filter.email_addresses),
        ("phone_number", &filter.phone_numbers),
        ("web3_wallet", &filter.web3_wallets),
    ] {
        if !values.is_empty() {
            sql.push(" AND seq IN (SELECT user_seq FROM identifications WHERE kind = ")
                .bind(kind)
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

/// A subquery of the `seq` of users whose `columns` of the search index contain `needle`
/// (lowercased). Three characters or more use the trigram index; shorter needles cannot,
/// and scan the index table instead.
fn push_search(sql: &mut Sql, dialect: Dialect, columns: &[&str], needle: &str) {
    match dialect {
        Dialect::Sqlite if needle.chars().count() >= 3 => {
            // FTS5 query: `{col1 col2} : "phrase"`, quotes inside the phrase doubled.
            let phrase = format!(
                "{{{}}} : \"{}\"",
                columns.join(" "),
                needle.replace('"', "\"\"")
            );
            sql.push("SELECT rowid FROM user_search WHERE user_search MATCH ")
                .bind(phrase);
        }
        Dialect::Sqlite => {
            sql.push("SELECT rowid FROM user_search WHERE ");
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(&format!("instr({column}, "))
                    .bind(needle)
                    .push(") > 0");
            }
        }
        Dialect::Postgres => {
            let pattern = format!("%{}%", escape_like(needle));
            sql.push("SELECT user_seq FROM user_search WHERE ");
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(&format!("{column} LIKE "))
                    .bind(pattern.clone())
                    .push(" ESCAPE '\\'");
            }
        }
    }
}

/// The `created_at` and `seq` of the user a cursor names.
pub async fn cursor_position(
    conn: &mut AnyConnection,
    id: &str,
) -> sqlx::Result<Option<(i64, i64)>> {
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
    conn: &mut AnyConnection,
    dialect: Dialect,
    filter: &UserFilter,
    order: UserOrder,
    cursor: Option<(i64, i64)>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<UserRecord>> {
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
        .collect::<sqlx::Result<Vec<_>>>()?;
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
    conn: &mut AnyConnection,
    dialect: Dialect,
    filter: &UserFilter,
    wanted: i64,
) -> sqlx::Result<SearchPlan> {
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

pub async fn count_users(
    conn: &mut AnyConnection,
    dialect: Dialect,
    filter: &UserFilter,
) -> sqlx::Result<i64> {
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

/// Deletes identifications of the user by id (`ids` belong to `user_seq`).
pub async fn delete_identifications(
    conn: &mut AnyConnection,
    user_seq: i64,
    ids: &[String],
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM identifications WHERE user_seq = ");
    sql.bind(user_seq).push(" AND id IN ").bind_list(ids);
    sql.execute(conn).await.map(|_| ())
}
