//! How results are printed: aligned tables and `key: value` blocks for people, one JSON object
//! per line (`--json`) for scripts.

use std::io::{self, Write};

use clerk_http_client::model::User;
use serde::Serialize;

/// Writes one value as a single JSON line.
pub fn json_line<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// A table whose columns are padded to their widest cell; the last column is not padded, so
/// lines carry no trailing spaces.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[i] - cell.chars().count();
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// The columns a person scans a user list by.
pub fn users_table(users: &[User]) -> Table {
    let mut table = Table::new(&[
        "ID",
        "EMAIL",
        "NAME",
        "USERNAME",
        "EXTERNAL ID",
        "CREATED",
        "STATUS",
    ]);
    for user in users {
        table.row(vec![
            user.id.clone(),
            primary_email(user).unwrap_or("-").to_owned(),
            full_name(user).unwrap_or_else(|| "-".into()),
            user.username.clone().unwrap_or_else(|| "-".into()),
            user.external_id.clone().unwrap_or_else(|| "-".into()),
            timestamp(Some(user.created_at)),
            status(user),
        ]);
    }
    table
}

/// Prints users as a table, or as JSON lines.
pub fn print_users(users: &[User], json: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        for user in users {
            json_line(&mut out, user)?;
        }
        Ok(())
    } else {
        users_table(users).write(&mut out)
    }
}

/// One user in full: a `key: value` block for people, or one JSON line.
pub fn print_user(user: &User, json: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        return json_line(&mut out, user);
    }
    let mut lines: Vec<(&str, String)> = vec![
        ("id", user.id.clone()),
        ("external_id", opt(&user.external_id)),
        ("username", opt(&user.username)),
        ("name", full_name(user).unwrap_or_else(|| "-".into())),
    ];
    for email in &user.email_addresses {
        let primary = user.primary_email_address_id.as_deref() == Some(email.id.as_str());
        let verified = email
            .verification
            .as_ref()
            .map(|v| v.status.to_string())
            .unwrap_or_else(|| "unverified".into());
        let mark = if primary { ", primary" } else { "" };
        lines.push((
            "email",
            format!("{} ({}{mark}) {}", email.email_address, verified, email.id),
        ));
    }
    for phone in &user.phone_numbers {
        lines.push(("phone", format!("{} {}", phone.phone_number, phone.id)));
    }
    for wallet in &user.web3_wallets {
        lines.push((
            "web3_wallet",
            format!("{} {}", wallet.web3_wallet, wallet.id),
        ));
    }
    for account in &user.external_accounts {
        lines.push((
            "external_account",
            format!(
                "{} {} {}",
                account.provider, account.provider_user_id, account.id
            ),
        ));
    }
    lines.extend([
        ("status", status(user)),
        ("password", yes_no(user.password_enabled)),
        ("two_factor", yes_no(user.two_factor_enabled)),
        ("created_at", timestamp(Some(user.created_at))),
        ("updated_at", timestamp(Some(user.updated_at))),
        ("last_sign_in_at", timestamp(user.last_sign_in_at)),
        ("last_active_at", timestamp(user.last_active_at)),
        ("public_metadata", compact(&user.public_metadata)),
        (
            "private_metadata",
            user.private_metadata
                .as_ref()
                .map(compact)
                .unwrap_or_else(|| "-".into()),
        ),
        ("unsafe_metadata", compact(&user.unsafe_metadata)),
    ]);
    write_fields(&mut out, &lines)
}

/// `key  value` lines, the values lined up.
pub fn write_fields(out: &mut impl Write, lines: &[(&str, String)]) -> io::Result<()> {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in lines {
        writeln!(out, "{key:width$}  {value}")?;
    }
    Ok(())
}

fn primary_email(user: &User) -> Option<&str> {
    let primary = user.primary_email_address_id.as_deref();
    user.email_addresses
        .iter()
        .find(|e| Some(e.id.as_str()) == primary)
        .or(user.email_addresses.first())
        .map(|e| e.email_address.as_str())
}

fn full_name(user: &User) -> Option<String> {
    let parts: Vec<&str> = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn status(user: &User) -> String {
    match (user.banned, user.locked) {
        (true, true) => "banned, locked".into(),
        (true, false) => "banned".into(),
        (false, true) => "locked".into(),
        (false, false) => "active".into(),
    }
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.into()
}

fn compact(value: &serde_json::Value) -> String {
    if value.is_null() {
        return "-".into();
    }
    value.to_string()
}

/// Unix milliseconds as UTC minutes (`2026-01-31 09:30 UTC`), `-` when absent.
pub fn timestamp(unix_ms: Option<i64>) -> String {
    unix_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up_and_lines_have_no_trailing_spaces() {
        let mut table = Table::new(&["ID", "EMAIL"]);
        table.row(vec!["user_1".into(), "a@b.c".into()]);
        table.row(vec!["user_long_id".into(), "-".into()]);
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "ID            EMAIL\nuser_1        a@b.c\nuser_long_id  -\n"
        );
    }

    #[test]
    fn timestamps_are_utc_minutes() {
        assert_eq!(timestamp(Some(0)), "1970-01-01 00:00 UTC");
        assert_eq!(timestamp(None), "-");
    }
}
