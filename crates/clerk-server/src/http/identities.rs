//! Handlers for identifications, linked accounts and trusted devices of a user.

use axum::extract::{Path, State};
use axum::routing::{delete, get, put};
use axum::{Json, Router};

use clerk_model::{
    DeletedObject, EmailAddress, Paginated, PhoneNumber, ReplaceEmailAddressRequest,
    ReplacePhoneNumberRequest, TrustedDevice,
};

use super::extract::JsonBody;
use crate::domain::identities::{self, Linked};
use crate::error::ApiResult;
use crate::AppState;

pub async fn replace_email_address(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<ReplaceEmailAddressRequest>,
) -> ApiResult<Json<EmailAddress>> {
    identities::replace_email_address(&app, &user_id, req)
        .await
        .map(Json)
}

pub async fn replace_phone_number(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<ReplacePhoneNumberRequest>,
) -> ApiResult<Json<PhoneNumber>> {
    identities::replace_phone_number(&app, &user_id, req)
        .await
        .map(Json)
}

pub async fn delete_web3_wallet(
    State(app): State<AppState>,
    Path((user_id, wallet_id)): Path<(String, String)>,
) -> ApiResult<Json<DeletedObject>> {
    identities::delete_web3_wallet(&app, &user_id, &wallet_id)
        .await
        .map(Json)
}

pub async fn delete_passkey(
    State(app): State<AppState>,
    Path((user_id, passkey_id)): Path<(String, String)>,
) -> ApiResult<Json<DeletedObject>> {
    identities::delete_linked(&app, &user_id, Linked::Passkey, &passkey_id)
        .await
        .map(Json)
}

pub async fn delete_external_account(
    State(app): State<AppState>,
    Path((user_id, account_id)): Path<(String, String)>,
) -> ApiResult<Json<DeletedObject>> {
    identities::delete_linked(&app, &user_id, Linked::ExternalAccount, &account_id)
        .await
        .map(Json)
}

pub async fn list_trusted_devices(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Paginated<TrustedDevice>>> {
    identities::list_trusted_devices(&app, &user_id)
        .await
        .map(Json)
}

pub async fn revoke_trusted_device(
    State(app): State<AppState>,
    Path((user_id, device_id)): Path<(String, String)>,
) -> ApiResult<Json<TrustedDevice>> {
    identities::revoke_trusted_device(&app, &user_id, &device_id)
        .await
        .map(Json)
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{user_id}/email_address", put(replace_email_address))
        .route("/users/{user_id}/phone_number", put(replace_phone_number))
        .route(
            "/users/{user_id}/web3_wallets/{web3_wallet_identification_id}",
            delete(delete_web3_wallet),
        )
        .route(
            "/users/{user_id}/passkeys/{passkey_identification_id}",
            delete(delete_passkey),
        )
        .route(
            "/users/{user_id}/external_accounts/{external_account_id}",
            delete(delete_external_account),
        )
        .route(
            "/users/{user_id}/trusted_devices",
            get(list_trusted_devices),
        )
        .route(
            "/users/{user_id}/trusted_devices/{trusted_device_id}",
            delete(revoke_trusted_device),
        )
}
