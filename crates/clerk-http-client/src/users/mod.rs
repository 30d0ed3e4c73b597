//! The `/users` operations: [`UsersApi`] has one method per operation, named as in Clerk's Ruby
//! SDK (`ban_user`, `get_user_list`, …) or, for operations it lacks, after the operation id of
//! Clerk's spec (`users_ban`, `replace_user_metadata`, …). Each returns a builder: set optional
//! parameters with its methods, then `.send().await` (or `.send_with_http_info().await`).

mod billing;
mod credentials;
mod crud;
mod devices;
mod identities;
mod list;
// Also used by the webhook operations (`crate::webhooks`).
pub(crate) mod macros;
mod metadata;
mod moderation;
mod order;
mod organizations;
mod profile_image;

pub use billing::{
    AdjustUserBillingCreditBalance, GetUserBillingCreditBalance, GetUserBillingSubscription,
};
pub use credentials::{
    CreateUserTotp, DeleteBackupCode, DeleteTotp, DisableMfa, RemoveUserPassword,
    SetUserPasswordCompromised, UnsetUserPasswordCompromised, VerifyPassword, VerifyTotp,
};
pub use crud::{CreateUser, DeleteUser, GetUser, UpdateUser};
pub use devices::{ListUserTrustedDevices, RevokeUserTrustedDevice};
pub use identities::{
    DeleteExternalAccount, GetOAuthAccessToken, ReplaceUserEmailAddress, ReplaceUserPhoneNumber,
    UserPasskeyDelete, UserWeb3WalletDelete,
};
pub use list::{GetUserList, GetUsersCount, DEFAULT_STREAM_PAGE_SIZE};
pub use metadata::{ReplaceUserMetadata, UpdateUserMetadata};
pub use moderation::{BanUser, LockUser, UnbanUser, UnlockUser, UsersBan, UsersUnban};
pub use order::{SortDirection, UserOrderBy, UserOrderField};
pub use organizations::{UsersGetOrganizationInvitations, UsersGetOrganizationMemberships};
pub use profile_image::{DeleteUserProfileImage, SetUserProfileImage};

use clerk_model::CreditAdjustmentAction;

use crate::upload::ProfileImage;
use crate::Client;

/// The Rust counterpart of `ClerkHttpClient::UsersApi`. Get one with [`Client::users`].
///
/// The 25 operations of the Ruby original keep their names (`get_user`, `ban_user`, …), and
/// their Ruby `*_with_http_info` forms are search aliases of the same methods: in Rust that
/// form is [`GetUser::send_with_http_info`] on the builder each method returns.
#[derive(Debug, Clone)]
pub struct UsersApi {
    client: Client,
}

impl UsersApi {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn client(&self) -> Client {
        self.client.clone()
    }

    // --- list and count -----------------------------------------------------------------------

    /// `GET /users`: users matching filters; also walks every page with
    /// [`GetUserList::into_stream`].
    #[doc(alias = "get_user_list_with_http_info")]
    pub fn get_user_list(&self) -> GetUserList {
        GetUserList::new(self.client())
    }

    /// `GET /users/count`.
    #[doc(alias = "get_users_count_with_http_info")]
    pub fn get_users_count(&self) -> GetUsersCount {
        GetUsersCount::new(self.client())
    }

    // --- one user -----------------------------------------------------------------------------

    /// `POST /users`.
    #[doc(alias = "create_user_with_http_info")]
    pub fn create_user(&self) -> CreateUser {
        CreateUser::new(self.client())
    }

    /// `GET /users/{user_id}`.
    #[doc(alias = "get_user_with_http_info")]
    pub fn get_user(&self, user_id: impl Into<String>) -> GetUser {
        GetUser::new(self.client(), user_id.into())
    }

    /// `PATCH /users/{user_id}`.
    #[doc(alias = "update_user_with_http_info")]
    pub fn update_user(&self, user_id: impl Into<String>) -> UpdateUser {
        UpdateUser::new(self.client(), user_id.into())
    }

    /// `DELETE /users/{user_id}`.
    #[doc(alias = "delete_user_with_http_info")]
    pub fn delete_user(&self, user_id: impl Into<String>) -> DeleteUser {
        DeleteUser::new(self.client(), user_id.into())
    }

    // --- metadata -----------------------------------------------------------------------------

    /// `PATCH /users/{user_id}/metadata` (deep merge).
    #[doc(alias = "update_user_metadata_with_http_info")]
    pub fn update_user_metadata(&self, user_id: impl Into<String>) -> UpdateUserMetadata {
        UpdateUserMetadata::new(self.client(), user_id.into())
    }

    /// `PUT /users/{user_id}/metadata` (replace).
    pub fn replace_user_metadata(&self, user_id: impl Into<String>) -> ReplaceUserMetadata {
        ReplaceUserMetadata::new(self.client(), user_id.into())
    }

    // --- ban and lock -------------------------------------------------------------------------

    /// `POST /users/{user_id}/ban`.
    #[doc(alias = "ban_user_with_http_info")]
    pub fn ban_user(&self, user_id: impl Into<String>) -> BanUser {
        BanUser::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/unban`.
    #[doc(alias = "unban_user_with_http_info")]
    pub fn unban_user(&self, user_id: impl Into<String>) -> UnbanUser {
        UnbanUser::new(self.client(), user_id.into())
    }

    /// `POST /users/ban`: 1 to 50 users.
    pub fn users_ban<I, S>(&self, user_ids: I) -> UsersBan
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UsersBan::new(
            self.client(),
            user_ids.into_iter().map(Into::into).collect(),
        )
    }

    /// `POST /users/unban`: 1 to 50 users.
    pub fn users_unban<I, S>(&self, user_ids: I) -> UsersUnban
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UsersUnban::new(
            self.client(),
            user_ids.into_iter().map(Into::into).collect(),
        )
    }

    /// `POST /users/{user_id}/lock`.
    #[doc(alias = "lock_user_with_http_info")]
    pub fn lock_user(&self, user_id: impl Into<String>) -> LockUser {
        LockUser::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/unlock`.
    #[doc(alias = "unlock_user_with_http_info")]
    pub fn unlock_user(&self, user_id: impl Into<String>) -> UnlockUser {
        UnlockUser::new(self.client(), user_id.into())
    }

    // --- passwords, TOTP, MFA -----------------------------------------------------------------

    /// `POST /users/{user_id}/verify_password`.
    #[doc(alias = "verify_password_with_http_info")]
    pub fn verify_password(
        &self,
        user_id: impl Into<String>,
        password: impl Into<String>,
    ) -> VerifyPassword {
        VerifyPassword::new(self.client(), user_id.into(), password.into())
    }

    /// `POST /users/{user_id}/verify_totp` (TOTP or backup code).
    #[doc(alias = "verify_totp_with_http_info")]
    pub fn verify_totp(&self, user_id: impl Into<String>, code: impl Into<String>) -> VerifyTotp {
        VerifyTotp::new(self.client(), user_id.into(), code.into())
    }

    /// `POST /users/{user_id}/totp` (removed from Clerk's current API; see [`CreateUserTotp`]).
    #[doc(alias = "create_user_totp_with_http_info")]
    pub fn create_user_totp(&self, user_id: impl Into<String>) -> CreateUserTotp {
        CreateUserTotp::new(self.client(), user_id.into())
    }

    /// `DELETE /users/{user_id}/totp`.
    #[doc(alias = "delete_totp_with_http_info")]
    pub fn delete_totp(&self, user_id: impl Into<String>) -> DeleteTotp {
        DeleteTotp::new(self.client(), user_id.into())
    }

    /// `DELETE /users/{user_id}/backup_code`.
    #[doc(alias = "delete_backup_code_with_http_info")]
    pub fn delete_backup_code(&self, user_id: impl Into<String>) -> DeleteBackupCode {
        DeleteBackupCode::new(self.client(), user_id.into())
    }

    /// `DELETE /users/{user_id}/mfa`.
    #[doc(alias = "disable_mfa_with_http_info")]
    pub fn disable_mfa(&self, user_id: impl Into<String>) -> DisableMfa {
        DisableMfa::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/remove_password`.
    pub fn remove_user_password(&self, user_id: impl Into<String>) -> RemoveUserPassword {
        RemoveUserPassword::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/password/set_compromised`.
    pub fn set_user_password_compromised(
        &self,
        user_id: impl Into<String>,
    ) -> SetUserPasswordCompromised {
        SetUserPasswordCompromised::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/password/unset_compromised`.
    pub fn unset_user_password_compromised(
        &self,
        user_id: impl Into<String>,
    ) -> UnsetUserPasswordCompromised {
        UnsetUserPasswordCompromised::new(self.client(), user_id.into())
    }

    // --- identifications and linked accounts --------------------------------------------------

    /// `PUT /users/{user_id}/email_address`.
    pub fn replace_user_email_address(
        &self,
        user_id: impl Into<String>,
        email_address: impl Into<String>,
    ) -> ReplaceUserEmailAddress {
        ReplaceUserEmailAddress::new(self.client(), user_id.into(), email_address.into())
    }

    /// `PUT /users/{user_id}/phone_number`.
    pub fn replace_user_phone_number(
        &self,
        user_id: impl Into<String>,
        phone_number: impl Into<String>,
    ) -> ReplaceUserPhoneNumber {
        ReplaceUserPhoneNumber::new(self.client(), user_id.into(), phone_number.into())
    }

    /// `DELETE /users/{user_id}/passkeys/{passkey_identification_id}`.
    #[doc(alias = "user_passkey_delete_with_http_info")]
    pub fn user_passkey_delete(
        &self,
        user_id: impl Into<String>,
        passkey_identification_id: impl Into<String>,
    ) -> UserPasskeyDelete {
        UserPasskeyDelete::new(
            self.client(),
            user_id.into(),
            passkey_identification_id.into(),
        )
    }

    /// `DELETE /users/{user_id}/web3_wallets/{web3_wallet_identification_id}`.
    #[doc(alias = "user_web3_wallet_delete_with_http_info")]
    pub fn user_web3_wallet_delete(
        &self,
        user_id: impl Into<String>,
        web3_wallet_identification_id: impl Into<String>,
    ) -> UserWeb3WalletDelete {
        UserWeb3WalletDelete::new(
            self.client(),
            user_id.into(),
            web3_wallet_identification_id.into(),
        )
    }

    /// `DELETE /users/{user_id}/external_accounts/{external_account_id}`.
    #[doc(alias = "delete_external_account_with_http_info")]
    pub fn delete_external_account(
        &self,
        user_id: impl Into<String>,
        external_account_id: impl Into<String>,
    ) -> DeleteExternalAccount {
        DeleteExternalAccount::new(self.client(), user_id.into(), external_account_id.into())
    }

    /// `GET /users/{user_id}/oauth_access_tokens/{provider}`.
    #[doc(alias = "get_oauth_access_token_with_http_info")]
    pub fn get_oauth_access_token(
        &self,
        user_id: impl Into<String>,
        provider: impl Into<String>,
    ) -> GetOAuthAccessToken {
        GetOAuthAccessToken::new(self.client(), user_id.into(), provider.into())
    }

    // --- profile image ------------------------------------------------------------------------

    /// `POST /users/{user_id}/profile_image`.
    #[doc(alias = "set_user_profile_image_with_http_info")]
    pub fn set_user_profile_image(
        &self,
        user_id: impl Into<String>,
        file: ProfileImage,
    ) -> SetUserProfileImage {
        SetUserProfileImage::new(self.client(), user_id.into(), file)
    }

    /// `DELETE /users/{user_id}/profile_image`.
    #[doc(alias = "delete_user_profile_image_with_http_info")]
    pub fn delete_user_profile_image(&self, user_id: impl Into<String>) -> DeleteUserProfileImage {
        DeleteUserProfileImage::new(self.client(), user_id.into())
    }

    // --- organizations ------------------------------------------------------------------------

    /// `GET /users/{user_id}/organization_memberships`.
    #[doc(alias = "users_get_organization_memberships_with_http_info")]
    pub fn users_get_organization_memberships(
        &self,
        user_id: impl Into<String>,
    ) -> UsersGetOrganizationMemberships {
        UsersGetOrganizationMemberships::new(self.client(), user_id.into())
    }

    /// `GET /users/{user_id}/organization_invitations`.
    #[doc(alias = "users_get_organization_invitations_with_http_info")]
    pub fn users_get_organization_invitations(
        &self,
        user_id: impl Into<String>,
    ) -> UsersGetOrganizationInvitations {
        UsersGetOrganizationInvitations::new(self.client(), user_id.into())
    }

    // --- trusted devices ----------------------------------------------------------------------

    /// `GET /users/{user_id}/trusted_devices`.
    pub fn list_user_trusted_devices(&self, user_id: impl Into<String>) -> ListUserTrustedDevices {
        ListUserTrustedDevices::new(self.client(), user_id.into())
    }

    /// `DELETE /users/{user_id}/trusted_devices/{trusted_device_id}`.
    pub fn revoke_user_trusted_device(
        &self,
        user_id: impl Into<String>,
        trusted_device_id: impl Into<String>,
    ) -> RevokeUserTrustedDevice {
        RevokeUserTrustedDevice::new(self.client(), user_id.into(), trusted_device_id.into())
    }

    // --- billing ------------------------------------------------------------------------------

    /// `GET /users/{user_id}/billing/subscription`.
    pub fn get_user_billing_subscription(
        &self,
        user_id: impl Into<String>,
    ) -> GetUserBillingSubscription {
        GetUserBillingSubscription::new(self.client(), user_id.into())
    }

    /// `GET /users/{user_id}/billing/credits`.
    pub fn get_user_billing_credit_balance(
        &self,
        user_id: impl Into<String>,
    ) -> GetUserBillingCreditBalance {
        GetUserBillingCreditBalance::new(self.client(), user_id.into())
    }

    /// `POST /users/{user_id}/billing/credits`: `amount` in cents (> 0); the idempotency key makes
    /// a repeat return the original ledger entry.
    pub fn adjust_user_billing_credit_balance(
        &self,
        user_id: impl Into<String>,
        amount: i64,
        action: CreditAdjustmentAction,
        idempotency_key: impl Into<String>,
    ) -> AdjustUserBillingCreditBalance {
        AdjustUserBillingCreditBalance::new(
            self.client(),
            user_id.into(),
            amount,
            action,
            idempotency_key.into(),
        )
    }
}
