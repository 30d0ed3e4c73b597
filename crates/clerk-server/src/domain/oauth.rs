//! OAuth access tokens of a user's external accounts: kept sealed, handed out by
//! `GET /users/{id}/oauth_access_tokens/{provider}`, and refreshed against the provider's
//! token endpoint (RFC 6749 §6) when they have expired and a refresh token exists.

use clerk_model::{ImportOAuthToken, OAuthAccessToken, Paginated};
use serde::Deserialize;
use serde_json::Value;

use super::list::Page;
use super::metadata::from_stored;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::settings::OAuthProvider;
use crate::store::external_accounts::{self, ExternalAccountRow, SealedTokens};
use crate::store::{now_ms, users};
use crate::AppState;

/// `oauth_` and a provider name: `oauth_google`, `oauth_custom_acme`, …
pub fn is_oauth_provider(provider: &str) -> bool {
    provider.strip_prefix("oauth_").is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// Associated data of a sealed token: the value only opens as this field of this account.
fn context(account_id: &str, field: &str) -> Vec<u8> {
    format!("clerk oauth {field}:{account_id}").into_bytes()
}

fn seal(app: &AppState, account_id: &str, field: &str, value: Option<&str>) -> Option<String> {
    value.map(|v| app.encryption_key.seal_str(v, &context(account_id, field)))
}

/// Opens one sealed token field; `Err(field)` when it does not open (another encryption key,
/// or a value copied from another account).
fn open(
    app: &AppState,
    account_id: &str,
    field: &'static str,
    sealed: Option<&str>,
) -> Result<Option<String>, &'static str> {
    sealed
        .map(|sealed| {
            app.encryption_key
                .open_str(sealed, &context(account_id, field))
                .map_err(|_| field)
        })
        .transpose()
}

pub fn seal_tokens(app: &AppState, account_id: &str, t: &ImportOAuthToken) -> SealedTokens {
    SealedTokens {
        access_token: seal(app, account_id, "access_token", t.access_token.as_deref()),
        refresh_token: seal(app, account_id, "refresh_token", t.refresh_token.as_deref()),
        id_token: seal(app, account_id, "id_token", t.id_token.as_deref()),
        token_secret: seal(app, account_id, "token_secret", t.token_secret.as_deref()),
        expires_at: t.expires_at,
        scopes: t.scopes.as_ref().map(|s| s.join(" ")),
    }
}

/// The account's tokens in clear. A field that does not open is logged and left out: the
/// token routes then answer as for a missing token.
pub fn open_tokens(app: &AppState, account: &ExternalAccountRow) -> ImportOAuthToken {
    let lenient = |field: &'static str, sealed: Option<&str>| {
        Ok::<_, std::convert::Infallible>(open(app, &account.id, field, sealed).unwrap_or_else(
            |field| {
                tracing::error!(
                    account_id = account.id,
                    field,
                    "a sealed OAuth token does not open"
                );
                None
            },
        ))
    };
    match tokens_with(account, lenient) {
        Ok(tokens) => tokens,
        Err(never) => match never {},
    }
}

/// [`open_tokens`] for the full export, which must never write a token as absent when it is
/// only unreadable: the first field that does not open is the error.
pub fn try_open_tokens(
    app: &AppState,
    account: &ExternalAccountRow,
) -> Result<ImportOAuthToken, &'static str> {
    tokens_with(account, |field, sealed| {
        open(app, &account.id, field, sealed)
    })
}

/// The account's tokens with each sealed field opened by `open(field, sealed)`.
fn tokens_with<E>(
    account: &ExternalAccountRow,
    mut open: impl FnMut(&'static str, Option<&str>) -> Result<Option<String>, E>,
) -> Result<ImportOAuthToken, E> {
    let t = &account.tokens;
    Ok(ImportOAuthToken {
        access_token: open("access_token", t.access_token.as_deref())?,
        refresh_token: open("refresh_token", t.refresh_token.as_deref())?,
        id_token: open("id_token", t.id_token.as_deref())?,
        token_secret: open("token_secret", t.token_secret.as_deref())?,
        expires_at: t.expires_at,
        scopes: t
            .scopes
            .as_ref()
            .map(|s| s.split_whitespace().map(str::to_owned).collect()),
    })
}

pub async fn access_tokens(
    app: &AppState,
    user_id: &str,
    provider: &str,
    Page { limit, offset }: Page,
) -> ApiResult<Paginated<OAuthAccessToken>> {
    if !is_oauth_provider(provider) {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "oauth_unsupported_provider",
            "Unsupported OAuth provider",
            format!("{provider} is not an OAuth provider; provider ids look like oauth_google."),
        )
        .param("provider"));
    }
    let Some(config) = app
        .settings
        .oauth_providers
        .iter()
        .find(|p| p.provider == provider)
    else {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            "oauth_token_provider_not_enabled",
            "OAuth provider not enabled",
            format!("The OAuth provider {provider} is not enabled for this instance."),
        ));
    };
    let accounts = {
        let mut conn = app.store.read().await?;
        let seq = users::seq_for_id(&mut conn, app.store.dialect(), user_id, false)
            .await?
            .ok_or_else(|| ApiError::user_not_found(user_id))?;
        external_accounts::of_user_for_provider(&mut conn, seq, provider).await?
    };
    let total_count = accounts.len() as i64;
    let mut tokens = Vec::new();
    for account in accounts
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
    {
        tokens.push(current_token(app, config, account).await?);
    }
    Ok(Paginated {
        data: tokens,
        total_count,
    })
}

/// The account's access token, refreshed first if it has expired.
async fn current_token(
    app: &AppState,
    config: &OAuthProvider,
    mut account: ExternalAccountRow,
) -> ApiResult<OAuthAccessToken> {
    let mut tokens = open_tokens(app, &account);
    if tokens.access_token.is_none() {
        return Err(ApiError::new(
            ErrorKind::Unprocessable,
            "oauth_missing_access_token",
            "Missing access token",
            format!(
                "The external account {} has no OAuth access token.",
                account.id
            ),
        ));
    }
    if tokens.expires_at.is_some_and(|at| at <= now_ms()) {
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(ApiError::new(
                ErrorKind::Unprocessable,
                "oauth_missing_refresh_token",
                "Missing refresh token",
                format!(
                    "The access token of external account {} has expired and there is no \
                     refresh token to renew it.",
                    account.id
                ),
            ));
        };
        tokens = refresh(app, config, &account, tokens, &refresh_token).await?;
        account.tokens = seal_tokens(app, &account.id, &tokens);
    }
    Ok(OAuthAccessToken {
        object: "oauth_access_token".into(),
        external_account_id: account.id,
        provider_user_id: account.provider_user_id,
        token: tokens.access_token.unwrap_or_default(),
        expires_at: tokens.expires_at,
        provider: account.provider,
        public_metadata: from_stored(&account.public_metadata),
        label: account.label,
        scopes: tokens.scopes,
        id_token: tokens.id_token,
        token_secret: tokens.token_secret,
    })
}

/// Largest token endpoint answer read. A real one is a few KiB at most (an ID token included);
/// past this the provider is broken or hostile, and reading on would hold memory per request.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// The response body, read chunk by chunk and abandoned as soon as it exceeds `cap` bytes
/// (a declared `Content-Length` over the cap is refused before reading anything).
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("the response is larger than {} KiB", cap / 1024);
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the response failed: {e}"))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// RFC 6749 §5.1 token response (the fields we keep).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<i64>,
    refresh_token: Option<String>,
    scope: Option<String>,
    id_token: Option<String>,
}

/// Asks the provider for a new access token and stores it. The provider call runs outside
/// any transaction (a slow provider must not hold the database's writer); the write then only
/// lands if no other request refreshed the account meanwhile, else that request's token is used.
async fn refresh(
    app: &AppState,
    config: &OAuthProvider,
    account: &ExternalAccountRow,
    old: ImportOAuthToken,
    refresh_token: &str,
) -> ApiResult<ImportOAuthToken> {
    let retrieval_error = |why: String| {
        tracing::warn!(provider = %config.provider, account_id = %account.id, %why, "token refresh failed");
        ApiError::new(
            ErrorKind::BadRequest,
            "oauth_token_retrieval_error",
            "Token retrieval failed",
            format!(
                "The OAuth provider {} did not renew the access token: {why}",
                config.provider
            ),
        )
    };
    let response = app
        .http_client
        .post(&config.token_url)
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
        ])
        .send()
        .await
        .map_err(|e| retrieval_error(format!("request failed: {e}")))?;
    let status = response.status();
    // The client follows no redirects (see `AppState::http_client`): a 3xx lands here and is
    // refused below like any other non-success answer.
    let body = read_capped(response, MAX_TOKEN_RESPONSE_BYTES)
        .await
        .map_err(retrieval_error)?;
    if !status.is_success() {
        let error = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        return Err(retrieval_error(format!("HTTP {status} {error}")));
    }
    let fresh: TokenResponse = serde_json::from_slice(&body)
        .map_err(|e| retrieval_error(format!("unreadable token response: {e}")))?;
    let now = now_ms();
    let renewed = ImportOAuthToken {
        access_token: Some(fresh.access_token),
        // A provider that does not rotate refresh tokens leaves the old one valid.
        refresh_token: fresh.refresh_token.or(old.refresh_token),
        expires_at: fresh.expires_in.map(|s| now + s.saturating_mul(1000)),
        scopes: fresh
            .scope
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .or(old.scopes),
        id_token: fresh.id_token.or(old.id_token),
        token_secret: old.token_secret,
    };
    let sealed = seal_tokens(app, &account.id, &renewed);
    let previous = account.tokens.refresh_token.as_deref().unwrap_or_default();
    let mut tx = app.store.begin_write().await?;
    let stored =
        external_accounts::replace_tokens(tx.conn(), &account.id, previous, &sealed, now).await?;
    if stored {
        tx.commit().await?;
        return Ok(renewed);
    }
    // Another request refreshed first (or the account is gone): use what it stored.
    let winner = external_accounts::find(tx.conn(), &account.id).await?;
    drop(tx);
    match winner {
        Some(winner) => Ok(open_tokens(app, &winner)),
        None => Ok(renewed),
    }
}
