//! `/v1/_ext/webhooks` handlers (our extension): endpoints, their attempts, resending.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};

use clerk_model::{
    CreateWebhookEndpointRequest, DeletedObject, ResentWebhookMessage, RotateWebhookSecretRequest,
    UpdateWebhookEndpointRequest, WebhookAttemptList, WebhookEndpoint, WebhookEndpointList,
};

use super::extract::{JsonBody, Query};
use super::on_blocking_thread;
use crate::domain::webhook_endpoints as endpoints;
use crate::error::ApiResult;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_ext/webhooks/endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/_ext/webhooks/endpoints/{endpoint_id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/_ext/webhooks/endpoints/{endpoint_id}/rotate_secret",
            post(rotate_secret),
        )
        // The count of an endpoint's attempts grows with its traffic.
        .route(
            "/_ext/webhooks/endpoints/{endpoint_id}/attempts",
            on_blocking_thread(get(list_attempts)),
        )
        .route(
            "/_ext/webhooks/messages/{message_id}/resend",
            post(resend_message),
        )
}

async fn create_endpoint(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreateWebhookEndpointRequest>,
) -> ApiResult<Json<WebhookEndpoint>> {
    endpoints::create_endpoint(&app, req).await.map(Json)
}

async fn list_endpoints(
    State(app): State<AppState>,
    Query(q): Query,
) -> ApiResult<Json<WebhookEndpointList>> {
    let page = q.page()?;
    endpoints::list_endpoints(&app, page.limit, page.offset)
        .await
        .map(Json)
}

async fn get_endpoint(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookEndpoint>> {
    endpoints::get_endpoint(&app, &id).await.map(Json)
}

async fn update_endpoint(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateWebhookEndpointRequest>,
) -> ApiResult<Json<WebhookEndpoint>> {
    endpoints::update_endpoint(&app, &id, req).await.map(Json)
}

async fn delete_endpoint(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    endpoints::delete_endpoint(&app, &id).await.map(Json)
}

async fn rotate_secret(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RotateWebhookSecretRequest>,
) -> ApiResult<Json<WebhookEndpoint>> {
    endpoints::rotate_secret(&app, &id, req).await.map(Json)
}

async fn list_attempts(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query,
) -> ApiResult<Json<WebhookAttemptList>> {
    let page = q.page()?;
    endpoints::list_attempts(&app, &id, page.limit, page.offset)
        .await
        .map(Json)
}

async fn resend_message(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ResentWebhookMessage>> {
    endpoints::resend_message(&app, &id).await.map(Json)
}
