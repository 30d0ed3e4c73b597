//! Instance settings that shape behaviour (as Clerk's dashboard settings do).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// bcrypt cost for passwords set through the API.
    pub bcrypt_cost: u32,
    /// Failed password / TOTP / backup-code checks before the user is locked.
    pub max_verification_attempts: i64,
    /// How long a lock lasts.
    pub lockout_duration: Duration,
    /// Public base URL of this server (`http://host:port`), for the image URLs it hands out
    /// and as the issuer (`iss`) of the tokens it mints. Empty: the listening address.
    pub public_url: String,
    /// OAuth providers whose tokens the server hands out and refreshes.
    pub oauth_providers: Vec<OAuthProvider>,
    /// Password hashes computed at once. `None`: one per core, less one core kept for the
    /// requests that do not hash (at least 1).
    pub hash_jobs: Option<usize>,
    /// Hashing jobs that may wait for a running slot; past that, requests that need a hash
    /// answer 429 `too_many_requests`. `None`: 32 per running slot.
    pub hash_queue: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bcrypt_cost: 10,
            max_verification_attempts: 100,
            lockout_duration: Duration::from_secs(3600),
            public_url: String::new(),
            oauth_providers: Vec::new(),
            hash_jobs: None,
            hash_queue: None,
        }
    }
}

/// Path under the server's public URL where profile images are served (no authentication: the
/// URL is put in `<img>` tags; keys are random KSUIDs).
pub const IMAGE_PATH_PREFIX: &str = "/_ext/images/";

impl Settings {
    /// The public URL of the stored image `key`.
    pub fn image_url(&self, key: &str) -> String {
        format!(
            "{}{IMAGE_PATH_PREFIX}{key}",
            self.public_url.trim_end_matches('/')
        )
    }

    /// The issuer (`iss`) of the tokens this server mints: its public URL, where
    /// `/.well-known/jwks.json` serves the keys that verify them.
    pub fn token_issuer(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// When a lock set at `now` (ms) expires.
    pub fn lockout_expires_at(&self, now: i64) -> i64 {
        now + self.lockout_duration.as_millis() as i64
    }
}

/// An OAuth 2.0 provider enabled on this instance: where expired access tokens are refreshed
/// (RFC 6749 §6) and with which client credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthProvider {
    /// `oauth_google`, `oauth_github`, `oauth_custom_<name>`, …
    pub provider: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The client secret stays out of logs.
impl std::fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("provider", &self.provider)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl std::str::FromStr for OAuthProvider {
    type Err = String;

    /// `provider=oauth_google,token_url=https://…,client_id=…,client_secret=…`
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut fields = std::collections::HashMap::new();
        for part in text.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not key=value"))?;
            fields.insert(key.trim(), value.trim().to_owned());
        }
        let mut take = |key: &str| {
            fields
                .remove(key)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("missing {key}="))
        };
        let provider = OAuthProvider {
            provider: take("provider")?,
            token_url: take("token_url")?,
            client_id: take("client_id")?,
            client_secret: take("client_secret")?,
        };
        if let Some(key) = fields.keys().next() {
            return Err(format!("unknown key {key}="));
        }
        if !provider.provider.starts_with("oauth_") {
            return Err("provider must start with oauth_ (e.g. oauth_google)".into());
        }
        url::Url::parse(&provider.token_url).map_err(|e| format!("token_url: {e}"))?;
        Ok(provider)
    }
}
