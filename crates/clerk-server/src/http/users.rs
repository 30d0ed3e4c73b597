//! `/v1/users` handlers: extract, call the domain, answer JSON.

use axum::extract::{Path, State};
use axum::routing::{get, patch};
use axum::{Json, Router};

use clerk_model::{
    CreateUserRequest, DeletedObject, TotalCount, UpdateUserMetadataRequest, UpdateUserRequest,
    User,
};

use super::extract::{ApiVersion, JsonBody, Query};
use super::on_blocking_thread;
use super::query;
use crate::domain::metadata::MetadataMode;
use crate::domain::{list, users};
use crate::error::ApiResult;
use crate::AppState;

pub async fn list_users(
    State(app): State<AppState>,
    Query(q): Query,
) -> ApiResult<Json<Vec<User>>> {
    list::list_users(&app, &query::user_list(&q)?)
        .await
        .map(Json)
}

pub async fn count_users(
    State(app): State<AppState>,
    Query(q): Query,
) -> ApiResult<Json<TotalCount>> {
    list::count_users(&app, &query::user_filter(&q)?)
        .await
        .map(Json)
}

pub async fn create_user(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreateUserRequest>,
) -> ApiResult<Json<User>> {
    users::create_user(&app, req).await.map(Json)
}

pub async fn get_user(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    users::get_user(&app, &user_id).await.map(Json)
}

pub async fn update_user(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    ApiVersion(version): ApiVersion,
    JsonBody(req): JsonBody<UpdateUserRequest>,
) -> ApiResult<Json<User>> {
    users::update_user(&app, &user_id, req, version.as_deref())
        .await
        .map(Json)
}

pub async fn delete_user(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    users::delete_user(&app, &user_id).await.map(Json)
}

pub async fn merge_metadata(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<UpdateUserMetadataRequest>,
) -> ApiResult<Json<User>> {
    users::update_metadata(&app, &user_id, req, MetadataMode::Merge)
        .await
        .map(Json)
}

pub async fn replace_metadata(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<UpdateUserMetadataRequest>,
) -> ApiResult<Json<User>> {
    users::update_metadata(&app, &user_id, req, MetadataMode::Replace)
        .await
        .map(Json)
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/users",
            on_blocking_thread(get(list_users)).post(create_user),
        )
        .route("/users/count", on_blocking_thread(get(count_users)))
        .route(
            "/users/{user_id}",
            get(get_user).patch(update_user).delete(delete_user),
        )
        .route(
            "/users/{user_id}/metadata",
            patch(merge_metadata).put(replace_metadata),
        )
}
