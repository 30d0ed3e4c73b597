//! The bcrypt family: `bcrypt`, `bcrypt_sha256_django`, `bcrypt_peppered`.

use sha2::{Digest, Sha256};

use super::{malformed, out_of_bounds, DigestError, PasswordHasher};

/// Highest bcrypt cost an imported digest may carry: 2^16 rounds is ~4 s on one core, already
/// far above any real deployment (10-12); 2^31 would be days.
pub(crate) const MAX_COST: u32 = 16;
const MIN_COST: u32 = 4;

/// Django's `BCryptSHA256PasswordHasher` prefix (`algorithm = "bcrypt_sha256"`, then `$` and
/// the bcrypt string).
const DJANGO_PREFIX: &str = "bcrypt_sha256$";

pub(super) struct Bcrypt<'a> {
    hasher: PasswordHasher,
    /// The 60-character modular-crypt string `$2x$NN$<22 salt><31 hash>`.
    mcf: &'a str,
    /// Devise's pepper, appended to the password before bcrypt.
    pepper: &'a str,
}

/// Validates a 60-character bcrypt string: `$2a$`, `$2b$` or `$2y$`, a two-digit cost in
/// 4..=[`MAX_COST`], 53 characters of bcrypt's base64 (22 salt, 31 hash).
pub(crate) fn check_mcf(hasher: PasswordHasher, s: &str) -> Result<(), DigestError> {
    let b = s.as_bytes();
    if b.len() != 60 {
        return Err(malformed(hasher, "a bcrypt string is 60 characters"));
    }
    if !(b[0] == b'$' && b[1] == b'2' && matches!(b[2], b'a' | b'b' | b'y') && b[3] == b'$') {
        return Err(malformed(hasher, "expected a $2a$, $2b$ or $2y$ prefix"));
    }
    if !(b[4].is_ascii_digit() && b[5].is_ascii_digit() && b[6] == b'$') {
        return Err(malformed(hasher, "expected a two-digit cost"));
    }
    let cost = u32::from(b[4] - b'0') * 10 + u32::from(b[5] - b'0');
    if cost < MIN_COST {
        return Err(malformed(hasher, "bcrypt cost must be at least 4"));
    }
    if cost > MAX_COST {
        return Err(out_of_bounds(
            hasher,
            format!("bcrypt cost {cost} exceeds {MAX_COST}"),
        ));
    }
    if !b[7..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
    {
        return Err(malformed(
            hasher,
            "salt and hash must use bcrypt's base64 alphabet",
        ));
    }
    // The `bcrypt` crate decodes strictly (unused low bits must be zero); check the same way
    // here so a digest accepted at import cannot fail at sign-in.
    use base64::Engine;
    let salt = ::bcrypt::BASE_64.decode(&s[7..29]);
    let hash = ::bcrypt::BASE_64.decode(&s[29..]);
    if !matches!((salt, hash), (Ok(salt), Ok(hash)) if salt.len() == 16 && hash.len() == 23) {
        return Err(malformed(hasher, "non-canonical bcrypt base64"));
    }
    Ok(())
}

pub(super) fn parse(hasher: PasswordHasher, digest: &str) -> Result<Bcrypt<'_>, DigestError> {
    let (mcf, pepper) = match hasher {
        PasswordHasher::Bcrypt => (digest, ""),
        PasswordHasher::BcryptSha256Django => {
            let rest = digest
                .strip_prefix(DJANGO_PREFIX)
                .ok_or(malformed(hasher, "expected a bcrypt_sha256$ prefix"))?;
            (rest, "")
        }
        PasswordHasher::BcryptPeppered => {
            // `$2a$10$<53>$<pepper>`: the bcrypt part is fixed-length, the pepper is the rest.
            if digest.len() < 61 || !digest.is_char_boundary(60) {
                return Err(malformed(hasher, "expected <bcrypt>$<pepper>"));
            }
            let (mcf, rest) = digest.split_at(60);
            let pepper = rest
                .strip_prefix('$')
                .ok_or(malformed(hasher, "expected <bcrypt>$<pepper>"))?;
            (mcf, pepper)
        }
        _ => unreachable!("bcrypt::parse called for {hasher}"),
    };
    check_mcf(hasher, mcf)?;
    Ok(Bcrypt {
        hasher,
        mcf,
        pepper,
    })
}

impl Bcrypt<'_> {
    pub(super) fn verify(&self, password: &[u8]) -> Result<bool, DigestError> {
        // The `bcrypt` crate compares with `subtle` internally. It truncates at 72 bytes like
        // every reference implementation (OpenBSD, PHP, Python, Ruby), which imported digests
        // need.
        let outcome = match self.hasher {
            PasswordHasher::BcryptSha256Django => {
                // Django: bcrypt(hexlify(sha256(password))) — lowercase hex, 64 bytes.
                let prehash = hex::encode(Sha256::digest(password));
                ::bcrypt::verify(prehash.as_bytes(), self.mcf)
            }
            PasswordHasher::BcryptPeppered => {
                let mut peppered = Vec::with_capacity(password.len() + self.pepper.len());
                peppered.extend_from_slice(password);
                peppered.extend_from_slice(self.pepper.as_bytes());
                ::bcrypt::verify(&peppered, self.mcf)
            }
            _ => ::bcrypt::verify(password, self.mcf),
        };
        outcome.map_err(|_| malformed(self.hasher, "bcrypt rejected the salt or hash encoding"))
    }
}
