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

    body_setters!(@string
        /// The user's id in your own systems or previous authentication solution; unique
        /// across the instance.
        external_id,
        /// The user's first name.
        first_name,
        /// The user's last name.
        last_name,
        /// The user's locale, e.g. `en-US` or `fr-FR`.
        locale,
        /// The user's username; unique across the instance.
        username,
        /// The plaintext password: at least 8 characters, and not in a list of breached
        /// passwords (unless [`Self::skip_password_checks`]). Redacted in debug logs.
        password,
        /// A password digest from another system, used instead of `password`; name its
        /// algorithm with [`Self::password_hasher`]. Redacted in debug logs.
        password_digest,
        /// The algorithm of [`Self::password_digest`]: `bcrypt`, `argon2i`, `argon2id`,
        /// `pbkdf2_sha256`, `pbkdf2_sha512`, `scrypt_firebase`, `sha256`, `md5`, … (Clerk's list).
        password_hasher,
        /// A TOTP secret (base32; 30-second period, 6 digits, SHA-1) that enables TOTP for the
        /// new user without enrolling again. Redacted in debug logs.
        totp_secret,
        /// When the user accepted your legal terms, in RFC 3339 (`2012-10-20T07:15:20.902Z`).
        legal_accepted_at,
        /// When the user signed up, in RFC 3339, e.g. when migrating users from elsewhere.
        created_at,
    );
    body_setters!(@bool
        /// Skip every password check (length, breached lists). Meant for migrating
        /// existing passwords; prompt those users to pick a stronger one later.
        skip_password_checks,
        /// Create the user without a password on an instance that uses passwords (not
        /// allowed when a password is the only way to sign in).
        skip_password_requirement,
        /// Whether the user may delete themselves through the Frontend API.
        delete_self_enabled,
        /// Skip the legal-acceptance checks; meant for migrations.
        skip_legal_checks,
        /// Do not enforce the instance's required identification types.
        skip_user_requirement,
        /// Whether the user may create organizations through the Frontend API.
        create_organization_enabled,
        /// Let the user bypass device-trust checks at sign-in.
        bypass_client_trust,
        /// Create the user already banned: they cannot sign in.
        banned,
        /// Create the user already locked.
        locked,
    );
    body_setters!(@strings
        /// Email addresses, unique across the instance; the first becomes the primary one.
        /// Created verified unless [`Self::email_address_identification_status`] says otherwise.
        email_address,
        /// Phone numbers in E.164 form, unique across the instance; the first becomes the
        /// primary one. Created verified unless [`Self::phone_number_identification_status`]
        /// says otherwise.
        phone_number,
        /// Web3 wallet addresses, unique across the instance; the first becomes the primary one.
        web3_wallet,
        /// Backup codes, plain or as bcrypt digests, that enable backup codes for the new user.
        /// Redacted in debug logs.
        backup_codes,
    );
    body_setters!(@json
        /// Metadata readable by the Frontend and Backend APIs, writable only by the backend
        /// (a JSON object, up to 8 KB).
        public_metadata,
        /// Metadata only the Backend API can read and write (a JSON object, up to 8 KB).
        private_metadata,
        /// Metadata the Frontend API can also write: never trust it (a JSON object, up to 8 KB).
        unsafe_metadata,
    );

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

    /// How many organizations the user may create; 0 means unlimited.
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

    body_setters!(@nullable_string
        /// The user's id in your own systems; unique across the instance. To remove it, send
        /// `external_id: Some(None)` through [`Self::request`].
        external_id,
        /// The user's first name (remove it with [`Self::request`] and `Some(None)`).
        first_name,
        /// The user's last name (remove it with [`Self::request`] and `Some(None)`).
        last_name,
        /// The user's locale, e.g. `en-US` or `fr-FR`.
        locale,
        /// The user's username; unique across the instance.
        username,
        /// When the user accepted your legal terms, in RFC 3339.
        legal_accepted_at,
    );
    body_setters!(@string
        /// The id of one of the user's verified email addresses, to make it the primary one.
        primary_email_address_id,
        /// The id of one of the user's verified phone numbers, to make it the primary one.
        primary_phone_number_id,
        /// The id of one of the user's verified web3 wallets, to make it the primary one.
        primary_web3_wallet_id,
        /// The id of an uploaded image to make the user's profile image.
        profile_image_id,
        /// A new plaintext password: at least 8 characters, and not in a list of breached
        /// passwords (unless [`Self::skip_password_checks`]). Redacted in debug logs.
        password,
        /// A password digest from another system, used instead of `password`; name its
        /// algorithm with [`Self::password_hasher`]. Redacted in debug logs.
        password_digest,
        /// The algorithm of [`Self::password_digest`] (`bcrypt`, `argon2id`, `pbkdf2_sha256`, …).
        password_hasher,
        /// A TOTP secret (base32) that enables TOTP without enrolling again. Redacted in debug
        /// logs.
        totp_secret,
        /// When the user signed up, in RFC 3339.
        created_at,
    );
    body_setters!(@bool
        /// Tell the user that their primary email address changed (off by default).
        notify_primary_email_address_changed,
        /// With [`Self::password`]: skip the password policy checks.
        skip_password_checks,
        /// With [`Self::password`]: end the user's other sessions once the password changed.
        sign_out_of_other_sessions,
        /// Whether the user may delete themselves through the Frontend API.
        delete_self_enabled,
        /// Whether the user may create organizations through the Frontend API.
        create_organization_enabled,
        /// Skip the legal-acceptance checks.
        skip_legal_checks,
        /// Let the user bypass device-trust checks at sign-in.
        bypass_client_trust,
    );
    body_setters!(@strings
        /// Backup codes, plain or as bcrypt digests, replacing the user's. Redacted in debug
        /// logs.
        backup_codes,
    );
    body_setters!(@json
        /// Replaces the public metadata (before API version 2026-05-12; later versions use
        /// [`super::UsersApi::update_user_metadata`]).
        public_metadata,
        /// Replaces the private metadata (before API version 2026-05-12).
        private_metadata,
        /// Replaces the unsafe metadata (before API version 2026-05-12).
        unsafe_metadata,
    );

    /// How many organizations the user may create; 0 means unlimited.
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
