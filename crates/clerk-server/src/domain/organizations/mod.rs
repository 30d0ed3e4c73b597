//! Organizations, memberships and invitations: the rules, independent of HTTP and SQL.
//!
//! Roles are `org:<key>` strings. `org:admin` and `org:member` are Clerk's default roles and
//! carry Clerk's default system permissions; any other `org:<key>` is accepted as a custom role
//! without permissions (this server keeps no role catalogue). Errors use the codes and statuses
//! of Clerk's Backend API error index.
//!
//! The files build on each other, never the other way round: [`rules`] (roles, names, slugs,
//! metadata, errors) → [`view`] (rows → wire objects) and `lookup` (shared lookups and checks)
//! → the operations ([`orgs`], [`memberships`], [`invitations`]).

pub mod invitations;
mod lookup;
pub mod memberships;
pub mod orgs;
pub mod rules;
pub mod view;

/// The filters and orders of the lists, as the store takes them.
pub use crate::store::organizations::{
    InvitationFilter, InvitationOrderField, InvitationStatus, Order, OrganizationFilter,
    OrganizationOrderField,
};
pub use invitations::{
    create_invitation, get_organization_invitation, list_organization_invitations,
    list_user_invitations, revoke_invitation, InvitationListQuery, UserInvitationListQuery,
};
pub use memberships::{
    create_membership, delete_membership, list_organization_memberships, list_user_memberships,
    update_membership, update_membership_metadata,
};
pub use orgs::{
    create_organization, delete_organization, get_organization, list_organizations,
    update_organization, update_organization_metadata, OrganizationList, OrganizationListQuery,
};
pub use rules::{
    permissions, role_name, slug_from_name, validate_role, ADMIN_PERMISSIONS, ADMIN_ROLE,
    DEFAULT_INVITATION_DAYS, MEMBER_PERMISSIONS, MEMBER_ROLE,
};
pub use view::{invitation_view, membership_view, organization_view};
