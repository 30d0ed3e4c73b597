//! The instance's signing keys: made on first use (one per database, whichever node asks
//! first), kept sealed in the database so every node signs with the same key, published in the
//! JWKS, and rotated with the retired key published until the last token it signed expires.

use clerk_model::{Jwk, Jwks};
use tokio::sync::Mutex;

use crate::crypto::jwt::{self, SigningKey};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::now_ms;
use crate::store::signing_keys::{self as sql, SigningKeyRow};
use crate::AppState;

/// Keeps a process from making several keys at once when its first token requests arrive
/// together (another node may still make one; the database keeps the first).
static KEY_CREATION: Mutex<()> = Mutex::const_new(());

/// How far past a token's expiry a key's recorded `tokens_valid_until` is pushed, so that
/// minting short-lived tokens writes to the key's row about once an hour, not every time.
const VALID_UNTIL_SLACK_MS: i64 = 3600 * 1000;

fn seal_context(kid: &str) -> Vec<u8> {
    format!("signing_key:{kid}").into_bytes()
}

/// The current key and what signs with it, made if the instance has none yet.
pub async fn current(app: &AppState) -> ApiResult<(SigningKeyRow, SigningKey)> {
    let row = match current_row(app).await? {
        Some(row) => row,
        None => {
            let _creating = KEY_CREATION.lock().await;
            match current_row(app).await? {
                Some(row) => row,
                None => {
                    // The instance's first key is named after the instance, as Clerk names it.
                    let row = new_key(app, &app.instance_id).await?;
                    let mut tx = app.store.begin_write().await?;
                    sql::insert_current_if_none(&mut tx, &row).await?;
                    tx.commit().await?;
                    current_row(app).await?.ok_or_else(|| {
                        ApiError::internal_because("the signing key just stored is gone")
                    })?
                }
            }
        }
    };
    let signing = open(app, &row)?;
    Ok((row, signing))
}

async fn current_row(app: &AppState) -> ApiResult<Option<SigningKeyRow>> {
    let mut conn = app.store.read().await?;
    Ok(sql::current(&mut conn).await?)
}

fn open(app: &AppState, row: &SigningKeyRow) -> ApiResult<SigningKey> {
    let der = app
        .encryption_key
        .open(&row.private_key, &seal_context(&row.kid))
        .map_err(|_| ApiError::internal_because("the signing key does not open"))?;
    Ok(SigningKey::instance(&row.kid, &der))
}

/// A new key named `kid`, sealed, ready to store.
async fn new_key(app: &AppState, kid: &str) -> ApiResult<SigningKeyRow> {
    let owned_kid = kid.to_owned();
    let key = tokio::task::spawn_blocking(move || jwt::generate_rsa_key(&owned_kid))
        .await
        .map_err(|e| ApiError::internal_because(format!("key generation failed: {e}")))?;
    let now = now_ms();
    Ok(SigningKeyRow {
        kid: kid.to_owned(),
        algorithm: jwt::INSTANCE_ALGORITHM.into(),
        private_key: app
            .encryption_key
            .seal(&key.private_pkcs1_der, &seal_context(kid)),
        public_jwk: serde_json::to_string(&key.public_jwk).expect("a JWK serializes"),
        tokens_valid_until: now,
        created_at: now,
        retired_at: None,
    })
}

/// Records that `row`'s key signed a token valid until `exp_ms`, before the token is handed
/// out: a retired key stays published until then.
pub async fn cover_expiry(app: &AppState, row: &SigningKeyRow, exp_ms: i64) -> ApiResult<()> {
    if exp_ms <= row.tokens_valid_until {
        return Ok(());
    }
    let mut tx = app.store.begin_write().await?;
    sql::extend_tokens_valid_until(tx.conn(), &row.kid, exp_ms + VALID_UNTIL_SLACK_MS).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /jwks`: the current key (made if there is none yet, so an application can fetch the
/// JWKS before the first token) and the retired keys still covering a token.
pub async fn jwks(app: &AppState) -> ApiResult<Jwks> {
    current(app).await?;
    let mut conn = app.store.read().await?;
    let rows = sql::published(&mut conn, now_ms()).await?;
    let keys = rows
        .iter()
        .map(|row| {
            serde_json::from_str::<Jwk>(&row.public_jwk)
                .map_err(|e| ApiError::internal_because(format!("stored JWK: {e}")))
        })
        .collect::<ApiResult<_>>()?;
    Ok(Jwks { keys })
}

/// The published JWK with this id, to check a token's signature against.
pub async fn published_jwk(app: &AppState, kid: &str) -> ApiResult<Option<Jwk>> {
    let mut conn = app.store.read().await?;
    let now = now_ms();
    Ok(sql::find(&mut conn, kid)
        .await?
        .filter(|row| row.retired_at.is_none() || row.tokens_valid_until > now)
        .and_then(|row| serde_json::from_str(&row.public_jwk).ok()))
}

/// Makes a new current key; the previous one is retired and stays in the JWKS until the
/// tokens it signed have expired. Returns the JWKS after the rotation.
pub async fn rotate(app: &AppState) -> ApiResult<Jwks> {
    current(app).await?;
    let row = new_key(app, &ids::new_id("ins")).await?;
    let mut tx = app.store.begin_write().await?;
    sql::rotate(&mut tx, &row, now_ms()).await?;
    tx.commit().await?;
    jwks(app).await
}
