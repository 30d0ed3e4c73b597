//! Loading into SQLite: multi-row INSERTs in big transactions.

use anyhow::Context;
use clerk_server::store::{Arg, Dialect};
use sqlx::{Connection, Executor, Row, SqliteConnection};

use super::rows::{
    ident_rows, membership_rows, org_rows, search_columns, search_row, user_row, IDENT_COLUMNS,
    MEMBERSHIP_COLUMNS, ORG_COLUMNS, TABLES, USER_COLUMNS,
};
use super::{ensure_empty, name_and_sql, progress, quoted_list, recreate_indexes, CHUNK};
use crate::gen::{DataSet, User};

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

pub(super) async fn load_sqlite(url: &str, set: DataSet, digest: &str) -> anyhow::Result<()> {
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

    let rows = sqlx::query(&format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ({})",
        quoted_list(TABLES)
    ))
    .fetch_all(&mut conn)
    .await?;
    let indexes = name_and_sql(&rows)?;
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
