//! An endpoint's attempt log, and resending a message.

use clerk_model::{ResentWebhookMessage, WebhookAttempt, WebhookAttemptList};

use super::rules::endpoint_not_found;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::now_ms;
use crate::store::webhooks::deliveries::{self, AttemptRow};
use crate::store::webhooks::endpoints as sql;
use crate::AppState;

fn attempt_view(row: AttemptRow) -> WebhookAttempt {
    WebhookAttempt {
        object: "webhook_attempt".into(),
        message_id: row.message_id,
        event_type: row.event_type,
        status: if row.succeeded { "succeeded" } else { "failed" }.into(),
        response_status_code: row.response_status,
        response: row.response_body,
        started_at: row.started_at,
        finished_at: row.finished_at,
        next_attempt_at: (row.delivery_status == "pending")
            .then_some(row.next_attempt_at)
            .flatten(),
        delivery_status: row.delivery_status,
    }
}

/// The endpoint's attempts, newest first.
pub async fn list_attempts(
    app: &AppState,
    id: &str,
    limit: i64,
    offset: i64,
) -> ApiResult<WebhookAttemptList> {
    let mut conn = app.store.read().await?;
    if sql::find(&mut conn, id, false).await?.is_none() {
        return Err(endpoint_not_found(id));
    }
    let (rows, total_count) =
        deliveries::attempts_of_endpoint(&mut conn, id, limit, offset).await?;
    Ok(WebhookAttemptList {
        data: rows.into_iter().map(attempt_view).collect(),
        total_count,
    })
}

/// Sends a message again, now, to every endpoint it went to, with a fresh retry schedule
/// (after its last attempt failed, or to replay it).
pub async fn resend_message(app: &AppState, message_id: &str) -> ApiResult<ResentWebhookMessage> {
    let mut tx = app.store.begin_write().await?;
    let event_type = deliveries::message_event_type(tx.conn(), message_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "resource_not_found",
                "not found",
                format!("No webhook message was found with id {message_id}"),
            )
        })?;
    let resent = deliveries::resend(&mut tx, message_id, now_ms()).await?;
    tx.commit().await?;
    Ok(ResentWebhookMessage {
        object: "webhook_message".into(),
        id: message_id.to_owned(),
        event_type,
        deliveries: resent as i64,
    })
}
