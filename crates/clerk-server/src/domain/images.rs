//! Profile images: upload (PNG, JPEG, GIF or WebP, recognised by their bytes, at most 10 MB),
//! removal, and the bytes behind `image_url`.

use bytes::Bytes;
use clerk_model::User;

use super::write::{mutate_user_view, read_user};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::images::sniff_image_type;
use crate::AppState;

pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

fn image_store_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal_because(format_args!("image store failed: {e}"))
}

pub async fn set_profile_image(
    app: &AppState,
    user_id: &str,
    file: Option<Bytes>,
) -> ApiResult<User> {
    let file = file.ok_or_else(|| {
        ApiError::new(
            ErrorKind::BadRequest,
            "form_param_missing",
            "Image file missing",
            "Image file missing",
        )
        .param("file")
    })?;
    if file.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::form(
            "form_param_exceeds_allowed_size",
            "file",
            "Image too large",
            format!(
                "The image must be at most {} MB.",
                MAX_IMAGE_BYTES / (1024 * 1024)
            ),
        ));
    }
    if sniff_image_type(&file).is_none() {
        return Err(ApiError::form(
            "form_param_value_invalid",
            "file",
            "Unsupported image type",
            "The image must be a PNG, JPEG, GIF or WebP file.".into(),
        ));
    }
    // Fail on a missing user before storing anything.
    read_user(app, user_id).await?;
    let key = ids::new_id("img");
    app.images
        .put(&key, file)
        .await
        .map_err(image_store_failed)?;
    let mut replaced = None;
    let result = mutate_user_view(app, user_id, |user, _, _| {
        replaced = user.image_key.replace(key.clone());
        Ok(())
    })
    .await;
    // After the commit: the replaced image, or ours if the row change failed (the user was
    // deleted meanwhile, say), is referenced by no row any more.
    let stale = if result.is_ok() { replaced } else { Some(key) };
    if let Some(stale) = stale {
        app.images.discard(&stale).await;
    }
    result
}

pub async fn delete_profile_image(app: &AppState, user_id: &str) -> ApiResult<User> {
    let mut removed = None;
    let user = mutate_user_view(app, user_id, |user, _, _| {
        removed = Some(user.image_key.take().ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "image_not_found",
                "Image not found",
                "This user has no profile image.",
            )
        })?);
        Ok(())
    })
    .await?;
    if let Some(key) = removed {
        app.images.discard(&key).await;
    }
    Ok(user)
}

/// The stored image and its content type.
pub async fn image(app: &AppState, key: &str) -> ApiResult<(&'static str, Bytes)> {
    let not_found = || {
        ApiError::new(
            ErrorKind::NotFound,
            "image_not_found",
            "Image not found",
            "No such image.",
        )
    };
    if !key.starts_with("img_") || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(not_found());
    }
    let bytes = app
        .images
        .get(key)
        .await
        .map_err(image_store_failed)?
        .ok_or_else(not_found)?;
    let content_type = sniff_image_type(&bytes).ok_or_else(not_found)?;
    Ok((content_type, bytes))
}
