//! Passwords, TOTP, backup codes and MFA.

use clerk_model::{
    Totp, User, UserIdResponse, VerifyPasswordRequest, VerifyPasswordResponse, VerifyTotpRequest,
    VerifyTotpResponse,
};
use reqwest::Method;
use serde::Serialize;

use super::macros::path_operation;
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, RequestOptions, Result};

/// `POST /users/{user_id}/verify_password`: checks a password. A wrong one is a 422
/// (`incorrect_password`), not `verified: false`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct VerifyPassword {
    client: Client,
    options: RequestOptions,
    user_id: String,
    password: String,
}

impl VerifyPassword {
    pub(crate) fn new(client: Client, user_id: String, password: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            password,
        }
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        // Not idempotent: each attempt counts against the user's lockout.
        let body = VerifyPasswordRequest {
            password: Some(self.password),
        };
        HttpRequest::new(
            "verify_password",
            Method::POST,
            &["users", &self.user_id, "verify_password"],
        )
        .json(&body)
    }
}

operation!(VerifyPassword -> VerifyPasswordResponse);

/// `POST /users/{user_id}/verify_totp`: checks a TOTP or backup code. A backup code is consumed.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct VerifyTotp {
    client: Client,
    options: RequestOptions,
    user_id: String,
    code: String,
}

impl VerifyTotp {
    pub(crate) fn new(client: Client, user_id: String, code: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            code,
        }
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        // Not idempotent: a repeated backup code would fail, and attempts count for lockout.
        let body = VerifyTotpRequest {
            code: Some(self.code),
        };
        HttpRequest::new(
            "verify_totp",
            Method::POST,
            &["users", &self.user_id, "verify_totp"],
        )
        .json(&body)
    }
}

operation!(VerifyTotp -> VerifyTotpResponse);

path_operation! {
    /// `POST /users/{user_id}/totp`: enrols a new TOTP. Clerk removed this endpoint from its
    /// API in January 2025; it is kept because the original SDK has it and older servers answer.
    CreateUserTotp(user_id) -> Totp {
        operation: "create_user_totp",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "totp"],
        idempotent: false,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/totp`: removes all the user's TOTPs.
    DeleteTotp(user_id) -> UserIdResponse {
        operation: "delete_totp",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "totp"],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/backup_code`: removes all the user's backup codes.
    DeleteBackupCode(user_id) -> UserIdResponse {
        operation: "delete_backup_code",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "backup_code"],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/mfa`: disables every MFA method of the user.
    DisableMfa(user_id) -> UserIdResponse {
        operation: "disable_mfa",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "mfa"],
        idempotent: true,
    }
}

path_operation! {
    /// `POST /users/{user_id}/password/unset_compromised`: clears the compromised mark.
    UnsetUserPasswordCompromised(user_id) -> User {
        operation: "unset_user_password_compromised",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "password", "unset_compromised"],
        idempotent: true,
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct RemovePasswordBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    sign_out_of_other_sessions: Option<bool>,
}

/// `POST /users/{user_id}/remove_password`: removes the password, even if it leaves the user
/// without another way to sign in.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RemoveUserPassword {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: RemovePasswordBody,
}

impl RemoveUserPassword {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body: Default::default(),
        }
    }

    /// Also revoke the user's other sessions.
    pub fn sign_out_of_other_sessions(mut self, enabled: bool) -> Self {
        self.body.sign_out_of_other_sessions = Some(enabled);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        // Idempotent: removing a password that is gone returns the user unchanged.
        HttpRequest::new(
            "remove_user_password",
            Method::POST,
            &["users", &self.user_id, "remove_password"],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(RemoveUserPassword -> User);

#[derive(Debug, Clone, Default, Serialize)]
struct SetCompromisedBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke_all_sessions: Option<bool>,
}

/// `POST /users/{user_id}/password/set_compromised`: the user must reset the password at the
/// next sign-in.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct SetUserPasswordCompromised {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: SetCompromisedBody,
}

impl SetUserPasswordCompromised {
    pub(crate) fn new(client: Client, user_id: String) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body: Default::default(),
        }
    }

    /// Also revoke all of the user's sessions.
    pub fn revoke_all_sessions(mut self, enabled: bool) -> Self {
        self.body.revoke_all_sessions = Some(enabled);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        HttpRequest::new(
            "set_user_password_compromised",
            Method::POST,
            &["users", &self.user_id, "password", "set_compromised"],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(SetUserPasswordCompromised -> User);
