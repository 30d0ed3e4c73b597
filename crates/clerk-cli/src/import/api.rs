//! Import through Clerk's own API: `create_user` per record, `concurrency` at a time. The
//! client waits out 429s as `Retry-After` says (the batch client retries for up to 15 minutes).
//!
//! A re-run must not duplicate users, and Clerk cannot take our ids, so before creating a batch
//! we look its external ids and email addresses up (`GET /users?external_id=…&email_address=…`,
//! 100 values a request) and skip the records that match; a create that still collides
//! (`form_identifier_exists`: same email, phone or username) counts as already there.

use std::collections::{HashMap, HashSet};

use clerk_http_client::{Client, Error};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::bulk::IDENTIFIER_EXISTS;
use super::records::{self, Record};
use super::{stops_the_import, Outcome};
use crate::connection::describe_client_error;

/// Values per filter in one look-up: Clerk's maximum for array filters.
const LOOKUP_CHUNK: usize = 100;

pub async fn import(
    client: &Client,
    records: &[&Record],
    concurrency: usize,
) -> anyhow::Result<Vec<Outcome>> {
    // Without the look-up a re-run could duplicate users: no look-up, no creates.
    let existing = find_existing(client, records)
        .await
        .map_err(|e| anyhow::Error::from(e).context("looking up existing users"))?;
    stream::iter(records.iter().enumerate())
        .map(|(i, record)| {
            let skip = existing.contains(&i);
            async move {
                if skip {
                    return Ok(Outcome::Exists);
                }
                create(client, record).await
            }
        })
        // In order, so outcomes line up with records.
        .buffered(concurrency)
        .try_collect()
        .await
}

async fn create(client: &Client, record: &Record) -> anyhow::Result<Outcome> {
    let request = match records::to_create_user(record) {
        Ok(request) => request,
        Err(reason) => return Ok(Outcome::failed(reason)),
    };
    let result = client
        .users()
        .create_user()
        .request(request)
        // Retrying after a lost response is safe enough here: the repeat collides on the
        // record's identifiers (form_identifier_exists), which counts as imported.
        .idempotent(true)
        .send()
        .await;
    Ok(match result {
        Ok(_) => Outcome::Created,
        Err(e) if e.code() == Some(IDENTIFIER_EXISTS) => Outcome::Exists,
        Err(e) if stops_the_import(&e) => return Err(e.into()),
        Err(e) => Outcome::Failed {
            reason: describe_client_error(&e),
            errors: e.api().map(|a| a.errors.errors.clone()).unwrap_or_default(),
        },
    })
}

/// Positions of the records whose external id or an email address is already taken.
async fn find_existing(client: &Client, records: &[&Record]) -> Result<HashSet<usize>, Error> {
    let mut by_external_id: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_email: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        // `+`/`-` prefixes mean include/exclude in the filter; such ids rely on the collision.
        if let Some(id) = records::external_id(record).filter(|id| !id.starts_with(['+', '-'])) {
            by_external_id.entry(id.to_owned()).or_default().push(i);
        }
        for email in records::emails(record) {
            by_email.entry(email.to_lowercase()).or_default().push(i);
        }
    }
    let mut found = HashSet::new();
    let ids: Vec<String> = by_external_id.keys().cloned().collect();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let users: Vec<_> = client
            .users()
            .get_user_list()
            .external_id(chunk.to_vec())
            .limit(500)
            .into_stream()
            .try_collect()
            .await?;
        for user in users {
            if let Some(positions) = user.external_id.and_then(|id| by_external_id.get(&id)) {
                found.extend(positions);
            }
        }
    }
    let emails: Vec<String> = by_email.keys().cloned().collect();
    for chunk in emails.chunks(LOOKUP_CHUNK) {
        let users: Vec<_> = client
            .users()
            .get_user_list()
            .email_address(chunk.to_vec())
            .limit(500)
            .into_stream()
            .try_collect()
            .await?;
        for user in users {
            for email in user.email_addresses {
                if let Some(positions) = by_email.get(&email.email_address.to_lowercase()) {
                    found.extend(positions);
                }
            }
        }
    }
    Ok(found)
}
