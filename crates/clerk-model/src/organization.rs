//! Organizations as they appear in a user's memberships and invitations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

string_enum! {
    /// The status of an organization invitation, and the `status` filter of the invitation
    /// lists. A status Clerk adds later is kept as [`InvitationStatus::Unknown`].
    ///
    /// ```
    /// use clerk_model::InvitationStatus;
    ///
    /// assert_eq!("pending".parse::<InvitationStatus>().unwrap(), InvitationStatus::Pending);
    /// assert_eq!(InvitationStatus::from("on_hold"), InvitationStatus::Unknown("on_hold".into()));
    /// assert_eq!(InvitationStatus::Expired.as_str(), "expired");
    /// ```
    InvitationStatus {
        /// Sent and not yet answered.
        Pending = "pending",
        /// The invited person joined the organization.
        Accepted = "accepted",
        /// Withdrawn before it was answered.
        Revoked = "revoked",
        /// Not answered in time.
        Expired = "expired",
    }
}

/// `Organization`: an organization of the instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    /// Always `organization`.
    pub object: String,
    /// Unique identifier, `org_…`.
    pub id: String,
    /// The organization's name.
    pub name: String,
    /// The organization's slug, unique within the instance: lowercase letters, digits and `-`.
    pub slug: String,
    /// URL of the organization's image (logo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Whether an image (logo) was uploaded for the organization.
    pub has_image: bool,
    /// Number of members; only in responses that ask for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    /// Number of pending invitations; only in some responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_invitations_count: Option<i64>,
    /// The maximum number of memberships allowed; 0 means unlimited.
    pub max_allowed_memberships: i64,
    /// Whether an admin may delete the organization through the Frontend API.
    pub admin_delete_enabled: bool,
    /// Metadata read-only from the Frontend API, readable and writable from the Backend API.
    pub public_metadata: Value,
    /// Metadata visible only to the Backend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    /// ID of the user who created the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
}

/// `OrganizationMembershipPublicUserData`: the public profile of a member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationMembershipPublicUserData {
    /// The member's user ID.
    pub user_id: String,
    /// The member's first name.
    pub first_name: Option<String>,
    /// The member's last name.
    pub last_name: Option<String>,
    /// Deprecated: use `image_url`.
    pub profile_image_url: Option<String>,
    /// URL of the member's profile image.
    pub image_url: String,
    /// Whether the member uploaded a profile image.
    pub has_image: bool,
    /// The member's identifier, such as their email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The member's username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// `OrganizationMembership`: a user's membership in an organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationMembership {
    /// Unique identifier, `orgmem_…`.
    pub id: String,
    /// Always `organization_membership`.
    pub object: String,
    /// The member's role key, e.g. `org:admin` or `org:member`.
    pub role: String,
    /// The display name of the member's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// Keys of the permissions the member's role grants.
    /// Clerk's Python SDK allows `null` here, so the client reads it as optional.
    pub permissions: Option<Vec<String>>,
    /// Metadata readable from both the Frontend and Backend APIs.
    pub public_metadata: Value,
    /// Metadata visible only to the Backend API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    /// The organization the membership belongs to.
    pub organization: Organization,
    /// The member's public profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_user_data: Option<OrganizationMembershipPublicUserData>,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
}

/// `OrganizationMemberships`: one page and the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationMemberships {
    /// The memberships of this page.
    pub data: Vec<OrganizationMembership>,
    /// Total number of memberships, across all pages.
    pub total_count: i64,
}

/// `OrganizationInvitationPublicUserData`: the public profile of the user who sent an
/// invitation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicInviterData {
    /// The inviter's user ID.
    pub user_id: String,
    /// The inviter's first name.
    pub first_name: Option<String>,
    /// The inviter's last name.
    pub last_name: Option<String>,
    /// URL of the inviter's profile image.
    pub image_url: String,
    /// Whether the inviter uploaded a profile image.
    pub has_image: bool,
    /// The inviter's identifier, such as their email address.
    pub identifier: String,
}

/// `OrganizationInvitationPublicOrganizationData`: the public data of the organization an
/// invitation is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicOrganizationData {
    /// The organization's ID.
    pub id: String,
    /// The organization's name.
    pub name: String,
    /// The organization's slug.
    pub slug: String,
    /// URL of the organization's image (logo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Whether an image (logo) was uploaded for the organization.
    pub has_image: bool,
}

/// `OrganizationInvitationWithPublicOrganizationData`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationInvitation {
    /// Always `organization_invitation`.
    pub object: String,
    /// Unique identifier of the invitation.
    pub id: String,
    /// The invited email address.
    pub email_address: String,
    /// The role key the invitee gets on joining, e.g. `org:member`.
    pub role: String,
    /// The display name of that role.
    pub role_name: String,
    /// ID of the organization the invitation is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// ID of the user who sent the invitation, if any.
    pub inviter_id: Option<String>,
    /// The public profile of the inviter, if any.
    pub public_inviter_data: Option<PublicInviterData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The invitation's status: pending, accepted, revoked or expired.
    pub status: Option<InvitationStatus>,
    /// Metadata readable from both the Frontend and Backend APIs; it moves to the membership
    /// when the invitation is accepted.
    pub public_metadata: Value,
    /// Metadata visible only to the Backend API; it moves to the membership when the
    /// invitation is accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Value>,
    /// The URL of the invitation, if any.
    pub url: Option<String>,
    /// Expiry time, Unix timestamp in milliseconds, if any.
    pub expires_at: Option<i64>,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
    /// The public data of the organization the invitation is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_organization_data: Option<PublicOrganizationData>,
}

/// `OrganizationInvitationsWithPublicOrganizationData`: one page and the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationInvitations {
    /// The invitations of this page.
    pub data: Vec<OrganizationInvitation>,
    /// Total number of invitations, across all pages.
    pub total_count: i64,
}
