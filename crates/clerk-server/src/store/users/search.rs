//! The substring-search index (`user_search`): its rows and the subquery that searches it.

use sqlx::AnyConnection;

use super::super::sql::escape_like;
use super::super::{Dialect, Sql};

/// The search table's link to `users.seq`: SQLite's FTS5 rowid, a column on PostgreSQL.
pub(super) fn search_key(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "rowid",
        Dialect::Postgres => "user_seq",
    }
}

pub(super) async fn delete_search_row(
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

/// A subquery of the `seq` of users whose `columns` of the search index contain `needle`
/// (lowercased). Three characters or more use the trigram index; shorter needles cannot,
/// and scan the index table instead.
pub(super) fn push_search(sql: &mut Sql, dialect: Dialect, columns: &[&str], needle: &str) {
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
