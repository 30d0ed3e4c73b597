//! [`Client`]: the entry point. Cheap to clone (one `Arc`); every clone shares one connection
//! pool and one configuration.

use std::sync::Arc;

use crate::config::Configuration;
use crate::error::Result;
use crate::jwks::JwksApi;
use crate::jwt_templates::JwtTemplatesApi;
use crate::sessions::SessionsApi;
use crate::transport::Transport;
use crate::users::UsersApi;

/// The entry point: one per application, cloned freely. Each accessor ([`Client::users`],
/// [`Client::sessions`], …) returns the operations of one part of the API.
///
/// ```
/// use clerk_http_client::{Client, Configuration};
///
/// let client = Client::new(Configuration::new("sk_test_123").base_url("http://127.0.0.1:8080/v1"))?;
/// assert_eq!(client.configuration().base_url, "http://127.0.0.1:8080/v1");
/// let users = client.users(); // cheap: shares the client's connection pool
/// # Ok::<(), clerk_http_client::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

impl Client {
    /// A client for `config`. Fails when no secret key is configured or set in
    /// `CLERK_SECRET_KEY`, or when the base URL is not a URL.
    pub fn new(config: Configuration) -> Result<Self> {
        Ok(Self {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// A client configured from the environment (see [`Configuration::from_env`]).
    pub fn from_env() -> Result<Self> {
        Self::new(Configuration::from_env())
    }

    /// The `/users` operations.
    pub fn users(&self) -> UsersApi {
        UsersApi::new(self.clone())
    }

    /// The `/sessions` operations: sessions and the tokens minted from them.
    pub fn sessions(&self) -> SessionsApi {
        SessionsApi::new(self.clone())
    }

    /// The `/jwks` operations: the keys that verify the instance's tokens.
    pub fn jwks(&self) -> JwksApi {
        JwksApi::new(self.clone())
    }

    /// The `/jwt_templates` operations.
    pub fn jwt_templates(&self) -> JwtTemplatesApi {
        JwtTemplatesApi::new(self.clone())
    }

    /// The configuration every call starts from.
    pub fn configuration(&self) -> &Configuration {
        self.transport.config()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Whether client-side validation is on.
    pub(crate) fn validates(&self) -> bool {
        self.configuration().client_side_validation
    }
}
