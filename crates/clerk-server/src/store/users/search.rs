//! The substring-search index (`user_search`): what a user's row of it holds, writing it, and
//! the subquery that searches it.

use super::super::sql::escape_like;
use super::super::{Dialect, Sql};
use super::row::UserRecord;
use super::values::IdentKind;
use crate::store::{Conn, DbResult};

/// The columns of the search index after its key, in the order [`Searchable::row`] gives them.
pub const SEARCH_COLUMNS: [&str; 6] = ["emails", "phones", "usernames", "names", "wallets", "ids"];

/// What the search index reads of a user.
#[derive(Debug, Clone, PartialEq)]
pub struct Searchable<'a> {
    pub id: &'a str,
    pub username: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    /// Each identification's kind and value.
    pub identifications: Vec<(IdentKind, &'a str)>,
}

impl<'a> Searchable<'a> {
    pub fn of(record: &'a UserRecord) -> Self {
        let user = &record.user;
        Self {
            id: &user.id,
            username: user.username.as_deref(),
            first_name: user.first_name.as_deref(),
            last_name: user.last_name.as_deref(),
            identifications: record
                .identifications
                .iter()
                .map(|i| (i.kind, i.value.as_str()))
                .collect(),
        }
    }

    /// The user's row of the index, in [`SEARCH_COLUMNS`] order: everything lowercased, the
    /// values of one kind joined by `\n`, the names joined by a space.
    pub fn row(&self) -> [String; 6] {
        let joined = |kind: IdentKind| {
            self.identifications
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, value)| value.to_lowercase())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let names = [self.first_name, self.last_name]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            joined(IdentKind::Email),
            joined(IdentKind::Phone),
            self.username.unwrap_or_default().to_lowercase(),
            names.to_lowercase(),
            joined(IdentKind::Web3),
            self.id.to_lowercase(),
        ]
    }
}

/// The search table's link to `users.seq`: SQLite's FTS5 rowid, a column on PostgreSQL.
pub fn search_key(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "rowid",
        Dialect::Postgres => "user_seq",
    }
}

/// Replaces the row of the user `seq` in the search index.
pub(super) async fn write_search_row(
    conn: &mut Conn,
    dialect: Dialect,
    seq: i64,
    row: [String; 6],
) -> DbResult<()> {
    delete_search_row(conn, dialect, seq).await?;
    let key = search_key(dialect);
    let mut sql = Sql::new(&format!(
        "INSERT INTO user_search ({key}, {}) VALUES (",
        SEARCH_COLUMNS.join(", ")
    ));
    sql.bind(seq);
    for value in row {
        sql.push(", ").bind(value);
    }
    sql.push(")").execute(conn).await.map(|_| ())
}

pub(super) async fn delete_search_row(conn: &mut Conn, dialect: Dialect, seq: i64) -> DbResult<()> {
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
