//! Loads a [`DataSet`] straight into a database whose schema `clerk serve` created (its
//! migrations), bypassing the HTTP API: the rows, derived columns and search-index rows a user
//! has after `POST /users`, written in big batches. The search-index rows, the normalized values
//! and the bound values are the server's own (`clerk_server::store`), so the two cannot drift.
//!
//! Secondary indexes of the loaded tables are dropped first and re-created from their own
//! definitions afterwards (one sorted build instead of a million incremental inserts); the
//! schema ends exactly as the migrations left it.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use clerk_server::store::users::search::{search_key, Searchable, SEARCH_COLUMNS};
use clerk_server::store::{Arg, Dialect, IdentKind, IdentStatus};
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection};

use crate::gen::{self, DataSet, Ident, User};

/// Tables the loader writes, in dependency order.
const TABLES: &[&str] = &[
    "organizations",
    "users",
    "identifications",
    "organization_memberships",
];

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

fn kind(ident: &Ident) -> IdentKind {
    IdentKind::from_stored(ident.kind).expect("a generated kind is a stored kind")
}

/// The identification's value as the server compares it (`identifications.norm`).
fn norm(ident: &Ident) -> String {
    kind(ident).normalize(&ident.value)
}

fn user_row(u: &User, digest: &str) -> Vec<Arg> {
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
        norm(email).into(),
        phone.map(norm).into(),
        u.public_metadata.clone().into(),
        u.private_metadata.clone().into(),
        u.unsafe_metadata.clone().into(),
        password.then(|| digest.to_owned()).into(),
        password.then_some("bcrypt").into(),
        password.then_some(u.created_at).into(),
        u.banned.into(),
        u.locked_at.into(),
        // A generated lock never expires.
        Arg::Int(None),
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

fn ident_rows(u: &User) -> impl Iterator<Item = Vec<Arg>> + '_ {
    u.idents.iter().map(|i| {
        vec![
            i.seq.into(),
            i.id.clone().into(),
            u.seq.into(),
            i.kind.into(),
            i.value.clone().into(),
            norm(i).into(),
            // Generated identifications are verified, as `POST /users` makes them by default.
            IdentStatus::Verified.as_str().into(),
            IdentStatus::Verified.strategy().into(),
            u.created_at.into(),
            u.created_at.into(),
        ]
    })
}

/// The user's row of the search index, as the server writes it (its own function), after the
/// key.
fn search_row(u: &User) -> Vec<Arg> {
    let searchable = Searchable {
        id: &u.id,
        username: u.username.as_deref(),
        first_name: Some(&u.first_name),
        last_name: Some(&u.last_name),
        identifications: u
            .idents
            .iter()
            .map(|i| (kind(i), i.value.as_str()))
            .collect(),
    };
    let mut row: Vec<Arg> = vec![u.seq.into()];
    row.extend(searchable.row().into_iter().map(Arg::from));
    row
}

/// The columns of the search index the loader writes: its key, then the searched ones.
fn search_columns(dialect: Dialect) -> Vec<&'static str> {
    std::iter::once(search_key(dialect))
        .chain(SEARCH_COLUMNS)
        .collect()
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

fn membership_rows(u: &User) -> impl Iterator<Item = Vec<Arg>> + '_ {
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

fn org_rows(set: &DataSet) -> impl Iterator<Item = Vec<Arg>> + '_ {
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
    rows: &[Vec<Arg>],
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
                    Arg::Int(x) => q.bind(*x),
                    Arg::Text(x) => q.bind(x.clone()),
                    Arg::Bool(x) => q.bind(*x),
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

    let orgs: Vec<Vec<Arg>> = org_rows(&set).collect();
    conn.execute("BEGIN").await?;
    sqlite_insert(&mut conn, "organizations", ORG_COLUMNS, &orgs).await?;
    conn.execute("COMMIT").await?;
    let search_columns = search_columns(Dialect::Sqlite);
    let mut start = 0;
    while start < set.users {
        let end = (start + CHUNK).min(set.users);
        let users: Vec<User> = (start..end).map(|i| set.user(i)).collect();
        let user_rows: Vec<Vec<Arg>> = users.iter().map(|u| user_row(u, digest)).collect();
        let idents: Vec<Vec<Arg>> = users.iter().flat_map(ident_rows).collect();
        let search: Vec<Vec<Arg>> = users.iter().map(search_row).collect();
        let members: Vec<Vec<Arg>> = users.iter().flat_map(membership_rows).collect();
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
fn copy_row(buf: &mut String, row: &[Arg]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match v {
            Arg::Int(Some(x)) => {
                let _ = write!(buf, "{x}");
            }
            Arg::Bool(x) => buf.push(if *x { 't' } else { 'f' }),
            Arg::Text(Some(s)) => {
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
            Arg::Int(None) | Arg::Text(None) => buf.push_str("\\N"),
        }
    }
    buf.push('\n');
}

async fn pg_copy(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Arg>>,
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
    let search_columns = search_columns(Dialect::Postgres);
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

#[cfg(test)]
mod tests {
    use clerk_server::store::{users, Dialect, Store};
    use sqlx::Row;

    use super::load;
    use crate::gen::DataSet;

    /// The derived columns of every user and the search index, in `seq` order.
    async fn derived(store: &Store) -> Vec<Vec<Option<String>>> {
        let mut conn = store.read().await.unwrap();
        let mut out = Vec::new();
        for query in [
            "SELECT primary_email_address, primary_phone_number, primary_web3_wallet \
             FROM users ORDER BY seq",
            "SELECT emails, phones, usernames, names, wallets, ids FROM user_search ORDER BY rowid",
        ] {
            for row in sqlx::query(query).fetch_all(&mut *conn).await.unwrap() {
                out.push(
                    (0..row.len())
                        .map(|i| row.try_get::<Option<String>, _>(i).unwrap())
                        .collect(),
                );
            }
        }
        out
    }

    /// The loader writes what the server derives itself: recomputing each loaded user's derived
    /// columns and search-index row with the server's `refresh_derived` changes nothing.
    #[tokio::test]
    async fn loads_what_the_server_derives() {
        let dir = std::env::temp_dir().join(format!("clerk-bench-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("users.db").display());
        // The server's migrations make the schema, as `clerk serve` does.
        Store::connect(&url).await.unwrap().close().await;
        let set = DataSet {
            seed: 7,
            users: 120,
        };
        load(&url, set, 4).await.unwrap();

        let store = Store::connect(&url).await.unwrap();
        let loaded = derived(&store).await;
        assert_eq!(loaded.len(), 2 * 120);
        let mut tx = store.begin_write().await.unwrap();
        for i in 0..set.users {
            let seq = set.user(i).seq;
            users::refresh_derived(tx.conn(), Dialect::Sqlite, seq)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(derived(&store).await, loaded);
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
