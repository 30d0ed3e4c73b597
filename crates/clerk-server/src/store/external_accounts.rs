//! SQL for external accounts (OAuth accounts linked to a user) and their sealed tokens.

use super::{Arg, Sql};
use crate::store::{Conn, DbResult, Row};

/// One row of `external_accounts`. Token fields hold sealed values (AES-256-GCM).
/// Deserializes from a JSON object keyed by column name (see `users::attach_children`).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct ExternalAccountRow {
    pub id: String,
    pub user_seq: i64,
    pub provider: String,
    pub provider_user_id: String,
    pub email_address: String,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub avatar_url: Option<String>,
    pub approved_scopes: String,
    /// JSON text.
    pub public_metadata: String,
    pub label: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub tokens: SealedTokens,
}

/// An account's OAuth tokens as stored: each secret sealed, expiry in Unix ms.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct SealedTokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub token_secret: Option<String>,
    #[serde(rename = "token_expires_at")]
    pub expires_at: Option<i64>,
    /// Space-separated.
    #[serde(rename = "token_scopes")]
    pub scopes: Option<String>,
}

pub const COLUMNS: &str = "id, user_seq, provider, provider_user_id, email_address, first_name, \
    last_name, username, phone_number, avatar_url, approved_scopes, public_metadata, label, \
    created_at, updated_at, access_token, refresh_token, id_token, token_secret, \
    token_expires_at, token_scopes";

pub fn from_row(row: &Row) -> DbResult<ExternalAccountRow> {
    Ok(ExternalAccountRow {
        id: row.try_get("id")?,
        user_seq: row.try_get("user_seq")?,
        provider: row.try_get("provider")?,
        provider_user_id: row.try_get("provider_user_id")?,
        email_address: row.try_get("email_address")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        username: row.try_get("username")?,
        phone_number: row.try_get("phone_number")?,
        avatar_url: row.try_get("avatar_url")?,
        approved_scopes: row.try_get("approved_scopes")?,
        public_metadata: row.try_get("public_metadata")?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        tokens: SealedTokens {
            access_token: row.try_get("access_token")?,
            refresh_token: row.try_get("refresh_token")?,
            id_token: row.try_get("id_token")?,
            token_secret: row.try_get("token_secret")?,
            expires_at: row.try_get("token_expires_at")?,
            scopes: row.try_get("token_scopes")?,
        },
    })
}

pub async fn insert(conn: &mut Conn, account: &ExternalAccountRow) -> DbResult<()> {
    let a = account;
    let t = &a.tokens;
    let mut sql = Sql::new(&format!(
        "INSERT INTO external_accounts ({COLUMNS}) VALUES "
    ));
    sql.bind_list::<Arg>(&[
        a.id.clone().into(),
        a.user_seq.into(),
        a.provider.clone().into(),
        a.provider_user_id.clone().into(),
        a.email_address.clone().into(),
        a.first_name.clone().into(),
        a.last_name.clone().into(),
        a.username.clone().into(),
        a.phone_number.clone().into(),
        a.avatar_url.clone().into(),
        a.approved_scopes.clone().into(),
        a.public_metadata.clone().into(),
        a.label.clone().into(),
        a.created_at.into(),
        a.updated_at.into(),
        t.access_token.clone().into(),
        t.refresh_token.clone().into(),
        t.id_token.clone().into(),
        t.token_secret.clone().into(),
        t.expires_at.into(),
        t.scopes.clone().into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// The user's accounts with `provider`, oldest first.
pub async fn of_user_for_provider(
    conn: &mut Conn,
    user_seq: i64,
    provider: &str,
) -> DbResult<Vec<ExternalAccountRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM external_accounts WHERE user_seq = "
    ));
    sql.bind(user_seq)
        .push(" AND provider = ")
        .bind(provider)
        .push(" ORDER BY seq");
    sql.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Stores refreshed tokens, unless another request refreshed the account first (its stored
/// refresh token is no longer `previous_refresh_token`); whether it wrote.
pub async fn replace_tokens(
    conn: &mut Conn,
    account_id: &str,
    previous_refresh_token: &str,
    tokens: &SealedTokens,
    now: i64,
) -> DbResult<bool> {
    let mut sql = Sql::new("UPDATE external_accounts SET access_token = ");
    sql.bind(tokens.access_token.clone())
        .push(", refresh_token = ")
        .bind(tokens.refresh_token.clone())
        .push(", id_token = ")
        .bind(tokens.id_token.clone())
        .push(", token_expires_at = ")
        .bind(tokens.expires_at)
        .push(", token_scopes = ")
        .bind(tokens.scopes.clone())
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(account_id)
        .push(" AND refresh_token = ")
        .bind(previous_refresh_token);
    Ok(sql.execute(conn).await? > 0)
}

/// The account by id (after a lost refresh race, to read what the winner stored).
pub async fn find(conn: &mut Conn, id: &str) -> DbResult<Option<ExternalAccountRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM external_accounts WHERE id = "
    ));
    sql.bind(id);
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Whether some user already has the account `provider_user_id` at `provider`.
pub async fn provider_account_taken(
    conn: &mut Conn,
    provider: &str,
    provider_user_id: &str,
) -> DbResult<bool> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM external_accounts WHERE provider = ");
    sql.bind(provider)
        .push(" AND provider_user_id = ")
        .bind(provider_user_id);
    Ok(sql.fetch_i64(conn).await? > 0)
}
