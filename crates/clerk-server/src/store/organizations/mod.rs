//! SQL for organizations, their memberships and invitations.
//!
//! `organization_memberships.organization_id` holds the organization's public id (the
//! `organization_id` filter of `GET /users` reads it directly); invitations point at the
//! organization's `seq` and go with it (ON DELETE CASCADE). Memberships have no foreign key on
//! the organization, so [`delete_organization`] removes them itself.

mod invitations;
mod memberships;
mod orgs;
mod public_users;
mod rows;

pub use invitations::{
    count_organization_invitations, count_user_invitations, find_invitation, insert_invitation,
    organization_invitations, update_invitation_status, user_invitations, InvitationFilter,
    InvitationOrderField,
};
pub use memberships::{
    count_members, count_user_memberships, delete_membership, email_is_member, find_membership,
    insert_membership, organization_memberships, update_membership_metadata,
    update_membership_role, user_memberships,
};
pub use orgs::{
    count_organizations, delete_organization, find_organization, insert_organization,
    list_organizations, slug_taken, update_organization, OrganizationFilter,
    OrganizationOrderField,
};
pub use public_users::{public_user, public_users_by_id, public_users_by_seq, PublicUserRow};
pub use rows::{InvitationRow, InvitationStatus, MembershipRow, Order, OrgRow};
