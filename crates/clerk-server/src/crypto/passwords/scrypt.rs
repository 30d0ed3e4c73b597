//! The scrypt family: `scrypt_firebase` and `scrypt_werkzeug`.
//!
//! **scrypt_firebase** — Firebase Auth's modified scrypt (github.com/firebase/scrypt README):
//! `derived = scrypt(password, salt || salt_separator, N = 2^mem_cost, r = rounds, p = 1,
//! 64 bytes)`, then the project's signer key is encrypted with AES-256-CTR under
//! `derived[..32]` and an all-zero counter block; the ciphertext is the password hash.
//! Clerk digest: `<hash b64>$<salt b64>$<signer key b64>$<salt separator b64>$<rounds>$<mem_cost>`
//! (the salt is base64 as in `firebase auth:export`).
//!
//! **scrypt_werkzeug** — werkzeug.security's `generate_password_hash(method="scrypt")`:
//! `scrypt:<N>:<r>:<p>$<salt>$<hex hash>`, hash = `hashlib.scrypt(password, salt=<salt text as
//! UTF-8>, n, r, p, dklen=64)`. Clerk documents the shape as `$<algorithm args>$<salt>$<hash b64>`;
//! a leading `$` is accepted, and a hash that is not hex is read as base64. A bare `scrypt` method
//! means werkzeug's defaults N=2^15, r=8, p=1.
//!
//! Bounds: N ≤ 2^17, r ≤ 16, p ≤ 16, memory 128·N·r ≤ 256 MiB, and work N·r·p ≤ 2^21
//! (16× werkzeug's default).

use aes::cipher::{KeyIvInit, StreamCipher};
use subtle::ConstantTimeEq;

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};
use crate::crypto::encoding::{b64_decode, hex_decode, is_hex};

pub(crate) const MAX_LOG_N: u32 = 17;
pub(crate) const MAX_R: u32 = 16;
pub(crate) const MAX_P: u32 = 16;
const MAX_MEMORY_BYTES: u64 = 256 * 1024 * 1024;
const MAX_WORK: u64 = 1 << 21;
const MAX_FIELD_BYTES: usize = 1024;

type Aes256Ctr = ctr::Ctr128BE<aes::Aes256>;

fn check_params(hasher: PasswordHasher, log_n: u32, r: u32, p: u32) -> Result<(), DigestError> {
    if log_n == 0 || r == 0 || p == 0 {
        return Err(malformed(hasher, "N, r and p must be positive (N ≥ 2)"));
    }
    if log_n > MAX_LOG_N || r > MAX_R || p > MAX_P {
        return Err(out_of_bounds(
            hasher,
            format!(
                "N=2^{log_n}, r={r}, p={p} exceeds N ≤ 2^{MAX_LOG_N}, r ≤ {MAX_R}, p ≤ {MAX_P}"
            ),
        ));
    }
    let n = 1u64 << log_n;
    if 128 * n * u64::from(r) > MAX_MEMORY_BYTES || n * u64::from(r) * u64::from(p) > MAX_WORK {
        return Err(out_of_bounds(
            hasher,
            format!("N=2^{log_n}, r={r}, p={p} needs too much memory or work"),
        ));
    }
    Ok(())
}

fn derive(log_n: u32, r: u32, p: u32, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    // `len` only matters for scrypt's PHC API; 64 is always a valid value for it.
    match ::scrypt::Params::new(log_n as u8, r, p, 64) {
        Ok(params) => ::scrypt::scrypt(password, salt, &params, out).is_ok(),
        Err(_) => false,
    }
}

fn small_decimal(hasher: PasswordHasher, s: &str) -> Result<u32, DigestError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(hasher, "expected a decimal number"));
    }
    // Anything that does not fit is over every bound anyway.
    s.parse()
        .map_err(|_| out_of_bounds(hasher, "parameter does not fit in 32 bits".into()))
}

pub(super) struct Firebase {
    hash: Vec<u8>,
    salt: Vec<u8>,
    signer_key: Vec<u8>,
    rounds: u32,
    mem_cost: u32,
}

pub(super) fn parse_firebase(digest: &str) -> Result<Firebase, DigestError> {
    let h = PasswordHasher::ScryptFirebase;
    let parts: Vec<&str> = digest.split('$').collect();
    let [hash, salt, signer_key, separator, rounds, mem_cost] = parts.as_slice() else {
        return Err(malformed(
            h,
            "expected <hash>$<salt>$<signer key>$<salt separator>$<rounds>$<mem cost>",
        ));
    };
    let decode = |s: &str, what: &'static str| {
        b64_decode(s)
            .filter(|v| v.len() <= MAX_FIELD_BYTES)
            .ok_or(malformed(h, what))
    };
    let hash = decode(hash, "hash is not valid base64")?;
    let mut salt = decode(salt, "salt is not valid base64")?;
    let signer_key = decode(signer_key, "signer key is not valid base64")?;
    let separator = decode(separator, "salt separator is not valid base64")?;
    if hash.len() < 16 || signer_key.len() != hash.len() {
        return Err(malformed(
            h,
            "hash must be at least 16 bytes and as long as the signer key",
        ));
    }
    let rounds = small_decimal(h, rounds)?;
    let mem_cost = small_decimal(h, mem_cost)?;
    check_params(h, mem_cost, rounds, 1)?;
    salt.extend_from_slice(&separator);
    Ok(Firebase {
        hash,
        salt,
        signer_key,
        rounds,
        mem_cost,
    })
}

impl Firebase {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        let mut derived = [0u8; 64];
        if !derive(
            self.mem_cost,
            self.rounds,
            1,
            password,
            &self.salt,
            &mut derived,
        ) {
            return false;
        }
        let mut block = self.signer_key.clone();
        let Ok(mut cipher) = Aes256Ctr::new_from_slices(&derived[..32], &[0u8; 16]) else {
            return false;
        };
        cipher.apply_keystream(&mut block);
        block.ct_eq(&self.hash).into()
    }
}

pub(super) struct Werkzeug {
    log_n: u32,
    r: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

pub(super) fn parse_werkzeug(digest: &str) -> Result<Werkzeug, DigestError> {
    let h = PasswordHasher::ScryptWerkzeug;
    let body = digest.strip_prefix('$').unwrap_or(digest);
    let (method, rest) = body
        .split_once('$')
        .ok_or(malformed(h, "expected scrypt:<N>:<r>:<p>$<salt>$<hash>"))?;
    let (salt, hash) = rest
        .rsplit_once('$')
        .ok_or(malformed(h, "expected scrypt:<N>:<r>:<p>$<salt>$<hash>"))?;

    let mut args = method.split(':');
    if args.next() != Some("scrypt") {
        return Err(malformed(h, "method must be scrypt"));
    }
    let args: Vec<&str> = args.collect();
    let (n, r, p) = match args.as_slice() {
        [] => (1u64 << 15, 8, 1),
        [n, r, p] => (
            u64::from(small_decimal(h, n)?),
            small_decimal(h, r)?,
            small_decimal(h, p)?,
        ),
        _ => return Err(malformed(h, "expected scrypt:<N>:<r>:<p>")),
    };
    if n < 2 || !n.is_power_of_two() {
        return Err(malformed(h, "N must be a power of two ≥ 2"));
    }
    let log_n = n.trailing_zeros();
    check_params(h, log_n, r, p)?;

    if salt.is_empty() || salt.len() > MAX_FIELD_BYTES {
        return Err(malformed(h, "salt must be 1 to 1024 bytes"));
    }
    let hash = if is_hex(hash) {
        hex_decode(hash)
    } else {
        b64_decode(hash)
    }
    .ok_or(malformed(h, "hash is neither hex nor base64"))?;
    if !(16..=MAX_FIELD_BYTES).contains(&hash.len()) {
        return Err(malformed(h, "hash must be 16 to 1024 bytes"));
    }
    Ok(Werkzeug {
        log_n,
        r,
        p,
        salt: salt.as_bytes().to_vec(),
        hash,
    })
}

impl Werkzeug {
    pub(super) fn verify(&self, password: &[u8]) -> bool {
        let mut out = vec![0u8; self.hash.len()];
        derive(self.log_n, self.r, self.p, password, &self.salt, &mut out)
            && bool::from(out.ct_eq(&self.hash))
    }
}
