//! Webhook endpoints (our extension, `/v1/_ext/webhooks`): their rules, their secrets (sealed at
//! rest, rotated with an overlap), their attempts, resending a message, and the endpoints given
//! at start.

mod at_start;
mod attempts;
mod endpoints;
mod rules;

pub use at_start::{ensure_endpoints, EndpointSpec};
pub use attempts::{list_attempts, resend_message};
pub use endpoints::{
    create_endpoint, delete_endpoint, get_endpoint, list_endpoints, rotate_secret, update_endpoint,
};
pub use rules::{signing_secrets, ROTATION_OVERLAP};
