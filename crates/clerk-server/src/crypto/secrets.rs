//! Secrets at rest and backup codes.
//!
//! **Sealing.** TOTP secrets and OAuth tokens are stored encrypted with AES-256-GCM under a
//! 32-byte key that lives in configuration or a key file, never in the database (DESIGN.md,
//! Security). Each value gets a fresh random 96-bit nonce; the stored form is
//! `v1:<base64(nonce || ciphertext || tag)>`. The optional `context` is GCM associated data:
//! pass something like `b"totp:user_2abc"` so a ciphertext copied onto another user's row (or into
//! another column) fails to open instead of silently working. The `v1:` prefix leaves room for a
//! key identifier when key rotation is added.
//!
//! **Key check value.** [`SecretKey::check_value`] seals a fixed plaintext; the database keeps
//! one (`instance_keys`), and [`crate::start`] refuses a key that does not open it. Without it a
//! server started with another key (or with a new one because the key file went missing) would
//! run, answer 500 on every TOTP check and hand out no OAuth tokens. AES-GCM under a random nonce
//! tells nothing about the key, and reuses the one primitive this module already trusts.
//!
//! **Key files** are written whole or not at all, owner-only (0600), and never over an existing
//! file ([`create_key_file`]): two processes starting together end up with the same key.
//!
//! **Backup codes.** Codes we generate are 12 characters from a 32-symbol alphabet: 60 bits of
//! entropy each. They are stored as `sha256$<hex>` of the normalised code. A fast unsalted hash
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

use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::crypto::encoding::{b64_decode, b64_encode, hex_decode};
use crate::crypto::passwords::{DigestError, PasswordHasher};

const SEALED_PREFIX: &str = "v1:";
/// What a key check value seals, and the associated data it is sealed with.
const CHECK_PLAINTEXT: &[u8] = b"clerk-server encryption key check";
const CHECK_CONTEXT: &[u8] = b"clerk key check v1";
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// The 32-byte AES-256-GCM key for secrets at rest. `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A key that cannot be parsed, read or created.
#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    #[error("secret key must be 32 bytes, as 64 hex characters or base64")]
    Invalid,
    #[error("secret key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A sealed value that cannot be opened: wrong key, wrong context, tampered or not ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealed secret cannot be opened (wrong key or context, or corrupted)")]
pub struct OpenError;

impl SecretKey {
    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(bytes)
    }

    /// A fresh random key from the OS RNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Parses a key from configuration: 64 hex characters, or base64 (standard or URL-safe,
    /// padding optional) of 32 bytes. Surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, SecretKeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 {
            hex_decode(text)
        } else {
            None
        }
        .or_else(|| b64_decode(text))
        .ok_or(SecretKeyError::Invalid)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SecretKeyError::Invalid)?;
        Ok(SecretKey(bytes))
    }

    /// Reads a key file: text as [`SecretKey::parse`] accepts, or exactly 32 raw bytes.
    pub fn load(path: &Path) -> Result<Self, SecretKeyError> {
        let io = |source| SecretKeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let raw = std::fs::read(path).map_err(io)?;
        if let Ok(text) = std::str::from_utf8(&raw) {
            if let Ok(key) = SecretKey::parse(text) {
                return Ok(key);
            }
        }
        let bytes: [u8; 32] = raw.try_into().map_err(|_| SecretKeyError::Invalid)?;
        Ok(SecretKey(bytes))
    }

    /// Loads the key file at `path`, or creates it with a random key ([`create_key_file`]: hex,
    /// mode 0600, never over an existing file, so two processes starting together end up with
    /// the same key).
    pub fn load_or_create(path: &Path) -> Result<Self, SecretKeyError> {
        let key = SecretKey::generate();
        match create_key_file(path, &hex::encode(key.0)) {
            Ok(true) => Ok(key),
            Ok(false) => SecretKey::load(path),
            Err(source) => Err(SecretKeyError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// A value that opens only under this key, to be kept beside what it seals: see the module
    /// documentation. Each call gives a different value (fresh nonce); any of them checks.
    pub fn check_value(&self) -> String {
        self.seal(CHECK_PLAINTEXT, CHECK_CONTEXT)
    }

    /// Whether `check_value` was made by [`SecretKey::check_value`] under this key.
    pub fn matches_check_value(&self, check_value: &str) -> bool {
        self.open(check_value, CHECK_CONTEXT)
            .is_ok_and(|plaintext| plaintext == CHECK_PLAINTEXT)
    }

    /// The key as 64 lowercase hex characters (for writing configuration).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }

    /// Encrypts `plaintext`, bound to `context`, into `v1:<base64>`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut out = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", b64_encode(&out))
    }

    /// Decrypts a value made by [`SecretKey::seal`] with the same key and `context`.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>, OpenError> {
        let body = sealed.strip_prefix(SEALED_PREFIX).ok_or(OpenError)?;
        let raw = b64_decode(body).ok_or(OpenError)?;
        if raw.len() < NONCE_BYTES + TAG_BYTES {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_BYTES);
        self.cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| OpenError)
    }

    /// [`SecretKey::seal`] for text.
    pub fn seal_str(&self, plaintext: &str, context: &[u8]) -> String {
        self.seal(plaintext.as_bytes(), context)
    }

    /// [`SecretKey::open`] for text sealed with [`SecretKey::seal_str`].
    pub fn open_str(&self, sealed: &str, context: &[u8]) -> Result<String, OpenError> {
        String::from_utf8(self.open(sealed, context)?).map_err(|_| OpenError)
    }
}

/// Writes `text` and a newline to a new file at `path`, readable and writable by its owner only.
/// Returns `false`, writing nothing, when `path` already exists.
///
/// The file appears whole or not at all: the text goes to a temporary file beside it (opened
/// with `create_new`, mode 0600) that is then hard-linked to `path`, which fails if `path`
/// exists. So a process that finds the file never reads a half-written key, and a key file is
/// never replaced (replacing one would make everything sealed under it unreadable).
pub fn create_key_file(path: &Path, text: &str) -> std::io::Result<bool> {
    let mut temp_name = path.as_os_str().to_owned();
    temp_name.push(format!(
        ".{}-{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let temp = std::path::PathBuf::from(temp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(format!("{text}\n").as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            // The new name must survive a crash too: sync the directory that holds it.
            #[cfg(unix)]
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// The current key plus retired ones, for key rotation: new values are sealed with the current
/// key; values sealed under a retired key still open, and [`Keyring::needs_reseal`] tells the
/// caller to re-seal them (e.g. on next write) so the retired key can eventually be dropped.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: SecretKey,
    retired: Vec<SecretKey>,
}

impl Keyring {
    /// A keyring sealing with `current` and still opening values sealed under `retired`.
    pub fn new(current: SecretKey, retired: Vec<SecretKey>) -> Self {
        Keyring { current, retired }
    }

    /// Seals with the current key ([`SecretKey::seal`]).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> String {
        self.current.seal(plaintext, context)
    }

    /// Opens with the current key, then each retired key.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>, OpenError> {
        std::iter::once(&self.current)
            .chain(&self.retired)
            .find_map(|key| key.open(sealed, context).ok())
            .ok_or(OpenError)
    }

    /// True when `sealed` opens only under a retired key.
    pub fn needs_reseal(&self, sealed: &str, context: &[u8]) -> bool {
        self.current.open(sealed, context).is_err() && self.open(sealed, context).is_ok()
    }
}

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
    fn seal_open_round_trip() {
        let key = SecretKey::generate();
        let sealed = key.seal_str("JBSWY3DPEHPK3PXP", b"totp:user_1");
        assert!(sealed.starts_with("v1:"));
        assert_eq!(
            key.open_str(&sealed, b"totp:user_1").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        // A second seal of the same value differs (fresh nonce).
        assert_ne!(sealed, key.seal_str("JBSWY3DPEHPK3PXP", b"totp:user_1"));
    }

    #[test]
    fn open_refuses_wrong_key_context_and_tampering() {
        let key = SecretKey::generate();
        let sealed = key.seal(b"token", b"ctx");
        assert_eq!(key.open(&sealed, b"other"), Err(OpenError));
        assert_eq!(SecretKey::generate().open(&sealed, b"ctx"), Err(OpenError));
        let mut raw = b64_decode(&sealed[3..]).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = format!("v1:{}", b64_encode(&raw));
        assert_eq!(key.open(&tampered, b"ctx"), Err(OpenError));
        for junk in ["", "v1:", "v1:!!!", "v2:AAAA", "v1:AAAA", "plaintext"] {
            assert_eq!(key.open(junk, b"ctx"), Err(OpenError), "{junk:?}");
        }
    }

    #[test]
    fn keyring_rotation() {
        let (old, new) = (SecretKey::generate(), SecretKey::generate());
        let sealed_old = old.seal(b"secret", b"ctx");
        let ring = Keyring::new(new.clone(), vec![old]);
        assert_eq!(ring.open(&sealed_old, b"ctx").unwrap(), b"secret");
        assert!(ring.needs_reseal(&sealed_old, b"ctx"));
        let sealed_new = ring.seal(b"secret", b"ctx");
        assert_eq!(new.open(&sealed_new, b"ctx").unwrap(), b"secret");
        assert!(!ring.needs_reseal(&sealed_new, b"ctx"));
        assert_eq!(ring.open(&sealed_old, b"other"), Err(OpenError));
        assert!(!ring.needs_reseal("v1:garbage", b"ctx"));
    }

    #[test]
    fn key_parsing() {
        let hex_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let k = SecretKey::parse(hex_key).unwrap();
        assert_eq!(k.to_hex(), hex_key);
        let b64 = b64_encode(&k.0);
        assert_eq!(SecretKey::parse(&b64).unwrap().0, k.0);
        assert_eq!(SecretKey::parse(&format!(" {b64}\n")).unwrap().0, k.0);
        assert!(SecretKey::parse("short").is_err());
        assert!(SecretKey::parse("").is_err());
        assert!(SecretKey::parse(&hex_key[2..]).is_err());
        assert_eq!(format!("{k:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn check_value_opens_under_its_key_only() {
        let key = SecretKey::generate();
        let check = key.check_value();
        assert!(key.matches_check_value(&check));
        assert!(key.matches_check_value(&key.check_value()));
        assert!(!SecretKey::generate().matches_check_value(&check));
        // A value sealed for anything else is not a check value, even under the same key.
        assert!(!key.matches_check_value(&key.seal(CHECK_PLAINTEXT, b"totp:user_1")));
        assert!(!key.matches_check_value(&key.seal(b"other", CHECK_CONTEXT)));
        assert!(!key.matches_check_value("garbage"));
    }

    #[test]
    fn key_files_are_created_once_whole_and_private() {
        let dir = tempfile_dir("create");
        let path = dir.join("k");
        // Many processes' worth of threads race to create one key file: one wins, every one of
        // them ends up with the winner's key, and nobody reads a half-written file.
        let keys: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| scope.spawn(|| SecretKey::load_or_create(&path).unwrap().to_hex()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
        assert_eq!(SecretKey::load(&path).unwrap().to_hex(), keys[0]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // An existing file is never replaced, whatever it holds; no temporary file is left.
        std::fs::write(&path, "").unwrap();
        assert!(!create_key_file(&path, "new").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        assert!(SecretKey::load_or_create(&path).is_err());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "clerk-secrets-{name}-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

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
