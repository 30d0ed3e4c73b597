//! Import through our server's bulk route, `POST /_ext/import/users` (docs/import-export.md):
//! up to 500 records a request, each created whole or not at all, ids and secrets kept.

use clerk_http_client::Client;
use serde_json::Value;

use super::records::Record;
use super::{stops_the_import, Outcome};
use crate::connection::describe_client_error;

/// Clerk's code for "that email / username / external id belongs to a user already". On a
/// re-run it means the record was imported before (without an `id` of its own to match on).
pub const IDENTIFIER_EXISTS: &str = "form_identifier_exists";

/// Imports `records` and returns one outcome per record, in order. Plain passwords go too:
/// the route hashes them with bcrypt.
pub async fn import(client: &Client, records: &[&Record]) -> anyhow::Result<Vec<Outcome>> {
    let sent: Vec<Value> = records
        .iter()
        .map(|record| Value::Object((*record).clone()))
        .collect();
    send(client, sent).await
}

/// One request. A refusal of the whole request (400/422: the body) fails each of its records
/// with the reason; an outage or a refused key stops the import.
async fn send(client: &Client, sent: Vec<Value>) -> anyhow::Result<Vec<Outcome>> {
    let count = sent.len();
    let result = match client.ext().import_users(sent).send().await {
        Ok(result) => result,
        Err(e) if stops_the_import(&e) => return Err(e.into()),
        Err(e) => {
            let reason = format!("bulk import request failed: {}", describe_client_error(&e));
            let errors = e.api().map(|a| a.errors.errors.clone()).unwrap_or_default();
            return Ok((0..count)
                .map(|_| Outcome::Failed {
                    reason: reason.clone(),
                    errors: errors.clone(),
                })
                .collect());
        }
    };
    let mut outcomes: Vec<Option<Outcome>> = (0..count).map(|_| None).collect();
    for item in result.results {
        let Some(slot) = outcomes.get_mut(item.index) else {
            continue;
        };
        *slot = Some(match item.status.as_str() {
            "created" => Outcome::Created,
            "exists" => Outcome::Exists,
            _ if item.errors.iter().any(|e| e.code == IDENTIFIER_EXISTS) => Outcome::Exists,
            status => Outcome::Failed {
                reason: reason_of(status, &item.errors),
                errors: item.errors,
            },
        });
    }
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Outcome::failed("the server returned no result for this record"))
        })
        .collect())
}

fn reason_of(status: &str, errors: &[clerk_http_client::model::ClerkError]) -> String {
    match errors.first() {
        Some(e) => {
            let mut reason = format!("{}: {}", e.code, e.long_message);
            if let Some(param) = e.param_name() {
                reason.push_str(&format!(" [{param}]"));
            }
            reason
        }
        None => format!("status {status}"),
    }
}
