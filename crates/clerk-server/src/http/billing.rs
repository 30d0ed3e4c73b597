//! Handlers of a user's billing: credit balance and adjustments, subscription.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use clerk_model::{CommerceCreditBalanceResponse, CommerceCreditLedgerResponse};

use super::extract::JsonBody;
use crate::domain::billing::{self, AdjustCredits};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub async fn credit_balance(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<CommerceCreditBalanceResponse>> {
    billing::credit_balance(&app, &user_id).await.map(Json)
}

pub async fn adjust_credits(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<AdjustCredits>,
) -> ApiResult<Json<CommerceCreditLedgerResponse>> {
    billing::adjust_credits(&app, &user_id, req).await.map(Json)
}

pub async fn subscription(State(app): State<AppState>, Path(user_id): Path<String>) -> ApiError {
    billing::subscription(&app, &user_id).await
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/users/{user_id}/billing/credits",
            get(credit_balance).post(adjust_credits),
        )
        .route("/users/{user_id}/billing/subscription", get(subscription))
}
