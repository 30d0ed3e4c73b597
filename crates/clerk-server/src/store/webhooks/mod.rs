//! SQL for webhooks: the endpoints, the outbox a change writes its events to, and the
//! deliveries the delivery worker claims and records (see `crate::webhooks`).

pub mod deliveries;
pub mod endpoints;
pub mod outbox;
