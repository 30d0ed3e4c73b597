//! Bulk import (our extension, docs/import-export.md): Clerk-shaped user records with what no
//! Clerk endpoint can create. Each record is validated whole (`record`), then written in one
//! transaction: created whole or not at all. A record whose user is already there changes
//! nothing.

mod record;

use clerk_model::{ImportResponse, ImportStatus, ImportUser, ImportUserResult};
use serde_json::Value;

use super::events::{self, EventType};
use super::passwords::{self, PasswordCredentials};
use super::write::{insert_new_user, reload, retry_on_unique_violation, OpError};
use crate::crypto::PasswordHasher;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::external_accounts::{self, ExternalAccountRow};
use crate::store::identities as ident_sql;
use crate::store::users::PasskeyRow;
use crate::store::{transfer, NewIdentification};
use crate::AppState;
use record::prepare;

/// Most records one request may carry.
pub const MAX_BATCH: usize = 500;
/// Most items one record may carry in each of its lists: email addresses, phone numbers, web3
/// wallets, external accounts, passkeys, trusted devices. Each item is validated, checked for
/// uniqueness and written in the record's transaction, so the lists bound a record's work.
pub const MAX_RECORD_ITEMS: usize = 100;

pub async fn import_users(app: &AppState, records: Vec<Value>) -> ApiResult<ImportResponse> {
    let mut results = Vec::with_capacity(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let result = match import_one(app, record).await {
            Ok((status, id)) => ImportUserResult {
                index,
                status,
                id: Some(id),
                errors: Vec::new(),
            },
            // The store failing, or the hashing pool shedding load (429), is not this record's
            // fault: the whole request fails, and the caller re-runs it (records already
            // created report `exists`).
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::Internal | ErrorKind::Unavailable | ErrorKind::TooManyRequests
                ) =>
            {
                return Err(e)
            }
            Err(e) => ImportUserResult {
                index,
                status: ImportStatus::Failed,
                id: None,
                errors: vec![e.to_clerk_error()],
            },
        };
        results.push(result);
    }
    let count = |status| results.iter().filter(|r| r.status == status).count();
    Ok(ImportResponse {
        object: "import_result".into(),
        created: count(ImportStatus::Created),
        existing: count(ImportStatus::Exists),
        failed: count(ImportStatus::Failed),
        results,
    })
}

async fn import_one(app: &AppState, record: Value) -> ApiResult<(ImportStatus, String)> {
    let mut record: ImportUser = parse(record)?;
    let password = record.password.take();
    if password.is_some() && record.password_digest.is_some() {
        return Err(passwords::password_and_digest_error());
    }
    let mut prepared = prepare(app, record)?;
    // A plain password (migration files may hold them) is hashed once the record is known to
    // be valid: a bad record costs no bcrypt. Migrated passwords skip the length policy, as
    // create_user's skip_password_checks does.
    if let Some(password) = password {
        passwords::check_new_password(&password, true)?;
        let credentials = PasswordCredentials {
            digest: passwords::hash_password(app, password).await?,
            hasher: PasswordHasher::Bcrypt,
        };
        let user = &mut prepared.user;
        credentials.apply(user, user.created_at);
    }
    let user = &prepared.user;
    retry_on_unique_violation(|| async {
        let mut tx = app.store.begin_write().await?;
        let given_id = prepared.id_given.then_some(user.id.as_str());
        if let Some(existing) =
            transfer::existing_user_id(tx.conn(), given_id, user.external_id.as_deref()).await?
        {
            return Ok((ImportStatus::Exists, existing));
        }
        let idents: Vec<&NewIdentification> = prepared.idents.iter().collect();
        let seq = insert_new_user(&mut tx, user, &idents).await?;
        for account in &prepared.accounts {
            if external_accounts::provider_account_taken(
                tx.conn(),
                &account.provider,
                &account.provider_user_id,
            )
            .await?
            {
                return Err(OpError::Api(ApiError::identifier_exists(
                    "external_accounts",
                    "external account",
                )));
            }
            let account = ExternalAccountRow {
                user_seq: seq,
                ..account.clone()
            };
            external_accounts::insert(tx.conn(), &account).await?;
        }
        for passkey in &prepared.passkeys {
            let passkey = PasskeyRow {
                user_seq: seq,
                ..passkey.clone()
            };
            ident_sql::insert_passkey(tx.conn(), &passkey).await?;
        }
        for device in &prepared.devices {
            ident_sql::insert_trusted_device(tx.conn(), seq, device).await?;
        }
        let record = reload(&mut tx, &user.id).await?;
        events::user_event(&mut tx, app, EventType::UserCreated, &record).await?;
        tx.commit().await?;
        Ok((ImportStatus::Created, user.id.clone()))
    })
    .await
}

/// A record that does not have the import shape fails on its own, naming the field.
fn parse(record: Value) -> ApiResult<ImportUser> {
    if !record.is_object() {
        return Err(ApiError::body_invalid("Each record must be a JSON object."));
    }
    serde_path_to_error::deserialize(record).map_err(ApiError::schema)
}
