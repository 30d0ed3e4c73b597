//! Request bodies of the `/organizations` operations.
//!
//! As in [`crate::requests`]: unknown fields are rejected (`additionalProperties: false`), and
//! where `null` means something different from an absent field the field is an
//! `Option<Option<T>>` (`None` absent, `Some(None)` null). The server reads them; no client
//! sends them yet, so they do not serialize.

use serde::Deserialize;
use serde_json::Value;

use crate::requests::double_option;

/// `POST /organizations`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    /// The organization's name; required. At most 256 characters, with no URLs or HTML.
    pub name: Option<String>,
    /// A slug unique within the instance: lowercase letters, digits and `-` only. Only when
    /// slugs are enabled in the organization settings.
    pub slug: Option<String>,
    /// ID of the user who becomes the organization's administrator; it becomes their active
    /// organization in their next session.
    pub created_by: Option<String>,
    /// The maximum number of memberships allowed, at least 0; 0 means unlimited.
    pub max_allowed_memberships: Option<i64>,
    /// Metadata read-only from the Frontend API, readable and writable from the Backend API.
    pub public_metadata: Option<Value>,
    /// Metadata visible only to the Backend API.
    pub private_metadata: Option<Value>,
    /// A custom creation time, an RFC 3339 date-time such as `2012-10-20T07:15:20.902Z`.
    pub created_at: Option<String>,
    /// Key of the role set to assign to the organization.
    /// Accepted for compatibility; the server has no role sets.
    pub role_set_key: Option<String>,
}

/// `PATCH /organizations/{organization_id}`. The metadata fields are accepted only by API
/// versions older than 2026-05-12, as on `PATCH /users/{user_id}`; there each supplied bag
/// replaces the stored one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    /// The new name; at most 256 characters, with no URLs or HTML.
    pub name: Option<String>,
    /// The new slug, unique within the instance.
    pub slug: Option<String>,
    /// The maximum number of memberships allowed, at least 0; 0 means unlimited.
    pub max_allowed_memberships: Option<i64>,
    /// Whether an admin may delete the organization through the Frontend API.
    pub admin_delete_enabled: Option<bool>,
    /// A custom creation time, an RFC 3339 date-time such as `2012-10-20T07:15:20.902Z`.
    pub created_at: Option<String>,
    /// Key of the role set to assign to the organization.
    /// Accepted for compatibility; the server has no role sets.
    pub role_set_key: Option<String>,
    /// Replaces the stored public metadata (API versions before 2026-05-12 only).
    pub public_metadata: Option<Value>,
    /// Replaces the stored private metadata (API versions before 2026-05-12 only).
    pub private_metadata: Option<Value>,
}

/// `PATCH` (deep merge) and `PUT` (replace) `/organizations/{organization_id}/metadata`, and
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata` (deep merge). A bag
/// given as `null` is reset to `{}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationMetadataRequest {
    /// Metadata visible to both frontend and backend, to merge into or replace the stored one.
    #[serde(deserialize_with = "double_option")]
    pub public_metadata: Option<Option<Value>>,
    /// Metadata visible only to the backend, to merge into or replace the stored one.
    #[serde(deserialize_with = "double_option")]
    pub private_metadata: Option<Option<Value>>,
}

/// `POST /organizations/{organization_id}/memberships`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateMembershipRequest {
    /// ID of the user to add; required. The user must belong to the organization's instance and
    /// not be a member already.
    pub user_id: Option<String>,
    /// The new member's role key, e.g. `org:member`; required.
    pub role: Option<String>,
    /// Membership metadata visible to both frontend and backend.
    pub public_metadata: Option<Value>,
    /// Membership metadata visible only to the backend.
    pub private_metadata: Option<Value>,
}

/// `PATCH /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    /// The membership's new role key; required.
    pub role: Option<String>,
}

/// `POST /organizations/{organization_id}/invitations`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateInvitationRequest {
    /// The email address to invite; required.
    pub email_address: Option<String>,
    /// ID of the user sending the invitation; must be an admin of the organization.
    pub inviter_user_id: Option<String>,
    /// The role key the invitee gets on joining; required.
    pub role: Option<String>,
    /// Invitation metadata read-only from the Frontend API; moves to the membership when the
    /// invitation is accepted.
    pub public_metadata: Option<Value>,
    /// Invitation metadata visible only to the Backend API; moves to the membership when the
    /// invitation is accepted.
    pub private_metadata: Option<Value>,
    /// Where the invitee lands after following the link of the invitation email.
    pub redirect_url: Option<String>,
    /// How many days the invitation stays valid: 1 to 365, 30 by default.
    pub expires_in_days: Option<i64>,
    /// Whether to email the invitation (default `true`).
    /// The server sends no email, so there is nothing to switch off.
    pub notify: Option<bool>,
}

/// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` (body optional).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevokeInvitationRequest {
    /// ID of the user revoking the invitation; must be an admin of the organization.
    pub requesting_user_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_null_is_not_absent() {
        let req: OrganizationMetadataRequest =
            serde_json::from_value(json!({"public_metadata": null})).unwrap();
        assert_eq!(req.public_metadata, Some(None));
        assert_eq!(req.private_metadata, None);
        let req: OrganizationMetadataRequest =
            serde_json::from_value(json!({"private_metadata": {"a": 1}})).unwrap();
        assert_eq!(req.private_metadata, Some(Some(json!({"a": 1}))));
        assert!(
            serde_json::from_value::<OrganizationMetadataRequest>(json!({"unsafe_metadata": {}}))
                .is_err(),
            "organizations have no unsafe metadata"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_value::<CreateOrganizationRequest>(json!({"colour": 1})).is_err());
        let req: RevokeInvitationRequest = serde_json::from_value(json!({})).unwrap();
        assert_eq!(req, RevokeInvitationRequest::default());
    }
}
