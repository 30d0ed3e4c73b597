//! Loads a [`DataSet`] straight into a database whose schema `clerk serve` created (its
//! migrations), bypassing the HTTP API: the rows, derived columns and search-index rows a user
//! has after `POST /users`, written in big batches. The search-index rows, the normalized values
//! and the bound values are the server's own (`clerk_server::store`), so the two cannot drift.
//!
//! Secondary indexes of the loaded tables are dropped first and re-created from their own
//! definitions afterwards (one sorted build instead of a million incremental inserts); the
//! schema ends exactly as the migrations left it.

mod postgres;
mod rows;
mod sqlite;

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use clerk_server::store::Dialect;
use sqlx::Executor;

use crate::gen::{self, DataSet};

/// Users generated and written per transaction / COPY round.
const CHUNK: u64 = 20_000;

pub async fn load(url: &str, set: DataSet, cost: u32) -> anyhow::Result<f64> {
    let digest = gen::password_digest(cost);
    let started = Instant::now();
    match Dialect::from_url(url) {
        Some(Dialect::Postgres) => postgres::load_postgres(url, set, &digest).await?,
        Some(Dialect::Sqlite) => sqlite::load_sqlite(url, set, &digest).await?,
        None => bail!("unsupported database URL {url}"),
    }
    eprintln!(
        "loaded {} users, {} organizations in {:.1} s",
        set.users,
        set.organizations(),
        started.elapsed().as_secs_f64()
    );
    Ok(started.elapsed().as_secs_f64())
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

/// `'a', 'b', …`: table names as SQL string literals, for an `IN` list.
fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("'{name}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The (name, `CREATE INDEX` statement) of each row of a catalog query.
fn name_and_sql<R: sqlx::Row>(rows: &[R]) -> sqlx::Result<Vec<(String, String)>>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

fn progress(done: u64, total: u64) {
    if done.is_multiple_of(200_000) || done == total {
        eprintln!("  {done} / {total} users");
    }
}

fn ensure_empty(count: i64) -> anyhow::Result<()> {
    if count != 0 {
        bail!("the users table already has {count} rows: load into a fresh database");
    }
    Ok(())
}

/// Writes the samples the load scripts draw from: one value per line per file in `dir`.
pub fn write_samples(dir: &Path, set: DataSet, count: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut files: [(&str, String); 8] = [
        ("users", String::new()),
        ("password_users", String::new()),
        ("emails", String::new()),
        ("q3", String::new()),
        ("q8", String::new()),
        ("names", String::new()),
        ("deep_users", String::new()),
        // Users who may sign in (not banned): sessions are made for them.
        ("signin_users", String::new()),
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
        if !u.banned {
            line(&mut files[7].1, &u.id);
        }
    }
    for (name, text) in files {
        std::fs::write(dir.join(format!("{name}.txt")), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clerk_server::store::{users, Dialect, Sql, Store};

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
            for row in Sql::new(query).fetch_all(&mut conn).await.unwrap() {
                out.push(
                    (0..row.width())
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
