//! Where `clerk serve` gets its secret key when none is configured: generated once and kept in
//! a file beside the SQLite database, so a restart keeps it.

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Reads the key from `path`, or generates one and writes it there (mode 0600).
/// Returns the key and whether it was just generated.
pub fn load_or_create(path: &Path) -> std::io::Result<(String, bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => return Ok((text.trim().to_owned(), false)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let key = generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{key}")?;
    Ok((key, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persists_across_calls() {
        let dir = std::env::temp_dir().join(format!("clerk-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = key_file_for(&dir.join("clerk.db"));
        let _ = std::fs::remove_file(&path);
        let (first, created) = load_or_create(&path).unwrap();
        assert!(created && first.starts_with("sk_test_") && first.len() == 51);
        let (second, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first, second);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
