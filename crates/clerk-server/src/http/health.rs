//! Unauthenticated probes for load balancers and orchestrators, outside `/v1`: they need no
//! secret key and say nothing about users.

use crate::error::ErrorKind;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// `GET /healthz`: the process is up and serving HTTP (liveness). Touches nothing else, so a
/// database outage never gets a healthy process restarted.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and is fully migrated (readiness), else 503
/// `service_unavailable`. The reason goes to the log only: the caller is not authenticated.
pub async fn readyz(State(app): State<AppState>) -> ApiResult<Json<Value>> {
    match app.store.readiness().await {
        Ok(()) => Ok(Json(json!({ "status": "ready" }))),
        Err(why) => {
            tracing::warn!(reason = %why, "not ready");
            Err(ApiError::new(
                ErrorKind::Unavailable,
                "service_unavailable",
                "Service unavailable",
                "The server cannot reach its database or the database is not migrated.",
            ))
        }
    }
}

/// The probes, outside `/v1` and without authentication.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}
