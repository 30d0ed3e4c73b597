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
    pub url: String,
    pub description: String,
    /// The event types sent to it (`user.created`, …); `null` for every type.
    pub filter_types: Option<Vec<String>>,
    /// A disabled endpoint receives nothing; its pending deliveries wait until it is enabled.
    pub disabled: bool,
    /// The signing secret, `whsec_…` (base64 after the prefix).
    pub secret: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A page of endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookEndpointList {
    pub data: Vec<WebhookEndpoint>,
    pub total_count: i64,
}

/// `POST /v1/_ext/webhooks/endpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateWebhookEndpointRequest {
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// A secret of one's own (`whsec_…`, 24 to 64 bytes); one is generated otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `PATCH /v1/_ext/webhooks/endpoints/{id}`: absent fields stay; `filter_types: null` sends
/// every event type again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateWebhookEndpointRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub filter_types: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `POST /v1/_ext/webhooks/endpoints/{id}/rotate_secret`: the new secret, or a generated one.
/// The previous secret keeps signing, beside the new one, for 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RotateWebhookSecretRequest {
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
    pub event_type: String,
    /// `succeeded` (a 2xx answer) or `failed`.
    pub status: String,
    /// The HTTP status of the answer; `null` when none came (refused, timed out).
    pub response_status_code: Option<i64>,
    /// The first bytes of the answer's body, or why no answer came.
    pub response: String,
    pub started_at: i64,
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
    pub data: Vec<WebhookAttempt>,
    pub total_count: i64,
}

/// `POST /v1/_ext/webhooks/messages/{msg_id}/resend`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResentWebhookMessage {
    /// Always `webhook_message`.
    pub object: String,
    pub id: String,
    pub event_type: String,
    /// How many endpoints it is sent to again.
    pub deliveries: i64,
}
