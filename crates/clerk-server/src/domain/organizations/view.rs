//! Rows → wire objects: organizations, memberships, invitations and the users they show.

use clerk_model::{
    Organization, OrganizationInvitation, OrganizationMembership,
    OrganizationMembershipPublicUserData, PublicInviterData, PublicOrganizationData,
};

use super::rules::{permissions, role_name};
use crate::domain::metadata::from_stored;
use crate::domain::view::DEFAULT_AVATAR_URL;
use crate::store::organizations::{InvitationRow, MembershipRow, OrgRow, PublicUserRow};

pub fn organization_view(org: &OrgRow, members_count: Option<i64>) -> Organization {
    Organization {
        object: "organization".into(),
        id: org.id.clone(),
        name: org.name.clone(),
        slug: org.slug.clone(),
        image_url: None,
        has_image: false,
        members_count,
        pending_invitations_count: None,
        max_allowed_memberships: org.max_allowed_memberships,
        admin_delete_enabled: org.admin_delete_enabled,
        public_metadata: from_stored(&org.public_metadata),
        private_metadata: Some(from_stored(&org.private_metadata)),
        created_by: org.created_by.clone(),
        created_at: org.created_at,
        updated_at: org.updated_at,
    }
}

/// How a user is named to others: primary email, else phone, username, web3 wallet.
fn identifier(user: &PublicUserRow) -> Option<String> {
    user.email_address
        .clone()
        .or_else(|| user.phone_number.clone())
        .or_else(|| user.username.clone())
        .or_else(|| user.web3_wallet.clone())
}

fn public_user_data(user: &PublicUserRow) -> OrganizationMembershipPublicUserData {
    OrganizationMembershipPublicUserData {
        user_id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        profile_image_url: Some(DEFAULT_AVATAR_URL.into()),
        image_url: DEFAULT_AVATAR_URL.into(),
        has_image: false,
        identifier: identifier(user),
        username: user.username.clone(),
    }
}

fn public_inviter_data(user: &PublicUserRow) -> PublicInviterData {
    PublicInviterData {
        user_id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        image_url: DEFAULT_AVATAR_URL.into(),
        has_image: false,
        identifier: identifier(user).unwrap_or_default(),
    }
}

pub fn membership_view(
    m: &MembershipRow,
    org: &OrgRow,
    user: Option<&PublicUserRow>,
) -> OrganizationMembership {
    OrganizationMembership {
        id: m.id.clone(),
        object: "organization_membership".into(),
        role: m.role.clone(),
        role_name: Some(role_name(&m.role)),
        permissions: Some(permissions(&m.role)),
        public_metadata: from_stored(&m.public_metadata),
        private_metadata: Some(from_stored(&m.private_metadata)),
        organization: organization_view(org, None),
        public_user_data: user.map(public_user_data),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// An invitation as shown at `now`; `with_organization_data` adds `public_organization_data`
/// (the user-side lists show it; the organization-side answers' schema forbids it).
pub fn invitation_view(
    inv: &InvitationRow,
    org: &OrgRow,
    inviter: Option<&PublicUserRow>,
    with_organization_data: bool,
    now: i64,
) -> OrganizationInvitation {
    OrganizationInvitation {
        object: "organization_invitation".into(),
        id: inv.id.clone(),
        email_address: inv.email_address.clone(),
        role: inv.role.clone(),
        role_name: role_name(&inv.role),
        organization_id: Some(org.id.clone()),
        inviter_id: inv.inviter_user_id.clone(),
        public_inviter_data: inviter.map(public_inviter_data),
        status: Some(inv.status_at(now).as_str().into()),
        public_metadata: from_stored(&inv.public_metadata),
        private_metadata: Some(from_stored(&inv.private_metadata)),
        url: None,
        expires_at: inv.expires_at,
        created_at: inv.created_at,
        updated_at: inv.updated_at,
        public_organization_data: with_organization_data.then(|| PublicOrganizationData {
            id: org.id.clone(),
            name: org.name.clone(),
            slug: org.slug.clone(),
            image_url: None,
            has_image: false,
        }),
    }
}
