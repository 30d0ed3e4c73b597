//! Identifications and linked accounts: replace email / phone, delete web3 wallets, passkeys
//! and external accounts, trusted devices.

use serde_json::{json, Value};

use crate::support::TestServer;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

const W1: &str = "0x1111111111111111111111111111111111111111";
const W2: &str = "0x2222222222222222222222222222222222222222";

async fn replace_email_address(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["a@example.com", "b@example.com"]}))
        .await;
    let other = s
        .create_user(json!({"email_address": ["taken@example.com"]}))
        .await;
    let path = format!("/users/{}/email_address", id(&u));
    let e = s
        .put(&path, json!({"email_address": "New@Example.com"}))
        .await
        .ok();
    assert_eq!(e["object"], "email_address");
    assert_eq!(e["email_address"], "New@Example.com");
    assert_eq!(e["verification"]["strategy"], "admin");
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(
        user["email_addresses"].as_array().unwrap().len(),
        1,
        "replaces every address"
    );
    assert_eq!(user["primary_email_address_id"], e["id"]);
    assert_eq!(
        s.list_ids("email_address=a@example.com").await,
        Vec::<String>::new()
    );
    assert_eq!(
        s.list_ids("email_address=new@example.com").await,
        vec![id(&u)]
    );

    let r = s
        .put(
            &path,
            json!({"email_address": "res@example.com", "identification_status": "reserved"}),
        )
        .await
        .ok();
    assert_eq!(r["reserved"], true);
    let un = s
        .put(
            &path,
            json!({"email_address": "un@example.com", "identification_status": "unverified"}),
        )
        .await
        .ok();
    assert_eq!(un["verification"], Value::Null);
    s.put(&path, json!({"email_address": "TAKEN@example.com"}))
        .await
        .form_err("form_identifier_exists", "email_address");
    s.put(&path, json!({"email_address": "nope"}))
        .await
        .form_err("form_param_format_invalid", "email_address");
    s.put(&path, json!({}))
        .await
        .form_err("form_param_missing", "email_address");
    s.put(
        &path,
        json!({"email_address": "x@example.com", "identification_status": "lost"}),
    )
    .await
    .form_err("form_param_value_invalid", "identification_status");
    s.put(
        "/users/user_missing/email_address",
        json!({"email_address": "z@example.com"}),
    )
    .await
    .err(404, "resource_not_found");
    // The other user's address is untouched.
    assert_eq!(
        s.get(&format!("/users/{}", id(&other))).await.ok()["email_addresses"][0]["email_address"],
        "taken@example.com"
    );
}

async fn replace_phone_number(s: TestServer) {
    let u = s
        .create_user(json!({"phone_number": ["+15555550170"]}))
        .await;
    let path = format!("/users/{}/phone_number", id(&u));
    let p = s
        .put(&path, json!({"phone_number": "+15555550171"}))
        .await
        .ok();
    assert_eq!(p["object"], "phone_number");
    assert_eq!(p["phone_number"], "+15555550171");
    assert_eq!(p["reserved_for_second_factor"], false);
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["phone_numbers"].as_array().unwrap().len(), 1);
    assert_eq!(user["primary_phone_number_id"], p["id"]);
    s.put(&path, json!({"phone_number": "555"}))
        .await
        .form_err("form_param_format_invalid", "phone_number");
    // The previous number is free again.
    s.create_user(json!({"phone_number": ["+15555550170"]}))
        .await;
}

async fn delete_web3_wallet(s: TestServer) {
    let u = s.create_user(json!({"web3_wallet": [W1, W2]})).await;
    let other = s
        .create_user(json!({"web3_wallet": ["0x3333333333333333333333333333333333333333"]}))
        .await;
    let (first, second) = (id(&u["web3_wallets"][0]), id(&u["web3_wallets"][1]));
    assert_eq!(u["primary_web3_wallet_id"], first.as_str());
    let d = s
        .delete(&format!("/users/{}/web3_wallets/{first}", id(&u)))
        .await
        .ok();
    assert_eq!(
        d,
        json!({"object": "web3_wallet", "id": first, "deleted": true})
    );
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["web3_wallets"].as_array().unwrap().len(), 1);
    assert_eq!(
        user["primary_web3_wallet_id"],
        second.as_str(),
        "primary moves to the next wallet"
    );
    let d = s
        .delete(&format!("/users/{}/web3_wallets/{second}", id(&u)))
        .await
        .ok();
    assert_eq!(d["deleted"], true);
    assert_eq!(
        s.get(&format!("/users/{}", id(&u))).await.ok()["primary_web3_wallet_id"],
        Value::Null
    );
    // Someone else's wallet, an email id, an unknown id: 404.
    let foreign = id(&other["web3_wallets"][0]);
    s.delete(&format!("/users/{}/web3_wallets/{foreign}", id(&u)))
        .await
        .err(404, "resource_not_found");
    s.delete(&format!("/users/{}/web3_wallets/idn_missing", id(&u)))
        .await
        .err(404, "resource_not_found");
    s.delete(&format!("/users/user_missing/web3_wallets/{foreign}"))
        .await
        .err(404, "resource_not_found");
    assert_eq!(
        s.get(&format!("/users/{}", id(&other))).await.ok()["web3_wallets"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The deleted wallet can be used again.
    s.create_user(json!({"web3_wallet": [W1]})).await;
}

/// Passkeys, external accounts and trusted devices have no creating endpoint in Clerk's API;
/// the rows are put in place in the database, then driven over HTTP.
async fn seed_linked(s: &TestServer, user_id: &str, suffix: &str) {
    let now = 1_700_000_000_000i64;
    s.exec_sql(&format!(
        "INSERT INTO passkeys (id, user_seq, name, last_used_at, created_at)
           SELECT 'idn_pk_{suffix}', seq, 'YubiKey', {now}, {now} FROM users WHERE id = '{user_id}';
         INSERT INTO external_accounts (id, user_seq, provider, provider_user_id, created_at, updated_at)
           SELECT 'eac_{suffix}', seq, 'oauth_github', 'gh-{suffix}', {now}, {now} FROM users WHERE id = '{user_id}';
         INSERT INTO trusted_devices (id, user_seq, platform, app_identifier, name, algorithm, status, created_at, updated_at)
           SELECT 'td_a_{suffix}', seq, 'ios', 'com.example.app', 'iPhone', 'ES256', 'active', {now}, {now} FROM users WHERE id = '{user_id}';
         INSERT INTO trusted_devices (id, user_seq, platform, app_identifier, name, algorithm, status, created_at, updated_at, revoked_at)
           SELECT 'td_r_{suffix}', seq, 'android', 'com.example.app', NULL, 'ES256', 'revoked', {now}, {now}, {now} FROM users WHERE id = '{user_id}';"
    ))
    .await;
}

async fn passkeys_and_external_accounts(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let other = s.create_user(json!({})).await;
    seed_linked(&s, &id(&u), "u").await;
    seed_linked(&s, &id(&other), "o").await;
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(user["passkeys"][0]["id"], "idn_pk_u");
    assert_eq!(user["passkeys"][0]["verification"]["strategy"], "passkey");
    assert_eq!(user["external_accounts"][0]["provider"], "oauth_github");

    s.delete(&format!("/users/{}/passkeys/idn_pk_o", id(&u)))
        .await
        .err(404, "resource_not_found");
    let d = s
        .delete(&format!("/users/{}/passkeys/idn_pk_u", id(&u)))
        .await
        .ok();
    assert_eq!(
        d,
        json!({"object": "passkey", "id": "idn_pk_u", "deleted": true})
    );
    s.delete(&format!("/users/{}/passkeys/idn_pk_u", id(&u)))
        .await
        .err(404, "resource_not_found");

    s.delete(&format!("/users/{}/external_accounts/eac_o", id(&u)))
        .await
        .err(404, "resource_not_found");
    let d = s
        .delete(&format!("/users/{}/external_accounts/eac_u", id(&u)))
        .await
        .ok();
    assert_eq!(
        d,
        json!({"object": "external_account", "id": "eac_u", "deleted": true})
    );
    let user = s.get(&format!("/users/{}", id(&u))).await.ok();
    assert_eq!(
        (user["passkeys"].clone(), user["external_accounts"].clone()),
        (json!([]), json!([]))
    );
    let untouched = s.get(&format!("/users/{}", id(&other))).await.ok();
    assert_eq!(untouched["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(
        s.count("provider=oauth_github&provider_user_id=gh-u").await,
        0
    );
    assert_eq!(
        s.count("provider=oauth_github&provider_user_id=gh-o").await,
        1
    );
}

async fn trusted_devices(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let other = s.create_user(json!({})).await;
    seed_linked(&s, &id(&u), "u").await;
    seed_linked(&s, &id(&other), "o").await;
    let list = s
        .get(&format!("/users/{}/trusted_devices", id(&u)))
        .await
        .ok();
    assert_eq!(list["total_count"], 1, "only active devices");
    assert_eq!(list["data"][0]["id"], "td_a_u");
    assert_eq!(list["data"][0]["platform"], "ios");
    let revoked = s
        .delete(&format!("/users/{}/trusted_devices/td_a_u", id(&u)))
        .await
        .ok();
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revoked_at"].as_i64().is_some());
    assert_eq!(
        s.get(&format!("/users/{}/trusted_devices", id(&u)))
            .await
            .ok(),
        json!({"data": [], "total_count": 0})
    );
    s.delete(&format!("/users/{}/trusted_devices/td_a_o", id(&u)))
        .await
        .err(404, "resource_not_found");
    s.get("/users/user_missing/trusted_devices")
        .await
        .err(404, "resource_not_found");
    assert_eq!(
        s.get(&format!("/users/{}/trusted_devices", id(&other)))
            .await
            .ok()["total_count"],
        1
    );
}

crate::on_both_stores!(
    replace_email_address,
    replace_phone_number,
    delete_web3_wallet,
    passkeys_and_external_accounts,
    trusted_devices,
);
