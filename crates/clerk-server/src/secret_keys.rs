//! The API keys clients present (`Authorization: Bearer <key>`): the rules every configured key
//! follows, and where `clerk serve` gets its secret key when none is configured — generated once
//! and kept in a file beside the SQLite database, so a restart keeps it.

use std::path::{Path, PathBuf};

/// Shortest key accepted. A key is a bearer credential checked on every request; 32 characters
/// of a 62-symbol alphabet are 190 bits, and anything shorter is likely a placeholder (`test`,
/// `changeme`) or a truncated paste.
pub const MIN_KEY_CHARS: usize = 32;

/// A configured key that breaks the rules. The messages never show the key itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "{kind} key {position} is {chars} characters long (after trimming spaces); keys must have \
         at least {MIN_KEY_CHARS} (generate one with `openssl rand -hex 32`)"
    )]
    TooShort {
        kind: KeyKind,
        /// 1-based, in the order the keys were given.
        position: usize,
        chars: usize,
    },
    #[error(
        "admin key {position} is also a secret key: an admin key opens the export of every \
         secret, so it must differ from the keys every client holds"
    )]
    AdminKeyIsSecretKey { position: usize },
}

/// Which list a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Admin,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyKind::Secret => "secret",
            KeyKind::Admin => "admin",
        })
    }
}

/// The keys as they will be compared: trimmed (a key pasted with a trailing newline or space
/// would otherwise never match what a client sends), each at least [`MIN_KEY_CHARS`] long.
pub fn normalize(keys: &[String], kind: KeyKind) -> Result<Vec<String>, KeyError> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            let key = key.trim();
            let chars = key.chars().count();
            if chars < MIN_KEY_CHARS {
                return Err(KeyError::TooShort {
                    kind,
                    position: i + 1,
                    chars,
                });
            }
            Ok(key.to_owned())
        })
        .collect()
}

/// Refuses an admin key that is also a secret key (both lists already normalized).
pub fn check_admin_keys_distinct(secret: &[String], admin: &[String]) -> Result<(), KeyError> {
    match admin.iter().position(|key| secret.contains(key)) {
        Some(i) => Err(KeyError::AdminKeyIsSecretKey { position: i + 1 }),
        None => Ok(()),
    }
}

/// A new `sk_test_…` key with 256 bits of randomness.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..43)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("sk_test_{body}")
}

/// The key file for a database file: `clerk.db` → `clerk.db.secret-key`.
pub fn key_file_for(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".secret-key");
    PathBuf::from(name)
}

/// Reads the key from `path`, or generates one and writes it there (mode 0600, never over an
/// existing file: [`crate::crypto::secrets::create_key_file`]). Returns the key and whether it
/// was just generated. A file that exists but holds no key is an error, not replaced: it may
/// be a key someone meant to keep.
pub fn load_or_create(path: &Path) -> std::io::Result<(String, bool)> {
    if let Some(key) = load(path)? {
        return Ok((key, false));
    }
    let key = generate();
    if crate::crypto::secrets::create_key_file(path, &key)? {
        return Ok((key, true));
    }
    // Another process created it first: its key is the one.
    match load(path)? {
        Some(key) => Ok((key, false)),
        None => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the key file vanished while it was being created",
        )),
    }
}

/// The key in `path`, trimmed; `None` when there is no such file.
fn load(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the key file is empty; delete it to have a new key generated",
        )),
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "clerk-key-{name}-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn persists_across_calls() {
        let dir = temp_dir("persist");
        let path = key_file_for(&dir.join("clerk.db"));
        let (first, created) = load_or_create(&path).unwrap();
        assert!(created && first.starts_with("sk_test_") && first.len() == 51);
        let (second, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn racing_creators_share_one_key() {
        let dir = temp_dir("race");
        let path = key_file_for(&dir.join("clerk.db"));
        let results: Vec<(String, bool)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| scope.spawn(|| load_or_create(&path).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(results.iter().all(|(k, _)| k == &results[0].0));
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_key_file_is_refused_not_replaced() {
        let dir = temp_dir("empty");
        let path = key_file_for(&dir.join("clerk.db"));
        std::fs::write(&path, "\n").unwrap();
        assert!(load_or_create(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keys_are_trimmed_and_at_least_32_characters() {
        let long = "k".repeat(MIN_KEY_CHARS);
        assert_eq!(
            normalize(&[format!("  {long}\n")], KeyKind::Secret).unwrap(),
            vec![long.clone()]
        );
        let err =
            normalize(&[long.clone(), format!(" {} ", &long[1..])], KeyKind::Admin).unwrap_err();
        assert_eq!(
            err,
            KeyError::TooShort {
                kind: KeyKind::Admin,
                position: 2,
                chars: 31
            }
        );
        assert!(!err.to_string().contains(&long[1..]), "{err}");
        assert!(normalize(&["   ".into()], KeyKind::Secret).is_err());
        let (secret, other) = (vec![long.clone()], "o".repeat(40));
        assert!(check_admin_keys_distinct(&secret, std::slice::from_ref(&other)).is_ok());
        assert_eq!(
            check_admin_keys_distinct(&secret, &[other, long]),
            Err(KeyError::AdminKeyIsSecretKey { position: 2 })
        );
    }
}
