//! Request bodies of the `/email_addresses` and `/phone_numbers` operations.
//!
//! As in [`crate::requests`]: unknown fields are rejected (`additionalProperties: false`) and
//! absent fields are left out when serialized. Every boolean is nullable in Clerk's spec, and
//! `null` means the same as absent, so they are plain `Option<bool>`s.

use serde::{Deserialize, Serialize};

/// `POST /email_addresses`: a new email address for a user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateEmailAddressRequest {
    /// The user the address belongs to (required).
    pub user_id: Option<String>,
    /// The address (required).
    pub email_address: Option<String>,
    /// Created verified (strategy `admin`); unverified when absent or false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Made the user's primary address; when absent, only if the user has none yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Accepted for compatibility; this server sends no email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
}

/// `PATCH /email_addresses/{email_address_id}`: fields not given stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateEmailAddressRequest {
    /// Marks the address verified (`true`) or unverified (`false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// `true` makes this address the user's primary email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Accepted for compatibility; this server sends no email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
}

/// `POST /phone_numbers`: a new phone number for a user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreatePhoneNumberRequest {
    /// The user the number belongs to (required).
    pub user_id: Option<String>,
    /// The number in E.164 format (required).
    pub phone_number: Option<String>,
    /// Created verified (strategy `admin`); unverified when absent or false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Made the user's primary number; when absent, only if the user has none yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Reserved as a second factor (the number must be verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_for_second_factor: Option<bool>,
}

/// `PATCH /phone_numbers/{phone_number_id}`: fields not given stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdatePhoneNumberRequest {
    /// Marks the number verified (`true`) or unverified (`false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// `true` makes this number the user's primary phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Reserves the number for multi-factor authentication (it must be verified); when no
    /// other number is reserved, it also becomes the default second factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_for_second_factor: Option<bool>,
}
