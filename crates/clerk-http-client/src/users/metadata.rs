//! `PATCH /users/{user_id}/metadata` (deep merge) and `PUT /users/{user_id}/metadata` (replace).

use clerk_model::{UpdateUserMetadataRequest, User};
use reqwest::Method;
use serde_json::Value;

use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, RequestOptions, Result};

macro_rules! metadata_operation {
    ($(#[$doc:meta])* $name:ident, $op:literal, $method:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name {
            client: Client,
            options: RequestOptions,
            user_id: String,
            body: UpdateUserMetadataRequest,
        }

        impl $name {
            pub(crate) fn new(client: Client, user_id: String) -> Self {
                Self { client, options: RequestOptions::default(), user_id, body: Default::default() }
            }

            /// Replaces the whole body (use it to send an explicit `null`).
            pub fn request(mut self, body: UpdateUserMetadataRequest) -> Self {
                self.body = body;
                self
            }

            /// Readable from the frontend, writable only from the backend.
            pub fn public_metadata(mut self, value: Value) -> Self {
                self.body.public_metadata = Some(Some(value));
                self
            }

            /// Backend only.
            pub fn private_metadata(mut self, value: Value) -> Self {
                self.body.private_metadata = Some(Some(value));
                self
            }

            /// Writable from the frontend: treat as untrusted.
            pub fn unsafe_metadata(mut self, value: Value) -> Self {
                self.body.unsafe_metadata = Some(Some(value));
                self
            }

            fn build(self) -> Result<HttpRequest> {
                validation::path_param("user_id", &self.user_id)?;
                // Both are idempotent: merging or replacing with the same values twice leaves the
                // same metadata.
                HttpRequest::new($op, Method::$method, &["users", &self.user_id, "metadata"])
                    .idempotent(true)
                    .json(&self.body)
            }
        }

        operation!($name -> User);
    };
}

metadata_operation!(
    /// `PATCH /users/{user_id}/metadata`: deep-merges into the stored metadata at every level;
    /// a key set to `null` is deleted.
    UpdateUserMetadata,
    "update_user_metadata",
    PATCH
);

metadata_operation!(
    /// `PUT /users/{user_id}/metadata`: each given field replaces the stored one wholesale;
    /// omitted fields are left alone.
    ReplaceUserMetadata,
    "replace_user_metadata",
    PUT
);
