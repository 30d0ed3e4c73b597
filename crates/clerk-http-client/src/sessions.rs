//! Sessions (Clerk's `/sessions`): a signed-in user on one client, and the JSON Web Tokens
//! minted from it. Verify those tokens with the keys of [`crate::jwks`]; shape the claims of
//! template tokens with [`crate::jwt_templates`].
//!
//! [`SessionsApi`] has one method per operation, named after the `x-speakeasy-name-override` of
//! Clerk's spec (`list`, `create_token`, …); each returns a builder, sent like every other
//! operation (`.send().await`, `.send_with_http_info().await`, per-call options).
//!
//! Retries follow the client's rules: reads, revoking (a revoked session stays revoked) and
//! minting tokens (nothing is stored; a second token is as good as the first) are safe to
//! repeat; creating a session is not (a repeat would sign the user in twice), so it is retried
//! only after a 429 or a refused connection unless the caller opts in.
//!
//! ```no_run
//! use clerk_http_client::model::SessionStatus;
//! use futures::TryStreamExt;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let sessions = client.sessions();
//! // Clerk's testing endpoint: an active session without a sign-in flow.
//! let session = sessions.create("user_123").send().await?;
//! let token = sessions.create_token(&session.id).expires_in_seconds(300).send().await?;
//! let for_hasura = sessions.create_token_from_template(&session.id, "hasura").send().await?;
//!
//! let active: Vec<_> = sessions
//!     .list()
//!     .user_id("user_123")
//!     .status(SessionStatus::Active)
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! let page = sessions.list().user_id("user_123").limit(20).send_with_total_count().await?;
//! println!("{} of {} sessions", page.data.len(), page.total_count);
//!
//! sessions.revoke(&session.id).send().await?;
//! # Ok(()) }
//! ```

use clerk_model::{
    CreateSessionRequest, CreateSessionTokenRequest, RefreshSessionRequest, Session, SessionStatus,
    SessionToken,
};
use reqwest::Method;
use serde_json::{Map, Value};

use crate::pagination::offset_paginated_list;
use crate::request::{operation, HttpRequest};
use crate::users::macros::path_operation;
use crate::validation;
use crate::{Client, RequestOptions, Result};

/// The `/sessions` operations. Get one with [`Client::sessions`].
#[derive(Debug, Clone)]
pub struct SessionsApi {
    client: Client,
}

impl SessionsApi {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn client(&self) -> Client {
        self.client.clone()
    }

    /// `GET /sessions`: the sessions matching the filters, newest first; give `user_id` or
    /// `client_id`. Also walks every page with [`ListSessions::into_stream`].
    pub fn list(&self) -> ListSessions {
        ListSessions::new(self.client())
    }

    /// `GET /sessions/{session_id}`: the details of a session.
    pub fn get(&self, session_id: impl Into<String>) -> GetSession {
        GetSession::new(self.client(), session_id.into())
    }

    /// `POST /sessions`: a new active session for the user, which counts as a sign-in. Clerk
    /// offers it only for testing, not on production instances; its Sign-in Tokens are the way
    /// to sign a user in from a backend there.
    pub fn create(&self, user_id: impl Into<String>) -> CreateSession {
        CreateSession::new(self.client(), user_id.into())
    }

    /// `POST /sessions/{session_id}/revoke`: sets the session's status to `revoked`, an
    /// unauthenticated state; the user must sign in again.
    pub fn revoke(&self, session_id: impl Into<String>) -> RevokeSession {
        RevokeSession::new(self.client(), session_id.into())
    }

    /// `POST /sessions/{session_id}/refresh`: a new session token for the session, given its
    /// expired one (`expired_token`, from the `__session` cookie, must belong to this session),
    /// the refresh token from the `__refresh` cookie, and the origin of the request. Refused
    /// with a 401 when anything does not check out, which tells Clerk's SDKs to fall back to
    /// the handshake flow.
    pub fn refresh(
        &self,
        session_id: impl Into<String>,
        expired_token: impl Into<String>,
        refresh_token: impl Into<String>,
        request_origin: impl Into<String>,
    ) -> RefreshSession {
        RefreshSession::new(
            self.client(),
            session_id.into(),
            RefreshSessionRequest {
                expired_token: Some(expired_token.into()),
                refresh_token: Some(refresh_token.into()),
                request_origin: Some(request_origin.into()),
                // The token shape, whatever a server's default: the builder decodes a token.
                format: Some("token".into()),
                ..Default::default()
            },
        )
    }

    /// `POST /sessions/{session_id}/tokens`: a session token (JWT) for an active session, with
    /// the session token's claims (`sub`, `sid`, the active organization in `o`, …).
    pub fn create_token(&self, session_id: impl Into<String>) -> CreateSessionToken {
        CreateSessionToken::new(self.client(), session_id.into(), None)
    }

    /// `POST /sessions/{session_id}/tokens/{template_name}`: a JWT for an active session with
    /// the claims of the JWT template named `template_name` (e.g. `custom_hasura`), signed with
    /// the template's own key if it has one.
    pub fn create_token_from_template(
        &self,
        session_id: impl Into<String>,
        template_name: impl Into<String>,
    ) -> CreateSessionToken {
        CreateSessionToken::new(self.client(), session_id.into(), Some(template_name.into()))
    }
}

// --- list -------------------------------------------------------------------------------------

/// `GET /sessions`, newest first. Sessions created while [`ListSessions::into_stream`] runs
/// shift the later pages, so one may be yielded twice.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListSessions {
    client: Client,
    options: RequestOptions,
    user_id: Option<String>,
    client_id: Option<String>,
    status: Option<SessionStatus>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl ListSessions {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id: None,
            client_id: None,
            status: None,
            limit: None,
            offset: None,
        }
    }

    /// Lists sessions for the given user (`user_…`).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Lists sessions for the given client (`client_…`: the browser or device).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Only sessions in this status (`active`, `revoked`, `ended`, `expired`, `abandoned`,
    /// `removed`, `replaced`).
    pub fn status(mut self, status: SessionStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Page size, 1..=500 (Clerk's default: 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Newer sessions to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::limit(self.client.validates(), self.limit)?;
        Ok(
            HttpRequest::new("list_sessions", Method::GET, &["sessions"])
                .query_opt("user_id", self.user_id.as_deref())
                .query_opt("client_id", self.client_id.as_deref())
                .query_opt("status", self.status.as_ref())
                .query_opt("limit", self.limit)
                .query_opt("offset", self.offset),
        )
    }
}

offset_paginated_list!(ListSessions -> Session);

// --- one session ------------------------------------------------------------------------------

path_operation! {
    /// `GET /sessions/{session_id}`: the details of a session.
    GetSession(session_id) -> Session {
        operation: "get_session",
        method: GET,
        path: |s| ["sessions", s.session_id.as_str()],
        idempotent: true,
    }
}

/// `POST /sessions`: not retried after a 5xx or a timeout unless the caller opts in, since a
/// repeat would create a second session.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSession {
    client: Client,
    options: RequestOptions,
    body: CreateSessionRequest,
}

impl CreateSession {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            body: CreateSessionRequest {
                user_id: Some(user_id),
                ..Default::default()
            },
        }
    }

    /// The ID of the organization to set as active for this session (the user must be a
    /// member); its id, role and slug go into the session's tokens.
    pub fn active_organization_id(mut self, organization_id: impl Into<String>) -> Self {
        self.body.active_organization_id = Some(organization_id.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        HttpRequest::new("create_session", Method::POST, &["sessions"]).json(&self.body)
    }
}

operation!(CreateSession -> Session);

path_operation! {
    /// `POST /sessions/{session_id}/revoke`: the session, now `revoked`. Revoking a session
    /// that is not active changes nothing, so it is retried like a read.
    RevokeSession(session_id) -> Session {
        operation: "revoke_session",
        method: POST,
        path: |s| ["sessions", s.session_id.as_str(), "revoke"],
        idempotent: true,
    }
}

// --- tokens -----------------------------------------------------------------------------------

/// `POST /sessions/{session_id}/refresh` in the `token` format. Safe to repeat: a refresh
/// stores nothing, and each answer is a valid token.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RefreshSession {
    client: Client,
    options: RequestOptions,
    session_id: String,
    body: RefreshSessionRequest,
}

impl RefreshSession {
    pub(crate) fn new(client: Client, session_id: String, body: RefreshSessionRequest) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            session_id,
            body,
        }
    }

    /// The headers of the request being refreshed.
    pub fn request_headers(mut self, headers: Map<String, Value>) -> Self {
        self.body.request_headers = Some(headers);
        self
    }

    /// The IP address of the request being refreshed.
    pub fn request_originating_ip(mut self, ip: impl Into<String>) -> Self {
        self.body.request_originating_ip = Some(ip.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("session_id", &self.session_id)?;
        HttpRequest::new(
            "refresh_session",
            Method::POST,
            &["sessions", &self.session_id, "refresh"],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(RefreshSession -> SessionToken);

/// `POST /sessions/{session_id}/tokens` and `POST /sessions/{session_id}/tokens/{template_name}`:
/// one builder for both, since they take the same body. Safe to repeat: minting stores nothing,
/// and each answer is a valid token.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSessionToken {
    client: Client,
    options: RequestOptions,
    session_id: String,
    template_name: Option<String>,
    body: CreateSessionTokenRequest,
}

impl CreateSessionToken {
    pub(crate) fn new(client: Client, session_id: String, template_name: Option<String>) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            session_id,
            template_name,
            body: CreateSessionTokenRequest::default(),
        }
    }

    /// Overrides the token's lifetime (the session token's default is 60 seconds, a template's
    /// its `lifetime`): 30 to 315360000 seconds.
    pub fn expires_in_seconds(mut self, seconds: i64) -> Self {
        self.body.expires_in_seconds = Some(seconds);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("session_id", &self.session_id)?;
        validation::in_range(
            self.client.validates(),
            "expires_in_seconds",
            self.body.expires_in_seconds,
            validation::LIFETIME_SECONDS,
        )?;
        let mut path = vec!["sessions", self.session_id.as_str(), "tokens"];
        let operation = match &self.template_name {
            None => "create_session_token",
            Some(name) => {
                validation::path_param("template_name", name)?;
                path.push(name);
                "create_session_token_from_template"
            }
        };
        HttpRequest::new(operation, Method::POST, &path)
            .idempotent(true)
            .json(&self.body)
    }
}

operation!(CreateSessionToken -> SessionToken);
