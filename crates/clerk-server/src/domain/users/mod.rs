//! The user operations: create, read, update, delete and metadata. Each validates input, then
//! runs in one write transaction so nothing is half-written.

mod create;
mod update;

use clerk_model::{DeletedObject, UpdateUserMetadataRequest, User};

pub use create::create_user;
pub use update::update_user;

use crate::domain::events::{self, EventType};
use crate::domain::metadata::{self, MetadataMode};
use crate::domain::session_state::{end_user_sessions, SessionEnd};
use crate::domain::view;
use crate::domain::write::{mutate_user_view, read_user, user_for_update};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::now_ms;
use crate::store::users as sql;
use crate::AppState;

pub async fn get_user(app: &AppState, user_id: &str) -> ApiResult<User> {
    let record = read_user(app, user_id).await?;
    Ok(view::user(&record, &app.settings, now_ms()))
}

pub async fn delete_user(app: &AppState, user_id: &str) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let dialect = tx.dialect;
    sql::delete_user(tx.conn(), dialect, record.user.seq).await?;
    end_user_sessions(&mut tx, app, user_id, SessionEnd::End, now_ms()).await?;
    events::deleted_event(&mut tx, app, EventType::UserDeleted, "user", user_id).await?;
    tx.commit().await?;
    // The row was read locked, so this is the key of the last upload that committed; an
    // upload still under way finds the user gone and deletes its own object.
    if let Some(key) = &record.user.image_key {
        app.images.discard(key).await;
    }
    Ok(view::deleted("user", &record.user.id))
}

pub async fn update_metadata(
    app: &AppState,
    user_id: &str,
    req: UpdateUserMetadataRequest,
    mode: MetadataMode,
) -> ApiResult<User> {
    update_metadata_unless_changed(app, user_id, req, mode, None).await
}

/// [`update_metadata`], refused with 409 `user_changed` when `seen` is given and the user's
/// `updated_at` is no longer that: the dashboard's editor sends the `updated_at` of the page
/// it was opened on, so a save from an old page cannot silently undo a newer change. Checked
/// on the locked row, inside the write's transaction.
pub async fn update_metadata_unless_changed(
    app: &AppState,
    user_id: &str,
    req: UpdateUserMetadataRequest,
    mode: MetadataMode,
    seen: Option<i64>,
) -> ApiResult<User> {
    mutate_user_view(app, user_id, |user, _, _| {
        if seen.is_some_and(|seen| seen != user.updated_at) {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "user_changed",
                "User changed",
                "This user was changed after the page was opened.",
            ));
        }
        let supplied = [
            &req.public_metadata,
            &req.private_metadata,
            &req.unsafe_metadata,
        ];
        for ((param, target), value) in user.metadata_bags().into_iter().zip(supplied) {
            metadata::update_bag(param, target, value, mode)?;
        }
        Ok(())
    })
    .await
}
