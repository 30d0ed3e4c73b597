//! Webhook endpoints of our server: extension routes under `/v1/_ext/webhooks` (see
//! `docs/webhooks.md`). Clerk itself sets webhooks up in its dashboard, through Svix, and does
//! not serve these routes; there they fail with a 404 ([`crate::Error::is_not_found`]).
//!
//! [`WebhooksApi`] has one method per route; each returns a builder, sent like every other
//! operation (`.send().await`, `.send_with_http_info().await`, per-call options). Lists page with
//! `limit` and `offset` and walk every page with `into_stream`.
//!
//! Retries follow the client's rules: reads, deletes and updates (which set fields to values) are
//! safe to repeat; creating an endpoint, rotating its secret and resending a message are not
//! (a repeat would make a second endpoint, rotate twice and push the previous secret out of its
//! overlap, or send the message once more), so they are retried only after a 429 or a refused
//! connection unless the caller opts in.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let webhooks = client.webhooks();
//! let endpoint = webhooks
//!     .create_endpoint("https://app.example.com/api/webhooks")
//!     .filter_types(["user.created", "user.deleted"])
//!     .description("the app")
//!     .send()
//!     .await?;
//! println!("{} signs with {}", endpoint.id, endpoint.secret);
//!
//! // Every event type again, and off for now.
//! webhooks.update_endpoint(&endpoint.id).every_event_type().disabled(true).send().await?;
//!
//! let all: Vec<_> = webhooks.list_endpoints().into_stream().try_collect().await?;
//! let recent = webhooks.list_attempts(&endpoint.id).limit(20).send().await?;
//! if let Some(failed) = recent.data.iter().find(|a| a.delivery_status == "failed") {
//!     webhooks.resend_message(&failed.message_id).send().await?;
//! }
//!
//! // A new secret; the previous one keeps signing beside it for 24 hours.
//! let rotated = webhooks.rotate_secret(&endpoint.id).send().await?;
//! webhooks.delete_endpoint(&endpoint.id).send().await?;
//! # Ok(()) }
//! ```

use clerk_model::{
    CreateWebhookEndpointRequest, DeletedObject, ResentWebhookMessage, RotateWebhookSecretRequest,
    UpdateWebhookEndpointRequest, WebhookAttempt, WebhookAttemptList, WebhookEndpoint,
    WebhookEndpointList,
};
use reqwest::Method;

use crate::pagination::{self, ItemStream};
use crate::request::{operation, HttpRequest};
use crate::users::macros::path_operation;
use crate::users::DEFAULT_STREAM_PAGE_SIZE;
use crate::validation;
use crate::{Client, RequestOptions, Result};

/// The routes' common prefix, under the base URL.
const PREFIX: [&str; 2] = ["_ext", "webhooks"];

impl Client {
    /// The webhook endpoints of our server (extension routes under `/v1/_ext/webhooks`).
    pub fn webhooks(&self) -> WebhooksApi {
        WebhooksApi {
            client: self.clone(),
        }
    }
}

/// The `/_ext/webhooks` operations. Get one with [`Client::webhooks`].
#[derive(Debug, Clone)]
pub struct WebhooksApi {
    client: Client,
}

impl WebhooksApi {
    fn client(&self) -> Client {
        self.client.clone()
    }

    /// `GET /_ext/webhooks/endpoints`: a page of endpoints, oldest first; also walks every page
    /// with [`ListWebhookEndpoints::into_stream`].
    pub fn list_endpoints(&self) -> ListWebhookEndpoints {
        ListWebhookEndpoints::new(self.client())
    }

    /// `POST /_ext/webhooks/endpoints`: a new endpoint sending events to `url` (http or https),
    /// with its signing secret.
    pub fn create_endpoint(&self, url: impl Into<String>) -> CreateWebhookEndpoint {
        CreateWebhookEndpoint::new(self.client(), url.into())
    }

    /// `GET /_ext/webhooks/endpoints/{endpoint_id}`.
    pub fn get_endpoint(&self, endpoint_id: impl Into<String>) -> GetWebhookEndpoint {
        GetWebhookEndpoint::new(self.client(), endpoint_id.into())
    }

    /// `PATCH /_ext/webhooks/endpoints/{endpoint_id}`: changes the given fields.
    pub fn update_endpoint(&self, endpoint_id: impl Into<String>) -> UpdateWebhookEndpoint {
        UpdateWebhookEndpoint::new(self.client(), endpoint_id.into())
    }

    /// `DELETE /_ext/webhooks/endpoints/{endpoint_id}`: deletes the endpoint with its pending
    /// deliveries and its attempts.
    pub fn delete_endpoint(&self, endpoint_id: impl Into<String>) -> DeleteWebhookEndpoint {
        DeleteWebhookEndpoint::new(self.client(), endpoint_id.into())
    }

    /// `POST /_ext/webhooks/endpoints/{endpoint_id}/rotate_secret`: a new signing secret (a
    /// generated one, or yours with [`RotateWebhookSecret::key`]); the previous one keeps signing
    /// beside it for 24 hours.
    pub fn rotate_secret(&self, endpoint_id: impl Into<String>) -> RotateWebhookSecret {
        RotateWebhookSecret::new(self.client(), endpoint_id.into())
    }

    /// `GET /_ext/webhooks/endpoints/{endpoint_id}/attempts`: the endpoint's delivery attempts,
    /// newest first; also walks every page with [`ListWebhookAttempts::into_stream`].
    pub fn list_attempts(&self, endpoint_id: impl Into<String>) -> ListWebhookAttempts {
        ListWebhookAttempts::new(self.client(), endpoint_id.into())
    }

    /// `POST /_ext/webhooks/messages/{message_id}/resend`: sends a message (`msg_…`, the
    /// `svix-id` its receivers saw) again, now, to every endpoint it went to, with a fresh retry
    /// schedule.
    pub fn resend_message(&self, message_id: impl Into<String>) -> ResendWebhookMessage {
        ResendWebhookMessage::new(self.client(), message_id.into())
    }
}

// --- endpoints --------------------------------------------------------------------------------

/// `GET /_ext/webhooks/endpoints`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListWebhookEndpoints {
    client: Client,
    options: RequestOptions,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl ListWebhookEndpoints {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            limit: None,
            offset: None,
        }
    }

    /// Page size, 1..=500 (the server's default: 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Endpoints to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::limit(self.client.validates(), self.limit)?;
        Ok(HttpRequest::new(
            "list_webhook_endpoints",
            Method::GET,
            &[PREFIX[0], PREFIX[1], "endpoints"],
        )
        .query_opt("limit", self.limit)
        .query_opt("offset", self.offset))
    }

    /// Every endpoint from `offset` on, page after page (offsets, up to the reported total).
    /// Page size: `limit`, or [`DEFAULT_STREAM_PAGE_SIZE`].
    pub fn into_stream(self) -> ItemStream<WebhookEndpoint> {
        let page_size = self.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE);
        pagination::offset_items(
            self.limit(page_size),
            |request| request.offset.unwrap_or(0),
            Self::offset,
            |request| async move {
                let page = request.send().await?;
                Ok((page.data, page.total_count))
            },
        )
    }
}

operation!(ListWebhookEndpoints -> WebhookEndpointList);

/// `POST /_ext/webhooks/endpoints`: not retried after a 5xx or a timeout unless the caller opts
/// in, since a repeat could make a second endpoint.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateWebhookEndpoint {
    client: Client,
    options: RequestOptions,
    body: CreateWebhookEndpointRequest,
}

impl CreateWebhookEndpoint {
    pub(crate) fn new(client: Client, url: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            body: CreateWebhookEndpointRequest {
                url: Some(url),
                ..Default::default()
            },
        }
    }

    /// Replaces the whole body, the URL given to
    /// [`WebhooksApi::create_endpoint`] included.
    pub fn request(mut self, body: CreateWebhookEndpointRequest) -> Self {
        self.body = body;
        self
    }

    /// The event types to send (`user.created`, …); every type when not set.
    pub fn filter_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.filter_types = Some(types.into_iter().map(Into::into).collect());
        self
    }

    /// What the endpoint is for.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Creates it disabled: it receives nothing until enabled.
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.body.disabled = Some(disabled);
        self
    }

    /// A signing secret of your own (`whsec_` and the base64 of 24 to 75 bytes); one is
    /// generated otherwise.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.body.secret = Some(secret.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        // Not idempotent (POST's default): a retried create after a lost response would make a
        // second endpoint with the same URL.
        HttpRequest::new(
            "create_webhook_endpoint",
            Method::POST,
            &[PREFIX[0], PREFIX[1], "endpoints"],
        )
        .json(&self.body)
    }
}

operation!(CreateWebhookEndpoint -> WebhookEndpoint);

path_operation! {
    /// `GET /_ext/webhooks/endpoints/{endpoint_id}`: one endpoint, with its signing secret.
    GetWebhookEndpoint(endpoint_id) -> WebhookEndpoint {
        operation: "get_webhook_endpoint",
        method: GET,
        path: |s| [PREFIX[0], PREFIX[1], "endpoints", s.endpoint_id.as_str()],
        idempotent: true,
    }
}

/// `PATCH /_ext/webhooks/endpoints/{endpoint_id}`: fields not set stay as they are. Safe to
/// repeat (every field is set to a value), so retried like a read.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateWebhookEndpoint {
    client: Client,
    options: RequestOptions,
    endpoint_id: String,
    body: UpdateWebhookEndpointRequest,
}

impl UpdateWebhookEndpoint {
    pub(crate) fn new(client: Client, endpoint_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            endpoint_id,
            body: UpdateWebhookEndpointRequest::default(),
        }
    }

    /// Replaces the whole body (the setters below fill single fields).
    pub fn request(mut self, body: UpdateWebhookEndpointRequest) -> Self {
        self.body = body;
        self
    }

    /// A new http or https URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.body.url = Some(url.into());
        self
    }

    /// Sends only these event types from now on.
    pub fn filter_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.filter_types = Some(Some(types.into_iter().map(Into::into).collect()));
        self
    }

    /// Sends every event type again (`filter_types: null`).
    pub fn every_event_type(mut self) -> Self {
        self.body.filter_types = Some(None);
        self
    }

    /// What the endpoint is for (`""` clears it).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Disables or enables the endpoint; an enabled one gets its waiting deliveries at once.
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.body.disabled = Some(disabled);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("endpoint_id", &self.endpoint_id)?;
        // Idempotent: setting the same fields to the same values twice leaves the same endpoint.
        HttpRequest::new(
            "update_webhook_endpoint",
            Method::PATCH,
            &[PREFIX[0], PREFIX[1], "endpoints", &self.endpoint_id],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(UpdateWebhookEndpoint -> WebhookEndpoint);

path_operation! {
    /// `DELETE /_ext/webhooks/endpoints/{endpoint_id}`: deletes the endpoint, its pending
    /// deliveries and its attempts.
    DeleteWebhookEndpoint(endpoint_id) -> DeletedObject {
        operation: "delete_webhook_endpoint",
        method: DELETE,
        path: |s| [PREFIX[0], PREFIX[1], "endpoints", s.endpoint_id.as_str()],
        idempotent: true,
    }
}

/// `POST /_ext/webhooks/endpoints/{endpoint_id}/rotate_secret`: not retried after a 5xx or a
/// timeout unless the caller opts in, since a repeat would rotate twice and end the overlap of
/// the secret receivers still use.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RotateWebhookSecret {
    client: Client,
    options: RequestOptions,
    endpoint_id: String,
    body: RotateWebhookSecretRequest,
}

impl RotateWebhookSecret {
    pub(crate) fn new(client: Client, endpoint_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            endpoint_id,
            body: RotateWebhookSecretRequest::default(),
        }
    }

    /// Replaces the whole body.
    pub fn request(mut self, body: RotateWebhookSecretRequest) -> Self {
        self.body = body;
        self
    }

    /// The new secret (`whsec_` and the base64 of 24 to 75 bytes); one is generated otherwise.
    pub fn key(mut self, secret: impl Into<String>) -> Self {
        self.body.key = Some(secret.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("endpoint_id", &self.endpoint_id)?;
        HttpRequest::new(
            "rotate_webhook_secret",
            Method::POST,
            &[
                PREFIX[0],
                PREFIX[1],
                "endpoints",
                &self.endpoint_id,
                "rotate_secret",
            ],
        )
        .json(&self.body)
    }
}

operation!(RotateWebhookSecret -> WebhookEndpoint);

// --- attempts and messages --------------------------------------------------------------------

/// `GET /_ext/webhooks/endpoints/{endpoint_id}/attempts`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListWebhookAttempts {
    client: Client,
    options: RequestOptions,
    endpoint_id: String,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl ListWebhookAttempts {
    pub(crate) fn new(client: Client, endpoint_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            endpoint_id,
            limit: None,
            offset: None,
        }
    }

    /// Page size, 1..=500 (the server's default: 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Newer attempts to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("endpoint_id", &self.endpoint_id)?;
        validation::limit(self.client.validates(), self.limit)?;
        Ok(HttpRequest::new(
            "list_webhook_attempts",
            Method::GET,
            &[
                PREFIX[0],
                PREFIX[1],
                "endpoints",
                &self.endpoint_id,
                "attempts",
            ],
        )
        .query_opt("limit", self.limit)
        .query_opt("offset", self.offset))
    }

    /// Every attempt from `offset` on, newest first, page after page (offsets, up to the
    /// reported total). Page size: `limit`, or [`DEFAULT_STREAM_PAGE_SIZE`]. Attempts made while
    /// the stream runs shift the later pages, so one may be yielded twice.
    pub fn into_stream(self) -> ItemStream<WebhookAttempt> {
        let page_size = self.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE);
        pagination::offset_items(
            self.limit(page_size),
            |request| request.offset.unwrap_or(0),
            Self::offset,
            |request| async move {
                let page = request.send().await?;
                Ok((page.data, page.total_count))
            },
        )
    }
}

operation!(ListWebhookAttempts -> WebhookAttemptList);

path_operation! {
    /// `POST /_ext/webhooks/messages/{message_id}/resend`: the message again, to every endpoint
    /// it went to. Not retried after a 5xx or a timeout unless the caller opts in, since a
    /// repeat would send it once more.
    ResendWebhookMessage(message_id) -> ResentWebhookMessage {
        operation: "resend_webhook_message",
        method: POST,
        path: |s| [PREFIX[0], PREFIX[1], "messages", s.message_id.as_str(), "resend"],
        idempotent: false,
    }
}
