//! Profile image upload (multipart, part `file`) and the public image URLs.

use crate::error::ErrorKind;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use bytes::Bytes;
use clerk_model::User;

use crate::domain::images;
use crate::error::{ApiError, ApiResult};
use crate::settings::IMAGE_PATH_PREFIX;
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
            ErrorKind::BadRequest,
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
            ErrorKind::PayloadTooLarge,
            "request_body_too_large",
            "Request body too large",
            format!(
                "The image must be at most {} MB.",
                images::MAX_IMAGE_BYTES / (1024 * 1024)
            ),
        )
    } else if super::extract::is_body_timeout(&err) {
        super::extract::body_timeout()
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

/// How long a browser may reuse an image it fetched without asking again.
///
/// `private`: no shared cache (CDN, proxy) keeps a copy, so once the image is removed or its
/// user deleted, nobody who has not already seen it can fetch it again; only a browser that
/// did may show it from its own cache for at most this long. No `immutable`: a key's bytes
/// never change (a new upload gets a new key), but a key can stop existing.
pub const IMAGE_CACHE_CONTROL: &str = "private, max-age=3600";

/// `GET /_ext/images/{key}`: the image bytes, publicly readable.
///
/// The headers make the bytes inert wherever the URL is opened: `nosniff` keeps a browser
/// from reading them as anything but the declared image type (which we take from the bytes
/// themselves, never from the upload), and `sandbox` keeps a document
/// served here (should one ever get through) from running script or reaching this origin.
/// The 404 of a missing image carries them too.
pub async fn serve_image(State(app): State<AppState>, Path(key): Path<String>) -> Response {
    let mut response = match images::image(&app, &key).await {
        Ok((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, IMAGE_CACHE_CONTROL),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    response
}

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/users/{user_id}/profile_image",
        post(set_profile_image)
            .delete(delete_profile_image)
            .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
    )
}

/// The route that serves stored images, outside `/v1` and without authentication (the URLs go
/// in `<img>` tags); its path is the one `Settings::image_url` builds.
pub fn public_router() -> Router<AppState> {
    let path = format!("{IMAGE_PATH_PREFIX}{{key}}");
    Router::new().route(&path, get(serve_image))
}
