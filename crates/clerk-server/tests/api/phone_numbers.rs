//! `/v1/phone_numbers`: create, read, update and delete one number by its id; the primary
//! number; numbers reserved for second factor, the default second factor and
//! `two_factor_enabled`; uniqueness, formats and 404s; export and import keep the flags.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{Backend, TestServer};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn user(s: &TestServer, user_id: &str) -> Value {
    s.get(&format!("/users/{user_id}")).await.ok()
}

async fn create(s: &TestServer, body: Value) -> Value {
    s.post("/phone_numbers", body).await.ok()
}

fn path(phone: &Value) -> String {
    format!("/phone_numbers/{}", id(phone))
}

async fn every_endpoint(s: TestServer) {
    let u = s
        .create_user(json!({"phone_number": ["+15555550199"]}))
        .await;
    let user_id = id(&u);
    let first = id(&u["phone_numbers"][0]);
    let other = s
        .create_user(json!({"phone_number": ["+15555550150"]}))
        .await;

    let p = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550101"}),
    )
    .await;
    assert_eq!(p["object"], "phone_number");
    assert_eq!(p["phone_number"], "+15555550101");
    assert_eq!(p["verification"], Value::Null);
    assert_eq!(p["reserved_for_second_factor"], false);
    assert_eq!(p["default_second_factor"], false);
    assert_eq!(s.get(&path(&p)).await.ok(), p);
    assert_eq!(
        user(&s, &user_id).await["primary_phone_number_id"],
        first.as_str()
    );
    assert_eq!(
        s.list_ids("order_by=phone_number").await,
        vec![id(&other), user_id.clone()]
    );

    let updated = s
        .patch(&path(&p), json!({"verified": true, "primary": true}))
        .await
        .ok();
    assert_eq!(updated["verification"]["strategy"], "admin");
    assert_eq!(user(&s, &user_id).await["primary_phone_number_id"], p["id"]);
    assert_eq!(
        s.list_ids("order_by=phone_number").await,
        vec![user_id.clone(), id(&other)],
        "ordered by the new primary"
    );
    assert_eq!(
        s.list_ids("phone_number_query=550101").await,
        vec![user_id.clone()]
    );

    assert_eq!(
        s.delete(&path(&p)).await.ok(),
        json!({"object": "phone_number", "id": id(&p), "deleted": true})
    );
    s.get(&path(&p)).await.err(404, "resource_not_found");
    assert_eq!(
        user(&s, &user_id).await["primary_phone_number_id"],
        first.as_str(),
        "the primary passes to the remaining verified number"
    );
    assert_eq!(
        s.list_ids("phone_number_query=550101").await,
        Vec::<String>::new()
    );
}

async fn errors(s: TestServer) {
    let u = s
        .create_user(json!({"phone_number": ["+15555550110"]}))
        .await;
    let user_id = id(&u);
    s.create_user(json!({"phone_number": ["+15555550111"]}))
        .await;
    for taken in ["+15555550110", "+15555550111"] {
        s.post(
            "/phone_numbers",
            json!({"user_id": user_id, "phone_number": taken}),
        )
        .await
        .form_err("form_identifier_exists", "phone_number");
    }
    s.post(
        "/phone_numbers",
        json!({"user_id": user_id, "phone_number": "555-0100"}),
    )
    .await
    .form_err("form_param_format_invalid", "phone_number");
    s.post("/phone_numbers", json!({"user_id": user_id}))
        .await
        .form_err("form_param_missing", "phone_number");
    s.post(
        "/phone_numbers",
        json!({"user_id": "user_missing", "phone_number": "+15555550112"}),
    )
    .await
    .err(404, "resource_not_found");
    s.post(
        "/phone_numbers",
        json!({"user_id": user_id, "phone_number": "+15555550112", "notify": true}),
    )
    .await
    .form_err("form_param_unknown", "notify");
    s.post(
        "/phone_numbers",
        json!({"user_id": user_id, "phone_number": 15555550112i64}),
    )
    .await
    .form_err("form_param_type_invalid", "phone_number");

    for r in [
        s.get("/phone_numbers/idn_missing").await,
        s.patch("/phone_numbers/idn_missing", json!({"verified": true}))
            .await,
        s.delete("/phone_numbers/idn_missing").await,
    ] {
        r.err(404, "resource_not_found");
        assert_eq!(
            r.body["errors"][0]["long_message"],
            "No phone number was found with id idn_missing"
        );
    }
    let e = s
        .create_user(json!({"email_address": ["e@example.com"]}))
        .await;
    s.delete(&format!("/phone_numbers/{}", id(&e["email_addresses"][0])))
        .await
        .err(404, "resource_not_found");
    assert_eq!(
        user(&s, &id(&e)).await["email_addresses"][0],
        e["email_addresses"][0]
    );
}

/// A number reserved for second factor must be verified; the first reserved one is the
/// default second factor, and the user has MFA while one is reserved.
async fn reserved_for_second_factor(s: TestServer) {
    let u = s.create_user(json!({"username": "two_factor"})).await;
    let user_id = id(&u);
    assert_eq!(u["two_factor_enabled"], false);

    s.post(
        "/phone_numbers",
        json!({"user_id": user_id, "phone_number": "+15555550120",
               "reserved_for_second_factor": true}),
    )
    .await
    .form_err("form_param_value_invalid", "reserved_for_second_factor");
    assert_eq!(
        user(&s, &user_id).await["phone_numbers"],
        json!([]),
        "nothing was created"
    );

    let a = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550120", "verified": true,
               "reserved_for_second_factor": true}),
    )
    .await;
    assert_eq!(a["reserved_for_second_factor"], true);
    assert_eq!(a["default_second_factor"], true);
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["two_factor_enabled"], true);
    assert_eq!(shown["totp_enabled"], false);
    assert!(shown["mfa_enabled_at"].as_i64().is_some());
    assert_eq!(shown["primary_phone_number_id"], a["id"]);

    let b = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550121", "verified": true,
               "reserved_for_second_factor": true}),
    )
    .await;
    assert_eq!(b["reserved_for_second_factor"], true);
    assert_eq!(
        b["default_second_factor"], false,
        "a is the default already"
    );
    let c = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550122"}),
    )
    .await;
    s.patch(&path(&c), json!({"reserved_for_second_factor": true}))
        .await
        .form_err("form_param_value_invalid", "reserved_for_second_factor");
    s.patch(&path(&b), json!({"verified": false}))
        .await
        .form_err("form_param_value_invalid", "verified");
    // Verified and reserved in one request.
    let c = s
        .patch(
            &path(&c),
            json!({"verified": true, "reserved_for_second_factor": true}),
        )
        .await
        .ok();
    assert_eq!(c["reserved_for_second_factor"], true);
    assert_eq!(c["default_second_factor"], false);

    // Un-reserving the default moves the default to the next reserved number.
    let a = s
        .patch(&path(&a), json!({"reserved_for_second_factor": false}))
        .await
        .ok();
    assert_eq!(a["reserved_for_second_factor"], false);
    assert_eq!(a["default_second_factor"], false);
    assert_eq!(s.get(&path(&b)).await.ok()["default_second_factor"], true);
    // Deleting it moves it on again.
    s.delete(&path(&b)).await.ok();
    assert_eq!(s.get(&path(&c)).await.ok()["default_second_factor"], true);
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["two_factor_enabled"], true);
    let defaults: Vec<&Value> = shown["phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["default_second_factor"] == true)
        .collect();
    assert_eq!(defaults.len(), 1);

    // Un-verified and un-reserved together: no second factor left.
    let c = s
        .patch(
            &path(&c),
            json!({"verified": false, "reserved_for_second_factor": false}),
        )
        .await
        .ok();
    assert_eq!(c["verification"], Value::Null);
    assert_eq!(c["default_second_factor"], false);
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["two_factor_enabled"], false);
    assert!(shown["mfa_disabled_at"].as_i64().is_some());

    // A TOTP secret keeps MFA on after the last reserved number goes.
    let d = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550123", "verified": true,
               "reserved_for_second_factor": true}),
    )
    .await;
    assert_eq!(d["default_second_factor"], true);
    // POST /users/{id}/totp is gone from Clerk's current spec.
    s.send_outside_spec(s.req(Method::POST, &format!("/users/{user_id}/totp")))
        .await
        .ok();
    s.delete(&path(&d)).await.ok();
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["two_factor_enabled"], true);
    assert_eq!(shown["totp_enabled"], true);

    // Disabling MFA removes every second factor, the reserved numbers' reservation included;
    // the numbers themselves stay.
    let e = create(
        &s,
        json!({"user_id": user_id, "phone_number": "+15555550124", "verified": true,
               "reserved_for_second_factor": true}),
    )
    .await;
    s.delete(&format!("/users/{user_id}/mfa")).await.ok();
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["two_factor_enabled"], false);
    assert_eq!(shown["totp_enabled"], false);
    let e = s.get(&path(&e)).await.ok();
    assert_eq!(e["reserved_for_second_factor"], false);
    assert_eq!(e["default_second_factor"], false);
    assert_eq!(e["verification"]["status"], "verified");
    // Again: nothing left to remove, nothing changes.
    s.delete(&format!("/users/{user_id}/mfa")).await.ok();
    assert_eq!(user(&s, &user_id).await, shown);
}

/// The export carries the second-factor flags and the import restores them.
async fn export_and_import_keep_second_factors(s: TestServer) {
    let u = s.create_user(json!({"username": "carried"})).await;
    let user_id = id(&u);
    for (number, reserved) in [("+15555550130", false), ("+15555550131", true)] {
        create(
            &s,
            json!({"user_id": user_id, "phone_number": number, "verified": true,
                   "reserved_for_second_factor": reserved}),
        )
        .await;
    }
    let original = user(&s, &user_id).await;
    assert_eq!(original["phone_numbers"][1]["default_second_factor"], true);
    let page = s.get_export("/_ext/export/users").await.ok();

    let other = TestServer::start(Backend::Sqlite).await;
    let result = other
        .post_ext("/_ext/import/users", json!({ "users": page["data"] }))
        .await
        .ok();
    assert_eq!(result["created"], 1, "{result}");
    let copy = user(&other, &user_id).await;
    assert_eq!(copy["phone_numbers"], original["phone_numbers"]);
    assert_eq!(copy["two_factor_enabled"], true);
    assert_eq!(copy["mfa_enabled_at"], original["mfa_enabled_at"]);

    // Only a verified phone number can be reserved.
    let refused = other
        .post_ext(
            "/_ext/import/users",
            json!({"users": [{"phone_numbers": [{"phone_number": "+15555550132",
                "verification": {"status": "unverified"}, "reserved_for_second_factor": true}]}]}),
        )
        .await
        .ok();
    assert_eq!(refused["failed"], 1, "{refused}");
    assert_eq!(
        refused["results"][0]["errors"][0]["meta"]["param_name"],
        "phone_numbers[0].reserved_for_second_factor"
    );
}

crate::on_both_stores!(
    every_endpoint,
    errors,
    reserved_for_second_factor,
    export_and_import_keep_second_factors,
);
