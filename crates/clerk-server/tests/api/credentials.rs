//! Passwords, TOTP, backup codes, MFA removal, lockout, ban and lock, over HTTP.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use crate::support::TestServer;

fn id(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

/// RFC 4226/6238 HOTP written here from the RFC, independent of the server's implementation.
pub(crate) fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    format!(
        "{:0width$}",
        bin % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The RFC 6238 SHA1 seed, and its base32 form.
pub(crate) const RFC_SECRET: &[u8] = b"12345678901234567890";
pub(crate) const RFC_SECRET_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#[test]
fn the_test_hotp_matches_rfc_6238_vectors() {
    // RFC 6238 Appendix B, SHA1, 8 digits.
    for (time, code) in [
        (59u64, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (20000000000, "65353130"),
    ] {
        assert_eq!(hotp(RFC_SECRET, time / 30, 8), code);
    }
}

fn code_at_offset(steps: i64) -> String {
    let step = chrono::Utc::now().timestamp() / 30 + steps;
    hotp(RFC_SECRET, step as u64, 6)
}

async fn verify_password(s: TestServer) {
    let u = s
        .create_user(json!({"password": "correct horse battery"}))
        .await;
    let path = format!("/users/{}/verify_password", id(&u));
    assert_eq!(
        s.post(&path, json!({"password": "correct horse battery"}))
            .await
            .ok(),
        json!({"verified": true})
    );
    s.post(&path, json!({"password": "wrong horse"}))
        .await
        .form_err("incorrect_password", "password");
    s.post(&path, json!({}))
        .await
        .form_err("form_param_missing", "password");
    s.post(
        "/users/user_missing/verify_password",
        json!({"password": "x"}),
    )
    .await
    .err(404, "resource_not_found");
    let nopw = s.create_user(json!({})).await;
    s.post(
        &format!("/users/{}/verify_password", id(&nopw)),
        json!({"password": "anything"}),
    )
    .await
    .err(400, "no_password_set");
}

/// Every hasher's fixture digests (made by reference implementations, see
/// tests/fixtures/passwords/README.md) import, verify, refuse a wrong password, and are
/// re-hashed to bcrypt after the first success.
async fn imported_digests_verify_and_rehash(s: TestServer) {
    let fixtures: Vec<Value> =
        serde_json::from_str(include_str!("../fixtures/passwords/digests.json")).unwrap();
    for f in &fixtures {
        let hasher = f["hasher"].as_str().unwrap();
        let u = s
            .create_user(json!({"password_digest": f["digest"], "password_hasher": hasher}))
            .await;
        assert_eq!(u["password_enabled"], true);
        let path = format!("/users/{}/verify_password", id(&u));
        s.post(&path, json!({"password": f["wrong_password"]}))
            .await
            .form_err("incorrect_password", "password");
        let ok = s.post(&path, json!({"password": f["password"]})).await;
        assert_eq!(ok.status, 200, "{hasher} {}: {}", f["source"], ok.body);
        let stored = s
            .sql_text(&format!(
                "SELECT password_hasher FROM users WHERE id = '{}'",
                id(&u)
            ))
            .await;
        assert_eq!(
            stored.as_deref(),
            Some("bcrypt"),
            "{hasher} re-hashed to bcrypt"
        );
        assert_eq!(
            s.post(&path, json!({"password": f["password"]})).await.ok(),
            json!({"verified": true})
        );
    }
    s.post(
        "/users",
        json!({"password_digest": "abc", "password_hasher": "rot13"}),
    )
    .await
    .form_err("form_param_value_invalid", "password_hasher");
    s.post("/users", json!({"password_digest": "$2b$31$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZab", "password_hasher": "bcrypt"}))
        .await
        .form_err("form_password_digest_invalid_code", "password_digest");
}

async fn lockout_after_failed_checks(s: TestServer) {
    let u = s
        .create_user(json!({"password": "correct horse battery"}))
        .await;
    assert_eq!(u["verification_attempts_remaining"], 5);
    let path = format!("/users/{}/verify_password", id(&u));
    for remaining in (1..=4).rev() {
        s.post(&path, json!({"password": "nope nope"}))
            .await
            .form_err("incorrect_password", "password");
        let now = s.get(&format!("/users/{}", id(&u))).await.ok();
        assert_eq!(now["verification_attempts_remaining"], remaining);
        assert_eq!(now["locked"], false);
    }
    s.post(&path, json!({"password": "nope nope"}))
        .await
        .form_err("incorrect_password", "password");
    let locked = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(locked["locked"], true);
    assert_eq!(locked["verification_attempts_remaining"], 0);
    assert!(locked["lockout_expires_in_seconds"].as_i64().unwrap() > 3500);
    // Even the right password is refused while locked.
    s.post(&path, json!({"password": "correct horse battery"}))
        .await
        .err(403, "user_locked");
    let unlocked = s
        .post(&format!("/users/{}/unlock", id(&u)), json!({}))
        .await
        .ok();
    assert_eq!(unlocked["locked"], false);
    assert_eq!(unlocked["verification_attempts_remaining"], 5);
    assert_eq!(
        s.post(&path, json!({"password": "correct horse battery"}))
            .await
            .ok(),
        json!({"verified": true})
    );
}

async fn lock_and_ban(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let base = format!("/users/{}", id(&u));
    let v = s.post(&format!("{base}/lock"), json!({})).await.ok();
    assert_eq!(v["locked"], true);
    assert!(v["lockout_expires_in_seconds"].as_i64().unwrap() > 3500);
    let v = s.post(&format!("{base}/unlock"), json!({})).await.ok();
    assert_eq!(v["locked"], false);
    assert_eq!(v["lockout_expires_in_seconds"], Value::Null);
    let v = s.post(&format!("{base}/ban"), json!({})).await.ok();
    assert_eq!(v["banned"], true);
    assert_eq!(s.count("banned=true").await, 1);
    let v = s.post(&format!("{base}/unban"), json!({})).await.ok();
    assert_eq!(v["banned"], false);
    s.post("/users/user_missing/ban", json!({}))
        .await
        .err(404, "resource_not_found");
    s.post("/users/user_missing/lock", json!({}))
        .await
        .err(404, "resource_not_found");

    let a = s.create_user(json!({})).await;
    let banned = s
        .post(
            "/users/ban",
            json!({"user_ids": [id(&a), id(&u), "user_missing"]}),
        )
        .await
        .ok();
    assert_eq!(crate::support::ids(&banned), vec![id(&a), id(&u)]);
    assert!(banned
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["banned"] == true));
    assert_eq!(s.count("banned=true").await, 2);
    let unbanned = s
        .post("/users/unban", json!({"user_ids": [id(&a)]}))
        .await
        .ok();
    assert_eq!(unbanned[0]["banned"], false);
    let too_many: Vec<String> = (0..51).map(|i| format!("user_{i}")).collect();
    s.post("/users/ban", json!({"user_ids": too_many}))
        .await
        .err(400, "bulk_size_exceeded");
    s.post("/users/ban", json!({"user_ids": []}))
        .await
        .form_err("form_param_missing", "user_ids");
    assert_eq!(s.count("banned=true").await, 1);
}

async fn totp_codes(s: TestServer) {
    s.post("/users", json!({"totp_secret": "not base32!"}))
        .await
        .form_err("invalid_totp_secret_code", "totp_secret");
    let u = s.create_user(json!({"totp_secret": RFC_SECRET_B32})).await;
    assert_eq!(u["totp_enabled"], true);
    assert_eq!(u["two_factor_enabled"], true);
    assert!(u["mfa_enabled_at"].as_i64().is_some());
    let path = format!("/users/{}/verify_totp", id(&u));
    s.post(&path, json!({"code": "12345"}))
        .await
        .form_err("totp_invalid_length", "code");
    // The previous step is accepted (clock skew)...
    let v = s
        .post(&path, json!({"code": code_at_offset(-1)}))
        .await
        .ok();
    assert_eq!(v, json!({"verified": true, "code_type": "totp"}));
    // ...but the same step is not accepted twice.
    s.post(&path, json!({"code": code_at_offset(-1)}))
        .await
        .form_err("totp_incorrect_code", "code");
    // The next step is accepted too, and then nothing at or before it.
    let v = s.post(&path, json!({"code": code_at_offset(1)})).await.ok();
    assert_eq!(v["verified"], true);
    s.post(&path, json!({"code": code_at_offset(0)}))
        .await
        .form_err("totp_incorrect_code", "code");
    // Two steps away is out of the window.
    let other = s.create_user(json!({"totp_secret": RFC_SECRET_B32})).await;
    let other_path = format!("/users/{}/verify_totp", id(&other));
    s.post(&other_path, json!({"code": code_at_offset(-3)}))
        .await
        .form_err("totp_incorrect_code", "code");
    s.post(&other_path, json!({"code": code_at_offset(3)}))
        .await
        .form_err("totp_incorrect_code", "code");
    assert_eq!(
        s.post(&other_path, json!({"code": code_at_offset(0)}))
            .await
            .ok()["verified"],
        true
    );
    let nototp = s.create_user(json!({})).await;
    s.post(
        &format!("/users/{}/verify_totp", id(&nototp)),
        json!({"code": "123456"}),
    )
    .await
    .err(400, "totp_disabled");
    let stored = s
        .sql_text(&format!(
            "SELECT totp_secret FROM users WHERE id = '{}'",
            id(&u)
        ))
        .await
        .unwrap();
    assert!(
        !stored.contains(RFC_SECRET_B32),
        "the secret is stored sealed, not in the clear"
    );
}

async fn backup_codes(s: TestServer) {
    // A bcrypt-hashed code (Python's bcrypt package) and a plain one.
    let bcrypt_code = "$2b$04$lxKuea95E.V2llY4/uicJewizUNwOZrCvy65e8Rtnhu4g6cbPAJii"; // "password"
    let u = s
        .create_user(json!({"backup_codes": ["abcd-1234", bcrypt_code]}))
        .await;
    assert_eq!(u["backup_code_enabled"], true);
    assert_eq!(u["totp_enabled"], false);
    assert_eq!(u["two_factor_enabled"], true);
    let path = format!("/users/{}/verify_totp", id(&u));
    let v = s.post(&path, json!({"code": "abcd-1234"})).await.ok();
    assert_eq!(v, json!({"verified": true, "code_type": "backup_code"}));
    s.post(&path, json!({"code": "abcd-1234"}))
        .await
        .form_err("totp_incorrect_code", "code");
    let v = s.post(&path, json!({"code": "password"})).await.ok();
    assert_eq!(v["code_type"], "backup_code");
    // All codes used: no second factor left.
    let after = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(after["backup_code_enabled"], false);
    assert!(after["mfa_disabled_at"].as_i64().is_some());
}

async fn totp_endpoints_and_mfa_removal(s: TestServer) {
    let u = s.create_user(json!({"backup_codes": ["zzzz-9999"]})).await;
    let base = format!("/users/{}", id(&u));
    let totp = s
        .send_outside_spec(s.req(reqwest::Method::POST, &format!("{base}/totp")))
        .await;
    assert_eq!(totp.status, 200, "{}", totp.body);
    let totp = totp.body;
    assert_eq!(totp["object"], "totp");
    assert!(totp["id"].as_str().unwrap().starts_with("totp_"));
    assert_eq!(totp["backup_codes"], Value::Null);
    assert!(totp["created_at"].as_i64().is_some() && totp["updated_at"].as_i64().is_some());
    assert_eq!(totp["verified"], true);
    let secret = totp["secret"].as_str().unwrap();
    assert!(totp["uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(totp["uri"].as_str().unwrap().contains(secret));
    let bytes = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let code = hotp(&bytes, (chrono::Utc::now().timestamp() / 30) as u64, 6);
    assert_eq!(
        s.post(&format!("{base}/verify_totp"), json!({"code": code}))
            .await
            .ok()["verified"],
        true
    );

    assert_eq!(
        s.delete(&format!("{base}/totp")).await.ok(),
        json!({"user_id": id(&u)})
    );
    let v = s.get(&base).await.ok();
    assert_eq!(
        (v["totp_enabled"].clone(), v["backup_code_enabled"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(
        s.delete(&format!("{base}/backup_code")).await.ok(),
        json!({"user_id": id(&u)})
    );
    let v = s.get(&base).await.ok();
    assert_eq!(v["two_factor_enabled"], false);
    assert!(v["mfa_disabled_at"].as_i64().is_some());
    let enabled_at = v["mfa_enabled_at"].clone();
    assert!(
        enabled_at.as_i64().is_some(),
        "mfa_enabled_at is kept after MFA is disabled"
    );

    s.patch(
        &base,
        json!({"totp_secret": RFC_SECRET_B32, "backup_codes": ["q1w2e3r4"]}),
    )
    .await
    .ok();
    assert_eq!(
        s.delete(&format!("{base}/mfa")).await.ok(),
        json!({"user_id": id(&u)})
    );
    let v = s.get(&base).await.ok();
    assert_eq!(
        (v["totp_enabled"].clone(), v["backup_code_enabled"].clone()),
        (json!(false), json!(false))
    );
    for path in ["mfa", "totp", "backup_code"] {
        s.delete(&format!("/users/user_missing/{path}"))
            .await
            .err(404, "resource_not_found");
    }
}

async fn password_removal_and_compromise(s: TestServer) {
    let u = s
        .create_user(json!({"password": "correct horse battery"}))
        .await;
    let base = format!("/users/{}", id(&u));
    let v = s
        .post(
            &format!("{base}/password/set_compromised"),
            json!({"revoke_all_sessions": true}),
        )
        .await
        .ok();
    assert_eq!(v["password_enabled"], true);
    s.send(s.req(
        reqwest::Method::POST,
        &format!("{base}/password/unset_compromised"),
    ))
    .await
    .ok();
    let v = s
        .post(
            &format!("{base}/remove_password"),
            json!({"sign_out_of_other_sessions": false}),
        )
        .await
        .ok();
    assert_eq!(v["password_enabled"], false);
    s.post(
        &format!("{base}/verify_password"),
        json!({"password": "correct horse battery"}),
    )
    .await
    .err(400, "no_password_set");
    // Removing again leaves the user as it is.
    let again = s
        .post(&format!("{base}/remove_password"), json!({}))
        .await
        .ok();
    assert_eq!(again["updated_at"], v["updated_at"]);
    s.post(&format!("{base}/password/set_compromised"), json!({}))
        .await
        .err(400, "no_password_set");
    s.post("/users/user_missing/remove_password", json!({}))
        .await
        .err(404, "resource_not_found");
}

crate::on_both_stores!(
    verify_password,
    imported_digests_verify_and_rehash,
    lockout_after_failed_checks,
    lock_and_ban,
    totp_codes,
    backup_codes,
    totp_endpoints_and_mfa_removal,
    password_removal_and_compromise,
);
