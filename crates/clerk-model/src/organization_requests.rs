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
    pub name: Option<String>,
    pub slug: Option<String>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub created_at: Option<String>,
    /// Accepted for compatibility; the server has no role sets.
    pub role_set_key: Option<String>,
}

/// `PATCH /organizations/{organization_id}`. The metadata fields are accepted only by API
/// versions older than 2026-05-12, as on `PATCH /users/{user_id}`; there each supplied bag
/// replaces the stored one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub admin_delete_enabled: Option<bool>,
    pub created_at: Option<String>,
    /// Accepted for compatibility; the server has no role sets.
    pub role_set_key: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// `PATCH` (deep merge) and `PUT` (replace) `/organizations/{organization_id}/metadata`, and
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata` (deep merge). A bag
/// given as `null` is reset to `{}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationMetadataRequest {
    #[serde(deserialize_with = "double_option")]
    pub public_metadata: Option<Option<Value>>,
    #[serde(deserialize_with = "double_option")]
    pub private_metadata: Option<Option<Value>>,
}

/// `POST /organizations/{organization_id}/memberships`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateMembershipRequest {
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// `PATCH /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    pub role: Option<String>,
}

/// `POST /organizations/{organization_id}/invitations`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateInvitationRequest {
    pub email_address: Option<String>,
    pub inviter_user_id: Option<String>,
    pub role: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub redirect_url: Option<String>,
    pub expires_in_days: Option<i64>,
    /// The server sends no email, so there is nothing to switch off.
    pub notify: Option<bool>,
}

/// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` (body optional).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevokeInvitationRequest {
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
