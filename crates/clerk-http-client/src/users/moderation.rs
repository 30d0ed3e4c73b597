//! Ban, unban, lock and unlock, for one user or (ban/unban) up to 50 at once.
//!
//! All of them set a state rather than add to it, so repeating one cannot do harm: they are
//! retried like idempotent requests.

use clerk_model::{BulkUserIdsRequest, User};
use reqwest::Method;

use super::macros::path_operation;
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, RequestOptions, Result};

path_operation! {
    /// `POST /users/{user_id}/ban`: bans the user, revokes their sessions and blocks sign-in.
    BanUser(user_id) -> User {
        operation: "ban_user",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "ban"],
        idempotent: true,
    }
}

path_operation! {
    /// `POST /users/{user_id}/unban`: lifts a ban.
    UnbanUser(user_id) -> User {
        operation: "unban_user",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "unban"],
        idempotent: true,
    }
}

path_operation! {
    /// `POST /users/{user_id}/lock`: blocks sign-in until the lock expires (instance setting).
    LockUser(user_id) -> User {
        operation: "lock_user",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "lock"],
        idempotent: true,
    }
}

path_operation! {
    /// `POST /users/{user_id}/unlock`: removes the lock.
    UnlockUser(user_id) -> User {
        operation: "unlock_user",
        method: POST,
        path: |s| ["users", s.user_id.as_str(), "unlock"],
        idempotent: true,
    }
}

macro_rules! bulk_operation {
    ($(#[$doc:meta])* $name:ident, $op:literal, $segment:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name {
            client: Client,
            options: RequestOptions,
            user_ids: Vec<String>,
        }

        impl $name {
            pub(crate) fn new(client: Client, user_ids: Vec<String>) -> Self {
                Self { client, options: RequestOptions::default(), user_ids }
            }

            fn build(self) -> Result<HttpRequest> {
                validation::bulk_ids(self.client.validates(), &self.user_ids)?;
                let body = BulkUserIdsRequest { user_ids: self.user_ids };
                HttpRequest::new($op, Method::POST, &["users", $segment])
                    .idempotent(true)
                    .json(&body)
            }
        }

        operation!($name -> Vec<User>);
    };
}

bulk_operation!(
    /// `POST /users/ban`: bans 1 to 50 users; returns them.
    UsersBan,
    "users_ban",
    "ban"
);

bulk_operation!(
    /// `POST /users/unban`: unbans 1 to 50 users; returns them.
    UsersUnban,
    "users_unban",
    "unban"
);
