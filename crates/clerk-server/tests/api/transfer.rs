//! Bulk import and full export (our extension routes, docs/import-export.md), over HTTP.

use serde_json::{json, Value};

use crate::credentials::{hotp, RFC_SECRET, RFC_SECRET_B32};
use crate::support::{now_ms, Backend, TestServer};

const HOUR_MS: i64 = 3_600_000;

/// A record with one of everything import can create.
fn full_record(password_digest: &str) -> Value {
    json!({
        "id": "user_imported0000000000000000001",
        "external_id": "legacy-42",
        "username": "ada_l",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "locale": "en-GB",
        "public_metadata": {"plan": "pro", "seats": 3},
        "private_metadata": {"crm": {"id": 7}},
        "unsafe_metadata": {"theme": "dark"},
        "email_addresses": [
            {"id": "idn_email_work", "email_address": "ada@work.example",
             "verification": {"status": "verified"}, "created_at": 1_600_000_000_000i64},
            {"id": "idn_email_home", "email_address": "Ada@Home.example", "reserved": false}
        ],
        "primary_email_address_id": "idn_email_home",
        "phone_numbers": [{"id": "idn_phone_1", "phone_number": "+15555550123"}],
        "web3_wallets": [{"web3_wallet": "0x52908400098527886E0F7030069857D2E4169EE7"}],
        "password_digest": password_digest,
        "password_hasher": "bcrypt",
        "totp_secret": RFC_SECRET_B32,
        "backup_codes": ["alpha-1111", "bravo-2222"],
        "external_accounts": [{
            "id": "eac_google_1",
            "provider": "oauth_google",
            "provider_user_id": "g-1001",
            "email_address": "ada@gmail.example",
            "first_name": "Ada",
            "last_name": "L",
            "avatar_url": "https://img.example/ada.png",
            "approved_scopes": "email profile",
            "public_metadata": {"hd": "example"},
            "label": "personal",
            "oauth_token": {"access_token": "at-old", "refresh_token": "rt-1",
                            "expires_at": now_ms() - HOUR_MS, "scopes": ["email", "profile"]}
        }],
        "passkeys": [{"id": "idn_passkey_1", "name": "YubiKey 5", "last_used_at": 1_650_000_000_000i64,
                      "created_at": 1_640_000_000_000i64}],
        "trusted_devices": [
            {"id": "td_phone", "platform": "ios", "app_identifier": "com.example.app",
             "name": "Ada's iPhone", "algorithm": "ES256"},
            {"id": "td_old", "platform": "android", "app_identifier": "com.example.app",
             "algorithm": "ES256", "status": "revoked", "revoked_at": 1_700_000_000_000i64}
        ],
        "banned": true,
        "created_at": 1_500_000_000_000i64,
        "updated_at": 1_550_000_000_000i64,
        "last_sign_in_at": 1_560_000_000_000i64,
        "last_active_at": 1_570_000_000_000i64,
        "legal_accepted_at": 1_510_000_000_000i64,
        "object": "user",
        "has_image": false
    })
}

fn bcrypt_of(password: &str) -> String {
    clerk_server::crypto::hash_bcrypt(password, 4)
}

async fn import(s: &TestServer, users: Value) -> Value {
    s.post_ext("/_ext/import/users", json!({ "users": users }))
        .await
        .ok()
}

async fn import_preserves_every_field(s: TestServer) {
    let digest = bcrypt_of("correct horse battery");
    let result = import(&s, json!([full_record(&digest)])).await;
    assert_eq!(result["object"], "import_result");
    assert_eq!(
        (&result["created"], &result["existing"], &result["failed"]),
        (&json!(1), &json!(0), &json!(0)),
        "{result}"
    );
    let id = "user_imported0000000000000000001";
    assert_eq!(result["results"][0]["id"], id);
    assert_eq!(result["results"][0]["status"], "created");

    let user = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(user["external_id"], "legacy-42");
    assert_eq!(user["username"], "ada_l");
    assert_eq!(user["locale"], "en-GB");
    assert_eq!(user["public_metadata"], json!({"plan": "pro", "seats": 3}));
    assert_eq!(user["private_metadata"], json!({"crm": {"id": 7}}));
    assert_eq!(user["primary_email_address_id"], "idn_email_home");
    assert_eq!(user["email_addresses"][0]["id"], "idn_email_work");
    assert_eq!(
        user["email_addresses"][0]["created_at"],
        1_600_000_000_000i64
    );
    assert_eq!(
        user["email_addresses"][1]["email_address"],
        "Ada@Home.example"
    );
    assert_eq!(user["phone_numbers"][0]["id"], "idn_phone_1");
    assert_eq!(user["primary_phone_number_id"], "idn_phone_1");
    assert!(user["web3_wallets"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("idn_"));
    assert_eq!(user["password_enabled"], true);
    assert_eq!(user["totp_enabled"], true);
    assert_eq!(user["backup_code_enabled"], true);
    assert_eq!(user["two_factor_enabled"], true);
    assert_eq!(user["banned"], true);
    assert_eq!(user["created_at"], 1_500_000_000_000i64);
    assert_eq!(user["updated_at"], 1_550_000_000_000i64);
    assert_eq!(user["last_sign_in_at"], 1_560_000_000_000i64);
    assert_eq!(user["legal_accepted_at"], 1_510_000_000_000i64);
    let account = &user["external_accounts"][0];
    assert_eq!(account["id"], "eac_google_1");
    assert_eq!(account["provider_user_id"], "g-1001");
    assert_eq!(account["email_address"], "ada@gmail.example");
    assert_eq!(account["approved_scopes"], "email profile");
    assert_eq!(account["public_metadata"], json!({"hd": "example"}));
    assert_eq!(account["label"], "personal");
    assert_eq!(user["passkeys"][0]["id"], "idn_passkey_1");
    assert_eq!(user["passkeys"][0]["name"], "YubiKey 5");
    assert_eq!(user["passkeys"][0]["last_used_at"], 1_650_000_000_000i64);

    // The identifications are searchable and unique like created ones.
    assert_eq!(s.list_ids("email_address=ada%40home.example").await, [id]);
    assert_eq!(s.list_ids("query=lovelace").await, [id]);
    assert_eq!(
        s.list_ids("provider=oauth_google&provider_user_id=g-1001")
            .await,
        [id]
    );
    s.post("/users", json!({"email_address": ["ada@work.example"]}))
        .await
        .form_err("form_identifier_exists", "email_address");

    // The credentials work.
    let checked = s
        .post(
            &format!("/users/{id}/verify_password"),
            json!({"password": "correct horse battery"}),
        )
        .await;
    assert_eq!(checked.ok()["verified"], true);
    let code = hotp(RFC_SECRET, (now_ms() / 1000 / 30) as u64, 6);
    let checked = s
        .post(&format!("/users/{id}/verify_totp"), json!({"code": code}))
        .await;
    assert_eq!(checked.ok()["code_type"], "totp");
    let checked = s
        .post(
            &format!("/users/{id}/verify_totp"),
            json!({"code": "bravo-2222"}),
        )
        .await;
    assert_eq!(checked.ok()["code_type"], "backup_code");

    // Only the active trusted device is listed.
    let devices = s.get(&format!("/users/{id}/trusted_devices")).await.ok();
    assert_eq!(devices["total_count"], 1);
    assert_eq!(devices["data"][0]["id"], "td_phone");

    // Secrets are sealed at rest.
    let sealed = s
        .sql_text("SELECT access_token FROM external_accounts WHERE id = 'eac_google_1'")
        .await
        .unwrap();
    assert!(!sealed.contains("at-old"), "{sealed}");
    let sealed = s
        .sql_text("SELECT totp_secret FROM users WHERE id = 'user_imported0000000000000000001'")
        .await
        .unwrap();
    assert!(!sealed.contains(RFC_SECRET_B32), "{sealed}");
}

async fn reimport_is_idempotent(s: TestServer) {
    let digest = bcrypt_of("pw-idempotent");
    let first = import(&s, json!([full_record(&digest)])).await;
    assert_eq!(first["created"], 1);
    let before = s.get("/users/user_imported0000000000000000001").await.ok();
    // The same id again, even with other values: nothing changes, nothing is duplicated.
    let mut changed = full_record(&digest);
    changed["first_name"] = json!("Changed");
    let again = import(&s, json!([changed, full_record(&digest)])).await;
    assert_eq!(
        (&again["created"], &again["existing"], &again["failed"]),
        (&json!(0), &json!(2), &json!(0)),
        "{again}"
    );
    assert_eq!(
        again["results"][1]["id"],
        "user_imported0000000000000000001"
    );
    let after = s.get("/users/user_imported0000000000000000001").await.ok();
    assert_eq!(before, after);
    assert_eq!(s.count("").await, 1);

    // Without an id, the external id names the user.
    let record = json!({"external_id": "ext-only", "email_addresses": [{"email_address": "ext@only.example"}]});
    let first = import(&s, json!([record.clone()])).await;
    assert_eq!(first["results"][0]["status"], "created");
    let again = import(&s, json!([record])).await;
    assert_eq!(again["results"][0]["status"], "exists");
    assert_eq!(again["results"][0]["id"], first["results"][0]["id"]);
    assert_eq!(s.count("").await, 2);
}

/// Each record stands alone: bad ones fail with Clerk's codes, good ones land, and a failed
/// record leaves nothing behind.
async fn failures_are_per_record(s: TestServer) {
    s.create_user(json!({"external_id": "taken-ext", "email_address": ["taken@x.example"]}))
        .await;
    import(
        &s,
        json!([{"email_addresses": [{"email_address": "owner@x.example"}],
                "external_accounts": [{"provider": "oauth_github", "provider_user_id": "gh-1"}]}]),
    )
    .await;
    let records = json!([
        {"email_addresses": [{"email_address": "good1@x.example"}]},
        {"email_addresses": [{"email_address": "TAKEN@x.example"}]},
        {"email_addresses": [{"email_address": "type@x.example"}], "first_name": 5},
        {"id": "usr-1", "email_addresses": [{"email_address": "badid@x.example"}]},
        {"email_addresses": [{"email_address": "digest@x.example"}],
         "password_digest": "not-a-bcrypt", "password_hasher": "bcrypt"},
        {"email_addresses": [{"id": "idn_a", "email_address": "prim@x.example"}],
         "primary_email_address_id": "idn_other"},
        // Its external account belongs to someone else: the whole record fails, its email
        // address is not left behind.
        {"email_addresses": [{"email_address": "clash@x.example"}],
         "external_accounts": [{"provider": "oauth_github", "provider_user_id": "gh-1"}]},
        // A new id with another user's external id (without an id, the record would be
        // taken for that user, already imported).
        {"id": "user_fresh1", "email_addresses": [{"email_address": "mail@x.example"}],
         "external_id": "taken-ext"},
        {"first_name": "No identifier"},
        "not an object",
        {"email_addresses": [{"email_address": "not an email"}]},
        {"email_addresses": [{"email_address": "good2@x.example"}],
         "trusted_devices": [{"platform": "ios", "algorithm": "ES256"}]},
        {"email_addresses": [{"email_address": "good3@x.example"}]}
    ]);
    let result = import(&s, records).await;
    let outcome: Vec<(String, String, String)> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_owned(),
                r["errors"][0]["code"].as_str().unwrap_or("").to_owned(),
                r["errors"][0]["meta"]["param_name"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    let expect = |status: &str, code: &str, param: &str| {
        (status.to_owned(), code.to_owned(), param.to_owned())
    };
    assert_eq!(
        outcome,
        vec![
            expect("created", "", ""),
            expect("failed", "form_identifier_exists", "email_address"),
            expect("failed", "form_param_type_invalid", "first_name"),
            expect("failed", "form_param_format_invalid", "id"),
            expect(
                "failed",
                "form_password_digest_invalid_code",
                "password_digest"
            ),
            expect(
                "failed",
                "form_param_value_invalid",
                "primary_email_address_id"
            ),
            expect("failed", "form_identifier_exists", "external_accounts"),
            expect("failed", "form_identifier_exists", "external_id"),
            expect("failed", "form_data_missing", "email_addresses"),
            expect("failed", "request_body_invalid", ""),
            expect("failed", "form_param_format_invalid", "email_address"),
            expect(
                "failed",
                "form_param_missing",
                "trusted_devices[0].app_identifier"
            ),
            expect("created", "", ""),
        ],
        "{result}"
    );
    assert_eq!(
        (&result["created"], &result["failed"]),
        (&json!(2), &json!(11))
    );
    // Two users before, two imported.
    assert_eq!(s.count("").await, 4);
    assert_eq!(s.count("email_address=clash%40x.example").await, 0);
}

/// A plain password (migration files may hold them) is stored as bcrypt.
async fn plain_passwords_are_hashed(s: TestServer) {
    let result = import(
        &s,
        json!([
            {"email_addresses": [{"email_address": "plain@x.example"}], "password": "short"},
            {"email_addresses": [{"email_address": "both@x.example"}], "password": "pw",
             "password_digest": bcrypt_of("pw"), "password_hasher": "bcrypt"},
            {"email_addresses": [{"email_address": "long@x.example"}], "password": "x".repeat(73)}
        ]),
    )
    .await;
    let codes: Vec<&str> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["errors"][0]["code"]
                .as_str()
                .unwrap_or(r["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        codes,
        [
            "created",
            "form_conditional_param_disallowed",
            "form_password_size_in_bytes_exceeded"
        ]
    );
    let id = result["results"][0]["id"].as_str().unwrap();
    let user = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(user["password_enabled"], true);
    let digest = s
        .sql_text(&format!(
            "SELECT password_digest FROM users WHERE id = '{id}'"
        ))
        .await
        .unwrap();
    assert!(digest.starts_with("$2"), "{digest}");
    let checked = s
        .post(
            &format!("/users/{id}/verify_password"),
            json!({"password": "short"}),
        )
        .await;
    assert_eq!(checked.ok()["verified"], true);
    assert_eq!(s.count("").await, 1);
}

async fn bad_requests_import_nothing(s: TestServer) {
    s.post_ext("/_ext/import/users", json!({"users": []}))
        .await
        .form_err("form_param_value_invalid", "users");
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"email_addresses": [{"email_address": format!("u{i}@x.example")}]}))
        .collect();
    let resp = s
        .post_ext("/_ext/import/users", json!({ "users": many }))
        .await;
    assert_eq!(
        resp.err(400, "bulk_size_exceeded").as_deref(),
        Some("users")
    );
    s.post_ext("/_ext/import/users", json!({"user": []}))
        .await
        .form_err("form_param_unknown", "user");
    let resp = s
        .send_outside_spec(
            s.req_without_key(reqwest::Method::POST, "/_ext/import/users")
                .json(&json!({"users": [{"username": "nokey"}]})),
        )
        .await;
    assert_eq!(resp.status, 401);
    assert_eq!(s.count("").await, 0);
}

/// Export walks every user once, page by page, with the secrets import needs.
async fn export_pages_and_secrets(s: TestServer) {
    let digest = bcrypt_of("exported pw");
    import(&s, json!([full_record(&digest)])).await;
    for i in 0..6 {
        s.create_user(json!({"email_address": [format!("page{i}@x.example")]}))
            .await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &after {
            Some(id) => format!("/_ext/export/users?limit=3&starting_after={id}"),
            None => "/_ext/export/users?limit=3".into(),
        };
        let page = s.get_export(&query).await.ok();
        pages += 1;
        let data = page["data"].as_array().unwrap();
        seen.extend(data.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        after = seen.last().cloned();
        if page["has_more"] == false {
            break;
        }
        assert!(pages < 10, "export does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    assert_eq!(seen[0], "user_imported0000000000000000001");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7);

    let first = s.get_export("/_ext/export/users?limit=1").await.ok();
    let record = &first["data"][0];
    assert_eq!(record["password_digest"], digest.as_str());
    assert_eq!(record["password_hasher"], "bcrypt");
    assert_eq!(record["totp_secret"], RFC_SECRET_B32);
    assert_eq!(record["backup_code_digests"].as_array().unwrap().len(), 2);
    assert_eq!(
        record["external_accounts"][0]["oauth_token"]["access_token"],
        "at-old"
    );
    assert_eq!(
        record["external_accounts"][0]["oauth_token"]["scopes"],
        json!(["email", "profile"])
    );
    assert_eq!(record["trusted_devices"].as_array().unwrap().len(), 2);

    s.get_export("/_ext/export/users?starting_after=user_missing")
        .await
        .form_err("form_resource_not_found", "starting_after");
    s.get_export("/_ext/export/users?limit=0")
        .await
        .form_err("form_param_value_invalid", "limit");
}

/// An exported record imported into another server gives the same user, field for field,
/// with the same credentials.
async fn export_then_import_elsewhere_is_identical(s: TestServer) {
    let digest = bcrypt_of("round trip pw");
    import(&s, json!([full_record(&digest)])).await;
    let original = s.get("/users/user_imported0000000000000000001").await.ok();
    let page = s.get_export("/_ext/export/users").await.ok();

    let other = TestServer::start(Backend::Sqlite).await;
    let result = import(&other, page["data"].clone()).await;
    assert_eq!(result["created"], 1, "{result}");
    let copy = other
        .get("/users/user_imported0000000000000000001")
        .await
        .ok();
    // Image URLs name each server's own address; everything else is equal.
    let strip = |mut u: Value| {
        u["image_url"] = Value::Null;
        u["profile_image_url"] = Value::Null;
        u
    };
    assert_eq!(strip(original), strip(copy));
    let checked = other
        .post(
            "/users/user_imported0000000000000000001/verify_password",
            json!({"password": "round trip pw"}),
        )
        .await;
    assert_eq!(checked.ok()["verified"], true);
    let again = other.get_export("/_ext/export/users").await.ok();
    assert_eq!(
        again["data"][0]["external_accounts"][0]["oauth_token"],
        page["data"][0]["external_accounts"][0]["oauth_token"]
    );
    assert_eq!(
        again["data"][0]["trusted_devices"],
        page["data"][0]["trusted_devices"]
    );
}

crate::on_both_stores!(
    import_preserves_every_field,
    reimport_is_idempotent,
    failures_are_per_record,
    plain_passwords_are_hashed,
    bad_requests_import_nothing,
    export_pages_and_secrets,
    export_then_import_elsewhere_is_identical,
);
