//! Handlers for `/email_addresses` and `/phone_numbers`: one identification of a user,
//! addressed by its own id.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};

use clerk_model::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, DeletedObject, EmailAddress, PhoneNumber,
    UpdateEmailAddressRequest, UpdatePhoneNumberRequest,
};

use super::extract::JsonBody;
use crate::domain::identifications;
use crate::error::ApiResult;
use crate::AppState;

pub async fn create_email_address(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreateEmailAddressRequest>,
) -> ApiResult<Json<EmailAddress>> {
    identifications::create_email_address(&app, req)
        .await
        .map(Json)
}

pub async fn get_email_address(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<EmailAddress>> {
    identifications::get_email_address(&app, &id)
        .await
        .map(Json)
}

pub async fn update_email_address(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateEmailAddressRequest>,
) -> ApiResult<Json<EmailAddress>> {
    identifications::update_email_address(&app, &id, req)
        .await
        .map(Json)
}

pub async fn delete_email_address(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    identifications::delete_email_address(&app, &id)
        .await
        .map(Json)
}

pub async fn create_phone_number(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreatePhoneNumberRequest>,
) -> ApiResult<Json<PhoneNumber>> {
    identifications::create_phone_number(&app, req)
        .await
        .map(Json)
}

pub async fn get_phone_number(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PhoneNumber>> {
    identifications::get_phone_number(&app, &id).await.map(Json)
}

pub async fn update_phone_number(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdatePhoneNumberRequest>,
) -> ApiResult<Json<PhoneNumber>> {
    identifications::update_phone_number(&app, &id, req)
        .await
        .map(Json)
}

pub async fn delete_phone_number(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    identifications::delete_phone_number(&app, &id)
        .await
        .map(Json)
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/email_addresses", post(create_email_address))
        .route(
            "/email_addresses/{email_address_id}",
            get(get_email_address)
                .patch(update_email_address)
                .delete(delete_email_address),
        )
        .route("/phone_numbers", post(create_phone_number))
        .route(
            "/phone_numbers/{phone_number_id}",
            get(get_phone_number)
                .patch(update_phone_number)
                .delete(delete_phone_number),
        )
}
