//! Password hashers against digests made by each format's reference implementation
//! (tests/fixtures/passwords/, see its README), and hostile digests that must be refused
//! without panicking or burning CPU.

use std::collections::HashSet;

use clerk_server::crypto::passwords::{
    check_digest, verify, DigestError, PasswordHasher, PasswordHasher as H,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    hasher: String,
    digest: String,
    password: String,
    wrong_password: String,
    source: String,
}

fn fixtures() -> Vec<Fixture> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/passwords/digests.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read digests.json"))
        .expect("parse digests.json")
}

#[test]
fn reference_digests_verify() {
    let fixtures = fixtures();
    let covered: HashSet<PasswordHasher> = fixtures
        .iter()
        .map(|f| f.hasher.parse().expect("known hasher"))
        .collect();
    for h in PasswordHasher::ALL {
        assert!(covered.contains(&h), "no reference digest for {h}");
    }
    // Some digests use their tool's default cost (Django: 10^6 PBKDF2 iterations), slow in a
    // debug build: spread them over the cores.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for t in 0..threads {
            let fixtures = &fixtures;
            scope.spawn(move || {
                for f in fixtures.iter().skip(t).step_by(threads) {
                    let hasher: PasswordHasher = f.hasher.parse().unwrap();
                    let ctx = format!("{} {} ({})", f.hasher, f.digest, f.source);
                    assert_eq!(check_digest(hasher, &f.digest), Ok(()), "{ctx}");
                    assert_eq!(verify(hasher, &f.digest, &f.password), Ok(true), "{ctx}");
                    assert_eq!(
                        verify(hasher, &f.digest, &f.wrong_password),
                        Ok(false),
                        "{ctx}"
                    );
                }
            });
        }
    });
}

#[test]
fn near_miss_passwords_fail() {
    // One fixture per hasher: the password with its last character dropped, and with a
    // trailing space, must not verify.
    let mut seen = HashSet::new();
    for f in fixtures() {
        let hasher: PasswordHasher = f.hasher.parse().unwrap();
        if !seen.insert(hasher) {
            continue;
        }
        let mut shorter = f.password.clone();
        shorter.pop();
        for pw in [shorter, format!("{} ", f.password), String::new()] {
            assert_eq!(
                verify(hasher, &f.digest, &pw),
                Ok(false),
                "{} {pw:?}",
                f.hasher
            );
        }
    }
}

fn assert_out_of_bounds(hasher: PasswordHasher, digest: &str) {
    match check_digest(hasher, digest) {
        Err(DigestError::CostOutOfBounds { .. }) => {}
        other => panic!("{hasher} {digest}: expected CostOutOfBounds, got {other:?}"),
    }
    // verify re-checks rather than trusting that check_digest ran first.
    assert!(
        verify(hasher, digest, "password").is_err(),
        "{hasher} {digest}"
    );
}

const BCRYPT_TAIL: &str = "abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234";

#[test]
fn over_bound_costs_are_refused() {
    for cost in ["17", "20", "31", "99"] {
        assert_out_of_bounds(H::Bcrypt, &format!("$2b${cost}${BCRYPT_TAIL}"));
        assert_out_of_bounds(
            H::BcryptSha256Django,
            &format!("bcrypt_sha256$$2b${cost}${BCRYPT_TAIL}"),
        );
        assert_out_of_bounds(
            H::BcryptPeppered,
            &format!("$2a${cost}${BCRYPT_TAIL}$pepper"),
        );
    }

    let h64 = "ab".repeat(32);
    let h128 = "ab".repeat(64);
    for iter in [
        "10000001",
        "4294967296",
        "99999999999999999999",
        "999999999999999999999999",
    ] {
        assert_out_of_bounds(
            H::Pbkdf2Sha256Django,
            &format!("pbkdf2_sha256${iter}$salt$q83vEjRWeJA="),
        );
        assert_out_of_bounds(H::Pbkdf2Sha1, &format!("pbkdf2_sha1${iter}$salt${h64}"));
        assert_out_of_bounds(
            H::Pbkdf2Sha512,
            &format!("pbkdf2_sha512${iter}$salt${h128}"),
        );
    }
    // Within the iteration bound, but 10^7 iterations × 2 output blocks is over the work bound.
    assert_out_of_bounds(
        H::Pbkdf2Sha512Hex,
        &format!("pbkdf2_sha512_hex$10000000$00ff${}", "ab".repeat(128)),
    );

    // phpass: 'K' is log2 = 22, 'z' is 63.
    for c in ['K', 'z'] {
        let d = format!("$P${c}12345678abcdefghijklmnopqrstuv");
        assert_out_of_bounds(H::Phpass, &d);
        assert_out_of_bounds(H::Md5Phpass, &d);
    }

    for method in [
        "scrypt:262144:8:1",
        "scrypt:131072:32:1",
        "scrypt:16384:8:1000",
        "scrypt:131072:16:2",
        "scrypt:4294967296:8:1",
        "scrypt:1099511627776:8:1",
        "scrypt:16384:99999999999:1",
    ] {
        assert_out_of_bounds(H::ScryptWerkzeug, &format!("{method}$salt${h64}"));
    }

    let b64_64 = "A".repeat(86) + "==";
    for (rounds, mem) in [
        ("8", "18"),
        ("8", "63"),
        ("17", "14"),
        ("99999999999", "14"),
        ("8", "4294967296"),
    ] {
        assert_out_of_bounds(
            H::ScryptFirebase,
            &format!("{b64_64}$c2FsdA==${b64_64}$Bw==${rounds}${mem}"),
        );
    }

    for params in [
        "m=262145,t=3,p=4",
        "m=4194304,t=1,p=1",
        "m=65536,t=11,p=4",
        "m=65536,t=3,p=17",
        "m=9999999999,t=3,p=4",
    ] {
        let tail = "c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
        assert_out_of_bounds(H::Argon2id, &format!("$argon2id$v=19${params}${tail}"));
        assert_out_of_bounds(H::Argon2i, &format!("$argon2i$v=19${params}${tail}"));
    }

    let hash = "A".repeat(86) + "==";
    for iter in ["1000001", "99999999999999999999"] {
        assert_out_of_bounds(
            H::Sha512Symfony,
            &format!("sha512_symfony${iter}$salt${hash}"),
        );
    }
}

#[test]
fn hostile_digests_are_malformed_not_panics() {
    let cases: &[(PasswordHasher, &str)] = &[
        (H::Bcrypt, "$2b$10$short"),
        // Non-canonical base64: the salt's last character has unused bits set.
        (
            H::Bcrypt,
            "$2b$04$2wxCWmNM.F.EGRdyiFYgs/BR.tJoOyF8r87pa//hN52fA1pjZFhtS",
        ),
        (
            H::Bcrypt,
            "$2c$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ),
        (
            H::Bcrypt,
            "$2b$1a$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ),
        (
            H::Bcrypt,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ0123!",
        ),
        (
            H::Bcrypt,
            "$2b$03$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ),
        (
            H::Bcrypt,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ0123é",
        ),
        (
            H::BcryptSha256Django,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ),
        (
            H::BcryptPeppered,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ),
        (
            H::BcryptPeppered,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ0123éé$p",
        ),
        (
            H::BcryptPeppered,
            "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234Xp",
        ),
        (H::Md5, "5f4dcc3b5aa765d61d8327deb882cf9"),
        (H::Md5, "5f4dcc3b5aa765d61d8327deb882cf9g"),
        (H::Md5, "5f4dcc3b5aa765d61d8327deb882cf99aa"),
        (H::Md5Salted, "5f4dcc3b5aa765d61d8327deb882cf99"),
        (H::Md5Salted, "salt$xyz"),
        (H::Sha256, "5f4dcc3b5aa765d61d8327deb882cf99"),
        (H::Sha256Salted, "salt$5f4dcc3b5aa765d61d8327deb882cf99"),
        (H::LdapSsha, "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="),
        (H::LdapSsha, "{SSHA}not base64!"),
        (H::LdapSsha, "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="),
        (H::LdapSsha, "{SSHA}"),
        (H::LdapSsha, "{SSH"),
        (H::LdapSsha, "{SSHé}abc"),
        (H::Pbkdf2Sha1, "pbkdf2_sha1$1000$salt$zz"),
        (H::Pbkdf2Sha1, "pbkdf2_sha1$1000$salt$abcd"),
        (
            H::Pbkdf2Sha1,
            "pbkdf2_sha1$-1$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::Pbkdf2Sha1,
            "pbkdf2_sha1$0$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::Pbkdf2Sha1,
            "pbkdf2_sha1$$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::Pbkdf2Sha1,
            "pbkdf2_sha1$1000$00ff$00112233445566778899aabbccddeeff$31",
        ),
        (
            H::Pbkdf2Sha1,
            "pbkdf2_sha1$1000$00ff$00112233445566778899aabbccddeeff$x",
        ),
        (H::Pbkdf2Sha1, "pbkdf2_sha1$1000$a$b$c$d"),
        (H::Pbkdf2Sha256, "pbkdf2_sha256$1000$!!!$q83vEjRWeJA="),
        (H::Pbkdf2Sha256, "pbkdf2_sha256$1000$c2FsdA==$!!!"),
        (
            H::Pbkdf2Sha256,
            "pbkdf2_sha1$1000$c2FsdA==$q83vEjRWeJBxq83vEjRWeJA=",
        ),
        (H::Pbkdf2Sha256Django, "pbkdf2_sha256$1000$salt"),
        (
            H::Pbkdf2Sha256Django,
            "pbkdf2_sha256$1e3$salt$q83vEjRWeJBxq83vEjRWeJA=",
        ),
        (H::Pbkdf2Sha512, "pbkdf2_sha512$1000$salt$q83vEjRWeJA="),
        (
            H::Pbkdf2Sha512Hex,
            "pbkdf2_sha512_hex$1000$nothex$00112233445566778899aabbccddeeff",
        ),
        (H::Phpass, "$P$912345678abcdefghijklmnopqrstu"),
        (H::Phpass, "$1$912345678abcdefghijklmnopqrstuv"),
        (H::Phpass, "$P$112345678abcdefghijklmnopqrstuv"),
        (H::Phpass, "$P$912345678abcdefghijklmnopqrstu!"),
        (H::Phpass, "$P$9123456éabcdefghijklmnopqrstuv"),
        (H::ScryptWerkzeug, "scrypt:16384:8:1$salt"),
        (
            H::ScryptWerkzeug,
            "scrypt:16385:8:1$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::ScryptWerkzeug,
            "scrypt:0:8:1$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::ScryptWerkzeug,
            "scrypt:16384:0:1$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::ScryptWerkzeug,
            "scrypt:16384:8$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::ScryptWerkzeug,
            "pbkdf2:sha256:1000$salt$00112233445566778899aabbccddeeff",
        ),
        (
            H::ScryptWerkzeug,
            "scrypt:16384:8:1$$00112233445566778899aabbccddeeff",
        ),
        (H::ScryptWerkzeug, "scrypt:16384:8:1$salt$!!"),
        (H::ScryptFirebase, "a$b$c$d$8$14"),
        (H::ScryptFirebase, "!!!$c2FsdA==$c2lnbmVy$Bw==$8$14"),
        (
            H::ScryptFirebase,
            "AAAAAAAAAAAAAAAAAAAAAA==$c2FsdA==$AAAA$Bw==$8$14",
        ),
        (
            H::ScryptFirebase,
            "AAAAAAAAAAAAAAAAAAAAAA==$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==$Bw==$0$14",
        ),
        (
            H::ScryptFirebase,
            "AAAAAAAAAAAAAAAAAAAAAA==$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==$Bw==$8$-1",
        ),
        (
            H::ScryptFirebase,
            "AAAAAAAAAAAAAAAAAAAAAA==$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==$Bw==$8",
        ),
        (
            H::Argon2id,
            "$argon2i$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2i,
            "$argon2id$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=18$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=2,p=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=2,p=2,x=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=8,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=0,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=2,p=2$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=1024,t=2,p=2$!!!$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (H::Argon2id, "$argon2id$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$"),
        (
            H::Argon2id,
            "argon2id$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (
            H::Argon2id,
            "$argon2id$v=19$m=,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ),
        (H::Sha512Symfony, "sha512_symfony$5000$salt$short"),
        (H::Sha512Symfony, "sha512_symfony$5000$sa{lt$AAAA"),
        (H::Sha512Symfony, "sha512_symfony$0$salt$AAAA"),
        (H::Sha512Symfony, "sha512$5000$salt$AAAA"),
        (H::Sha512Symfony, "sha512_symfony$x$salt$AAAA"),
    ];
    for (hasher, digest) in cases {
        match check_digest(*hasher, digest) {
            Err(DigestError::Malformed { .. }) => {}
            other => panic!("{hasher} {digest:?}: expected Malformed, got {other:?}"),
        }
        assert!(verify(*hasher, digest, "password").is_err());
    }
}

#[test]
fn generic_garbage_never_panics() {
    let mut garbage: Vec<String> = [
        "",
        "$",
        "$$$$$$$$",
        "\0",
        "{SSHA}====",
        "$2b$",
        "$argon2id$",
        "$P$",
        "scrypt:",
        "pbkdf2_sha256$",
        "bcrypt_sha256$",
        "sha512_symfony$",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    garbage.extend(["\u{1F4A5}".repeat(100), "A".repeat(5000), "=".repeat(64)]);
    for h in PasswordHasher::ALL {
        for g in &garbage {
            assert!(check_digest(h, g).is_err(), "{h} {g:?}");
            assert!(verify(h, g, "password").is_err(), "{h} {g:?}");
        }
    }
}

#[test]
fn digests_of_other_hashers_and_mutations_never_panic() {
    let fixtures = fixtures();
    // Every reference digest under every hasher name, every prefix and every one-character
    // corruption: parsing must hold up. Only parsing here, no hashing.
    for f in &fixtures {
        for h in PasswordHasher::ALL {
            let _ = check_digest(h, &f.digest);
        }
        // Every prefix and every one-character corruption: shape checks must hold up.
        let d = &f.digest;
        let own: PasswordHasher = f.hasher.parse().unwrap();
        for (i, _) in d.char_indices() {
            let _ = check_digest(own, &d[..i]);
            for replacement in ["$", "=", "é", "9"] {
                let mut mutated = d.clone();
                let end = i + d[i..].chars().next().unwrap().len_utf8();
                mutated.replace_range(i..end, replacement);
                let _ = check_digest(own, &mutated);
            }
        }
    }
}

#[test]
fn a_digest_that_passes_the_check_never_fails_verify() {
    // check_digest at import is the promise that verify at sign-in cannot error: corrupt one
    // character of each cheap reference digest, and wherever the check still passes, verify
    // must answer Ok (almost always Ok(false)).
    let cheap = |f: &Fixture| match f.hasher.as_str() {
        "md5" | "md5_salted" | "sha256" | "sha256_salted" | "ldap_ssha" | "phpass"
        | "md5_phpass" => true,
        "bcrypt" | "bcrypt_sha256_django" | "bcrypt_peppered" => {
            let start = f.digest.find("$2").unwrap();
            matches!(&f.digest[start + 4..start + 6], "04" | "05")
        }
        _ => false,
    };
    let mut checked = 0;
    for f in fixtures().iter().filter(|f| cheap(f)) {
        let own: PasswordHasher = f.hasher.parse().unwrap();
        let d = &f.digest;
        for (i, c) in d.char_indices() {
            for replacement in ["$", "A", "e", "9", "/"] {
                let mut mutated = d.clone();
                mutated.replace_range(i..i + c.len_utf8(), replacement);
                if check_digest(own, &mutated).is_ok() {
                    checked += 1;
                    assert!(
                        verify(own, &mutated, &f.password).is_ok(),
                        "{own} {mutated}"
                    );
                }
            }
        }
    }
    assert!(checked > 100);
}

#[test]
fn cross_hasher_verification_is_refused_or_false() {
    // A bcrypt digest is not a valid md5 digest, etc.: a wrong hasher name never verifies.
    for f in fixtures() {
        let own: PasswordHasher = f.hasher.parse().unwrap();
        for h in PasswordHasher::ALL {
            if h == own || check_digest(h, &f.digest).is_err() {
                continue;
            }
            // Same family with a compatible shape (e.g. phpass / md5_phpass, bcrypt digests
            // under bcrypt_peppered) may legitimately verify; nothing else should.
            let same_algorithm = matches!(
                (own, h),
                (H::Phpass, H::Md5Phpass)
                    | (H::Md5, H::Md5Phpass)
                    | (H::Md5Phpass, H::Md5)
                    | (H::Md5Phpass, H::Phpass)
                    | (H::Pbkdf2Sha256, H::Pbkdf2Sha256Django)
                    | (H::Pbkdf2Sha256Django, H::Pbkdf2Sha256)
                    | (H::Pbkdf2Sha512Hex, H::Pbkdf2Sha512)
                    | (H::Pbkdf2Sha512, H::Pbkdf2Sha512Hex)
                    | (H::Md5Salted, H::Sha256Salted)
                    | (H::Sha256Salted, H::Md5Salted)
            );
            if !same_algorithm {
                assert_eq!(
                    verify(h, &f.digest, &f.password),
                    Ok(false),
                    "{} digest accepted as {h}",
                    f.hasher
                );
            }
        }
    }
}
