//! The user's profile image.

use clerk_model::User;
use reqwest::Method;

use super::macros::path_operation;
use crate::request::{operation, HttpRequest, RequestBody};
use crate::upload::ProfileImage;
use crate::validation;
use crate::{Client, RequestOptions, Result};

/// `POST /users/{user_id}/profile_image`: uploads a new image (multipart, part `file`).
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct SetUserProfileImage {
    client: Client,
    options: RequestOptions,
    user_id: String,
    file: ProfileImage,
}

impl SetUserProfileImage {
    pub(crate) fn new(client: Client, user_id: String, file: ProfileImage) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            file,
        }
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        let mut request = HttpRequest::new(
            "set_user_profile_image",
            Method::POST,
            &["users", &self.user_id, "profile_image"],
        );
        request.body = RequestBody::Multipart(self.file);
        Ok(request)
    }
}

operation!(SetUserProfileImage -> User);

path_operation! {
    /// `DELETE /users/{user_id}/profile_image`: removes the image (404 `image_not_found` if none).
    DeleteUserProfileImage(user_id) -> User {
        operation: "delete_user_profile_image",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "profile_image"],
        idempotent: true,
    }
}
