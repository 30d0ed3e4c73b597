//! Identifications and linked accounts: email addresses, phone numbers, passkeys, web3 wallets,
//! external (OAuth) accounts and their access tokens.

use clerk_model::{
    DeletedObject, EmailAddress, IdentificationStatus, OAuthAccessToken, PhoneNumber,
    ReplaceEmailAddressRequest, ReplacePhoneNumberRequest,
};
use reqwest::Method;

use super::macros::path_operation;
use crate::pagination::ListBody;
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, RequestOptions, Result};

path_operation! {
    /// `DELETE /users/{user_id}/external_accounts/{external_account_id}`.
    DeleteExternalAccount(user_id, external_account_id) -> DeletedObject {
        operation: "delete_external_account",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "external_accounts", s.external_account_id.as_str()],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/passkeys/{passkey_identification_id}` (Clerk emails the user).
    UserPasskeyDelete(user_id, passkey_identification_id) -> DeletedObject {
        operation: "user_passkey_delete",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "passkeys", s.passkey_identification_id.as_str()],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/web3_wallets/{web3_wallet_identification_id}`.
    UserWeb3WalletDelete(user_id, web3_wallet_identification_id) -> DeletedObject {
        operation: "user_web3_wallet_delete",
        method: DELETE,
        path: |s| [
            "users",
            s.user_id.as_str(),
            "web3_wallets",
            s.web3_wallet_identification_id.as_str(),
        ],
        idempotent: true,
    }
}

/// `PUT /users/{user_id}/email_address`: replaces all the user's email addresses with one
/// primary address.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ReplaceUserEmailAddress {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: ReplaceEmailAddressRequest,
}

impl ReplaceUserEmailAddress {
    pub(crate) fn new(client: Client, user_id: String, email_address: String) -> Self {
        let body = ReplaceEmailAddressRequest {
            email_address: Some(email_address),
            ..Default::default()
        };
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body,
        }
    }

    /// `verified` (default), `reserved` or `unverified`.
    pub fn identification_status(mut self, status: IdentificationStatus) -> Self {
        self.body.identification_status = Some(status);
        self
    }

    /// Notify the previous primary address of the change.
    pub fn notify_primary_email_address_changed(mut self, notify: bool) -> Self {
        self.body.notify_primary_email_address_changed = Some(notify);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        HttpRequest::new(
            "replace_user_email_address",
            Method::PUT,
            &["users", &self.user_id, "email_address"],
        )
        .json(&self.body)
    }
}

operation!(ReplaceUserEmailAddress -> EmailAddress);

/// `PUT /users/{user_id}/phone_number`: replaces all the user's phone numbers with one primary
/// number.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ReplaceUserPhoneNumber {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: ReplacePhoneNumberRequest,
}

impl ReplaceUserPhoneNumber {
    pub(crate) fn new(client: Client, user_id: String, phone_number: String) -> Self {
        let body = ReplacePhoneNumberRequest {
            phone_number: Some(phone_number),
            ..Default::default()
        };
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body,
        }
    }

    /// `verified` (default), `reserved` or `unverified`.
    pub fn identification_status(mut self, status: IdentificationStatus) -> Self {
        self.body.identification_status = Some(status);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        HttpRequest::new(
            "replace_user_phone_number",
            Method::PUT,
            &["users", &self.user_id, "phone_number"],
        )
        .json(&self.body)
    }
}

operation!(ReplaceUserPhoneNumber -> PhoneNumber);

/// `GET /users/{user_id}/oauth_access_tokens/{provider}`: the user's access tokens for an OAuth
/// provider (`oauth_google`, `oauth_custom_<name>`, …), refreshed by Clerk if expired.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetOAuthAccessToken {
    client: Client,
    options: RequestOptions,
    user_id: String,
    provider: String,
    limit: Option<u32>,
    offset: Option<u32>,
    paginated: Option<bool>,
}

impl GetOAuthAccessToken {
    pub(crate) fn new(client: Client, user_id: String, provider: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            provider,
            limit: None,
            offset: None,
            paginated: None,
        }
    }

    /// Page size, 1..=500.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Items to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for the `{data, total_count}` form (what Clerk's JS and Go SDKs send); either form
    /// decodes to the same list.
    pub fn paginated(mut self, paginated: bool) -> Self {
        self.paginated = Some(paginated);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        validation::path_param("provider", &self.provider)?;
        validation::limit(self.client.validates(), self.limit)?;
        Ok(HttpRequest::new(
            "get_oauth_access_token",
            Method::GET,
            &[
                "users",
                &self.user_id,
                "oauth_access_tokens",
                &self.provider,
            ],
        )
        .query_opt("limit", self.limit)
        .query_opt("offset", self.offset)
        .query_opt("paginated", self.paginated))
    }
}

operation!(GetOAuthAccessToken -> Vec<OAuthAccessToken> as ListBody<OAuthAccessToken>);
