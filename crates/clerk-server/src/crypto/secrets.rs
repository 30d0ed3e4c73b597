//! Secrets at rest: sealing with AES-256-GCM, key check values and key files.
//!
//! **Sealing.** TOTP secrets and OAuth tokens are stored encrypted with AES-256-GCM under a
//! 32-byte key that lives in configuration or a key file, never in the database, so a copy of
//! the database alone discloses none of them. Each value gets a fresh random 96-bit nonce; the
//! stored form is `v1:<base64(nonce || ciphertext || tag)>`. The optional `context` is GCM associated data:
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

use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rand::RngCore;

use crate::crypto::encoding::{b64_decode, b64_encode, hex_decode};

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

    /// A 64-byte key for `purpose`, derived from this one (HMAC-SHA-512), so that one
    /// configured key can serve several uses without one use's key revealing another's.
    pub fn derive(&self, purpose: &str) -> [u8; 64] {
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<sha2::Sha512> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
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
}
