//! Password hashers, TOTP, backup codes, secrets at rest, webhook signatures and JWTs.
//!
//! Pure library code: nothing here touches HTTP, the store or configuration loading. The server's
//! domain layer calls it, and runs every CPU-heavy call on a [`HashPool`] so that hashing never
//! blocks the async runtime.
//!
//! How the domain layer is meant to use it:
//!
//! * **New password** (`password` on create/update): [`check_new_password`] →
//!   `form_password_length_too_short` / `form_password_size_in_bytes_exceeded`; then
//!   `pool.run(move || hash_bcrypt(&pw, cost)).await?` (a full pool answers [`PoolBusy`]: the
//!   API sheds the request with 429).
//! * **Imported digest** (`password_digest` + `password_hasher`): `hasher.parse::<PasswordHasher>()`
//!   and [`check_digest`]; either error → 422 `form_password_digest_invalid_code`. Store the
//!   digest and the hasher name as given.
//! * **Sign-in / `verify_password`**: `pool.run(move || verify(hasher, &digest, &pw))`; on
//!   `Ok(true)` with [`needs_rehash`]`(hasher)`, store `hash_bcrypt(&pw, cost)` as the new bcrypt
//!   digest. A user without a password still costs one bcrypt: `pool.run(move ||
//!   decoy_verify_with_cost(&pw, cost))`.
//! * **TOTP**: [`totp::validate_secret`] at import (→ `invalid_totp_secret_code`), store the base32
//!   secret sealed with [`SecretKey::seal`] (context e.g. `b"totp:<user_id>"`); on
//!   `verify_totp`, [`totp::verify_after`] with the user's last accepted step, and store the
//!   returned step.
//! * **Backup codes**: [`generate_backup_codes`] / [`import_backup_code`] → store the results;
//!   [`verify_backup_code`] against each stored code and delete the one that matched (a code is
//!   single-use).

pub mod backup_codes;
mod encoding;
pub mod jwt;
pub mod passwords;
pub mod pool;
pub mod secrets;
pub mod totp;
pub mod webhook_signing;

pub use backup_codes::{
    check_backup_codes, generate_backup_codes, hash_backup_code, import_backup_code,
    is_stored_backup_code, verify_backup_code, BackupCodeError, BackupCodesError, MAX_BACKUP_CODES,
    MIN_BACKUP_CODE_CHARS,
};
pub use passwords::{
    check_digest, check_new_password, decoy_verify, decoy_verify_with_cost, hash_bcrypt,
    needs_rehash, verify, DigestError, PasswordHasher, PasswordRuleError, UnknownHasher,
    DEFAULT_BCRYPT_COST,
};
pub use pool::{HashPool, PoolBusy};
pub use secrets::{Keyring, OpenError, SecretKey, SecretKeyError};
