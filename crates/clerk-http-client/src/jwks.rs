//! The instance's JSON Web Key Set (Clerk's `GET /jwks`): the public keys that verify the
//! session tokens it mints ([`crate::sessions`]), each named by the `kid` a token's header
//! carries. Also our server's key rotation, `POST /v1/_ext/jwks/rotate` (an extension route;
//! Clerk itself answers it with a 404, [`crate::Error::is_not_found`]).
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let jwks = client.jwks().get().send().await?;
//! for key in &jwks.keys {
//!     println!("{} {} {}", key.kid, key.kty, key.alg);
//! }
//! // A new signing key; the previous one stays in the set while tokens it signed live.
//! let rotated = client.jwks().rotate().send().await?;
//! # Ok(()) }
//! ```

use clerk_model::Jwks;

use crate::users::macros::path_operation;
use crate::Client;

/// The `/jwks` operations. Get one with [`Client::jwks`].
#[derive(Debug, Clone)]
pub struct JwksApi {
    client: Client,
}

impl JwksApi {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /jwks`: the JSON Web Key Set of the instance, newest key first.
    pub fn get(&self) -> GetJwks {
        GetJwks::new(self.client.clone())
    }

    /// `POST /_ext/jwks/rotate` (our extension): a new signing key for the tokens minted from
    /// now on; the previous one stays in the set until every token it signed has expired.
    /// Answers the new set.
    pub fn rotate(&self) -> RotateJwks {
        RotateJwks::new(self.client.clone())
    }
}

path_operation! {
    /// `GET /jwks`: the JSON Web Key Set of the instance.
    GetJwks() -> Jwks {
        operation: "get_jwks",
        method: GET,
        path: |_s| ["jwks"],
        idempotent: true,
    }
}

path_operation! {
    /// `POST /_ext/jwks/rotate`: not retried after a 5xx or a timeout unless the caller opts in,
    /// since a repeat would rotate twice.
    RotateJwks() -> Jwks {
        operation: "rotate_jwks",
        method: POST,
        path: |_s| ["_ext", "jwks", "rotate"],
        idempotent: false,
    }
}
