//! Loading into PostgreSQL: COPY in the text format.

use std::fmt::Write as _;

use anyhow::Context;
use clerk_server::store::{Arg, Dialect};
use sqlx::{Connection, Executor, PgConnection, Row};

use super::rows::{
    ident_rows, membership_rows, org_rows, search_columns, search_row, user_row, IDENT_COLUMNS,
    MEMBERSHIP_COLUMNS, ORG_COLUMNS, TABLES, USER_COLUMNS,
};
use super::{ensure_empty, name_and_sql, progress, quoted_list, recreate_indexes, CHUNK};
use crate::gen::{DataSet, User};

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

pub(super) async fn load_postgres(url: &str, set: DataSet, digest: &str) -> anyhow::Result<()> {
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
    // Indexes that back a constraint (primary keys, UNIQUE columns) stay.
    let rows = sqlx::query(&format!(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ({}) \
         AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        quoted_list(&tables)
    ))
    .fetch_all(&mut conn)
    .await?;
    let indexes = name_and_sql(&rows)?;
    for (name, _) in &indexes {
        conn.execute(format!("DROP INDEX {name}").as_str()).await?;
    }
    // The user count's trigger would update one of 16 rows per user copied, leaving a million
    // dead row versions behind (a table of 16 rows read as megabytes until vacuumed): off while
    // loading, and the total set once at the end.
    conn.execute("ALTER TABLE users DISABLE TRIGGER users_counted")
        .await?;

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
    conn.execute(
        "UPDATE user_count SET total = \
         CASE WHEN slot = 0 THEN (SELECT COUNT(*) FROM users) ELSE 0 END",
    )
    .await?;
    conn.execute("ALTER TABLE users ENABLE TRIGGER users_counted")
        .await?;
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
