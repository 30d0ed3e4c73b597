//! Loads a [`DataSet`] straight into a database whose schema `clerk serve` created (its
//! migrations), bypassing the HTTP API: the rows, derived columns and search-index rows a user
//! has after `POST /users`, written in big batches.
//!
//! Secondary indexes of the loaded tables are dropped first and re-created from their own
//! definitions afterwards (one sorted build instead of a million incremental inserts); the
//! schema ends exactly as the migrations left it.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection};

use crate::gen::{self, DataSet, User};

/// Tables the loader writes, in dependency order.
const TABLES: &[&str] = &[
    "organizations",
    "users",
    "identifications",
    "organization_memberships",
];

/// A value of a row to load.
#[derive(Debug, Clone)]
enum V {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for V {
    fn from(v: i64) -> Self {
        V::Int(Some(v))
    }
}
impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> Self {
        V::Int(v)
    }
}
impl From<bool> for V {
    fn from(v: bool) -> Self {
        V::Int(Some(v as i64))
    }
}
impl From<String> for V {
    fn from(v: String) -> Self {
        V::Text(Some(v))
    }
}
impl From<&str> for V {
    fn from(v: &str) -> Self {
        V::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for V {
    fn from(v: Option<String>) -> Self {
        V::Text(v)
    }
}
impl From<Option<&str>> for V {
    fn from(v: Option<&str>) -> Self {
        V::Text(v.map(str::to_owned))
    }
}

const USER_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "external_id",
    "username",
    "first_name",
    "last_name",
    "locale",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_email_address",
    "primary_phone_number",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "password_digest",
    "password_hasher",
    "password_last_updated_at",
    "banned",
    "locked_at",
    "lockout_expires_at",
    "last_active_at",
    "last_sign_in_at",
    "created_at",
    "updated_at",
];

fn user_row(u: &User, digest: &str) -> Vec<V> {
    let email = u.primary_email();
    let phone = u.primary_phone();
    let password = u.has_password;
    vec![
        u.seq.into(),
        u.id.clone().into(),
        u.external_id.clone().into(),
        u.username.clone().into(),
        u.first_name.clone().into(),
        u.last_name.clone().into(),
        u.locale.into(),
        email.id.clone().into(),
        phone.map(|p| p.id.clone()).into(),
        email.norm().into(),
        phone.map(|p| p.norm()).into(),
        u.public_metadata.clone().into(),
        u.private_metadata.clone().into(),
        u.unsafe_metadata.clone().into(),
        password.then(|| digest.to_owned()).into(),
        password.then_some("bcrypt").into(),
        password.then_some(u.created_at).into(),
        u.banned.into(),
        u.locked_at.into(),
        // A generated lock never expires.
        V::Int(None),
        u.last_active_at.into(),
        u.last_sign_in_at.into(),
        u.created_at.into(),
        u.created_at.into(),
    ]
}

const IDENT_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "user_seq",
    "kind",
    "value",
    "norm",
    "status",
    "strategy",
    "created_at",
    "updated_at",
];

fn ident_rows(u: &User) -> impl Iterator<Item = Vec<V>> + '_ {
    u.idents.iter().map(|i| {
        vec![
            i.seq.into(),
            i.id.clone().into(),
            u.seq.into(),
            i.kind.into(),
            i.value.clone().into(),
            i.norm().into(),
            "verified".into(),
            "admin".into(),
            u.created_at.into(),
            u.created_at.into(),
        ]
    })
}

const SEARCH_COLUMNS: &[&str] = &["emails", "phones", "usernames", "names", "wallets", "ids"];

fn search_row(u: &User) -> Vec<V> {
    let mut row: Vec<V> = vec![u.seq.into()];
    row.extend(u.search_row().into_iter().map(V::from));
    row
}

const MEMBERSHIP_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "organization_id",
    "user_seq",
    "role",
    "created_at",
    "updated_at",
];

fn membership_rows(u: &User) -> impl Iterator<Item = Vec<V>> + '_ {
    u.memberships.iter().map(|m| {
        vec![
            m.seq.into(),
            m.id.clone().into(),
            m.organization_id.clone().into(),
            u.seq.into(),
            m.role.into(),
            u.created_at.into(),
            u.created_at.into(),
        ]
    })
}

const ORG_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "name",
    "slug",
    "created_by",
    "created_at",
    "updated_at",
];

fn org_rows(set: &DataSet) -> impl Iterator<Item = Vec<V>> + '_ {
    (0..set.organizations()).map(|i| {
        let o = set.organization(i);
        vec![
            o.seq.into(),
            o.id.into(),
            o.name.into(),
            o.slug.into(),
            o.created_by.into(),
            o.created_at.into(),
            o.created_at.into(),
        ]
    })
}

/// Users generated and written per transaction / COPY round.
const CHUNK: u64 = 20_000;

pub async fn load(url: &str, set: DataSet, cost: u32) -> anyhow::Result<f64> {
    let digest = gen::password_digest(cost);
    let started = Instant::now();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        load_postgres(url, set, &digest).await?;
    } else if url.starts_with("sqlite:") {
        load_sqlite(url, set, &digest).await?;
    } else {
        bail!("unsupported database URL {url}");
    }
    eprintln!(
        "loaded {} users, {} organizations in {:.1} s",
        set.users,
        set.organizations(),
        started.elapsed().as_secs_f64()
    );
    Ok(started.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------- SQLite

/// Rows per multi-row INSERT (SQLite allows 32766 bound values per statement).
const SQLITE_ROWS_PER_INSERT: usize = 500;

async fn sqlite_insert(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> anyhow::Result<()> {
    for batch in rows.chunks(SQLITE_ROWS_PER_INSERT) {
        let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let one = format!("({})", vec!["?"; columns.len()].join(", "));
        for i in 0..batch.len() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&one);
        }
        let mut q = sqlx::query(&text);
        for row in batch {
            for v in row {
                q = match v {
                    V::Int(x) => q.bind(*x),
                    V::Text(x) => q.bind(x.clone()),
                };
            }
        }
        q.execute(&mut *conn)
            .await
            .with_context(|| format!("insert into {table}"))?;
    }
    Ok(())
}

/// Runs the saved `CREATE INDEX` statements (name, SQL) again after the rows are in.
async fn recreate_indexes<C>(conn: &mut C, indexes: &[(String, String)]) -> anyhow::Result<()>
where
    for<'c> &'c mut C: Executor<'c>,
{
    let t = Instant::now();
    for (_, sql) in indexes {
        conn.execute(sql.as_str())
            .await
            .with_context(|| sql.clone())?;
    }
    eprintln!(
        "re-created {} indexes in {:.1} s",
        indexes.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn load_sqlite(url: &str, set: DataSet, digest: &str) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect(url).await.with_context(|| {
        format!("open {url} (start clerk serve on it once to create the schema)")
    })?;
    for pragma in [
        "PRAGMA synchronous = OFF",
        "PRAGMA foreign_keys = OFF",
        "PRAGMA cache_size = -262144",
        "PRAGMA temp_store = MEMORY",
    ] {
        conn.execute(pragma).await?;
    }
    ensure_empty(
        conn.fetch_one("SELECT COUNT(*) FROM users")
            .await?
            .try_get(0)?,
    )?;

    let in_list = TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let indexes: Vec<(String, String)> = sqlx::query(&format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ({in_list})"
    ))
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<sqlx::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute(format!("DROP INDEX {name}").as_str()).await?;
    }

    let orgs: Vec<Vec<V>> = org_rows(&set).collect();
    conn.execute("BEGIN").await?;
    sqlite_insert(&mut conn, "organizations", ORG_COLUMNS, &orgs).await?;
    conn.execute("COMMIT").await?;
    let search_columns: Vec<&str> = std::iter::once("rowid")
        .chain(SEARCH_COLUMNS.iter().copied())
        .collect();
    let mut start = 0;
    while start < set.users {
        let end = (start + CHUNK).min(set.users);
        let users: Vec<User> = (start..end).map(|i| set.user(i)).collect();
        let user_rows: Vec<Vec<V>> = users.iter().map(|u| user_row(u, digest)).collect();
        let idents: Vec<Vec<V>> = users.iter().flat_map(ident_rows).collect();
        let search: Vec<Vec<V>> = users.iter().map(search_row).collect();
        let members: Vec<Vec<V>> = users.iter().flat_map(membership_rows).collect();
        conn.execute("BEGIN").await?;
        sqlite_insert(&mut conn, "users", USER_COLUMNS, &user_rows).await?;
        sqlite_insert(&mut conn, "identifications", IDENT_COLUMNS, &idents).await?;
        sqlite_insert(&mut conn, "user_search", &search_columns, &search).await?;
        sqlite_insert(
            &mut conn,
            "organization_memberships",
            MEMBERSHIP_COLUMNS,
            &members,
        )
        .await?;
        conn.execute("COMMIT").await?;
        start = end;
        progress(start, set.users);
    }
    recreate_indexes(&mut conn, &indexes).await?;
    // Merge the FTS5 index segments, as a long-running index would be after its automerges.
    conn.execute("INSERT INTO user_search(user_search) VALUES ('optimize')")
        .await?;
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    conn.close().await?;
    Ok(())
}

fn progress(done: u64, total: u64) {
    if done % 200_000 == 0 || done == total {
        eprintln!("  {done} / {total} users");
    }
}

fn ensure_empty(count: i64) -> anyhow::Result<()> {
    if count != 0 {
        bail!("the users table already has {count} rows: load into a fresh database");
    }
    Ok(())
}

// ---------------------------------------------------------------- PostgreSQL

/// Appends one row in COPY's text format.
fn copy_row(buf: &mut String, row: &[V]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match v {
            V::Int(Some(x)) => {
                let _ = write!(buf, "{x}");
            }
            V::Text(Some(s)) => {
                for c in s.chars() {
                    match c {
                        '\\' => buf.push_str("\\\\"),
                        '\n' => buf.push_str("\\n"),
                        '\r' => buf.push_str("\\r"),
                        '\t' => buf.push_str("\\t"),
                        c => buf.push(c),
                    }
                }
            }
            V::Int(None) | V::Text(None) => buf.push_str("\\N"),
        }
    }
    buf.push('\n');
}

async fn pg_copy(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<V>>,
) -> anyhow::Result<()> {
    let mut buf = String::new();
    for row in rows {
        copy_row(&mut buf, &row);
    }
    if buf.is_empty() {
        return Ok(());
    }
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
        .await?;
    copy.send(buf.into_bytes()).await?;
    copy.finish()
        .await
        .with_context(|| format!("COPY {table}"))?;
    Ok(())
}

async fn load_postgres(url: &str, set: DataSet, digest: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(url)
        .await
        .with_context(|| format!("connect to {url}"))?;
    ensure_empty(
        conn.fetch_one("SELECT COUNT(*) FROM users")
            .await?
            .try_get(0)?,
    )?;
    conn.execute("SET maintenance_work_mem = '1GB'").await?;
    conn.execute("SET synchronous_commit = off").await?;

    let mut tables: Vec<&str> = TABLES.to_vec();
    tables.push("user_search");
    let in_list = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Indexes that back a constraint (primary keys, UNIQUE columns) stay.
    let indexes: Vec<(String, String)> = sqlx::query(&format!(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ({in_list}) \
         AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    ))
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<sqlx::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute(format!("DROP INDEX {name}").as_str()).await?;
    }

    pg_copy(&mut conn, "organizations", ORG_COLUMNS, org_rows(&set)).await?;
    let search_columns: Vec<&str> = std::iter::once("user_seq")
        .chain(SEARCH_COLUMNS.iter().copied())
        .collect();
    let mut start = 0;
    while start < set.users {
        let end = (start + CHUNK).min(set.users);
        let users: Vec<User> = (start..end).map(|i| set.user(i)).collect();
        pg_copy(
            &mut conn,
            "users",
            USER_COLUMNS,
            users.iter().map(|u| user_row(u, digest)),
        )
        .await?;
        pg_copy(
            &mut conn,
            "identifications",
            IDENT_COLUMNS,
            users.iter().flat_map(ident_rows),
        )
        .await?;
        pg_copy(
            &mut conn,
            "user_search",
            &search_columns,
            users.iter().map(search_row),
        )
        .await?;
        pg_copy(
            &mut conn,
            "organization_memberships",
            MEMBERSHIP_COLUMNS,
            users.iter().flat_map(membership_rows),
        )
        .await?;
        start = end;
        progress(start, set.users);
    }
    recreate_indexes(&mut conn, &indexes).await?;
    // The sequences continue after the loaded rows, as if the API had created them.
    for table in TABLES {
        conn.execute(
            format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'seq'), \
                 GREATEST((SELECT MAX(seq) FROM {table}), 1))"
            )
            .as_str(),
        )
        .await?;
    }
    // Autovacuum would get there too; the benchmark should not depend on when it runs.
    conn.execute("VACUUM ANALYZE").await?;
    conn.close().await?;
    Ok(())
}

/// Writes the samples the load scripts draw from: one value per line per file in `dir`.
pub fn write_samples(dir: &Path, set: DataSet, count: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut files: [(&str, String); 7] = [
        ("users", String::new()),
        ("password_users", String::new()),
        ("emails", String::new()),
        ("q3", String::new()),
        ("q8", String::new()),
        ("names", String::new()),
        ("deep_users", String::new()),
    ];
    let mut r = gen::Rng::new(set.seed, u64::MAX, 0x5a3);
    let mut taken = 0;
    while taken < count {
        let u = set.user(r.below(set.users));
        if u.locked() {
            continue;
        }
        taken += 1;
        let line = |s: &mut String, v: &str| {
            s.push_str(v);
            s.push('\n');
        };
        line(&mut files[0].1, &u.id);
        if u.has_password {
            line(&mut files[1].1, &u.id);
        }
        line(&mut files[2].1, &u.primary_email().value);
        let last = u.last_name.to_lowercase();
        let at = r.below(last.len() as u64 - 2) as usize;
        line(&mut files[3].1, &last[at..at + 3]);
        // Eight characters of the name part of the email (`first.last`), or of the whole
        // email where that part is shorter.
        let email = u.primary_email().value.to_lowercase();
        let source = if u.email_local.len() >= 8 {
            &u.email_local
        } else {
            &email
        };
        let at = r.below(source.len() as u64 - 7) as usize;
        line(&mut files[4].1, &source[at..at + 8]);
        line(&mut files[5].1, &u.first_name.to_lowercase());
        // A cursor in the middle half of the list: a page 250k–750k rows deep at 1M.
        let deep = set.users / 4 + r.below((set.users / 2).max(1));
        line(&mut files[6].1, &set.user(deep).id);
    }
    for (name, text) in files {
        std::fs::write(dir.join(format!("{name}.txt")), text)?;
    }
    Ok(())
}
