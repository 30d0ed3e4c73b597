//! Argon2 PHC strings: `argon2i` and `argon2id`.
//!
//! `$argon2id$v=19$m=65536,t=3,p=4$<salt b64>$<hash b64>` as written by the reference
//! implementation, argon2-cffi, PHP's `password_hash` and libsodium. `v=` may be absent (the
//! pre-1.3 format, version 0x10). The variant in the string must match the hasher name.
//! Parameters are parsed by hand rather than through `password-hash` so every bound is ours.
//!
//! Bounds: m ≤ 256 MiB (262144 KiB), t ≤ 10, p ≤ 16.

use argon2::{Algorithm, Argon2, Params, Version};
use subtle::ConstantTimeEq;

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};
use crate::crypto::encoding::b64_decode;

pub(crate) const MAX_M_KIB: u32 = 256 * 1024;
pub(crate) const MAX_T: u32 = 10;
pub(crate) const MAX_P: u32 = 16;

pub(super) struct Argon2Digest {
    algorithm: Algorithm,
    version: Version,
    m: u32,
    t: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

pub(super) fn parse(hasher: PasswordHasher, digest: &str) -> Result<Argon2Digest, DigestError> {
    let (algorithm, id) = match hasher {
        PasswordHasher::Argon2i => (Algorithm::Argon2i, "argon2i"),
        PasswordHasher::Argon2id => (Algorithm::Argon2id, "argon2id"),
        _ => unreachable!("argon2::parse called for {hasher}"),
    };
    let shape = "expected $<variant>$v=<n>$m=<m>,t=<t>,p=<p>$<salt>$<hash>";
    let mut fields = digest
        .strip_prefix('$')
        .ok_or(malformed(hasher, shape))?
        .split('$');
    if fields.next() != Some(id) {
        return Err(malformed(
            hasher,
            "the PHC variant does not match the hasher",
        ));
    }
    let rest: Vec<&str> = fields.collect();
    let (version, params, salt, hash) = match rest.as_slice() {
        [v, params, salt, hash] => {
            let version = match *v {
                "v=19" => Version::V0x13,
                "v=16" => Version::V0x10,
                _ => return Err(malformed(hasher, "unsupported argon2 version")),
            };
            (version, *params, *salt, *hash)
        }
        [params, salt, hash] => (Version::V0x10, *params, *salt, *hash),
        _ => return Err(malformed(hasher, shape)),
    };

    let (mut m, mut t, mut p) = (None, None, None);
    for kv in params.split(',') {
        let (k, v) = kv
            .split_once('=')
            .ok_or(malformed(hasher, "parameters must be m=,t=,p="))?;
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(
                hasher,
                "parameter values must be decimal numbers",
            ));
        }
        let slot = match k {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            _ => return Err(malformed(hasher, "unknown argon2 parameter")),
        };
        if slot.is_some() {
            return Err(malformed(hasher, "repeated argon2 parameter"));
        }
        // Digits that overflow u64 are over every bound.
        *slot = Some(v.parse::<u64>().unwrap_or(u64::MAX));
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return Err(malformed(hasher, "m, t and p are all required"));
    };
    if m > u64::from(MAX_M_KIB) || t > u64::from(MAX_T) || p > u64::from(MAX_P) {
        return Err(out_of_bounds(
            hasher,
            format!("m={m} KiB, t={t}, p={p} exceeds m ≤ {MAX_M_KIB}, t ≤ {MAX_T}, p ≤ {MAX_P}"),
        ));
    }
    let (m, t, p) = (m as u32, t as u32, p as u32);
    if t == 0 || p == 0 || m < 8 * p {
        return Err(malformed(hasher, "argon2 needs t ≥ 1, p ≥ 1 and m ≥ 8·p"));
    }
    let salt = b64_decode(salt).ok_or(malformed(hasher, "salt is not valid base64"))?;
    let hash = b64_decode(hash).ok_or(malformed(hasher, "hash is not valid base64"))?;
    if !(8..=1024).contains(&salt.len()) {
        return Err(malformed(hasher, "salt must be 8 to 1024 bytes"));
    }
    if !(4..=1024).contains(&hash.len()) {
        return Err(malformed(hasher, "hash must be 4 to 1024 bytes"));
    }
    // Let the argon2 crate have the last word on anything we did not think of.
    Params::new(m, t, p, Some(hash.len()))
        .map_err(|_| malformed(hasher, "argon2 rejected the parameters"))?;
    Ok(Argon2Digest {
        algorithm,
        version,
        m,
        t,
        p,
        salt,
        hash,
    })
}

impl Argon2Digest {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        let Ok(params) = Params::new(self.m, self.t, self.p, Some(self.hash.len())) else {
            return false;
        };
        let mut out = vec![0u8; self.hash.len()];
        Argon2::new(self.algorithm, self.version, params)
            .hash_password_into(password, &self.salt, &mut out)
            .is_ok()
            && bool::from(out.ct_eq(&self.hash))
    }
}
