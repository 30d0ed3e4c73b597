//! Handlers for passwords, second factors and account state (ban, lock).

use axum::extract::{Path, State};
use axum::Json;
use clerk_model::{
    BulkUserIdsRequest, RemovePasswordRequest, SetPasswordCompromisedRequest, Totp, User,
    UserIdResponse, VerifyPasswordRequest, VerifyPasswordResponse, VerifyTotpRequest,
    VerifyTotpResponse,
};

use super::extract::JsonBody;
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

/// Sessions are not kept by this server, so `sign_out_of_other_sessions` has nothing to revoke.
pub async fn remove_password(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(_req): JsonBody<RemovePasswordRequest>,
) -> ApiResult<Json<User>> {
    credentials::remove_password(&app, &user_id).await.map(Json)
}

pub async fn set_password_compromised(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(_req): JsonBody<SetPasswordCompromisedRequest>,
) -> ApiResult<Json<User>> {
    credentials::set_password_compromised(&app, &user_id, true)
        .await
        .map(Json)
}

pub async fn unset_password_compromised(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    credentials::set_password_compromised(&app, &user_id, false)
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
