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
use crate::users::macros::{body_operation, body_setters, path_operation};
use crate::validation;
use crate::{Client, Result};

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
        let body = CreateEmailAddressRequest {
            user_id: Some(user_id.into()),
            email_address: Some(email_address.into()),
            ..Default::default()
        };
        CreateEmailAddress::new(self.client(), body)
    }

    /// `GET /email_addresses/{email_address_id}`.
    pub fn get(&self, email_address_id: impl Into<String>) -> GetEmailAddress {
        GetEmailAddress::new(self.client(), email_address_id.into())
    }

    /// `PATCH /email_addresses/{email_address_id}`: changes the given fields.
    pub fn update(&self, email_address_id: impl Into<String>) -> UpdateEmailAddress {
        UpdateEmailAddress::new(self.client(), email_address_id.into(), Default::default())
    }

    /// `DELETE /email_addresses/{email_address_id}`: a deleted primary address hands the primary
    /// role to the user's next verified one.
    pub fn delete(&self, email_address_id: impl Into<String>) -> DeleteEmailAddress {
        DeleteEmailAddress::new(self.client(), email_address_id.into())
    }
}

body_operation! {
    /// `POST /email_addresses`: not retried after a 5xx or a timeout unless the caller opts in.
    CreateEmailAddress() body: CreateEmailAddressRequest
}

impl CreateEmailAddress {
    body_setters!(@bool
        /// Creates the address verified (strategy `admin`).
        verified,
        /// Makes it the user's primary address (it must be verified).
        primary,
        /// Asks Clerk to tell the previous primary address of the change (our server sends
        /// no email).
        notify_primary_email_address_changed,
    );

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

body_operation! {
    /// `PATCH /email_addresses/{email_address_id}`: fields not set stay as they are. Safe to
    /// repeat (every field is set to a value), so retried like a read.
    UpdateEmailAddress(email_address_id) body: UpdateEmailAddressRequest
}

impl UpdateEmailAddress {
    body_setters!(@bool
        /// Marks the address verified (strategy `admin`) or unverified. The primary address
        /// must stay verified.
        verified,
        /// `true` makes it the user's primary address (it must be verified).
        primary,
        /// Asks Clerk to tell the previous primary address of the change (our server sends
        /// no email).
        notify_primary_email_address_changed,
    );

    fn build(self) -> Result<HttpRequest> {
        let id = &self.email_address_id;
        validation::path_param("email_address_id", id)?;
        HttpRequest::new(
            "update_email_address",
            Method::PATCH,
            &["email_addresses", id],
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
        let body = CreatePhoneNumberRequest {
            user_id: Some(user_id.into()),
            phone_number: Some(phone_number.into()),
            ..Default::default()
        };
        CreatePhoneNumber::new(self.client(), body)
    }

    /// `GET /phone_numbers/{phone_number_id}`.
    pub fn get(&self, phone_number_id: impl Into<String>) -> GetPhoneNumber {
        GetPhoneNumber::new(self.client(), phone_number_id.into())
    }

    /// `PATCH /phone_numbers/{phone_number_id}`: changes the given fields.
    pub fn update(&self, phone_number_id: impl Into<String>) -> UpdatePhoneNumber {
        UpdatePhoneNumber::new(self.client(), phone_number_id.into(), Default::default())
    }

    /// `DELETE /phone_numbers/{phone_number_id}`: a deleted primary number hands the primary
    /// role to the user's next verified one, a deleted default second factor hands that to the
    /// next reserved one.
    pub fn delete(&self, phone_number_id: impl Into<String>) -> DeletePhoneNumber {
        DeletePhoneNumber::new(self.client(), phone_number_id.into())
    }
}

body_operation! {
    /// `POST /phone_numbers`: not retried after a 5xx or a timeout unless the caller opts in.
    CreatePhoneNumber() body: CreatePhoneNumberRequest
}

impl CreatePhoneNumber {
    body_setters!(@bool
        /// Creates the number verified (strategy `admin`).
        verified,
        /// Makes it the user's primary number (it must be verified).
        primary,
        /// Reserves it as a second factor (it must be verified); the user's first reserved
        /// number becomes the default second factor.
        reserved_for_second_factor,
    );

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

body_operation! {
    /// `PATCH /phone_numbers/{phone_number_id}`: fields not set stay as they are. Safe to repeat
    /// (every field is set to a value), so retried like a read.
    UpdatePhoneNumber(phone_number_id) body: UpdatePhoneNumberRequest
}

impl UpdatePhoneNumber {
    body_setters!(@bool
        /// Marks the number verified (strategy `admin`) or unverified. The primary number and
        /// the numbers reserved for second factor must stay verified.
        verified,
        /// `true` makes it the user's primary number (it must be verified).
        primary,
        /// Reserves it as a second factor (it must be verified) or takes the reservation back;
        /// the default second factor moves to another reserved number when this one leaves.
        reserved_for_second_factor,
    );

    fn build(self) -> Result<HttpRequest> {
        let id = &self.phone_number_id;
        validation::path_param("phone_number_id", id)?;
        HttpRequest::new("update_phone_number", Method::PATCH, &["phone_numbers", id])
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
