//! Bounded work per request, over HTTP: search needles, `offset`, the per-record lists of bulk
//! import, backup codes, and the hashing pool shedding load with 429 instead of queueing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::TestServer;

fn id(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

/// `sha256$<hex>` of `code`: the stored form of a plain backup code already normalised
/// (lowercase, no spaces or hyphens), and of the empty code.
fn stored_code(code: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("sha256${}", hex::encode(Sha256::digest(code.as_bytes())))
}

/// Imports `records` and returns the results, one per record.
async fn import(s: &TestServer, records: Vec<Value>) -> Vec<Value> {
    let resp = s
        .post_ext("/_ext/import/users", json!({ "users": records }))
        .await
        .ok();
    resp["results"].as_array().unwrap().clone()
}

/// Asserts that an import result failed with `code` naming `param`.
#[track_caller]
fn failed_with(result: &Value, code: &str, param: &str) {
    assert_eq!(result["status"], "failed", "{result}");
    assert_eq!(result["errors"][0]["code"], code, "{result}");
    assert_eq!(result["errors"][0]["meta"]["param_name"], param, "{result}");
}

async fn search_needles_are_capped(s: TestServer) {
    s.create_user(json!({"first_name": "Needle"})).await;
    let at_bound = "a".repeat(256);
    let over = "é".repeat(257);
    for name in [
        "query",
        "email_address_query",
        "phone_number_query",
        "username_query",
        "name_query",
    ] {
        // 256 characters search as usual (nothing matches).
        assert_eq!(s.list_ids(&format!("{name}={at_bound}")).await.len(), 0);
        assert_eq!(s.count(&format!("{name}={at_bound}")).await, 0);
        for path in ["/users", "/users/count"] {
            let param = s.get(&format!("{path}?{name}={over}")).await;
            assert_eq!(
                param.err(400, "invalid_query_parameter_value").as_deref(),
                Some(name),
                "{path}?{name}"
            );
        }
    }
    s.get(&format!("/organizations?query={at_bound}"))
        .await
        .ok();
    let refused = s.get(&format!("/organizations?query={over}")).await;
    assert_eq!(
        refused.err(400, "invalid_query_parameter_value").as_deref(),
        Some("query")
    );
}

async fn offset_is_capped(s: TestServer) {
    let user = s.create_user(json!({})).await;
    // At the bound: an empty page, not an error.
    assert!(s.list_ids("offset=1000000000&limit=500").await.is_empty());
    // Past it, and where `limit + offset` used to overflow i64.
    let org = s.post("/organizations", json!({"name": "Acme"})).await.ok();
    for offset in ["1000000001", &i64::MAX.to_string()] {
        for path in [
            "/users".to_owned(),
            "/organizations".to_owned(),
            format!("/organizations/{}/memberships", id(&org)),
            format!("/organizations/{}/invitations", id(&org)),
            format!("/users/{}/organization_memberships", id(&user)),
            format!("/users/{}/organization_invitations", id(&user)),
        ] {
            let resp = s.get(&format!("{path}?limit=500&offset={offset}")).await;
            assert_eq!(
                resp.err(400, "invalid_query_parameter_value").as_deref(),
                Some("offset"),
                "{path}"
            );
        }
    }
}

async fn import_caps_each_list_of_a_record(s: TestServer) {
    let emails = |n: usize, tag: &str| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"email_address": format!("{tag}{i}@caps.example")}))
            .collect()
    };
    let phones: Vec<Value> = (0..101)
        .map(|i| json!({"phone_number": format!("+1555{i:07}")}))
        .collect();
    let wallets: Vec<Value> = (0..101)
        .map(|i| json!({"web3_wallet": format!("0x{i:040x}")}))
        .collect();
    let accounts: Vec<Value> = (0..101)
        .map(|i| json!({"provider": "oauth_google", "provider_user_id": format!("g-{i}")}))
        .collect();
    let passkeys: Vec<Value> = (0..101)
        .map(|i| json!({"name": format!("key {i}")}))
        .collect();
    let devices: Vec<Value> = (0..101)
        .map(|_| json!({"platform": "ios", "app_identifier": "com.example", "algorithm": "ES256"}))
        .collect();
    let codes: Vec<String> = (0..21).map(|i| format!("code-{i:06}")).collect();
    let digests: Vec<String> = codes.iter().map(|c| stored_code(c)).collect();
    let records = vec![
        json!({"email_addresses": emails(101, "over")}),
        json!({"username": "phones", "phone_numbers": phones}),
        json!({"username": "wallets", "web3_wallets": wallets}),
        json!({"username": "accounts", "external_accounts": accounts}),
        json!({"username": "passkeys", "passkeys": passkeys}),
        json!({"username": "devices", "trusted_devices": devices}),
        json!({"username": "codes", "backup_codes": codes}),
        json!({"username": "digests", "backup_code_digests": digests}),
        // At the bound: imported.
        json!({"email_addresses": emails(100, "at"), "backup_codes": codes[..20]}),
    ];
    let results = import(&s, records).await;
    for (result, param) in results.iter().zip([
        "email_addresses",
        "phone_numbers",
        "web3_wallets",
        "external_accounts",
        "passkeys",
        "trusted_devices",
        "backup_codes",
        "backup_code_digests",
    ]) {
        failed_with(result, "form_param_array_size_exceeded", param);
    }
    assert_eq!(results[8]["status"], "created", "{}", results[8]);
    let user = s.get(&format!("/users/{}", id(&results[8]))).await.ok();
    assert_eq!(user["email_addresses"].as_array().unwrap().len(), 100);
    assert_eq!(user["backup_code_enabled"], true);
    // Nothing of the refused records was written.
    assert_eq!(s.count("").await, 1);
}

/// A cost-4 bcrypt digest of "password", relabelled to `cost` (the bound is read from the
/// string; nothing is hashed at that cost).
fn bcrypt_code_at(cost: u32) -> String {
    "$2b$04$lxKuea95E.V2llY4/uicJewizUNwOZrCvy65e8Rtnhu4g6cbPAJii".replacen(
        "$04$",
        &format!("${cost:02}$"),
        1,
    )
}

async fn imported_backup_codes_are_checked(s: TestServer) {
    let twenty_one: Vec<String> = (0..21).map(|i| format!("code-{i:06}")).collect();
    let refused: [(Value, &str); 5] = [
        (json!([""]), "form_param_value_invalid"),
        (json!(["good-code-1", "  "]), "form_param_value_invalid"),
        // Five characters once spaces and hyphens are dropped.
        (json!(["ab-cd e"]), "form_param_value_invalid"),
        (json!([bcrypt_code_at(13)]), "form_param_value_invalid"),
        (json!(twenty_one), "form_param_array_size_exceeded"),
    ];
    let user = s.create_user(json!({})).await;
    for (codes, code) in &refused {
        s.post(
            "/users",
            json!({"email_address": ["codes@caps.example"], "backup_codes": codes}),
        )
        .await
        .form_err(code, "backup_codes");
        s.patch(
            &format!("/users/{}", id(&user)),
            json!({"backup_codes": codes}),
        )
        .await
        .form_err(code, "backup_codes");
    }
    let records: Vec<Value> = refused
        .iter()
        .map(|(codes, _)| json!({"username": "importer", "backup_codes": codes}))
        .collect();
    for (result, (_, code)) in import(&s, records).await.iter().zip(&refused) {
        failed_with(result, code, "backup_codes");
    }
    // Nothing was written: the user still has no second factor, no other user exists.
    let after = s.get(&format!("/users/{}", id(&user))).await.ok();
    assert_eq!(after["backup_code_enabled"], false);
    assert_eq!(s.count("").await, 1);

    // At the bounds: 20 codes, 6 characters once normalised, bcrypt cost 12.
    let mut twenty: Vec<String> = twenty_one[..18].to_vec();
    twenty.extend(["Ab-Cd-Ef".into(), bcrypt_code_at(12)]);
    let u = s.create_user(json!({"backup_codes": twenty})).await;
    assert_eq!(u["backup_code_enabled"], true);
    let v = s
        .post(
            &format!("/users/{}/verify_totp", id(&u)),
            json!({"code": "abcdef"}),
        )
        .await
        .ok();
    assert_eq!(v["code_type"], "backup_code");
}

async fn an_empty_code_never_verifies(s: TestServer) {
    // The stored form of the empty code can still come in as a digest (an export of a
    // server that accepted empty codes); verification refuses short codes whatever is stored.
    let results = import(
        &s,
        vec![json!({
            "username": "emptycode",
            "backup_code_digests": [stored_code(""), stored_code("abc"), stored_code("longenough")]
        })],
    )
    .await;
    assert_eq!(results[0]["status"], "created", "{}", results[0]);
    let path = format!("/users/{}/verify_totp", id(&results[0]));
    // Four wrong codes: the fifth failure would lock the user (the tests' lockout setting).
    for code in ["", " - ", "abc", "a-b-c"] {
        s.post(&path, json!({ "code": code }))
            .await
            .form_err("totp_incorrect_code", "code");
    }
    let v = s.post(&path, json!({"code": "LONG-ENOUGH"})).await.ok();
    assert_eq!(v, json!({"verified": true, "code_type": "backup_code"}));
    // Only the long code was consumed: two stored codes remain, still unusable.
    let user = s.get(&format!("/users/{}", id(&results[0]))).await.ok();
    assert_eq!(user["backup_code_enabled"], true);
}

/// A bcrypt cost that makes one hash take a good part of a second even on a fast core, so the
/// pool stays full while the test looks. The pool admits two jobs at a time, so the whole test
/// hashes only a few times.
const SLOW_COST: u32 = 12;

async fn a_full_hashing_pool_sheds_load_with_429(mut s: TestServer) {
    let reader = s.create_user(json!({"first_name": "Reader"})).await;
    s.restart_with_settings(|settings| {
        settings.bcrypt_cost = SLOW_COST;
        settings.hash_jobs = Some(1);
        settings.hash_queue = Some(1);
    })
    .await;
    let s = Arc::new(s);
    const REQUESTS: usize = 6;
    // Creates with a password, all at once, each on its own task; answers come back in the
    // order they arrive, and `created` counts the 200s as they arrive.
    let created = Arc::new(AtomicUsize::new(0));
    let (answers_tx, mut answers) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..REQUESTS {
        let (s, created, answers_tx) = (Arc::clone(&s), created.clone(), answers_tx.clone());
        tokio::spawn(async move {
            let email = format!("hash-{i}@pool.example");
            let body = json!({"email_address": [email], "password": "correct horse battery"});
            let resp = s.post("/users", body).await;
            if resp.status == 200 {
                created.fetch_add(1, Ordering::SeqCst);
            }
            answers_tx.send((email, resp)).unwrap();
        });
    }
    drop(answers_tx);

    let mut statuses = Vec::new();
    let mut created_before_read_answered = None;
    while let Some((email, resp)) = answers.recv().await {
        assert!(
            resp.status == 200 || resp.status == 429,
            "{}: {}",
            resp.status,
            resp.body
        );
        if resp.status == 429 {
            assert_eq!(resp.err(429, "too_many_requests"), None);
            let retry_after: u64 = resp.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry_after >= 1);
            if created_before_read_answered.is_none() {
                // The pool is full right now (it just refused a job) and each job it admitted
                // takes a slow hash: a request that does not hash is answered meanwhile.
                let got = s.get(&format!("/users/{}", id(&reader))).await.ok();
                assert_eq!(got["first_name"], "Reader");
                created_before_read_answered = Some(created.load(Ordering::SeqCst));
            }
            // A refused create wrote nothing.
            assert_eq!(s.count(&format!("email_address={email}")).await, 0);
        }
        statuses.push(resp.status);
    }
    assert_eq!(statuses.len(), REQUESTS);
    let created = created.load(Ordering::SeqCst);
    let created_before = created_before_read_answered
        .unwrap_or_else(|| panic!("no request was refused: {statuses:?}"));
    assert!(created >= 1, "{statuses:?}");
    assert!(
        created_before < created,
        "every admitted create was answered before the read: the pool was not full meanwhile"
    );
    assert_eq!(s.count("").await, 1 + created as i64);
}

crate::on_both_stores!(
    search_needles_are_capped,
    offset_is_capped,
    import_caps_each_list_of_a_record,
    imported_backup_codes_are_checked,
    an_empty_code_never_verifies,
    a_full_hashing_pool_sheds_load_with_429,
);
