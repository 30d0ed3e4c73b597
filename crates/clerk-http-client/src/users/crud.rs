//! Create, read, update and delete one user.

use clerk_model::{
    CreateUserRequest, DeletedObject, IdentificationStatus, UpdateUserRequest, User,
};
use reqwest::Method;

use super::macros::{body_setters, path_operation};
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, Error, RequestOptions, Result};

/// `POST /users`: creates a user. Which fields are required depends on the instance's settings.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateUser {
    client: Client,
    options: RequestOptions,
    body: CreateUserRequest,
}

impl CreateUser {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            body: CreateUserRequest::default(),
        }
    }

    /// Replaces the whole body (the setters below fill single fields).
    pub fn request(mut self, body: CreateUserRequest) -> Self {
        self.body = body;
        self
    }

    body_setters!(@string external_id, first_name, last_name, locale, username, password,
        password_digest, password_hasher, totp_secret, legal_accepted_at, created_at);
    body_setters!(@bool skip_password_checks, skip_password_requirement, delete_self_enabled,
        skip_legal_checks, skip_user_requirement, create_organization_enabled,
        bypass_client_trust, banned, locked);
    body_setters!(@strings email_address, phone_number, web3_wallet, backup_codes);
    body_setters!(@json public_metadata, private_metadata, unsafe_metadata);

    /// One status per `email_address`, in the same order.
    pub fn email_address_identification_status(
        mut self,
        statuses: impl IntoIterator<Item = IdentificationStatus>,
    ) -> Self {
        self.body.email_address_identification_status = Some(statuses.into_iter().collect());
        self
    }

    /// One status per `phone_number`, in the same order.
    pub fn phone_number_identification_status(
        mut self,
        statuses: impl IntoIterator<Item = IdentificationStatus>,
    ) -> Self {
        self.body.phone_number_identification_status = Some(statuses.into_iter().collect());
        self
    }

    /// 0 means unlimited.
    pub fn create_organizations_limit(mut self, limit: i64) -> Self {
        self.body.create_organizations_limit = Some(limit);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        // Not idempotent: a retried create after a lost response would fail with
        // `form_identifier_exists` or, worse, create a second user.
        HttpRequest::new("create_user", Method::POST, &["users"]).json(&self.body)
    }
}

operation!(CreateUser -> User);

path_operation! {
    /// `GET /users/{user_id}`: one user.
    GetUser(user_id) -> User {
        operation: "get_user",
        method: GET,
        path: |s| ["users", s.user_id.as_str()],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}`: deletes the user.
    DeleteUser(user_id) -> DeletedObject {
        operation: "delete_user",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str()],
        idempotent: true,
    }
}

/// `PATCH /users/{user_id}`: updates the given fields. From API version 2026-05-12 metadata is
/// updated with [`super::UsersApi::update_user_metadata`] instead.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateUser {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: UpdateUserRequest,
}

impl UpdateUser {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body: UpdateUserRequest::default(),
        }
    }

    /// Replaces the whole body; use it to send `null` (e.g. `username: Some(None)` removes the
    /// username).
    pub fn request(mut self, body: UpdateUserRequest) -> Self {
        self.body = body;
        self
    }

    body_setters!(@nullable_string external_id, first_name, last_name, locale, username,
        legal_accepted_at);
    body_setters!(@string primary_email_address_id, primary_phone_number_id,
        primary_web3_wallet_id, profile_image_id, password, password_digest, password_hasher,
        totp_secret, created_at);
    body_setters!(@bool notify_primary_email_address_changed, skip_password_checks,
        sign_out_of_other_sessions, delete_self_enabled, create_organization_enabled,
        skip_legal_checks, bypass_client_trust);
    body_setters!(@strings backup_codes);
    body_setters!(@json public_metadata, private_metadata, unsafe_metadata);

    /// 0 means unlimited.
    pub fn create_organizations_limit(mut self, limit: i64) -> Self {
        self.body.create_organizations_limit = Some(Some(limit));
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        if self.client.validates() && self.sends_metadata() && self.version_rejects_metadata() {
            return Err(Error::validation(
                "public_metadata",
                "API version 2026-05-12 and later reject metadata in update_user; \
                 use update_user_metadata or replace_user_metadata",
            ));
        }
        HttpRequest::new("update_user", Method::PATCH, &["users", &self.user_id]).json(&self.body)
    }

    fn sends_metadata(&self) -> bool {
        self.body.public_metadata.is_some()
            || self.body.private_metadata.is_some()
            || self.body.unsafe_metadata.is_some()
    }

    /// Versions are ISO dates, so string order is date order.
    fn version_rejects_metadata(&self) -> bool {
        let version = match &self.options.api_version {
            Some(per_call) => per_call.clone(),
            None => self.client.configuration().api_version.clone(),
        };
        version.is_some_and(|v| v.as_str() >= "2026-05-12")
    }
}

operation!(UpdateUser -> User);
