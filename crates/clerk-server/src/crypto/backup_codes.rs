//! Backup codes: generated, imported, stored and verified.
//!
//! Codes we generate are 12 characters from a 32-symbol alphabet: 60 bits of entropy each.
//! They are stored as `sha256$<hex>` of the normalised code. A fast unsalted hash
//! is enough here, unlike for passwords: the codes are uniformly random, so there is no
//! dictionary or rainbow table to exploit, and exhausting 2^60 SHA-256 per code is years on a
//! GPU farm (and yields a single-use second factor). bcrypt would make `verify_totp`, which may
//! have to check ten stored codes, cost ten bcrypt runs per attempt — an easy DoS lever.
//! Imported codes may be plaintext (hashed like ours at import) or bcrypt digests (kept as they
//! are; verifying them is slow, so run it on the [`crate::crypto::HashPool`]).
//!
//! **Imported codes are bounded** ([`check_backup_codes`]): at most [`MAX_BACKUP_CODES`] per
//! user, each plaintext code at least [`MIN_BACKUP_CODE_CHARS`] characters once normalised (an
//! empty code would otherwise match an empty `verify_totp` code), each bcrypt digest at most
//! cost [`MAX_BACKUP_CODE_BCRYPT_COST`]: `verify_totp` may check every stored code, so 20
//! codes at cost 12 is the most one attempt can cost. Verification refuses a candidate
//! shorter than the minimum outright, whatever is stored.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::crypto::encoding::hex_decode;
use crate::crypto::passwords::{DigestError, PasswordHasher};

/// Backup code alphabet: lowercase letters and digits without `0 1 l o` (easily confused on
/// paper). 32 symbols, so one random byte masked to 5 bits picks one without bias.
const CODE_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Characters per generated backup code (12 × 5 = 60 bits).
pub const BACKUP_CODE_LEN: usize = 12;
const SHA256_PREFIX: &str = "sha256$";

/// `n` fresh random backup codes (plaintext, shown to the user once).
pub fn generate_backup_codes(n: usize) -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..n)
        .map(|_| {
            let mut bytes = [0u8; BACKUP_CODE_LEN];
            rng.fill_bytes(&mut bytes);
            bytes
                .iter()
                .map(|b| CODE_ALPHABET[usize::from(b & 31)] as char)
                .collect()
        })
        .collect()
}

/// Most backup codes one user may have (Clerk generates 10; 20 leaves room for imports).
pub const MAX_BACKUP_CODES: usize = 20;
/// Fewest characters a backup code has once normalised ([`normalize_code`]).
pub const MIN_BACKUP_CODE_CHARS: usize = 6;
/// Highest cost of an imported bcrypt backup code: 2^12 rounds, about 0.25 s per check on one
/// core, so one `verify_totp` against [`MAX_BACKUP_CODES`] such codes stays a few seconds of CPU.
pub const MAX_BACKUP_CODE_BCRYPT_COST: u32 = 12;

/// An imported backup code that is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupCodeError {
    #[error(
        "a backup code must have at least {MIN_BACKUP_CODE_CHARS} characters besides spaces \
         and hyphens"
    )]
    TooShort,
    #[error(
        "a bcrypt backup code may have a cost of at most {MAX_BACKUP_CODE_BCRYPT_COST}, not {0}"
    )]
    CostTooHigh(u32),
    #[error("a code starting with `$2` must be a bcrypt digest: {}", digest_reason(.0))]
    Digest(#[from] DigestError),
}

/// A refused list of imported backup codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupCodesError {
    #[error("a user may have at most {MAX_BACKUP_CODES} backup codes, not {0}")]
    TooMany(usize),
    /// The first code refused, by its index in the list.
    #[error("backup code {index}: {error}")]
    Code {
        index: usize,
        error: BackupCodeError,
    },
}

/// Why a bcrypt digest is refused, without the `password_digest` wording of password imports.
fn digest_reason(error: &DigestError) -> &str {
    match error {
        DigestError::Malformed { reason, .. } => reason,
        DigestError::CostOutOfBounds { reason, .. } => reason,
    }
}

/// What users type is compared case-insensitively, ignoring spaces and hyphens.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The stored form of a plaintext backup code: `sha256$<hex>` of the normalised code.
pub fn hash_backup_code(code: &str) -> String {
    format!(
        "{SHA256_PREFIX}{}",
        hex::encode(Sha256::digest(normalize_code(code).as_bytes()))
    )
}

/// Whether a code someone typed is long enough to be a backup code at all.
fn long_enough(code: &str) -> bool {
    normalize_code(code).chars().count() >= MIN_BACKUP_CODE_CHARS
}

/// The stored form of a backup code supplied at import (`backup_codes` on create/update): a
/// bcrypt digest is kept as it is (cost at most [`MAX_BACKUP_CODE_BCRYPT_COST`]), anything
/// else is a plaintext code of at least [`MIN_BACKUP_CODE_CHARS`] characters once normalised,
/// and is hashed like ours.
pub fn import_backup_code(code: &str) -> Result<String, BackupCodeError> {
    if code.starts_with("$2") {
        super::passwords::bcrypt::check_mcf(PasswordHasher::Bcrypt, code)?;
        // check_mcf guarantees two ASCII digits here.
        let cost: u32 = code[4..6]
            .parse()
            .expect("a checked bcrypt cost is two digits");
        if cost > MAX_BACKUP_CODE_BCRYPT_COST {
            return Err(BackupCodeError::CostTooHigh(cost));
        }
        Ok(code.to_owned())
    } else if long_enough(code) {
        Ok(hash_backup_code(code))
    } else {
        Err(BackupCodeError::TooShort)
    }
}

/// The stored forms of a user's imported backup codes: at most [`MAX_BACKUP_CODES`], each as
/// [`import_backup_code`] takes it.
pub fn check_backup_codes(codes: &[String]) -> Result<Vec<String>, BackupCodesError> {
    if codes.len() > MAX_BACKUP_CODES {
        return Err(BackupCodesError::TooMany(codes.len()));
    }
    codes
        .iter()
        .enumerate()
        .map(|(index, code)| {
            import_backup_code(code).map_err(|error| BackupCodesError::Code { index, error })
        })
        .collect()
}

/// Whether `stored` is a backup code in one of the forms [`import_backup_code`] stores, as a
/// full export hands them back.
pub fn is_stored_backup_code(stored: &str) -> bool {
    match stored.strip_prefix(SHA256_PREFIX) {
        Some(hex_hash) => hex_hash.len() == 64 && hex_decode(hex_hash).is_some(),
        None => stored.starts_with("$2") && import_backup_code(stored).is_ok(),
    }
}

/// Whether `code` matches one stored backup code (either form [`import_backup_code`] stores).
/// Constant-time for the `sha256$` form; a bcrypt form costs a bcrypt run. A code shorter than
/// [`MIN_BACKUP_CODE_CHARS`] never matches (nor costs a bcrypt run), even against a digest
/// stored before that rule or handed in as a digest (`backup_code_digests`).
pub fn verify_backup_code(stored: &str, code: &str) -> bool {
    if !long_enough(code) {
        return false;
    }
    if let Some(hex_hash) = stored.strip_prefix(SHA256_PREFIX) {
        let Some(expected) = hex_decode(hex_hash) else {
            return false;
        };
        let actual = Sha256::digest(normalize_code(code).as_bytes());
        return actual.as_slice().ct_eq(&expected).into();
    }
    if super::passwords::bcrypt::check_mcf(PasswordHasher::Bcrypt, stored).is_ok() {
        return ::bcrypt::verify(code.trim(), stored).unwrap_or(false);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_codes() {
        let codes = generate_backup_codes(10);
        assert_eq!(codes.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), BACKUP_CODE_LEN);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
            let stored = hash_backup_code(c);
            assert!(verify_backup_code(&stored, c));
            assert!(verify_backup_code(&stored, &c.to_uppercase()));
            assert!(!verify_backup_code(&stored, "wrong"));
        }
        assert!(!verify_backup_code("garbage", "x"));
        assert!(!verify_backup_code("sha256$zz", "x"));
        let imported = import_backup_code("abcd-efgh").unwrap();
        assert!(verify_backup_code(&imported, "ABCDEFGH"));
    }

    #[test]
    fn imported_codes_are_long_enough_once_normalised() {
        for short in [
            "",
            " ",
            "abcde",
            "ab-cd-e",
            " a b c d e ",
            "-----------",
            "\t\t",
        ] {
            assert_eq!(
                import_backup_code(short),
                Err(BackupCodeError::TooShort),
                "{short:?}"
            );
        }
        assert!(import_backup_code("abc-def").is_ok());
        assert!(import_backup_code("ABCDEF").is_ok());
    }

    #[test]
    fn short_candidates_never_verify() {
        // As a digest handed in through `backup_code_digests` (or stored before the rule) can
        // be the hash of an empty or short code.
        for short in ["", "   ", "abc", "ab-cd-e"] {
            assert!(
                !verify_backup_code(&hash_backup_code(short), short),
                "{short:?}"
            );
        }
        let bcrypt_of_empty = ::bcrypt::hash("", 4).unwrap();
        assert!(!verify_backup_code(&bcrypt_of_empty, ""));
    }

    #[test]
    fn imported_bcrypt_codes_are_capped_at_cost_12() {
        // A cost-4 digest relabelled: the bound is read from the string, nothing is hashed.
        let at_4 = "$2b$04$lxKuea95E.V2llY4/uicJewizUNwOZrCvy65e8Rtnhu4g6cbPAJii";
        let at_12 = at_4.replacen("$04$", "$12$", 1);
        assert_eq!(import_backup_code(&at_12), Ok(at_12.clone()));
        let at_13 = at_4.replacen("$04$", "$13$", 1);
        assert_eq!(
            import_backup_code(&at_13),
            Err(BackupCodeError::CostTooHigh(13))
        );
        assert!(!is_stored_backup_code(&at_13));
        assert!(is_stored_backup_code(&at_12));
    }

    #[test]
    fn at_most_20_codes() {
        let codes: Vec<String> = generate_backup_codes(MAX_BACKUP_CODES);
        assert_eq!(check_backup_codes(&codes).unwrap().len(), 20);
        let mut too_many = codes.clone();
        too_many.push("one-more-code".into());
        assert_eq!(
            check_backup_codes(&too_many),
            Err(BackupCodesError::TooMany(21))
        );
        let mut with_empty = codes[..3].to_vec();
        with_empty.push(String::new());
        assert_eq!(
            check_backup_codes(&with_empty),
            Err(BackupCodesError::Code {
                index: 3,
                error: BackupCodeError::TooShort
            })
        );
    }
}
