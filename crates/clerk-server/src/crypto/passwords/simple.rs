//! Plain and salted message digests (all insecure, all re-hashed to bcrypt after the first
//! successful sign-in): `md5`, `md5_salted`, `sha256`, `sha256_salted`, `ldap_ssha`,
//! `sha512_symfony`.
//!
//! * `md5` / `sha256`: the hex digest of the password (either case).
//! * `md5_salted` / `sha256_salted`: `<salt>$<hex digest>`. Clerk does not document the
//!   concatenation order, and both are common (hashcat modes 10/20 and 1410/1420). We accept
//!   either `H(salt || password)` or `H(password || salt)`; both are always computed so the time
//!   does not depend on which one matches. Accepting both does not weaken the check: finding a
//!   second password that matches under the other order is a preimage attack on the hash.
//! * `ldap_ssha`: RFC 2307-style `{SSHA}base64(sha1(password || salt) || salt)` as written by
//!   OpenLDAP's `slappasswd` and passlib's `ldap_salted_sha1` (the prefix is matched
//!   case-insensitively).
//! * `sha512_symfony`: `sha512_symfony$<iterations>$<salt>$<hash>` for Symfony's
//!   `MessageDigestPasswordHasher` (sha512): `salted = password || "{" salt "}"` (just the
//!   password if the salt is empty), `d = sha512(salted)`, then `iterations - 1` times
//!   `d = sha512(d || salted)`; the hash is base64 (Symfony's default) or hex (128 chars,
//!   `encode_as_base64: false`).

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};
use crate::crypto::encoding::{b64_decode, hex_decode, is_hex};

/// Symfony's default is 5000; 10^6 SHA-512 rounds is ~0.5 s.
pub(crate) const MAX_SYMFONY_ITERATIONS: u32 = 1_000_000;
const MAX_SALT_BYTES: usize = 1024;

#[derive(Clone, Copy)]
pub(super) enum Algo {
    Md5,
    Sha256,
}

pub(super) enum Simple<'a> {
    Plain {
        algo: Algo,
        expected: Vec<u8>,
    },
    Salted {
        algo: Algo,
        salt: &'a [u8],
        expected: Vec<u8>,
    },
    Ssha {
        salt: Vec<u8>,
        expected: Vec<u8>,
    },
    Symfony {
        iterations: u32,
        salt: &'a str,
        expected: Vec<u8>,
    },
}

fn hex_of_len(hasher: PasswordHasher, s: &str, bytes: usize) -> Result<Vec<u8>, DigestError> {
    if s.len() != bytes * 2 || !is_hex(s) {
        return Err(malformed(
            hasher,
            if bytes == 16 {
                "expected 32 hex characters"
            } else {
                "expected 64 hex characters"
            },
        ));
    }
    hex_decode(s).ok_or(malformed(hasher, "invalid hex"))
}

/// A bare MD5 hex digest (`md5`, and WordPress's legacy form under `md5_phpass`).
pub(super) fn parse_md5_hex(
    hasher: PasswordHasher,
    digest: &str,
) -> Result<Simple<'_>, DigestError> {
    Ok(Simple::Plain {
        algo: Algo::Md5,
        expected: hex_of_len(hasher, digest, 16)?,
    })
}

pub(super) fn parse(hasher: PasswordHasher, digest: &str) -> Result<Simple<'_>, DigestError> {
    use PasswordHasher as H;
    match hasher {
        H::Md5 => parse_md5_hex(hasher, digest),
        H::Sha256 => Ok(Simple::Plain {
            algo: Algo::Sha256,
            expected: hex_of_len(hasher, digest, 32)?,
        }),
        H::Md5Salted | H::Sha256Salted => {
            let (algo, len) = if hasher == H::Md5Salted {
                (Algo::Md5, 16)
            } else {
                (Algo::Sha256, 32)
            };
            let (salt, hash) = digest
                .rsplit_once('$')
                .ok_or(malformed(hasher, "expected <salt>$<hex hash>"))?;
            if salt.len() > MAX_SALT_BYTES {
                return Err(malformed(hasher, "salt is longer than 1024 bytes"));
            }
            Ok(Simple::Salted {
                algo,
                salt: salt.as_bytes(),
                expected: hex_of_len(hasher, hash, len)?,
            })
        }
        H::LdapSsha => {
            let prefix = digest.get(..6).unwrap_or_default();
            if !prefix.eq_ignore_ascii_case("{SSHA}") {
                return Err(malformed(hasher, "expected an {SSHA} prefix"));
            }
            let raw = b64_decode(&digest[6..]).ok_or(malformed(hasher, "invalid base64"))?;
            if raw.len() <= 20 {
                return Err(malformed(
                    hasher,
                    "expected a 20-byte SHA-1 digest and a salt",
                ));
            }
            let (expected, salt) = raw.split_at(20);
            Ok(Simple::Ssha {
                salt: salt.to_vec(),
                expected: expected.to_vec(),
            })
        }
        H::Sha512Symfony => {
            let rest = digest
                .strip_prefix("sha512_symfony$")
                .ok_or(malformed(hasher, "expected a sha512_symfony$ prefix"))?;
            let (iterations, rest) = rest.split_once('$').ok_or(malformed(
                hasher,
                "expected sha512_symfony$<iterations>$<salt>$<hash>",
            ))?;
            let (salt, hash) = rest.rsplit_once('$').ok_or(malformed(
                hasher,
                "expected sha512_symfony$<iterations>$<salt>$<hash>",
            ))?;
            if iterations.is_empty() || !iterations.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed(hasher, "iterations must be a decimal number"));
            }
            let iterations: u32 = match iterations.parse() {
                Ok(n) if n <= MAX_SYMFONY_ITERATIONS => n,
                _ => {
                    return Err(out_of_bounds(
                        hasher,
                        format!("iterations exceed {MAX_SYMFONY_ITERATIONS}"),
                    ))
                }
            };
            if iterations == 0 {
                return Err(malformed(hasher, "iterations must be at least 1"));
            }
            if salt.contains(['{', '}']) || salt.len() > MAX_SALT_BYTES {
                // Symfony itself refuses salts with braces.
                return Err(malformed(hasher, "salt must not contain { or }"));
            }
            let expected = if hash.len() == 128 && is_hex(hash) {
                hex_decode(hash)
            } else {
                b64_decode(hash)
            }
            .ok_or(malformed(hasher, "hash is neither base64 nor hex"))?;
            if expected.len() != 64 {
                return Err(malformed(hasher, "hash must be a 64-byte SHA-512 digest"));
            }
            Ok(Simple::Symfony {
                iterations,
                salt,
                expected,
            })
        }
        _ => unreachable!("simple::parse called for {hasher}"),
    }
}

fn digest2(algo: Algo, a: &[u8], b: &[u8]) -> Vec<u8> {
    match algo {
        Algo::Md5 => Md5::new()
            .chain_update(a)
            .chain_update(b)
            .finalize()
            .to_vec(),
        Algo::Sha256 => Sha256::new()
            .chain_update(a)
            .chain_update(b)
            .finalize()
            .to_vec(),
    }
}

impl Simple<'_> {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        match self {
            Simple::Plain { algo, expected } => {
                digest2(*algo, password, b"").ct_eq(expected).into()
            }
            Simple::Salted {
                algo,
                salt,
                expected,
            } => {
                let salt_first = digest2(*algo, salt, password).ct_eq(expected);
                let salt_last = digest2(*algo, password, salt).ct_eq(expected);
                (salt_first | salt_last).into()
            }
            Simple::Ssha { salt, expected } => Sha1::new()
                .chain_update(password)
                .chain_update(salt)
                .finalize()
                .as_slice()
                .ct_eq(expected)
                .into(),
            Simple::Symfony {
                iterations,
                salt,
                expected,
            } => {
                let mut salted = password.to_vec();
                if !salt.is_empty() {
                    salted.push(b'{');
                    salted.extend_from_slice(salt.as_bytes());
                    salted.push(b'}');
                }
                let mut d = Sha512::digest(&salted);
                for _ in 1..*iterations {
                    d = Sha512::new()
                        .chain_update(d)
                        .chain_update(&salted)
                        .finalize();
                }
                d.as_slice().ct_eq(expected).into()
            }
        }
    }
}
