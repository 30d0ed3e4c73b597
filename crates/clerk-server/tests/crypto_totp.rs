//! TOTP against the RFC test vectors (RFC 4226 Appendix D, RFC 6238 Appendix B, SHA1).

use clerk_server::crypto::totp::{
    code_at, hotp, otpauth_uri, step_at, validate_secret, verify, verify_after,
};

/// The RFC 4226 / RFC 6238 SHA1 seed: ASCII "12345678901234567890".
const SEED: &[u8] = b"12345678901234567890";

#[test]
fn rfc4226_hotp_vectors() {
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(hotp(SEED, counter as u64, 6), *code, "counter {counter}");
    }
}

/// RFC 6238 Appendix B, SHA1 column: (unix time, 8-digit TOTP).
const RFC6238_SHA1: [(u64, &str); 6] = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
];

#[test]
fn rfc6238_sha1_vectors_8_digits() {
    for (t, code) in RFC6238_SHA1 {
        assert_eq!(hotp(SEED, step_at(t), 8), code, "t={t}");
    }
}

#[test]
fn rfc6238_sha1_vectors_6_digits() {
    // Same truncated integer, mod 10^6: the last six digits of the 8-digit vectors.
    for (t, code8) in RFC6238_SHA1 {
        let code6 = &code8[2..];
        assert_eq!(code_at(SEED, t), code6, "t={t}");
        assert_eq!(verify(SEED, code6, t), Some(step_at(t)), "t={t}");
    }
}

#[test]
fn window_is_plus_minus_one_step() {
    let t = 1_234_567_890;
    let step = step_at(t);
    let code = code_at(SEED, t);
    assert_eq!(verify(SEED, &code, t), Some(step));
    assert_eq!(verify(SEED, &code, t + 30), Some(step));
    assert_eq!(verify(SEED, &code, t - 30), Some(step));
    assert_eq!(verify(SEED, &code, t + 60), None);
    assert_eq!(verify(SEED, &code, t - 60), None);
}

#[test]
fn replay_of_an_accepted_step_is_refused() {
    let t = 2_000_000_000;
    let code = code_at(SEED, t);
    let step = verify_after(SEED, &code, t, None).expect("fresh code");
    assert_eq!(verify_after(SEED, &code, t, Some(step)), None);
    assert_eq!(verify_after(SEED, &code, t + 30, Some(step)), None);
    // The next step's code is still good.
    let next = code_at(SEED, t + 30);
    assert_eq!(
        verify_after(SEED, &next, t + 30, Some(step)),
        Some(step + 1)
    );
}

#[test]
fn malformed_codes_are_refused() {
    let t = 59;
    for code in [
        "",
        "12345",
        "1234567",
        "28708a",
        " 87082",
        "８７０８２８",
        "-87082",
    ] {
        assert_eq!(verify(SEED, code, t), None, "{code:?}");
    }
    // Step 0 has no previous step; must not underflow.
    assert_eq!(verify(SEED, &code_at(SEED, 0), 0), Some(0));
}

#[test]
fn secret_validation_and_uri() {
    // "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" is the base32 of the RFC seed.
    let b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(validate_secret(b32).unwrap(), SEED);
    assert_eq!(validate_secret(&b32.to_lowercase()).unwrap(), SEED);
    assert!(validate_secret("GEZDGNBVGY3TQOJQ1").is_err());
    let uri = otpauth_uri(b32, "ada@example.com", "Example");
    assert!(uri.starts_with("otpauth://totp/Example:ada%40example.com?secret=GEZDGNBV"));
    assert!(uri.contains("algorithm=SHA1&digits=6&period=30"));
}

#[derive(serde::Deserialize)]
struct ReferenceCode {
    secret: String,
    time: u64,
    code: String,
    source: String,
}

#[test]
fn codes_from_passlib_totp() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/passwords/totp_codes.json"
    );
    let codes: Vec<ReferenceCode> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(!codes.is_empty());
    for c in codes {
        let secret = validate_secret(&c.secret).unwrap();
        assert_eq!(
            code_at(&secret, c.time),
            c.code,
            "{} {}",
            c.source,
            c.secret
        );
        assert_eq!(verify(&secret, &c.code, c.time), Some(step_at(c.time)));
    }
}
