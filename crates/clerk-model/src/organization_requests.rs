//! Request bodies of the `/organizations` operations.
//!
//! As in [`crate::requests`]: unknown fields are rejected (`additionalProperties: false`),
//! absent fields are left out when serialized, and where `null` means something different from
//! an absent field the field is an `Option<Option<T>>` (`None` absent, `Some(None)` null).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::requests::double_option;

/// `POST /organizations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Accepted for compatibility; the server has no role sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
}

/// `PATCH /organizations/{organization_id}`. The metadata fields are accepted only by API
/// versions older than 2026-05-12, as on `PATCH /users/{user_id}`; there each supplied bag
/// replaces the stored one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_delete_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Accepted for compatibility; the server has no role sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
}

/// `PATCH` (deep merge) and `PUT` (replace) `/organizations/{organization_id}/metadata`, and
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata` (deep merge). A bag
/// given as `null` is reset to `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationMetadataRequest {
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_metadata: Option<Option<Value>>,
    #[serde(
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_metadata: Option<Option<Value>>,
}

/// `POST /organizations/{organization_id}/memberships`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateMembershipRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
}

/// `PATCH /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// `POST /organizations/{organization_id}/invitations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inviter_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<i64>,
    /// The server sends no email, so there is nothing to switch off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
}

/// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` (body optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevokeInvitationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requesting_user_id: Option<String>,
}
