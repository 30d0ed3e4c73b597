//! Handlers of our extension routes: bulk import, full export, and OAuth access tokens.

use crate::error::ErrorKind;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

use clerk_model::{ExportPage, ImportResponse};
use serde::Deserialize;
use serde_json::Value;

use super::auth::AdminKey;
use super::extract::{JsonBody, Query};
use super::on_blocking_thread;
use crate::domain::{export, import, oauth};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// An import request may carry up to 500 records of up to ~60 KB each (three 8 KB metadata
/// bags, identities, devices): larger than the 1 MB other routes allow.
pub const MAX_IMPORT_BODY: usize = 64 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    users: Vec<Value>,
}

pub async fn import_users(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<ImportRequest>,
) -> ApiResult<Json<ImportResponse>> {
    if req.users.is_empty() {
        return Err(ApiError::value_invalid(
            "users",
            "users must hold at least one record.",
        ));
    }
    if req.users.len() > import::MAX_BATCH {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "bulk_size_exceeded",
            "Too many records",
            format!(
                "At most {} users can be imported in one request.",
                import::MAX_BATCH
            ),
        )
        .param("users"));
    }
    import::import_users(&app, req.users).await.map(Json)
}

/// Only an admin key opens the export: its records hold every user's secrets in clear.
/// `AdminKey` comes first so that a plain secret key learns nothing, not even about its query.
pub async fn export_users(
    _: AdminKey,
    State(app): State<AppState>,
    Query(q): Query,
) -> ApiResult<Json<ExportPage>> {
    let limit = q.limit(export::DEFAULT_LIMIT)?;
    let starting_after = q.first("starting_after");
    export::export_users(&app, limit, starting_after.as_deref())
        .await
        .map(Json)
}

pub async fn oauth_access_tokens(
    State(app): State<AppState>,
    Path((user_id, provider)): Path<(String, String)>,
    Query(q): Query,
) -> ApiResult<Response> {
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let tokens = oauth::access_tokens(&app, &user_id, &provider, q.page()?).await?;
    Ok(super::list_response(tokens, paginated))
}

/// The bulk import route (under `/v1`): its requests get
/// [`ServingConfig::import_timeout`](crate::serve::ServingConfig::import_timeout) rather than
/// the request timeout.
pub const IMPORT_ROUTE: &str = "/_ext/import/users";

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            IMPORT_ROUTE,
            on_blocking_thread(post(import_users)).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)),
        )
        .route("/_ext/export/users", on_blocking_thread(get(export_users)))
        .route(
            "/users/{user_id}/oauth_access_tokens/{provider}",
            get(oauth_access_tokens),
        )
}
