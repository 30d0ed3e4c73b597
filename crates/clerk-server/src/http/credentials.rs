//! Handlers for passwords, second factors and account state (ban, lock).

use axum::extract::{Path, State};
use axum::routing::{delete, post};
use axum::{Json, Router};

use clerk_model::{
    BulkUserIdsRequest, RemovePasswordRequest, SetPasswordCompromisedRequest, Totp, User,
    UserIdResponse, VerifyPasswordRequest, VerifyPasswordResponse, VerifyTotpRequest,
    VerifyTotpResponse,
};

use super::extract::JsonBody;
use super::on_blocking_thread;
use crate::domain::account;
use crate::domain::credentials::{self, SecondFactor};
use crate::error::ApiResult;
use crate::AppState;

pub async fn verify_password(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<VerifyPasswordRequest>,
) -> ApiResult<Json<VerifyPasswordResponse>> {
    credentials::verify_password(&app, &user_id, req.password)
        .await
        .map(Json)
}

pub async fn verify_totp(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<VerifyTotpRequest>,
) -> ApiResult<Json<VerifyTotpResponse>> {
    credentials::verify_totp(&app, &user_id, req.code)
        .await
        .map(Json)
}

pub async fn create_totp(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Totp>> {
    credentials::create_totp(&app, &user_id).await.map(Json)
}

pub async fn delete_totp(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<UserIdResponse>> {
    credentials::remove_second_factor(&app, &user_id, SecondFactor::Totp)
        .await
        .map(Json)
}

pub async fn delete_backup_codes(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<UserIdResponse>> {
    credentials::remove_second_factor(&app, &user_id, SecondFactor::BackupCodes)
        .await
        .map(Json)
}

pub async fn disable_mfa(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<UserIdResponse>> {
    credentials::remove_second_factor(&app, &user_id, SecondFactor::All)
        .await
        .map(Json)
}

pub async fn remove_password(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<RemovePasswordRequest>,
) -> ApiResult<Json<User>> {
    let sign_out = req.sign_out_of_other_sessions.unwrap_or(false);
    credentials::remove_password(&app, &user_id, sign_out)
        .await
        .map(Json)
}

pub async fn set_password_compromised(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<SetPasswordCompromisedRequest>,
) -> ApiResult<Json<User>> {
    let revoke = req.revoke_all_sessions.unwrap_or(false);
    credentials::set_password_compromised(&app, &user_id, true, revoke)
        .await
        .map(Json)
}

pub async fn unset_password_compromised(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    credentials::set_password_compromised(&app, &user_id, false, false)
        .await
        .map(Json)
}

pub async fn ban(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    account::set_banned(&app, &user_id, true).await.map(Json)
}

pub async fn unban(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    account::set_banned(&app, &user_id, false).await.map(Json)
}

pub async fn ban_many(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<BulkUserIdsRequest>,
) -> ApiResult<Json<Vec<User>>> {
    account::set_banned_bulk(&app, &req.user_ids, true)
        .await
        .map(Json)
}

pub async fn unban_many(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<BulkUserIdsRequest>,
) -> ApiResult<Json<Vec<User>>> {
    account::set_banned_bulk(&app, &req.user_ids, false)
        .await
        .map(Json)
}

pub async fn lock(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    account::set_locked(&app, &user_id, true).await.map(Json)
}

pub async fn unlock(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    account::set_locked(&app, &user_id, false).await.map(Json)
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/ban", on_blocking_thread(post(ban_many)))
        .route("/users/unban", on_blocking_thread(post(unban_many)))
        .route("/users/{user_id}/ban", post(ban))
        .route("/users/{user_id}/unban", post(unban))
        .route("/users/{user_id}/lock", post(lock))
        .route("/users/{user_id}/unlock", post(unlock))
        .route("/users/{user_id}/verify_password", post(verify_password))
        .route("/users/{user_id}/verify_totp", post(verify_totp))
        .route(
            "/users/{user_id}/totp",
            post(create_totp).delete(delete_totp),
        )
        .route("/users/{user_id}/backup_code", delete(delete_backup_codes))
        .route("/users/{user_id}/mfa", delete(disable_mfa))
        .route("/users/{user_id}/remove_password", post(remove_password))
        .route(
            "/users/{user_id}/password/set_compromised",
            post(set_password_compromised),
        )
        .route(
            "/users/{user_id}/password/unset_compromised",
            post(unset_password_compromised),
        )
}
