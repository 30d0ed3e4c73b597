//! The PBKDF2 family: `pbkdf2_sha1`, `pbkdf2_sha256`, `pbkdf2_sha256_django`, `pbkdf2_sha512`,
//! `pbkdf2_sha512_hex`.
//!
//! | hasher | digest | salt bytes | hash |
//! |---|---|---|---|
//! | `pbkdf2_sha1` | `pbkdf2_sha1$<iter>$<salt>$<hash hex>[$<keylen>]` | hex-decoded if it is hex, else the raw text | hex |
//! | `pbkdf2_sha256` | `pbkdf2_sha256$<iter>$<salt b64>$<hash b64>` | base64-decoded | base64 |
//! | `pbkdf2_sha256_django` | `pbkdf2_sha256$<iter>$<salt>$<hash b64>` (Django) | raw text | base64 |
//! | `pbkdf2_sha512` | `pbkdf2_sha512$<iter>$<salt>$<hash hex>` | raw text | hex |
//! | `pbkdf2_sha512_hex` | `pbkdf2_sha512_hex$<iter>$<salt hex>$<hash hex>` | hex-decoded | hex |
//!
//! The derived key length is always the stored hash's length (so truncated or extended keys
//! verify as their producer made them); `pbkdf2_sha1`'s optional `keylen` must agree with it.

use hmac::Hmac;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};
use crate::crypto::encoding::{b64_decode, hex_decode, is_hex};

/// Upper bound on PBKDF2 work: iterations × output blocks. 10^7 HMAC-SHA256 is ~3 s on one
/// core; Django's current default is 10^6.
pub(crate) const MAX_WORK: u64 = 10_000_000;
const MAX_SALT_BYTES: usize = 1024;
const MIN_HASH_BYTES: usize = 16;
const MAX_HASH_BYTES: usize = 1024;

#[derive(Clone, Copy)]
enum Prf {
    Sha1,
    Sha256,
    Sha512,
}

impl Prf {
    fn output_len(self) -> usize {
        match self {
            Prf::Sha1 => 20,
            Prf::Sha256 => 32,
            Prf::Sha512 => 64,
        }
    }
}

pub(super) struct Pbkdf2 {
    prf: Prf,
    iterations: u32,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

pub(super) fn parse(hasher: PasswordHasher, digest: &str) -> Result<Pbkdf2, DigestError> {
    use PasswordHasher as H;
    let (prefixes, prf): (&[&str], Prf) = match hasher {
        H::Pbkdf2Sha1 => (&["pbkdf2_sha1"], Prf::Sha1),
        H::Pbkdf2Sha256 | H::Pbkdf2Sha256Django => (&["pbkdf2_sha256"], Prf::Sha256),
        H::Pbkdf2Sha512 => (&["pbkdf2_sha512"], Prf::Sha512),
        // Documented with its own prefix; exporters that reuse `pbkdf2_sha512` are accepted too
        // since the hasher name already says the salt is hex.
        H::Pbkdf2Sha512Hex => (&["pbkdf2_sha512_hex", "pbkdf2_sha512"], Prf::Sha512),
        _ => unreachable!("pbkdf2::parse called for {hasher}"),
    };
    let (prefix, rest) = digest.split_once('$').ok_or(malformed(
        hasher,
        "expected <algorithm>$<iterations>$<salt>$<hash>",
    ))?;
    if !prefixes.contains(&prefix) {
        return Err(malformed(hasher, "unexpected algorithm prefix"));
    }
    let (iterations, rest) = rest.split_once('$').ok_or(malformed(
        hasher,
        "expected <algorithm>$<iterations>$<salt>$<hash>",
    ))?;
    let iterations = parse_iterations(hasher, iterations)?;

    // Salts in the raw-text formats may contain `$` in theory; the hash (and sha1's keylen)
    // never do, so split from the right.
    let (salt_text, hash_text, keylen) = if hasher == H::Pbkdf2Sha1 {
        let parts: Vec<&str> = rest.split('$').collect();
        match parts.as_slice() {
            [salt, hash] => (*salt, *hash, None),
            [salt, hash, keylen] => (*salt, *hash, Some(*keylen)),
            _ => {
                return Err(malformed(
                    hasher,
                    "expected pbkdf2_sha1$<iter>$<salt>$<hash>[$<keylen>]",
                ))
            }
        }
    } else {
        let (salt, hash) = rest.rsplit_once('$').ok_or(malformed(
            hasher,
            "expected <algorithm>$<iterations>$<salt>$<hash>",
        ))?;
        (salt, hash, None)
    };

    let salt = match hasher {
        H::Pbkdf2Sha1 if is_hex(salt_text) => hex_decode(salt_text).unwrap_or_default(),
        H::Pbkdf2Sha256 => {
            b64_decode(salt_text).ok_or(malformed(hasher, "salt is not valid base64"))?
        }
        H::Pbkdf2Sha512Hex => {
            hex_decode(salt_text).ok_or(malformed(hasher, "salt is not valid hex"))?
        }
        _ => salt_text.as_bytes().to_vec(),
    };
    if salt.len() > MAX_SALT_BYTES {
        return Err(malformed(hasher, "salt is longer than 1024 bytes"));
    }

    let expected = match hasher {
        H::Pbkdf2Sha256 | H::Pbkdf2Sha256Django => {
            b64_decode(hash_text).ok_or(malformed(hasher, "hash is not valid base64"))?
        }
        _ => hex_decode(hash_text).ok_or(malformed(hasher, "hash is not valid hex"))?,
    };
    if expected.len() < MIN_HASH_BYTES || expected.len() > MAX_HASH_BYTES {
        return Err(malformed(hasher, "hash must be 16 to 1024 bytes"));
    }
    if let Some(keylen) = keylen {
        let keylen: usize = keylen
            .parse()
            .map_err(|_| malformed(hasher, "keylen is not a number"))?;
        if keylen != expected.len() {
            return Err(malformed(hasher, "keylen does not match the hash length"));
        }
    }

    let blocks = expected.len().div_ceil(prf.output_len()) as u64;
    if u64::from(iterations) * blocks > MAX_WORK {
        return Err(out_of_bounds(
            hasher,
            format!("{iterations} iterations × {blocks} blocks exceeds {MAX_WORK}"),
        ));
    }
    Ok(Pbkdf2 {
        prf,
        iterations,
        salt,
        expected,
    })
}

fn parse_iterations(hasher: PasswordHasher, s: &str) -> Result<u32, DigestError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(hasher, "iterations must be a decimal number"));
    }
    let n: u64 = s
        .parse()
        .map_err(|_| out_of_bounds(hasher, "iterations do not fit in 64 bits".into()))?;
    if n == 0 {
        return Err(malformed(hasher, "iterations must be at least 1"));
    }
    if n > MAX_WORK {
        return Err(out_of_bounds(
            hasher,
            format!("{n} iterations exceeds {MAX_WORK}"),
        ));
    }
    Ok(n as u32)
}

impl Pbkdf2 {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        let mut out = vec![0u8; self.expected.len()];
        let (pw, salt, rounds) = (password, self.salt.as_slice(), self.iterations);
        // `pbkdf2` only errors for an invalid HMAC key length, which HMAC does not have.
        let ok = match self.prf {
            Prf::Sha1 => ::pbkdf2::pbkdf2::<Hmac<Sha1>>(pw, salt, rounds, &mut out),
            Prf::Sha256 => ::pbkdf2::pbkdf2::<Hmac<Sha256>>(pw, salt, rounds, &mut out),
            Prf::Sha512 => ::pbkdf2::pbkdf2::<Hmac<Sha512>>(pw, salt, rounds, &mut out),
        };
        ok.is_ok() && bool::from(out.ct_eq(&self.expected))
    }
}
