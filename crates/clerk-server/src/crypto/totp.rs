//! RFC 6238 TOTP with the only settings Clerk supports: HMAC-SHA1, 30-second steps, 6 digits,
//! secrets in base32 (RFC 4648).
//!
//! Hand-rolled on `hmac` + `sha1` (HOTP's dynamic truncation is a dozen lines), so the
//! exact acceptance window and the returned time step are ours: [`verify`] returns the step that
//! matched, and the server refuses a step at or below the last one it accepted for that user
//! ([`verify_after`]), which makes a code single-use across the ±1-step window.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Seconds per time step.
pub const PERIOD: u64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Steps accepted on either side of the current one (clock drift, slow typing).
pub const SKEW_STEPS: u64 = 1;
/// Random bytes in a generated secret (160 bits, the shared-secret length HOTP recommends).
pub const SECRET_BYTES: usize = 20;
/// Longest secret accepted at import, in decoded bytes.
pub const MAX_SECRET_BYTES: usize = 128;

/// A `totp_secret` that is not base32 → 422 `invalid_totp_secret_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("TOTP secret must be a non-empty base32 string of at most {MAX_SECRET_BYTES} bytes")]
pub struct InvalidTotpSecret;

/// A fresh random secret, base32 without padding (32 characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// Decodes a base32 secret as authenticator apps and exporters write it: either case, spaces
/// and hyphens between groups ignored, `=` padding optional.
pub fn validate_secret(secret_b32: &str) -> Result<Vec<u8>, InvalidTotpSecret> {
    if secret_b32.len() > MAX_SECRET_BYTES * 2 {
        return Err(InvalidTotpSecret);
    }
    let cleaned: String = secret_b32
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let cleaned = cleaned.trim_end_matches('=');
    let bytes = BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .map_err(|_| InvalidTotpSecret)?;
    if bytes.is_empty() || bytes.len() > MAX_SECRET_BYTES {
        return Err(InvalidTotpSecret);
    }
    Ok(bytes)
}

/// RFC 4226 HOTP: HMAC-SHA1 of the big-endian counter, dynamic truncation, `digits` decimal
/// digits zero-padded. `digits` must be 1..=9.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    assert!((1..=9).contains(&digits), "HOTP digits must be 1..=9");
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    let code = bin % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The time step containing `unix_secs`.
pub fn step_at(unix_secs: u64) -> u64 {
    unix_secs / PERIOD
}

/// The 6-digit code for the step containing `unix_secs`.
pub fn code_at(secret: &[u8], unix_secs: u64) -> String {
    hotp(secret, step_at(unix_secs), DIGITS)
}

/// Checks `code` against the steps `now-1`, `now`, `now+1` (all three are always computed and
/// compared in constant time) and returns the matching step, preferring the current one.
/// `None` for a wrong code or one that is not exactly 6 ASCII digits.
pub fn verify(secret: &[u8], code: &str, now_secs: u64) -> Option<u64> {
    verify_after(secret, code, now_secs, None)
}

/// [`verify`] with replay protection: only a step strictly after `last_accepted_step` counts.
/// The caller stores the returned step as the user's new last accepted step (atomically, in the
/// database, so that several server nodes agree).
pub fn verify_after(
    secret: &[u8],
    code: &str,
    now_secs: u64,
    last_accepted_step: Option<u64>,
) -> Option<u64> {
    let now = step_at(now_secs);
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let candidates = [
        Some(now),
        now.checked_sub(SKEW_STEPS),
        now.checked_add(SKEW_STEPS),
    ];
    let mut matched = None;
    for step in candidates.into_iter().flatten() {
        let ok: bool = hotp(secret, step, DIGITS)
            .as_bytes()
            .ct_eq(code.as_bytes())
            .into();
        let fresh = last_accepted_step.is_none_or(|last| step > last);
        if ok && fresh && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// The `otpauth://` URI authenticator apps read from a QR code (Google Authenticator's Key Uri
/// Format): label `issuer:account`, parameters secret, issuer, algorithm, digits, period.
pub fn otpauth_uri(secret_b32: &str, account: &str, issuer: &str) -> String {
    let issuer_enc = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer_enc}:{account}?secret={secret}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        account = percent_encode(account),
        secret = percent_encode(secret_b32),
    )
}

/// RFC 3986 percent-encoding of everything but unreserved characters (so spaces are `%20`,
/// and `:`/`@` in names cannot break the label).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_round_trip() {
        let s = generate_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(validate_secret(&s).unwrap().len(), SECRET_BYTES);
        assert_eq!(
            validate_secret("jbsw y3dp ehpk 3pxp").unwrap(),
            b"Hello!\xde\xad\xbe\xef"
        );
        assert_eq!(validate_secret("JBSWY3DPEHPK3PXP====").unwrap().len(), 10);
    }

    #[test]
    fn bad_secrets() {
        for s in [
            "",
            "====",
            "JBSWY3DPEHPK3PX1",
            "not base32!",
            "Ü",
            &"A".repeat(10_000),
        ] {
            assert_eq!(validate_secret(s), Err(InvalidTotpSecret), "{s:?}");
        }
    }

    #[test]
    fn uri_is_encoded() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "a b@c.d", "Acme Co");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Co:a%20b%40c.d?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30"
        );
    }
}
