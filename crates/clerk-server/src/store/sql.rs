//! A small SQL text builder with numbered placeholders (`$1`, `$2`, …), which both
//! PostgreSQL and SQLite understand, so that one query text serves both stores.

use super::db::{Conn, DbError, DbResult, Row};

/// A bound value. Nulls carry their type: PostgreSQL types every parameter.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Adds the value of the next placeholder number, for a placeholder already in the text.
    pub fn arg(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self
    }

    /// Appends `(p1, p2, …)` binding each value; `values` must not be empty.
    pub fn bind_list<T: Into<Arg> + Clone>(&mut self, values: &[T]) -> &mut Self {
        self.push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v.clone());
        }
        self.push(")")
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub async fn execute(&self, conn: &mut Conn) -> DbResult<u64> {
        conn.execute(&self.text, &self.args).await
    }

    pub async fn fetch_all(&self, conn: &mut Conn) -> DbResult<Vec<Row>> {
        conn.fetch_all(&self.text, &self.args).await
    }

    /// The row of a query that returns at most one (by a unique key, an aggregate): the
    /// rows are all read, so a query that may return many wants `LIMIT 1`.
    pub async fn fetch_optional(&self, conn: &mut Conn) -> DbResult<Option<Row>> {
        Ok(self.fetch_all(conn).await?.into_iter().next())
    }

    pub async fn fetch_one(&self, conn: &mut Conn) -> DbResult<Row> {
        self.fetch_optional(conn).await?.ok_or(DbError::RowNotFound)
    }

    /// The first column of the single row, as an integer (counts, RETURNING seq).
    pub async fn fetch_i64(&self, conn: &mut Conn) -> DbResult<i64> {
        self.fetch_one(conn).await?.try_get::<i64, _>(0)
    }
}

/// `s` as a literal inside a `LIKE … ESCAPE '\\'` pattern: `\\`, `%` and `_` escaped.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
