//! Wire types of Clerk's Backend API: users and their identifications, organizations,
//! sessions and tokens, JWT templates, billing, and this project's webhook and import/export
//! extensions.
//!
//! Shared by the server (which writes them) and the client (which reads them). Two rules:
//! - Serializing writes every key Clerk's spec marks required, `null` where it is nullable,
//!   because official SDKs reject a response that lacks one.
//! - Deserializing is tolerant: unknown keys are ignored, missing keys take their default and
//!   unknown enum values are kept (see [`string_enum!`]), so a field Clerk adds tomorrow never
//!   breaks a caller.

#![warn(missing_docs)]

// The README's example is compiled and run as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[macro_use]
mod string_enum;
mod billing;
mod errors;
mod identification_requests;
mod identities;
mod import;
mod organization;
mod organization_requests;
mod requests;
mod responses;
mod sessions;
mod user;
mod webhooks;

pub use billing::{
    AdjustCreditBalanceRequest, CommerceCreditBalanceResponse, CommerceCreditLedgerResponse,
    CommerceMoney, CommerceSubscription, CommerceSubscriptionItem, CommerceSubscriptionNextPayment,
    CreditAdjustmentAction,
};
pub use errors::{ClerkError, ClerkErrors};
pub use identification_requests::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, UpdateEmailAddressRequest,
    UpdatePhoneNumberRequest,
};
pub use identities::{
    EmailAddress, EnterpriseAccount, ExternalAccount, IdentificationLink, Passkey, PhoneNumber,
    SamlAccount, Verification, VerificationStatus, Web3Wallet,
};
pub use import::{
    ExportPage, ImportExternalAccount, ImportIdentification, ImportOAuthToken, ImportPasskey,
    ImportResponse, ImportStatus, ImportTrustedDevice, ImportUser, ImportUserResult,
    ImportVerification,
};
pub use organization::{
    InvitationStatus, Organization, OrganizationInvitation, OrganizationInvitations,
    OrganizationMembership, OrganizationMembershipPublicUserData, OrganizationMemberships,
    PublicInviterData, PublicOrganizationData,
};
pub use organization_requests::{
    CreateInvitationRequest, CreateMembershipRequest, CreateOrganizationRequest,
    OrganizationMetadataRequest, RevokeInvitationRequest, UpdateMembershipRequest,
    UpdateOrganizationRequest,
};
pub use requests::{
    double_option, BulkUserIdsRequest, CreateUserRequest, IdentificationStatus,
    RemovePasswordRequest, ReplaceEmailAddressRequest, ReplacePhoneNumberRequest,
    SetPasswordCompromisedRequest, UpdateUserMetadataRequest, UpdateUserRequest,
    VerifyPasswordRequest, VerifyTotpRequest,
};
pub use responses::{
    CodeType, DeletedObject, OAuthAccessToken, Paginated, TotalCount, Totp, TrustedDevice,
    UserIdResponse, VerifyPasswordResponse, VerifyTotpResponse,
};
pub use sessions::{
    CreateSessionRequest, CreateSessionTokenRequest, Jwk, Jwks, JwtTemplate, JwtTemplateRequest,
    RefreshSessionRequest, Session, SessionActivity, SessionCookies, SessionStatus, SessionToken,
};
pub use user::User;
pub use webhooks::{
    CreateWebhookEndpointRequest, ResentWebhookMessage, RotateWebhookSecretRequest,
    UpdateWebhookEndpointRequest, WebhookAttempt, WebhookAttemptList, WebhookEndpoint,
    WebhookEndpointList,
};

/// Clerk's API version this model follows (`Clerk-API-Version` header).
pub const API_VERSION: &str = "2026-05-12";
