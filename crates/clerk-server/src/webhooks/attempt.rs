//! One attempt: the message POSTed to the endpoint, signed as Svix signs it, and what came of
//! it.

use std::time::Duration;

use crate::crypto::webhook_signing::{signature_header, WebhookSecret};
use crate::store::now_ms;
use crate::store::webhooks::deliveries::{AfterAttempt, AttemptRecord, ClaimedDelivery};

/// How much of an answer's body is kept in the attempt log.
const KEPT_RESPONSE_BYTES: usize = 1024;

/// A claimed delivery with what sending it takes.
pub struct Job {
    pub delivery: ClaimedDelivery,
    pub claim: String,
    pub url: String,
    /// The endpoint's signing secrets, or why they could not be read.
    pub secrets: Result<Vec<WebhookSecret>, String>,
}

/// What an attempt came to, before the retry schedule is applied.
struct Outcome {
    succeeded: bool,
    status: Option<i64>,
    body: String,
}

/// Sends the job's message once and says what becomes of its delivery.
pub async fn run(client: &reqwest::Client, job: Job, retry_schedule: &[Duration]) -> AttemptRecord {
    let started_at = now_ms();
    let outcome = match &job.secrets {
        Ok(secrets) => send(client, &job, secrets, started_at).await,
        Err(why) => Outcome {
            succeeded: false,
            status: None,
            body: why.clone(),
        },
    };
    let finished_at = now_ms();
    let made = job.delivery.attempts as usize + 1;
    let after = if outcome.succeeded {
        AfterAttempt::Succeeded
    } else {
        match retry_schedule.get(made - 1) {
            Some(delay) => AfterAttempt::RetryAt(finished_at + delay.as_millis() as i64),
            None => AfterAttempt::Failed,
        }
    };
    AttemptRecord {
        delivery_seq: job.delivery.seq,
        endpoint_id: job.delivery.endpoint_id,
        claim: job.claim,
        after,
        response_status: outcome.status,
        response_body: outcome.body,
        started_at,
        finished_at,
    }
}

async fn send(client: &reqwest::Client, job: &Job, secrets: &[WebhookSecret], now: i64) -> Outcome {
    let message = &job.delivery;
    let timestamp = now / 1000;
    let payload = message.payload.as_bytes();
    let request = client
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("svix-id", &message.message_id)
        .header("svix-timestamp", timestamp.to_string())
        .header(
            "svix-signature",
            signature_header(secrets, &message.message_id, timestamp, payload),
        )
        .body(message.payload.clone());
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            return Outcome {
                succeeded: false,
                status: None,
                body: describe(&e),
            }
        }
    };
    let status = response.status();
    let mut body = Vec::new();
    // The timeout covers the body too; only its first bytes are read.
    while body.len() < KEPT_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return Outcome {
                    succeeded: false,
                    status: Some(status.as_u16().into()),
                    body: describe(&e),
                }
            }
        }
    }
    body.truncate(KEPT_RESPONSE_BYTES);
    Outcome {
        succeeded: status.is_success(),
        status: Some(status.as_u16().into()),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Why no answer came, without the URL (it is in the endpoint already).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = what.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
