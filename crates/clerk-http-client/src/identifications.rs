//! Email addresses and phone numbers addressed by their own id: Clerk's `/email_addresses` and
//! `/phone_numbers` operations (create, get, update, delete; the verification flows are not
//! here).
//!
//! [`EmailAddressesApi`] and [`PhoneNumbersApi`] have one method per operation, named as in
//! Clerk's SDKs (`sdk.email_addresses.create(…)`); each returns a builder, sent like every other
//! operation (`.send().await`, `.send_with_http_info().await`, per-call options).
//!
//! Retries follow the client's rules: reads, updates (which set fields to values) and deletes are
//! safe to repeat; a create is not (a repeat after a lost answer would fail with
//! `form_identifier_exists`, the first one having succeeded), so it is retried only after a 429
//! or a refused connection unless the caller opts in.
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let email = client
//!     .email_addresses()
//!     .create("user_123", "ada@example.com")
//!     .verified(true)
//!     .primary(true)
//!     .send()
//!     .await?;
//! client.email_addresses().update(&email.id).verified(false).send().await.ok();
//!
//! let phone = client
//!     .phone_numbers()
//!     .create("user_123", "+15555550100")
//!     .verified(true)
//!     .reserved_for_second_factor(true)
//!     .send()
//!     .await?;
//! assert!(phone.default_second_factor);
//! client.phone_numbers().delete(&phone.id).send().await?;
//! # Ok(()) }
//! ```

use clerk_model::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, DeletedObject, EmailAddress, PhoneNumber,
    UpdateEmailAddressRequest, UpdatePhoneNumberRequest,
};
use reqwest::Method;

use crate::request::{operation, HttpRequest};
use crate::users::macros::path_operation;
use crate::validation;
use crate::{Client, RequestOptions, Result};

impl Client {
    /// The `/email_addresses` operations.
    pub fn email_addresses(&self) -> EmailAddressesApi {
        EmailAddressesApi {
            client: self.clone(),
        }
    }

    /// The `/phone_numbers` operations.
    pub fn phone_numbers(&self) -> PhoneNumbersApi {
        PhoneNumbersApi {
            client: self.clone(),
        }
    }
}

// --- email addresses --------------------------------------------------------------------------

/// The `/email_addresses` operations. Get one with [`Client::email_addresses`].
#[derive(Debug, Clone)]
pub struct EmailAddressesApi {
    client: Client,
}

impl EmailAddressesApi {
    fn client(&self) -> Client {
        self.client.clone()
    }

    /// `POST /email_addresses`: a new address for the user, unverified unless
    /// [`CreateEmailAddress::verified`]; primary when asked, or when it is the user's first
    /// verified one.
    pub fn create(
        &self,
        user_id: impl Into<String>,
        email_address: impl Into<String>,
    ) -> CreateEmailAddress {
        CreateEmailAddress::new(self.client(), user_id.into(), email_address.into())
    }

    /// `GET /email_addresses/{email_address_id}`.
    pub fn get(&self, email_address_id: impl Into<String>) -> GetEmailAddress {
        GetEmailAddress::new(self.client(), email_address_id.into())
    }

    /// `PATCH /email_addresses/{email_address_id}`: changes the given fields.
    pub fn update(&self, email_address_id: impl Into<String>) -> UpdateEmailAddress {
        UpdateEmailAddress::new(self.client(), email_address_id.into())
    }

    /// `DELETE /email_addresses/{email_address_id}`: a deleted primary address hands the primary
    /// role to the user's next verified one.
    pub fn delete(&self, email_address_id: impl Into<String>) -> DeleteEmailAddress {
        DeleteEmailAddress::new(self.client(), email_address_id.into())
    }
}

/// `POST /email_addresses`: not retried after a 5xx or a timeout unless the caller opts in.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateEmailAddress {
    client: Client,
    options: RequestOptions,
    body: CreateEmailAddressRequest,
}

impl CreateEmailAddress {
    pub(crate) fn new(client: Client, user_id: String, email_address: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            body: CreateEmailAddressRequest {
                user_id: Some(user_id),
                email_address: Some(email_address),
                ..Default::default()
            },
        }
    }

    /// Replaces the whole body, the user and address given to [`EmailAddressesApi::create`]
    /// included.
    pub fn request(mut self, body: CreateEmailAddressRequest) -> Self {
        self.body = body;
        self
    }

    /// Creates the address verified (strategy `admin`).
    pub fn verified(mut self, verified: bool) -> Self {
        self.body.verified = Some(verified);
        self
    }

    /// Makes it the user's primary address (it must be verified).
    pub fn primary(mut self, primary: bool) -> Self {
        self.body.primary = Some(primary);
        self
    }

    /// Asks Clerk to tell the previous primary address of the change (our server sends no
    /// email).
    pub fn notify_primary_email_address_changed(mut self, notify: bool) -> Self {
        self.body.notify_primary_email_address_changed = Some(notify);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        // Not idempotent (POST's default): a repeat after a lost answer fails as taken.
        HttpRequest::new("create_email_address", Method::POST, &["email_addresses"])
            .json(&self.body)
    }
}

operation!(CreateEmailAddress -> EmailAddress);

path_operation! {
    /// `GET /email_addresses/{email_address_id}`.
    GetEmailAddress(email_address_id) -> EmailAddress {
        operation: "get_email_address",
        method: GET,
        path: |s| ["email_addresses", s.email_address_id.as_str()],
        idempotent: true,
    }
}

/// `PATCH /email_addresses/{email_address_id}`: fields not set stay as they are. Safe to repeat
/// (every field is set to a value), so retried like a read.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateEmailAddress {
    client: Client,
    options: RequestOptions,
    email_address_id: String,
    body: UpdateEmailAddressRequest,
}

impl UpdateEmailAddress {
    pub(crate) fn new(client: Client, email_address_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            email_address_id,
            body: UpdateEmailAddressRequest::default(),
        }
    }

    /// Replaces the whole body (the setters below fill single fields).
    pub fn request(mut self, body: UpdateEmailAddressRequest) -> Self {
        self.body = body;
        self
    }

    /// Marks the address verified (strategy `admin`) or unverified. The primary address must
    /// stay verified.
    pub fn verified(mut self, verified: bool) -> Self {
        self.body.verified = Some(verified);
        self
    }

    /// `true` makes it the user's primary address (it must be verified).
    pub fn primary(mut self, primary: bool) -> Self {
        self.body.primary = Some(primary);
        self
    }

    /// Asks Clerk to tell the previous primary address of the change (our server sends no
    /// email).
    pub fn notify_primary_email_address_changed(mut self, notify: bool) -> Self {
        self.body.notify_primary_email_address_changed = Some(notify);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("email_address_id", &self.email_address_id)?;
        HttpRequest::new(
            "update_email_address",
            Method::PATCH,
            &["email_addresses", &self.email_address_id],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(UpdateEmailAddress -> EmailAddress);

path_operation! {
    /// `DELETE /email_addresses/{email_address_id}`.
    DeleteEmailAddress(email_address_id) -> DeletedObject {
        operation: "delete_email_address",
        method: DELETE,
        path: |s| ["email_addresses", s.email_address_id.as_str()],
        idempotent: true,
    }
}

// --- phone numbers ----------------------------------------------------------------------------

/// The `/phone_numbers` operations. Get one with [`Client::phone_numbers`].
#[derive(Debug, Clone)]
pub struct PhoneNumbersApi {
    client: Client,
}

impl PhoneNumbersApi {
    fn client(&self) -> Client {
        self.client.clone()
    }

    /// `POST /phone_numbers`: a new number (E.164) for the user, unverified unless
    /// [`CreatePhoneNumber::verified`]; primary when asked, or when it is the user's first
    /// verified one.
    pub fn create(
        &self,
        user_id: impl Into<String>,
        phone_number: impl Into<String>,
    ) -> CreatePhoneNumber {
        CreatePhoneNumber::new(self.client(), user_id.into(), phone_number.into())
    }

    /// `GET /phone_numbers/{phone_number_id}`.
    pub fn get(&self, phone_number_id: impl Into<String>) -> GetPhoneNumber {
        GetPhoneNumber::new(self.client(), phone_number_id.into())
    }

    /// `PATCH /phone_numbers/{phone_number_id}`: changes the given fields.
    pub fn update(&self, phone_number_id: impl Into<String>) -> UpdatePhoneNumber {
        UpdatePhoneNumber::new(self.client(), phone_number_id.into())
    }

    /// `DELETE /phone_numbers/{phone_number_id}`: a deleted primary number hands the primary
    /// role to the user's next verified one, a deleted default second factor hands that to the
    /// next reserved one.
    pub fn delete(&self, phone_number_id: impl Into<String>) -> DeletePhoneNumber {
        DeletePhoneNumber::new(self.client(), phone_number_id.into())
    }
}

/// `POST /phone_numbers`: not retried after a 5xx or a timeout unless the caller opts in.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreatePhoneNumber {
    client: Client,
    options: RequestOptions,
    body: CreatePhoneNumberRequest,
}

impl CreatePhoneNumber {
    pub(crate) fn new(client: Client, user_id: String, phone_number: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            body: CreatePhoneNumberRequest {
                user_id: Some(user_id),
                phone_number: Some(phone_number),
                ..Default::default()
            },
        }
    }

    /// Replaces the whole body, the user and number given to [`PhoneNumbersApi::create`]
    /// included.
    pub fn request(mut self, body: CreatePhoneNumberRequest) -> Self {
        self.body = body;
        self
    }

    /// Creates the number verified (strategy `admin`).
    pub fn verified(mut self, verified: bool) -> Self {
        self.body.verified = Some(verified);
        self
    }

    /// Makes it the user's primary number (it must be verified).
    pub fn primary(mut self, primary: bool) -> Self {
        self.body.primary = Some(primary);
        self
    }

    /// Reserves it as a second factor (it must be verified); the user's first reserved number
    /// becomes the default second factor.
    pub fn reserved_for_second_factor(mut self, reserved: bool) -> Self {
        self.body.reserved_for_second_factor = Some(reserved);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        // Not idempotent (POST's default): a repeat after a lost answer fails as taken.
        HttpRequest::new("create_phone_number", Method::POST, &["phone_numbers"]).json(&self.body)
    }
}

operation!(CreatePhoneNumber -> PhoneNumber);

path_operation! {
    /// `GET /phone_numbers/{phone_number_id}`.
    GetPhoneNumber(phone_number_id) -> PhoneNumber {
        operation: "get_phone_number",
        method: GET,
        path: |s| ["phone_numbers", s.phone_number_id.as_str()],
        idempotent: true,
    }
}

/// `PATCH /phone_numbers/{phone_number_id}`: fields not set stay as they are. Safe to repeat
/// (every field is set to a value), so retried like a read.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdatePhoneNumber {
    client: Client,
    options: RequestOptions,
    phone_number_id: String,
    body: UpdatePhoneNumberRequest,
}

impl UpdatePhoneNumber {
    pub(crate) fn new(client: Client, phone_number_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            phone_number_id,
            body: UpdatePhoneNumberRequest::default(),
        }
    }

    /// Replaces the whole body (the setters below fill single fields).
    pub fn request(mut self, body: UpdatePhoneNumberRequest) -> Self {
        self.body = body;
        self
    }

    /// Marks the number verified (strategy `admin`) or unverified. The primary number and the
    /// numbers reserved for second factor must stay verified.
    pub fn verified(mut self, verified: bool) -> Self {
        self.body.verified = Some(verified);
        self
    }

    /// `true` makes it the user's primary number (it must be verified).
    pub fn primary(mut self, primary: bool) -> Self {
        self.body.primary = Some(primary);
        self
    }

    /// Reserves it as a second factor (it must be verified) or takes the reservation back; the
    /// default second factor moves to another reserved number when this one leaves.
    pub fn reserved_for_second_factor(mut self, reserved: bool) -> Self {
        self.body.reserved_for_second_factor = Some(reserved);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("phone_number_id", &self.phone_number_id)?;
        HttpRequest::new(
            "update_phone_number",
            Method::PATCH,
            &["phone_numbers", &self.phone_number_id],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(UpdatePhoneNumber -> PhoneNumber);

path_operation! {
    /// `DELETE /phone_numbers/{phone_number_id}`.
    DeletePhoneNumber(phone_number_id) -> DeletedObject {
        operation: "delete_phone_number",
        method: DELETE,
        path: |s| ["phone_numbers", s.phone_number_id.as_str()],
        idempotent: true,
    }
}
