//! Webhook endpoints and their delivery attempts: our extension routes under
//! `/v1/_ext/webhooks` (Clerk configures webhooks in its dashboard, through Svix).

use serde::{Deserialize, Serialize};

use crate::requests::double_option;

/// A URL that receives events, signed with its secret as Svix signs them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookEndpoint {
    /// Always `webhook_endpoint`.
    pub object: String,
    /// `ep_…`
    pub id: String,
    /// The http or https URL messages are posted to.
    pub url: String,
    /// Free text describing the endpoint; empty when none was given.
    pub description: String,
    /// The event types sent to it (`user.created`, …); `null` for every type.
    pub filter_types: Option<Vec<String>>,
    /// A disabled endpoint receives nothing; its pending deliveries wait until it is enabled.
    pub disabled: bool,
    /// The signing secret, `whsec_…` (base64 after the prefix).
    pub secret: String,
    /// When the endpoint was created (Unix time in milliseconds).
    pub created_at: i64,
    /// When the endpoint was last changed (Unix time in milliseconds).
    pub updated_at: i64,
}

/// A page of endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookEndpointList {
    /// The endpoints of the page (`limit`, `offset`).
    pub data: Vec<WebhookEndpoint>,
    /// How many endpoints there are in all.
    pub total_count: i64,
}

/// `POST /v1/_ext/webhooks/endpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateWebhookEndpointRequest {
    /// The http or https URL to post messages to (required).
    pub url: Option<String>,
    /// The event types to send (`user.created`, …); every type when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_types: Option<Vec<String>>,
    /// Free text describing the endpoint; empty when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creates the endpoint disabled; enabled when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// A secret of one's own (`whsec_…`, base64 of 24 to 75 bytes); one is generated otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `PATCH /v1/_ext/webhooks/endpoints/{id}`: absent fields stay; `filter_types: null` sends
/// every event type again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateWebhookEndpointRequest {
    /// A new http or https URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `Some(Some(types))`: only these event types; `Some(None)` (`null`): every type again;
    /// `None` (absent): unchanged.
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub filter_types: Option<Option<Vec<String>>>,
    /// A new description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Disables (`true`) or enables (`false`) the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `POST /v1/_ext/webhooks/endpoints/{id}/rotate_secret`: the new secret, or a generated one.
/// The previous secret keeps signing, beside the new one, for 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RotateWebhookSecretRequest {
    /// The new secret (`whsec_…`); a random one is generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// One attempt to deliver a message to an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookAttempt {
    /// Always `webhook_attempt`.
    pub object: String,
    /// The message's id: the `svix-id` header the receiver saw.
    pub message_id: String,
    /// The message's event type (`user.created`, …).
    pub event_type: String,
    /// `succeeded` (a 2xx answer) or `failed`.
    pub status: String,
    /// The HTTP status of the answer; `null` when none came (refused, timed out).
    pub response_status_code: Option<i64>,
    /// The first bytes of the answer's body, or why no answer came.
    pub response: String,
    /// When the attempt began (Unix time in milliseconds).
    pub started_at: i64,
    /// When the attempt ended (Unix time in milliseconds).
    pub finished_at: i64,
    /// Where the message stands on this endpoint now: `pending`, `succeeded` or `failed`.
    pub delivery_status: String,
    /// When the next attempt is due, while the delivery is pending.
    pub next_attempt_at: Option<i64>,
}

/// A page of attempts, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookAttemptList {
    /// The attempts of the page.
    pub data: Vec<WebhookAttempt>,
    /// How many attempts the endpoint has in all.
    pub total_count: i64,
}

/// `POST /v1/_ext/webhooks/messages/{msg_id}/resend`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResentWebhookMessage {
    /// Always `webhook_message`.
    pub object: String,
    /// The message's id (`msg_…`), the `svix-id` of every delivery.
    pub id: String,
    /// The message's event type (`user.created`, …).
    pub event_type: String,
    /// How many endpoints it is sent to again.
    pub deliveries: i64,
}
