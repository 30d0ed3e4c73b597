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
    /// Public base URL of this server (`http://host:port`), for the image URLs it hands out.
    /// Empty: the listening address.
    pub public_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bcrypt_cost: 10,
            max_verification_attempts: 100,
            lockout_duration: Duration::from_secs(3600),
            public_url: String::new(),
        }
    }
}
