//! `POST /users`.

use serde_json::json;

use crate::support::TestServer;

async fn creates_with_every_field(s: TestServer) {
    let u = s
        .create_user(json!({
            "external_id": "ext-1",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "locale": "en-GB",
            "email_address": ["Ada@Example.com", "ada2@example.com"],
            "phone_number": ["+15555550100", "+15555550101"],
            "web3_wallet": ["0x52908400098527886E0F7030069857D2E4169EE7"],
            "username": "ada_l",
            "password": "correct horse battery",
            "public_metadata": {"role": "admin", "nested": {"a": 1}},
            "private_metadata": {"secret": true},
            "unsafe_metadata": {"theme": "dark"},
            "delete_self_enabled": false,
            "create_organization_enabled": false,
            "create_organizations_limit": 3,
            "created_at": "2020-01-02T03:04:05.678Z",
            "legal_accepted_at": "2021-01-01T00:00:00Z",
            "bypass_client_trust": true,
            "banned": true,
            "locked": true
        }))
        .await;
    assert_eq!(u["object"], "user");
    assert_eq!(u["external_id"], "ext-1");
    assert_eq!(u["first_name"], "Ada");
    assert_eq!(u["last_name"], "Lovelace");
    assert_eq!(u["locale"], "en-GB");
    assert_eq!(u["username"], "ada_l");
    assert_eq!(
        u["public_metadata"],
        json!({"role": "admin", "nested": {"a": 1}})
    );
    assert_eq!(u["private_metadata"], json!({"secret": true}));
    assert_eq!(u["unsafe_metadata"], json!({"theme": "dark"}));
    assert_eq!(u["delete_self_enabled"], false);
    assert_eq!(u["create_organization_enabled"], false);
    assert_eq!(u["create_organizations_limit"], 3);
    assert_eq!(u["created_at"], 1_577_934_245_678i64);
    assert_eq!(u["legal_accepted_at"], 1_609_459_200_000i64);
    assert_eq!(u["bypass_client_trust"], true);
    assert_eq!(u["banned"], true);
    assert_eq!(u["locked"], true);
    let expires = u["lockout_expires_in_seconds"].as_i64().unwrap();
    assert!((3590..=3600).contains(&expires), "{expires}");
    assert_eq!(u["password_enabled"], true);
    assert!(u["password_last_updated_at"].as_i64().is_some());

    // Emails keep their spelling, are verified by `admin`, the first is primary.
    let emails = u["email_addresses"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0]["email_address"], "Ada@Example.com");
    assert_eq!(u["primary_email_address_id"], emails[0]["id"]);
    for e in emails {
        assert_eq!(e["reserved"], false);
        assert_eq!(e["verification"]["status"], "verified");
        assert_eq!(e["verification"]["strategy"], "admin");
    }
    let phones = u["phone_numbers"].as_array().unwrap();
    assert_eq!(phones.len(), 2);
    assert_eq!(u["primary_phone_number_id"], phones[0]["id"]);
    assert_eq!(phones[0]["phone_number"], "+15555550100");
    assert_eq!(phones[0]["verification"]["strategy"], "admin");
    let wallets = u["web3_wallets"].as_array().unwrap();
    assert_eq!(u["primary_web3_wallet_id"], wallets[0]["id"]);

    // What was created is what GET returns.
    let fetched = s
        .get(&format!("/users/{}", u["id"].as_str().unwrap()))
        .await
        .ok();
    assert_eq!(fetched, u);
}

async fn minimal_user_has_defaults(s: TestServer) {
    s.post("/users", json!({"first_name": "Nobody"}))
        .await
        .form_err("form_data_missing", "email_address");
    let u = s.create_user(json!({"username": "only_a_name"})).await;
    assert_eq!(u["email_addresses"], json!([]));
    assert_eq!(u["primary_email_address_id"], json!(null));
    assert_eq!(u["first_name"], json!(null));
    assert_eq!(u["public_metadata"], json!({}));
    assert_eq!(u["banned"], false);
    assert_eq!(u["locked"], false);
    assert_eq!(u["lockout_expires_in_seconds"], json!(null));
    assert_eq!(u["password_enabled"], false);
    assert_eq!(u["delete_self_enabled"], true);
    assert_eq!(u["create_organization_enabled"], true);
    let created = u["created_at"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    assert!(
        (now - created).abs() < 60_000,
        "created_at is in ms: {created}"
    );
}

async fn identification_status(s: TestServer) {
    let u = s
        .create_user(json!({
            "email_address": ["v@example.com", "r@example.com"],
            "email_address_identification_status": ["verified", "reserved"],
            "phone_number": ["+15555550111"],
            "phone_number_identification_status": ["reserved"]
        }))
        .await;
    let emails = &u["email_addresses"];
    assert_eq!(emails[0]["reserved"], false);
    assert_eq!(emails[0]["verification"]["status"], "verified");
    assert_eq!(emails[1]["reserved"], true);
    assert_eq!(emails[1]["verification"], json!(null));
    assert_eq!(u["phone_numbers"][0]["reserved"], true);

    // A reserved address is claimed: nobody else can take it.
    s.post("/users", json!({"email_address": ["R@example.com"]}))
        .await
        .form_err("form_identifier_exists", "email_address");
    s.post("/users", json!({"email_address": ["a@example.com", "b@example.com"], "email_address_identification_status": ["verified"]}))
        .await
        .form_err("form_param_value_invalid", "email_address_identification_status");
    s.post("/users", json!({"email_address": ["c@example.com"], "email_address_identification_status": ["unverified"]}))
        .await
        .form_err("form_param_value_invalid", "email_address_identification_status");
}

async fn identifiers_are_unique(s: TestServer) {
    s.create_user(json!({
        "email_address": ["taken@example.com"],
        "phone_number": ["+15555550123"],
        "web3_wallet": ["0x52908400098527886E0F7030069857D2E4169EE7"],
        "username": "taken_name",
        "external_id": "ext-taken"
    }))
    .await;
    for (body, param) in [
        (
            json!({"email_address": ["TAKEN@example.com"]}),
            "email_address",
        ),
        (json!({"phone_number": ["+15555550123"]}), "phone_number"),
        (
            json!({"web3_wallet": ["0x52908400098527886e0f7030069857d2e4169ee7"]}),
            "web3_wallet",
        ),
        (json!({"username": "Taken_Name"}), "username"),
        (
            json!({"external_id": "ext-taken", "username": "someone_else"}),
            "external_id",
        ),
    ] {
        s.post("/users", body)
            .await
            .form_err("form_identifier_exists", param);
    }
    s.post(
        "/users",
        json!({"email_address": ["d@example.com", "D@example.com"]}),
    )
    .await
    .form_err("form_param_duplicate", "email_address");
    assert_eq!(s.count("").await, 1, "failed creates left nothing behind");
}

async fn malformed_identifiers(s: TestServer) {
    for (body, param) in [
        (json!({"email_address": ["not-an-email"]}), "email_address"),
        (
            json!({"email_address": ["ok@example.com", "a@b"]}),
            "email_address",
        ),
        (json!({"phone_number": ["5555550100"]}), "phone_number"),
        (json!({"phone_number": ["+1 555 555"]}), "phone_number"),
        (json!({"web3_wallet": ["0x1234"]}), "web3_wallet"),
        (json!({"locale": "not a locale"}), "locale"),
    ] {
        s.post("/users", body)
            .await
            .form_err("form_param_format_invalid", param);
    }
    s.post("/users", json!({"username": "ab"}))
        .await
        .form_err("form_username_invalid_length", "username");
    s.post("/users", json!({"username": "has space"}))
        .await
        .form_err("form_username_invalid_character", "username");
    s.post("/users", json!({"created_at": "last tuesday"}))
        .await
        .form_err("form_param_invalid_time", "created_at");
    s.post("/users", json!({"legal_accepted_at": "2021-13-01"}))
        .await
        .form_err("form_param_invalid_time", "legal_accepted_at");
    s.post("/users", json!({"public_metadata": [1, 2]}))
        .await
        .form_err("form_param_value_invalid", "public_metadata");
    assert_eq!(s.count("").await, 0);
}

async fn password_rules(s: TestServer) {
    s.post("/users", json!({"password": "short"}))
        .await
        .form_err("form_password_length_too_short", "password");
    let u = s
        .create_user(json!({"password": "short", "skip_password_checks": true}))
        .await;
    assert_eq!(u["password_enabled"], true);
    s.post("/users", json!({"password": "é".repeat(37)}))
        .await
        .form_err("form_password_size_in_bytes_exceeded", "password");
    s.post(
        "/users",
        json!({"password": "x".repeat(73), "skip_password_checks": true}),
    )
    .await
    .form_err("form_password_size_in_bytes_exceeded", "password");
    s.post("/users", json!({"password_digest": "$2b$10$abc"}))
        .await
        .form_err("form_conditional_param_missing", "password_hasher");
    s.post(
        "/users",
        json!({"password_digest": "not a digest", "password_hasher": "bcrypt"}),
    )
    .await
    .form_err("form_password_digest_invalid_code", "password_digest");
    let imported = s
        .create_user(json!({
            // bcrypt("password", cost 4) made by Python's bcrypt package.
            "password_digest": "$2b$04$lxKuea95E.V2llY4/uicJewizUNwOZrCvy65e8Rtnhu4g6cbPAJii",
            "password_hasher": "bcrypt"
        }))
        .await;
    assert_eq!(imported["password_enabled"], true);
    assert_eq!(s.count("").await, 2);
}

crate::on_both_stores!(
    creates_with_every_field,
    minimal_user_has_defaults,
    identification_status,
    identifiers_are_unique,
    malformed_identifiers,
    password_rules,
);
