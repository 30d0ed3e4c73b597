//! phpass "portable" hashes (Openwall's PasswordHash.php, WordPress, phpBB): `phpass` and
//! `md5_phpass`.
//!
//! Format: `$P$` (WordPress) or `$H$` (phpBB3), one character of `./0-9A-Za-z` giving log2 of
//! the round count, 8 salt characters, 22 characters of phpass's own base64 of the MD5 digest.
//! Algorithm: `h = md5(salt || password)`, then `count` times `h = md5(h || password)`.
//!
//! `md5_phpass` is named by Clerk without a documented format. phpass's portable scheme *is*
//! iterated MD5, and "md5_phpass" is the usual label for it when an exporter wants to tell it
//! apart from phpass-wrapped bcrypt; so both names accept these digests. `md5_phpass`
//! additionally accepts a bare 32-hex MD5 digest, as WordPress's `wp_check_password` does for
//! accounts older than its phpass migration.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};

const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// phpass itself accepts log2 counts 7..=30; 2^30 MD5 rounds would be minutes. WordPress uses 8,
/// phpBB 10-11; 2^20 rounds is ~0.3 s.
pub(crate) const MAX_LOG2_ROUNDS: u32 = 20;
const MIN_LOG2_ROUNDS: u32 = 7;

pub(super) struct Phpass<'a> {
    log2_rounds: u32,
    salt: &'a [u8],
    checksum: &'a [u8],
}

pub(super) fn parse(hasher: PasswordHasher, digest: &str) -> Result<Phpass<'_>, DigestError> {
    let b = digest.as_bytes();
    if b.len() != 34 {
        return Err(malformed(hasher, "a phpass digest is 34 characters"));
    }
    if !(b.starts_with(b"$P$") || b.starts_with(b"$H$")) {
        return Err(malformed(hasher, "expected a $P$ or $H$ prefix"));
    }
    let log2 = ITOA64
        .iter()
        .position(|c| *c == b[3])
        .ok_or(malformed(hasher, "invalid round-count character"))? as u32;
    if log2 < MIN_LOG2_ROUNDS {
        return Err(malformed(hasher, "phpass needs at least 2^7 rounds"));
    }
    if log2 > MAX_LOG2_ROUNDS {
        return Err(out_of_bounds(
            hasher,
            format!("2^{log2} rounds exceeds 2^{MAX_LOG2_ROUNDS}"),
        ));
    }
    let checksum = &b[12..];
    let salt = &b[4..12];
    if !b[4..].iter().all(|c| ITOA64.contains(c)) {
        return Err(malformed(
            hasher,
            "salt and checksum must use phpass's base64 alphabet",
        ));
    }
    Ok(Phpass {
        log2_rounds: log2,
        salt,
        checksum,
    })
}

impl Phpass<'_> {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        let mut h = Md5::new_with_prefix(self.salt)
            .chain_update(password)
            .finalize();
        for _ in 0..(1u32 << self.log2_rounds) {
            h = Md5::new_with_prefix(h).chain_update(password).finalize();
        }
        encode64(&h).as_bytes().ct_eq(self.checksum).into()
    }
}

/// phpass's `encode64`: little-endian groups of 3 bytes, 6 bits at a time, least significant
/// first.
fn encode64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let push = |out: &mut String, v: u32| out.push(ITOA64[(v & 0x3f) as usize] as char);
    for chunk in input.chunks(3) {
        let mut value = u32::from(chunk[0]);
        if let Some(b) = chunk.get(1) {
            value |= u32::from(*b) << 8;
        }
        if let Some(b) = chunk.get(2) {
            value |= u32::from(*b) << 16;
        }
        push(&mut out, value);
        push(&mut out, value >> 6);
        if chunk.len() > 1 {
            push(&mut out, value >> 12);
        }
        if chunk.len() > 2 {
            push(&mut out, value >> 18);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode64_length_matches_phpass() {
        assert_eq!(encode64(&[0u8; 16]).len(), 22);
        assert_eq!(encode64(&[0u8; 3]), "....");
        assert_eq!(encode64(&[1]), "/.");
    }
}
