//! Async client for Clerk's Backend API `/users` operations — the Rust counterpart of Clerk's
//! Ruby `ClerkHttpClient::UsersApi`, for Clerk itself (`https://api.clerk.com/v1`) and for any
//! Clerk-compatible server.
//!
//! - Every operation of the original plus those Clerk added since, one builder each, named as in
//!   the original: `client.users().get_user("user_…").send().await`.
//! - `.send_with_http_info()` returns data, status and headers; per-call headers, query
//!   parameters, timeout and retry policy override the [`Configuration`].
//! - One [`Error`] type: Clerk's error codes, status, headers and `Retry-After` for API errors;
//!   separate variants for transport, timeout, decoding and client-side validation.
//! - Retries with exponential backoff and jitter on 429, 5xx and connection failures, honouring
//!   `Retry-After`, only where repeating is safe unless you opt in ([`RetryPolicy`]).
//! - Sessions, session tokens, the JWKS and JWT templates ([`Client::sessions`],
//!   [`Client::jwks`], [`Client::jwt_templates`]).
//! - Lists as streams that walk every page ([`users::GetUserList::into_stream`]).
//! - Tolerant models ([`clerk_model`]): unknown fields and enum values never fail a call.
//! - Debug logging through `tracing` (target `clerk_http_client`): the secret key is never
//!   logged, and with body logging on, passwords, TOTP secrets and codes, backup codes and tokens
//!   are redacted.
//! - Typed where Clerk has a closed set: the users sort order ([`users::UserOrderBy`]),
//!   invitation and session statuses; each keeps an `Unknown(String)` for values added later.
//! - [`prelude`] imports the client, its errors and `TryStreamExt` at once.
//!
//! The Ruby SDK's method names are search aliases here: searching these docs for
//! `get_user_with_http_info` finds [`UsersApi::get_user`].
//!
//! # Set-up
//!
//! ```no_run
//! use clerk_http_client::{Client, Configuration};
//!
//! # fn main() -> clerk_http_client::Result<()> {
//! // `default()` reads CLERK_SECRET_KEY and CLERK_API_URL, like `Configuration::from_env()`.
//! let client = Client::new(Configuration::default())?;
//! // Or explicitly, e.g. against a local Clerk-compatible server:
//! let local = Client::new(Configuration::new("sk_test_…").base_url("http://127.0.0.1:8080/v1"))?;
//! # Ok(()) }
//! ```
//!
//! # Listing, searching and counting users
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//!
//! // One page, filtered (array filters are sent as repeated keys).
//! let page = users.get_user_list().email_address(["ada@example.com", "alan@example.com"]).limit(20).send().await?;
//!
//! // Every user, page after page, using Clerk's `starting_after` cursor.
//! let mut all = users.get_user_list().query("example.com").into_stream();
//! while let Some(user) = all.try_next().await? {
//!     println!("{} {:?}", user.id, user.first_name);
//! }
//!
//! // A page and the total matching the same filters.
//! let with_total = users.get_user_list().banned(false).limit(10).send_with_total_count().await?;
//! println!("{} of {}", with_total.data.len(), with_total.total_count);
//!
//! let count = users.get_users_count().email_address_query("@example.com").send().await?;
//! # Ok(()) }
//! ```
//!
//! # Creating, reading, updating and deleting a user
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//! let user = users
//!     .create_user()
//!     .email_address(["ada@example.com"])
//!     .first_name("Ada")
//!     .password("correct horse battery staple")
//!     .send()
//!     .await?;
//!
//! let fetched = users.get_user(&user.id).send().await?;
//! let renamed = users.update_user(&user.id).last_name("Lovelace").send().await?;
//!
//! // Status and headers too (the original's `*_with_http_info`).
//! let response = users.get_user(&user.id).send_with_http_info().await?;
//! println!("{} {:?}", response.status, response.headers.get("content-type"));
//!
//! let deleted = users.delete_user(&user.id).send().await?;
//! assert!(deleted.deleted);
//! # Ok(()) }
//! ```
//!
//! # Metadata
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//! // Deep merge; a key set to null is deleted.
//! users.update_user_metadata("user_123").public_metadata(json!({"plan": "pro", "trial": null})).send().await?;
//! // Replace a whole field.
//! users.replace_user_metadata("user_123").private_metadata(json!({"stripe_id": "cus_1"})).send().await?;
//! # Ok(()) }
//! ```
//!
//! # Bans, locks, passwords and MFA
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//! users.ban_user("user_123").send().await?;
//! users.users_unban(["user_123", "user_456"]).send().await?;
//! users.lock_user("user_123").send().await?;
//! users.unlock_user("user_123").send().await?;
//!
//! match users.verify_password("user_123", "hunter22").send().await {
//!     Ok(result) => assert!(result.verified),
//!     Err(e) if e.code() == Some("incorrect_password") => println!("wrong password"),
//!     Err(e) => return Err(e),
//! }
//! let totp = users.verify_totp("user_123", "123456").send().await?;
//! users.set_user_password_compromised("user_123").revoke_all_sessions(true).send().await?;
//! users.disable_mfa("user_123").send().await?;
//! # Ok(()) }
//! ```
//!
//! # Identifications, profile image and organizations
//!
//! ```no_run
//! use clerk_http_client::ProfileImage;
//! use futures::TryStreamExt;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//! users.replace_user_email_address("user_123", "new@example.com").send().await?;
//! users.user_passkey_delete("user_123", "idn_456").send().await?;
//! let tokens = users.get_oauth_access_token("user_123", "oauth_google").send().await?;
//!
//! // Streamed from disk as multipart part `file`.
//! users.set_user_profile_image("user_123", ProfileImage::from_path("avatar.png")).send().await?;
//! users.delete_user_profile_image("user_123").send().await?;
//!
//! let memberships: Vec<_> = users.users_get_organization_memberships("user_123").into_stream().try_collect().await?;
//! let pending = users.users_get_organization_invitations("user_123").status("pending").send().await?;
//! # Ok(()) }
//! ```
//!
//! # Email addresses and phone numbers by id
//!
//! Clerk's `/email_addresses` and `/phone_numbers` operations ([`identifications`]):
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let email = client.email_addresses().create("user_123", "ada@example.com").verified(true).send().await?;
//! client.email_addresses().update(&email.id).primary(true).send().await?;
//! let phone = client
//!     .phone_numbers()
//!     .create("user_123", "+15555550100")
//!     .verified(true)
//!     .reserved_for_second_factor(true)
//!     .send()
//!     .await?;
//! client.phone_numbers().delete(&phone.id).send().await?;
//! # Ok(()) }
//! ```
//!
//! # Trusted devices and billing
//!
//! ```no_run
//! use clerk_http_client::model::CreditAdjustmentAction;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let users = client.users();
//! let devices = users.list_user_trusted_devices("user_123").send().await?;
//! let subscription = users.get_user_billing_subscription("user_123").send().await?;
//! let entry = users
//!     .adjust_user_billing_credit_balance("user_123", 500, CreditAdjustmentAction::Increase, "grant-2026-01")
//!     .note("welcome credit")
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # Webhook endpoints of our server
//!
//! `clerk serve` sends Clerk's webhook events to the endpoints registered through its extension
//! routes under `/v1/_ext/webhooks` ([`webhooks`]; Clerk itself answers them with a 404):
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let webhooks = client.webhooks();
//! let endpoint = webhooks.create_endpoint("https://app.example.com/api/webhooks").send().await?;
//! let attempts = webhooks.list_attempts(&endpoint.id).limit(20).send().await?;
//! for attempt in attempts.data.iter().filter(|a| a.delivery_status == "failed") {
//!     webhooks.resend_message(&attempt.message_id).send().await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Sessions, session tokens, the JWKS and JWT templates
//!
//! [`sessions`], [`jwks`] and [`jwt_templates`]; tokens verify against the JWKS with any JWT
//! library (RS256, the key named by the token's `kid`):
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let session = client.sessions().create("user_123").send().await?;
//! let token = client.sessions().create_token(&session.id).send().await?;
//! let keys = client.jwks().get().send().await?;
//!
//! client.jwt_templates().create("my-api", json!({"aud": "my-api"})).send().await?;
//! let api_token = client.sessions().create_token_from_template(&session.id, "my-api").send().await?;
//! client.sessions().revoke(&session.id).send().await?;
//! # Ok(()) }
//! ```
//!
//! # Errors, retries and per-call options
//!
//! ```no_run
//! use std::time::Duration;
//! use clerk_http_client::{Error, RetryPolicy};
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let result = client
//!     .users()
//!     .create_user()
//!     .email_address(["ada@example.com"])
//!     .timeout(Duration::from_secs(5))
//!     .header("X-Request-Id", "import-42")
//!     // Safe here because the caller de-duplicates on external_id.
//!     .retry_policy(RetryPolicy::default().max_attempts(5).retry_non_idempotent(true))
//!     .send()
//!     .await;
//! match result {
//!     Ok(user) => println!("created {}", user.id),
//!     Err(Error::Api(api)) if api.code() == Some("form_identifier_exists") => println!("already there"),
//!     Err(Error::Api(api)) => println!("Clerk said {} [{:?}]", api, api.trace_id()),
//!     Err(Error::Timeout(after)) => println!("gave up after {after:?}"),
//!     Err(other) => return Err(other),
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

// The README's examples are compiled as doc-tests, so the first thing a newcomer copies builds.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod client;
mod config;
mod error;
pub mod ext;
pub mod identifications;
pub mod jwks;
pub mod jwt_templates;
pub mod pagination;
mod redact;
mod request;
mod retry;
pub mod sessions;
mod transport;
mod upload;
pub mod users;
mod validation;
pub mod webhooks;

pub use client::Client;
pub use config::{Configuration, SecretKey, API_URL_ENV, DEFAULT_BASE_URL, SECRET_KEY_ENV};
pub use error::{ApiError, Error, Result};
pub use identifications::{EmailAddressesApi, PhoneNumbersApi};
pub use jwks::JwksApi;
pub use jwt_templates::JwtTemplatesApi;
pub use request::{ApiResponse, RequestOptions};
pub use retry::RetryPolicy;
pub use sessions::SessionsApi;
pub use upload::{IntoImageBytes, ProfileImage};
pub use users::UsersApi;
pub use validation::{MAX_BULK_IDS, MAX_FILTER_VALUES};

/// The wire types ([`clerk_model`]), re-exported so callers need one dependency.
pub use clerk_model as model;

/// The HTTP types that appear in this crate's API (an [`ApiResponse`]'s status and headers, an
/// [`ApiError`]'s, a [`ProfileImage`]'s bytes), re-exported so a caller can name them without
/// depending on `reqwest`, `http` or `bytes` at matching versions.
///
/// ```no_run
/// use clerk_http_client::{ApiResponse, Bytes, HeaderMap, ProfileImage, StatusCode};
/// # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
/// let response: ApiResponse<_> = client.users().get_user("user_123").send_with_http_info().await?;
/// let status: StatusCode = response.status;
/// let headers: &HeaderMap = &response.headers;
/// assert_eq!(status, StatusCode::OK);
/// let image = ProfileImage::from_bytes(Bytes::from_static(b"\x89PNG"));
/// # Ok(()) }
/// ```
pub use bytes::Bytes;
pub use reqwest::header::HeaderMap;
pub use reqwest::StatusCode;

/// What most callers import: the client, its configuration, errors, the typed sort order and
/// [`futures::TryStreamExt`] (for `try_next` / `try_collect` on the pagination streams).
///
/// ```no_run
/// use clerk_http_client::prelude::*;
/// # async fn run() -> clerk_http_client::Result<()> {
/// let client = Client::new(Configuration::default())?;
/// let first_ten: Vec<_> = client.users().get_user_list().into_stream().take(10).try_collect().await?;
/// # Ok(()) }
/// ```
pub mod prelude {
    pub use crate::users::{SortDirection, UserOrderBy, UserOrderField};
    pub use crate::{
        ApiError, ApiResponse, Client, Configuration, Error, ProfileImage, RequestOptions, Result,
        RetryPolicy,
    };
    pub use futures::{StreamExt, TryStreamExt};
}
