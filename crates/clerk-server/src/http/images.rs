//! Profile image upload (multipart, part `file`) and the public image URLs.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use clerk_model::User;

use crate::domain::images;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Room for the multipart framing around a maximal image.
pub const MAX_UPLOAD_BODY: usize = images::MAX_IMAGE_BYTES + 64 * 1024;

pub async fn set_profile_image(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<User>> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request_body_invalid",
            "Request body invalid",
            "The image must be sent as multipart/form-data with a part named `file`.",
        )
    })?;
    let mut file: Option<Bytes> = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(multipart_error)?);
        }
    }
    images::set_profile_image(&app, &user_id, file)
        .await
        .map(Json)
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_body_too_large",
            "Request body too large",
            format!(
                "The image must be at most {} MB.",
                images::MAX_IMAGE_BYTES / (1024 * 1024)
            ),
        )
    } else {
        ApiError::body_invalid(format!("The multipart body could not be read: {err}"))
    }
}

pub async fn delete_profile_image(
    State(app): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<User>> {
    images::delete_profile_image(&app, &user_id).await.map(Json)
}

/// `GET /_ext/images/{key}`: the image bytes, publicly readable.
pub async fn serve_image(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let (content_type, bytes) = images::image(&app, &key).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
        ],
        bytes,
    )
        .into_response())
}
