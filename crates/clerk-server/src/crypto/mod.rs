//! Password hashers, TOTP and secrets at rest.
//!
//! Pure library code: nothing here touches HTTP, the store or configuration loading. The server's
//! domain layer calls it, and runs every CPU-heavy call on a [`HashPool`] so that hashing never
//! blocks the async runtime.

mod encoding;
pub mod passwords;
pub mod pool;
pub mod secrets;
pub mod totp;

pub use passwords::{
    check_digest, check_new_password, decoy_verify, decoy_verify_with_cost, hash_bcrypt,
    needs_rehash, verify, DigestError, PasswordHasher, PasswordRuleError, UnknownHasher,
    DEFAULT_BCRYPT_COST,
};
pub use pool::HashPool;
pub use secrets::{
    generate_backup_codes, hash_backup_code, import_backup_code, verify_backup_code, OpenError,
    SecretKey, SecretKeyError,
};
