//! Password digests: bcrypt for new passwords, and every foreign hasher Clerk imports
//! (`password_hasher` + `password_digest` on `POST /users`).
//!
//! An imported digest is attacker-controlled input: [`check_digest`] validates its shape **and**
//! bounds every cost parameter it carries (a digest claiming 2^40 scrypt memory or 10^12 PBKDF2
//! iterations must be refused at import, not discovered at sign-in). [`verify`] re-parses and
//! re-checks, so a digest that was stored before the bounds were tightened cannot run away either.
//! Every comparison of a computed digest against a stored one is constant-time (`subtle`).
//!
//! All functions here are synchronous and CPU-heavy on purpose: run them through
//! [`crate::crypto::HashPool`], never directly on an async task.

mod argon2;
pub(crate) mod bcrypt;
mod pbkdf2;
mod phpass;
mod scrypt;
mod simple;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// bcrypt cost for new passwords when configuration does not say otherwise (the `bcrypt`
/// crate's and most frameworks' default).
pub const DEFAULT_BCRYPT_COST: u32 = 10;

/// Minimum length of a new plaintext password, in characters (Clerk's: at least 8).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Maximum size of a new plaintext password, in bytes: bcrypt ignores everything after 72 bytes,
/// so a longer password would silently be weaker than it looks.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// Longest digest string accepted at all, before any parsing (the longest legitimate ones,
/// scrypt_firebase with a 64-byte signer key, are ~250 characters).
const MAX_DIGEST_LEN: usize = 4096;

/// A password hashing scheme, by its Clerk wire name (`password_hasher`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordHasher {
    Bcrypt,
    BcryptSha256Django,
    BcryptPeppered,
    Md5,
    Md5Salted,
    Pbkdf2Sha1,
    Pbkdf2Sha256,
    Pbkdf2Sha256Django,
    Pbkdf2Sha512,
    Pbkdf2Sha512Hex,
    Phpass,
    Md5Phpass,
    ScryptFirebase,
    ScryptWerkzeug,
    Sha256,
    Sha256Salted,
    LdapSsha,
    Argon2i,
    Argon2id,
    Sha512Symfony,
}

impl PasswordHasher {
    /// Every supported hasher, once each.
    pub const ALL: [PasswordHasher; 20] = [
        PasswordHasher::Bcrypt,
        PasswordHasher::BcryptSha256Django,
        PasswordHasher::BcryptPeppered,
        PasswordHasher::Md5,
        PasswordHasher::Md5Salted,
        PasswordHasher::Pbkdf2Sha1,
        PasswordHasher::Pbkdf2Sha256,
        PasswordHasher::Pbkdf2Sha256Django,
        PasswordHasher::Pbkdf2Sha512,
        PasswordHasher::Pbkdf2Sha512Hex,
        PasswordHasher::Phpass,
        PasswordHasher::Md5Phpass,
        PasswordHasher::ScryptFirebase,
        PasswordHasher::ScryptWerkzeug,
        PasswordHasher::Sha256,
        PasswordHasher::Sha256Salted,
        PasswordHasher::LdapSsha,
        PasswordHasher::Argon2i,
        PasswordHasher::Argon2id,
        PasswordHasher::Sha512Symfony,
    ];

    /// The wire name, e.g. `"pbkdf2_sha256_django"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordHasher::Bcrypt => "bcrypt",
            PasswordHasher::BcryptSha256Django => "bcrypt_sha256_django",
            PasswordHasher::BcryptPeppered => "bcrypt_peppered",
            PasswordHasher::Md5 => "md5",
            PasswordHasher::Md5Salted => "md5_salted",
            PasswordHasher::Pbkdf2Sha1 => "pbkdf2_sha1",
            PasswordHasher::Pbkdf2Sha256 => "pbkdf2_sha256",
            PasswordHasher::Pbkdf2Sha256Django => "pbkdf2_sha256_django",
            PasswordHasher::Pbkdf2Sha512 => "pbkdf2_sha512",
            PasswordHasher::Pbkdf2Sha512Hex => "pbkdf2_sha512_hex",
            PasswordHasher::Phpass => "phpass",
            PasswordHasher::Md5Phpass => "md5_phpass",
            PasswordHasher::ScryptFirebase => "scrypt_firebase",
            PasswordHasher::ScryptWerkzeug => "scrypt_werkzeug",
            PasswordHasher::Sha256 => "sha256",
            PasswordHasher::Sha256Salted => "sha256_salted",
            PasswordHasher::LdapSsha => "ldap_ssha",
            PasswordHasher::Argon2i => "argon2i",
            PasswordHasher::Argon2id => "argon2id",
            PasswordHasher::Sha512Symfony => "sha512_symfony",
        }
    }
}

impl fmt::Display for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `password_hasher` value this server does not implement (including Clerk names we do not
/// support: `awscognito`, `hmac_sha256_utf16_b64`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported password hasher `{0}`")]
pub struct UnknownHasher(pub String);

impl FromStr for PasswordHasher {
    type Err = UnknownHasher;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PasswordHasher::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| UnknownHasher(s.to_owned()))
    }
}

/// Why a digest was refused. The server maps every variant to 422
/// `form_password_digest_invalid_code`; the text is for logs and `long_message`, and never
/// echoes the digest itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The digest does not have the shape its hasher produces.
    #[error("password_digest is not a valid {hasher} digest: {reason}")]
    Malformed {
        hasher: PasswordHasher,
        reason: &'static str,
    },
    /// A cost parameter (rounds, iterations, memory, parallelism) is outside what this server
    /// agrees to compute.
    #[error("password_digest for {hasher} has a cost parameter out of bounds: {reason}")]
    CostOutOfBounds {
        hasher: PasswordHasher,
        reason: String,
    },
}

pub(crate) fn malformed(hasher: PasswordHasher, reason: &'static str) -> DigestError {
    DigestError::Malformed { hasher, reason }
}

pub(crate) fn out_of_bounds(hasher: PasswordHasher, reason: String) -> DigestError {
    DigestError::CostOutOfBounds { hasher, reason }
}

/// A digest that passed [`check_digest`], ready to be compared against a password.
enum Parsed<'a> {
    Bcrypt(bcrypt::Bcrypt<'a>),
    Pbkdf2(pbkdf2::Pbkdf2),
    Phpass(phpass::Phpass<'a>),
    Firebase(scrypt::Firebase),
    Werkzeug(scrypt::Werkzeug),
    Simple(simple::Simple<'a>),
    Argon2(argon2::Argon2Digest),
}

fn parse(hasher: PasswordHasher, digest: &str) -> Result<Parsed<'_>, DigestError> {
    use PasswordHasher as H;
    if digest.is_empty() {
        return Err(malformed(hasher, "empty"));
    }
    if digest.len() > MAX_DIGEST_LEN {
        return Err(malformed(hasher, "too long"));
    }
    Ok(match hasher {
        H::Bcrypt | H::BcryptSha256Django | H::BcryptPeppered => {
            Parsed::Bcrypt(bcrypt::parse(hasher, digest)?)
        }
        H::Pbkdf2Sha1
        | H::Pbkdf2Sha256
        | H::Pbkdf2Sha256Django
        | H::Pbkdf2Sha512
        | H::Pbkdf2Sha512Hex => Parsed::Pbkdf2(pbkdf2::parse(hasher, digest)?),
        // WordPress keeps pre-phpass users as a bare MD5 hex digest next to `$P$` ones, and
        // `wp_check_password` accepts both; so does `md5_phpass`.
        H::Md5Phpass if digest.len() == 32 => {
            Parsed::Simple(simple::parse_md5_hex(hasher, digest)?)
        }
        H::Phpass | H::Md5Phpass => Parsed::Phpass(phpass::parse(hasher, digest)?),
        H::ScryptFirebase => Parsed::Firebase(scrypt::parse_firebase(digest)?),
        H::ScryptWerkzeug => Parsed::Werkzeug(scrypt::parse_werkzeug(digest)?),
        H::Md5 | H::Md5Salted | H::Sha256 | H::Sha256Salted | H::LdapSsha | H::Sha512Symfony => {
            Parsed::Simple(simple::parse(hasher, digest)?)
        }
        H::Argon2i | H::Argon2id => Parsed::Argon2(argon2::parse(hasher, digest)?),
    })
}

/// Validates that `digest` has `hasher`'s format and that its cost parameters are within this
/// server's bounds. Cheap: no hashing happens here.
pub fn check_digest(hasher: PasswordHasher, digest: &str) -> Result<(), DigestError> {
    parse(hasher, digest).map(|_| ())
}

/// Checks `password` against a stored `digest` of `hasher`, comparing in constant time.
///
/// `Ok(false)` is a wrong password; `Err` is a digest that fails [`check_digest`] (it should
/// never have been stored). CPU-heavy: call through [`crate::crypto::HashPool`].
pub fn verify(hasher: PasswordHasher, digest: &str, password: &str) -> Result<bool, DigestError> {
    let pw = password.as_bytes();
    Ok(match parse(hasher, digest)? {
        Parsed::Bcrypt(d) => d.verify(pw)?,
        Parsed::Pbkdf2(d) => d.verify(pw),
        Parsed::Phpass(d) => d.verify(pw),
        Parsed::Firebase(d) => d.verify(pw),
        Parsed::Werkzeug(d) => d.verify(pw),
        Parsed::Simple(d) => d.verify(pw),
        Parsed::Argon2(d) => d.verify(pw),
    })
}

/// Whether a digest of `hasher` should be replaced by a fresh bcrypt digest after the user's
/// first successful verify. Everything but plain bcrypt is: the foreign formats are either
/// insecure or carry someone else's pepper/parameters, and one format is simpler to operate.
pub fn needs_rehash(hasher: PasswordHasher) -> bool {
    hasher != PasswordHasher::Bcrypt
}

/// Hashes a new password with bcrypt (`$2b$`). `cost` is clamped to bcrypt's 4..=31.
///
/// Passwords longer than 72 bytes are truncated by bcrypt; [`check_new_password`] refuses them
/// before they get here. CPU-heavy: call through [`crate::crypto::HashPool`].
pub fn hash_bcrypt(password: &str, cost: u32) -> String {
    ::bcrypt::hash(password, cost.clamp(4, 31))
        .expect("bcrypt hashing with a cost in 4..=31 only fails if the OS RNG fails")
}

/// Why a new plaintext password is refused (before any breached-password check, which is the
/// domain layer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters → `form_password_length_too_short`.
    #[error("passwords must be {MIN_PASSWORD_CHARS} characters or more")]
    TooShort,
    /// More than [`MAX_PASSWORD_BYTES`] bytes → `form_password_size_in_bytes_exceeded`.
    #[error("passwords must be at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

/// Length rules for a new plaintext password: at least 8 characters (Unicode scalar values, not
/// bytes) and at most 72 bytes (bcrypt's limit).
pub fn check_new_password(password: &str) -> Result<(), PasswordRuleError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordRuleError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordRuleError::TooLong);
    }
    Ok(())
}

/// One lazily computed decoy digest per bcrypt cost.
static DECOYS: [OnceLock<String>; 32] = [const { OnceLock::new() }; 32];

/// Runs a bcrypt verify of `password` at [`DEFAULT_BCRYPT_COST`] against a fixed digest and
/// throws the answer away, so that "user has no password" costs the same time as a wrong
/// password. See [`decoy_verify_with_cost`] when the configured cost differs.
pub fn decoy_verify(password: &str) {
    decoy_verify_with_cost(password, DEFAULT_BCRYPT_COST);
}

/// [`decoy_verify`] at an explicit bcrypt cost: pass the cost new passwords are hashed with.
pub fn decoy_verify_with_cost(password: &str, cost: u32) {
    let cost = cost.clamp(4, 31);
    let decoy = DECOYS[cost as usize].get_or_init(|| {
        // A fixed salt keeps the decoy deterministic; nobody can sign in with it because no
        // caller ever acts on the result.
        ::bcrypt::hash_with_salt("clerk-server decoy password", cost, *b"clerk-decoy-salt")
            .expect("valid cost and salt")
            .format_for_version(::bcrypt::Version::TwoB)
    });
    let _ = std::hint::black_box(::bcrypt::verify(password, decoy));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hasher_names_round_trip() {
        for h in PasswordHasher::ALL {
            assert_eq!(h.as_str().parse::<PasswordHasher>().unwrap(), h);
        }
        assert!("awscognito".parse::<PasswordHasher>().is_err());
        assert!("BCRYPT".parse::<PasswordHasher>().is_err());
        assert!("".parse::<PasswordHasher>().is_err());
    }

    #[test]
    fn new_password_rules() {
        assert_eq!(
            check_new_password("short"),
            Err(PasswordRuleError::TooShort)
        );
        assert_eq!(check_new_password("eight888"), Ok(()));
        // 8 characters, 16 bytes: long enough.
        assert_eq!(check_new_password("éééééééé"), Ok(()));
        assert_eq!(check_new_password(&"a".repeat(72)), Ok(()));
        assert_eq!(
            check_new_password(&"a".repeat(73)),
            Err(PasswordRuleError::TooLong)
        );
        // 37 characters but 74 bytes.
        assert_eq!(
            check_new_password(&"é".repeat(37)),
            Err(PasswordRuleError::TooLong)
        );
    }

    #[test]
    fn bcrypt_round_trip_and_rehash_policy() {
        let d = hash_bcrypt("correct horse", 4);
        assert!(d.starts_with("$2b$04$"));
        assert_eq!(
            verify(PasswordHasher::Bcrypt, &d, "correct horse"),
            Ok(true)
        );
        assert_eq!(verify(PasswordHasher::Bcrypt, &d, "wrong horse"), Ok(false));
        assert!(!needs_rehash(PasswordHasher::Bcrypt));
        assert!(PasswordHasher::ALL
            .iter()
            .filter(|h| **h != PasswordHasher::Bcrypt)
            .all(|h| needs_rehash(*h)));
    }

    #[test]
    fn decoy_runs() {
        decoy_verify_with_cost("anything", 4);
        // Cached: the second call does not hash the decoy again.
        decoy_verify_with_cost("anything else", 4);
        decoy_verify_with_cost("anything", 0);
    }

    #[test]
    fn empty_and_huge_digests_are_refused_for_every_hasher() {
        for h in PasswordHasher::ALL {
            assert!(check_digest(h, "").is_err(), "{h}");
            assert!(check_digest(h, &"$".repeat(10_000)).is_err(), "{h}");
            assert!(verify(h, "", "password").is_err(), "{h}");
        }
    }
}
