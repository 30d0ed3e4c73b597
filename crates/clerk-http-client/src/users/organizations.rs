//! The organizations a user belongs to or is invited to.

use clerk_model::{
    InvitationStatus, OrganizationInvitation, OrganizationInvitations, OrganizationMembership,
    OrganizationMemberships,
};
use reqwest::Method;

use crate::pagination::{self, ItemStream};
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, Error, RequestOptions, Result};

/// `GET /users/{user_id}/organization_memberships`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UsersGetOrganizationMemberships {
    client: Client,
    options: RequestOptions,
    user_id: String,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl UsersGetOrganizationMemberships {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            limit: None,
            offset: None,
        }
    }

    /// Page size, 1..=500.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Items to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        validation::limit(self.client.validates(), self.limit)?;
        Ok(HttpRequest::new(
            "users_get_organization_memberships",
            Method::GET,
            &["users", &self.user_id, "organization_memberships"],
        )
        .query_opt("limit", self.limit)
        .query_opt("offset", self.offset))
    }

    /// Every membership, page after page (offsets, up to the reported total).
    pub fn into_stream(self) -> ItemStream<OrganizationMembership> {
        pagination::offset_items(
            self,
            |request| request.offset.unwrap_or(0),
            Self::offset,
            |request| async move {
                let page = request.send().await?;
                Ok((page.data, page.total_count))
            },
        )
    }
}

operation!(UsersGetOrganizationMemberships -> OrganizationMemberships);

/// `GET /users/{user_id}/organization_invitations`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UsersGetOrganizationInvitations {
    client: Client,
    options: RequestOptions,
    user_id: String,
    limit: Option<u32>,
    offset: Option<u32>,
    status: Option<InvitationStatus>,
}

impl UsersGetOrganizationInvitations {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            limit: None,
            offset: None,
            status: None,
        }
    }

    /// Page size, 1..=500.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Items to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Only invitations in this status: [`InvitationStatus::Pending`], `Accepted`, `Revoked` or
    /// `Expired`, or the same as a string (`"pending"`). With client-side validation on, a
    /// status this version does not know ([`InvitationStatus::Unknown`]) is refused before
    /// sending; turn validation off to send one Clerk added later.
    ///
    /// ```no_run
    /// use clerk_http_client::model::InvitationStatus;
    /// # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
    /// let invitations = client.users().users_get_organization_invitations("user_123");
    /// let pending = invitations.status(InvitationStatus::Pending).send().await?;
    /// for invitation in &pending.data {
    ///     assert_eq!(invitation.status, Some(InvitationStatus::Pending));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(mut self, status: impl Into<InvitationStatus>) -> Self {
        self.status = Some(status.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        let validate = self.client.validates();
        validation::path_param("user_id", &self.user_id)?;
        validation::limit(validate, self.limit)?;
        if let Some(InvitationStatus::Unknown(unknown)) = self.status.as_ref().filter(|_| validate)
        {
            return Err(Error::validation(
                "status",
                format!("must be one of pending, accepted, revoked, expired, got `{unknown}`"),
            ));
        }
        Ok(HttpRequest::new(
            "users_get_organization_invitations",
            Method::GET,
            &["users", &self.user_id, "organization_invitations"],
        )
        .query_opt("limit", self.limit)
        .query_opt("offset", self.offset)
        .query_opt("status", self.status.as_ref()))
    }

    /// Every invitation, page after page (offsets, up to the reported total).
    pub fn into_stream(self) -> ItemStream<OrganizationInvitation> {
        pagination::offset_items(
            self,
            |request| request.offset.unwrap_or(0),
            Self::offset,
            |request| async move {
                let page = request.send().await?;
                Ok((page.data, page.total_count))
            },
        )
    }
}

operation!(UsersGetOrganizationInvitations -> OrganizationInvitations);
