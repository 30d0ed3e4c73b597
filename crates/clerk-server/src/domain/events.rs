//! Events: what a change tells webhook endpoints, in Clerk's envelope, written to the outbox in
//! the transaction of the change (see `store::webhooks::outbox`), so that a rolled-back change
//! emits nothing and a committed one is never lost.

use serde::Serialize;

use super::view;
use crate::error::ApiResult;
use crate::store::webhooks::outbox::{self, OutboxMessage};
use crate::store::{now_ms, UserRecord, WriteTx};
use crate::{ids, AppState};

/// The event types this server emits, named as Clerk names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    UserCreated,
    UserUpdated,
    UserDeleted,
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationDeleted,
    MembershipCreated,
    MembershipUpdated,
    MembershipDeleted,
    InvitationCreated,
    InvitationRevoked,
    SessionCreated,
    SessionRevoked,
    SessionEnded,
}

impl EventType {
    pub const ALL: [EventType; 14] = [
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::OrganizationCreated,
        Self::OrganizationUpdated,
        Self::OrganizationDeleted,
        Self::MembershipCreated,
        Self::MembershipUpdated,
        Self::MembershipDeleted,
        Self::InvitationCreated,
        Self::InvitationRevoked,
        Self::SessionCreated,
        Self::SessionRevoked,
        Self::SessionEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserDeleted => "user.deleted",
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationUpdated => "organization.updated",
            Self::OrganizationDeleted => "organization.deleted",
            Self::MembershipCreated => "organizationMembership.created",
            Self::MembershipUpdated => "organizationMembership.updated",
            Self::MembershipDeleted => "organizationMembership.deleted",
            Self::InvitationCreated => "organizationInvitation.created",
            Self::InvitationRevoked => "organizationInvitation.revoked",
            Self::SessionCreated => "session.created",
            Self::SessionRevoked => "session.revoked",
            Self::SessionEnded => "session.ended",
        }
    }
}

/// Who made the request that caused an event: Clerk reports it in `event_attributes`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestOrigin {
    pub client_ip: String,
    pub user_agent: String,
}

tokio::task_local! {
    /// The origin of the request being served; set around every request by the HTTP layer.
    pub static REQUEST_ORIGIN: RequestOrigin;
}

#[derive(Serialize)]
struct EventAttributes {
    http_request: RequestOrigin,
}

/// Clerk's event envelope (fields in the order Clerk sends them).
#[derive(Serialize)]
struct Envelope<'a, T> {
    data: &'a T,
    event_attributes: EventAttributes,
    instance_id: &'a str,
    object: &'static str,
    timestamp: i64,
    #[serde(rename = "type")]
    event_type: &'static str,
}

/// Writes the event to the outbox inside `tx`: it goes out if, and once, `tx` commits.
pub async fn emit<T: Serialize>(
    tx: &mut WriteTx,
    app: &AppState,
    event_type: EventType,
    data: &T,
) -> ApiResult<()> {
    let timestamp = now_ms();
    let origin = REQUEST_ORIGIN
        .try_with(RequestOrigin::clone)
        .unwrap_or_default();
    let payload = serde_json::to_string(&Envelope {
        data,
        event_attributes: EventAttributes {
            http_request: origin,
        },
        instance_id: &app.instance_id,
        object: "event",
        timestamp,
        event_type: event_type.as_str(),
    })
    .expect("an event serializes");
    let id = ids::new_id("msg");
    let message = OutboxMessage {
        id: &id,
        event_type: event_type.as_str(),
        payload: &payload,
        created_at: timestamp,
    };
    outbox::enqueue(tx, &message).await?;
    Ok(())
}

/// `user.created` or `user.updated`: the user as `GET /users/{id}` returns it at commit.
pub async fn user_event(
    tx: &mut WriteTx,
    app: &AppState,
    event_type: EventType,
    record: &UserRecord,
) -> ApiResult<()> {
    let user = view::user(record, &app.settings, now_ms());
    emit(tx, app, event_type, &user).await
}

/// A `*.deleted` event: `{"deleted": true, "id": …, "object": …}`.
pub async fn deleted_event(
    tx: &mut WriteTx,
    app: &AppState,
    event_type: EventType,
    object: &str,
    id: &str,
) -> ApiResult<()> {
    emit(tx, app, event_type, &view::deleted(object, id)).await
}
