//! `/v1/email_addresses`: create, read, update and delete one address by its id; the user's
//! primary address and what is derived from it (order, search); uniqueness, also under a race;
//! formats, 404s and bodies the schema refuses; the `user.updated` event.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{fire_at, TestServer};
use crate::webhooks::receiver::Receiver;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn user(s: &TestServer, user_id: &str) -> Value {
    s.get(&format!("/users/{user_id}")).await.ok()
}

async fn create(s: &TestServer, body: Value) -> Value {
    s.post("/email_addresses", body).await.ok()
}

async fn every_endpoint(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["z@example.com"]}))
        .await;
    let user_id = id(&u);
    let first = id(&u["email_addresses"][0]);

    // Unverified by default, and not primary: the user has a verified primary already.
    let e = create(
        &s,
        json!({"user_id": user_id, "email_address": "B@Example.com",
               "notify_primary_email_address_changed": true}),
    )
    .await;
    assert_eq!(e["object"], "email_address");
    assert_eq!(e["email_address"], "B@Example.com");
    assert_eq!(e["verification"], Value::Null);
    assert_eq!(e["reserved"], false);
    assert!(id(&e).starts_with("idn_"));
    let path = format!("/email_addresses/{}", id(&e));
    assert_eq!(s.get(&path).await.ok(), e);
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["primary_email_address_id"], first.as_str());
    assert_eq!(shown["email_addresses"][1], e);

    // Verified: `verification_admin`, as for addresses given to POST /users.
    let verified = s.patch(&path, json!({"verified": true})).await.ok();
    assert_eq!(verified["verification"]["status"], "verified");
    assert_eq!(verified["verification"]["strategy"], "admin");
    assert!(verified["updated_at"].as_i64() >= e["updated_at"].as_i64());
    assert_eq!(s.get(&path).await.ok(), verified);

    // Made primary: the user shows it, and orders and searches by it.
    let other = s
        .create_user(json!({"email_address": ["m@example.com"]}))
        .await;
    assert_eq!(
        s.list_ids("order_by=email_address").await,
        vec![id(&other), user_id.clone()],
        "m@ sorts before z@"
    );
    let primary = s.patch(&path, json!({"primary": true})).await.ok();
    assert_eq!(primary["id"], e["id"]);
    assert_eq!(
        user(&s, &user_id).await["primary_email_address_id"],
        e["id"]
    );
    assert_eq!(
        s.list_ids("order_by=email_address").await,
        vec![user_id.clone(), id(&other)],
        "b@ sorts before m@"
    );
    assert_eq!(
        s.list_ids("order_by=-email_address").await,
        vec![id(&other), user_id.clone()]
    );
    assert_eq!(s.list_ids("query=b%40example").await, vec![user_id.clone()]);
    assert_eq!(
        s.list_ids("email_address=b@example.com").await,
        vec![user_id.clone()]
    );

    let deleted = s.delete(&path).await.ok();
    assert_eq!(
        deleted,
        json!({"object": "email_address", "id": id(&e), "deleted": true})
    );
    s.get(&path).await.err(404, "resource_not_found");
    s.delete(&path).await.err(404, "resource_not_found");
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(shown["primary_email_address_id"], first.as_str());
    assert_eq!(s.list_ids("query=b%40example").await, Vec::<String>::new());
}

/// A user without an email address gets its first verified one as primary; an unverified one
/// waits until it is verified.
async fn the_first_verified_address_becomes_primary(s: TestServer) {
    let u = s.create_user(json!({"username": "no_email"})).await;
    let user_id = id(&u);
    assert_eq!(u["primary_email_address_id"], Value::Null);

    let unverified = create(
        &s,
        json!({"user_id": user_id, "email_address": "u@example.com", "verified": false}),
    )
    .await;
    assert_eq!(
        user(&s, &user_id).await["primary_email_address_id"],
        Value::Null
    );
    let first = create(
        &s,
        json!({"user_id": user_id, "email_address": "v@example.com", "verified": true}),
    )
    .await;
    assert_eq!(
        user(&s, &user_id).await["primary_email_address_id"],
        first["id"]
    );
    // The second verified one is not primary unless asked; asked, it is.
    let second = create(
        &s,
        json!({"user_id": user_id, "email_address": "w@example.com", "verified": true}),
    )
    .await;
    assert_eq!(
        user(&s, &user_id).await["primary_email_address_id"],
        first["id"]
    );
    let third = create(
        &s,
        json!({"user_id": user_id, "email_address": "x@example.com", "verified": true,
               "primary": true}),
    )
    .await;
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["primary_email_address_id"], third["id"]);
    assert_eq!(shown["email_addresses"].as_array().unwrap().len(), 4);
    assert_eq!(
        s.list_ids("order_by=email_address&email_address=x@example.com")
            .await,
        vec![user_id.clone()]
    );

    // Another user with only an unverified address: verifying it makes it primary.
    let v = s.create_user(json!({"username": "later"})).await;
    let later = create(
        &s,
        json!({"user_id": id(&v), "email_address": "later@example.com"}),
    )
    .await;
    assert_eq!(
        user(&s, &id(&v)).await["primary_email_address_id"],
        Value::Null
    );
    s.patch(
        &format!("/email_addresses/{}", id(&later)),
        json!({"verified": true}),
    )
    .await
    .ok();
    assert_eq!(
        user(&s, &id(&v)).await["primary_email_address_id"],
        later["id"]
    );
    let _ = (unverified, second);
}

/// A primary address must be verified, as `PATCH /users/{id}` requires of
/// `primary_email_address_id`; it stops being primary only when another one becomes primary.
async fn primary_rules(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["p@example.com"]}))
        .await;
    let user_id = id(&u);
    let primary_path = format!("/email_addresses/{}", id(&u["email_addresses"][0]));

    s.post(
        "/email_addresses",
        json!({"user_id": user_id, "email_address": "q@example.com", "primary": true}),
    )
    .await
    .form_err("form_param_value_invalid", "primary");
    let q = create(
        &s,
        json!({"user_id": user_id, "email_address": "q@example.com"}),
    )
    .await;
    let q_path = format!("/email_addresses/{}", id(&q));
    s.patch(&q_path, json!({"primary": true}))
        .await
        .form_err("form_param_value_invalid", "primary");
    s.patch(&primary_path, json!({"verified": false}))
        .await
        .form_err("form_param_value_invalid", "verified");
    s.patch(&primary_path, json!({"primary": false}))
        .await
        .form_err("form_param_value_invalid", "primary");

    // Nothing to change: the same object, not even `updated_at` moves.
    let before = user(&s, &user_id).await;
    assert_eq!(
        s.patch(&q_path, json!({"primary": false, "verified": false}))
            .await
            .ok(),
        q
    );
    assert_eq!(s.patch(&q_path, json!({})).await.ok(), q);
    assert_eq!(
        s.patch(&primary_path, json!({"primary": true, "verified": true}))
            .await
            .ok(),
        before["email_addresses"][0]
    );
    assert_eq!(user(&s, &user_id).await, before);

    // Verified and made primary in one request; the old primary can then be unverified.
    let promoted = s
        .patch(&q_path, json!({"verified": true, "primary": true}))
        .await
        .ok();
    assert_eq!(promoted["verification"]["strategy"], "admin");
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["primary_email_address_id"], q["id"]);
    assert!(shown["updated_at"].as_i64() > before["updated_at"].as_i64());
    let demoted = s
        .patch(&primary_path, json!({"verified": false}))
        .await
        .ok();
    assert_eq!(demoted["verification"], Value::Null);

    // POST /users makes a reserved address primary; it can still be changed, and verified.
    let held = s
        .create_user(json!({"email_address": ["held@example.com"],
                            "email_address_identification_status": ["reserved"]}))
        .await;
    assert_eq!(held["email_addresses"][0]["reserved"], true);
    let held_path = format!("/email_addresses/{}", id(&held["email_addresses"][0]));
    assert_eq!(
        s.patch(&held_path, json!({"verified": false})).await.ok(),
        held["email_addresses"][0]
    );
    let verified = s.patch(&held_path, json!({"verified": true})).await.ok();
    assert_eq!(verified["verification"]["status"], "verified");
    assert_eq!(verified["reserved"], false);
}

/// Deleting the primary hands the role to the next verified address, or leaves none.
async fn deleting_the_primary(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["one@example.com"], "username": "deleter"}))
        .await;
    let user_id = id(&u);
    let one = id(&u["email_addresses"][0]);
    let two = create(
        &s,
        json!({"user_id": user_id, "email_address": "two@example.com"}),
    )
    .await;
    let three = create(
        &s,
        json!({"user_id": user_id, "email_address": "three@example.com", "verified": true}),
    )
    .await;

    s.delete(&format!("/email_addresses/{one}")).await.ok();
    let shown = user(&s, &user_id).await;
    assert_eq!(
        shown["primary_email_address_id"], three["id"],
        "the unverified two@ is passed over"
    );
    assert_eq!(
        s.list_ids("email_address_query=three").await,
        vec![user_id.clone()]
    );
    assert_eq!(
        s.list_ids("email_address=one@example.com").await,
        Vec::<String>::new()
    );

    s.delete(&format!("/email_addresses/{}", id(&three)))
        .await
        .ok();
    let shown = user(&s, &user_id).await;
    assert_eq!(shown["primary_email_address_id"], Value::Null);
    assert_eq!(shown["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(shown["email_addresses"][0]["id"], two["id"]);
    // With no primary the user sorts first, with those without an address (by three@ it
    // would come after a@).
    let other = s
        .create_user(json!({"email_address": ["a@example.com"]}))
        .await;
    assert_eq!(
        s.list_ids("order_by=email_address").await,
        vec![user_id.clone(), id(&other)]
    );

    // The address is free again, for anyone.
    create(
        &s,
        json!({"user_id": id(&other), "email_address": "ONE@example.com"}),
    )
    .await;
}

async fn uniqueness_formats_and_not_found(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["mine@example.com"]}))
        .await;
    let user_id = id(&u);
    s.create_user(json!({"email_address": ["taken@example.com"]}))
        .await;

    for taken in ["taken@example.com", "TAKEN@Example.com", "mine@example.com"] {
        s.post(
            "/email_addresses",
            json!({"user_id": user_id, "email_address": taken}),
        )
        .await
        .form_err("form_identifier_exists", "email_address");
    }
    s.post(
        "/email_addresses",
        json!({"user_id": user_id, "email_address": "not-an-address"}),
    )
    .await
    .form_err("form_param_format_invalid", "email_address");
    s.post("/email_addresses", json!({"user_id": user_id}))
        .await
        .form_err("form_param_missing", "email_address");
    s.post(
        "/email_addresses",
        json!({"email_address": "z@example.com"}),
    )
    .await
    .form_err("form_param_missing", "user_id");
    let missing = s
        .post(
            "/email_addresses",
            json!({"user_id": "user_missing", "email_address": "z@example.com"}),
        )
        .await;
    missing.err(404, "resource_not_found");
    assert_eq!(
        missing.body["errors"][0]["long_message"],
        "No user was found with id user_missing"
    );

    // The extractor's answers to bodies that do not fit the schema.
    s.post(
        "/email_addresses",
        json!({"user_id": user_id, "email_address": "z@example.com", "reserved_for_second_factor": true}),
    )
    .await
    .form_err("form_param_unknown", "reserved_for_second_factor");
    s.post(
        "/email_addresses",
        json!({"user_id": user_id, "email_address": "z@example.com", "verified": "yes"}),
    )
    .await
    .form_err("form_param_type_invalid", "verified");
    s.send(
        s.req(Method::POST, "/email_addresses")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await
    .err(400, "request_body_invalid");

    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let mut request = s.req(method.clone(), "/email_addresses/idn_missing");
        if method == Method::PATCH {
            request = request.json(&json!({"verified": true}));
        }
        let r = s.send(request).await;
        r.err(404, "resource_not_found");
        assert_eq!(
            r.body["errors"][0]["long_message"], "No email address was found with id idn_missing",
            "{method}"
        );
    }
    // A phone number is not an email address.
    let p = s
        .create_user(json!({"phone_number": ["+15555550100"]}))
        .await;
    let phone = id(&p["phone_numbers"][0]);
    s.get(&format!("/email_addresses/{phone}"))
        .await
        .err(404, "resource_not_found");
    s.patch(
        &format!("/email_addresses/{}", id(&u["email_addresses"][0])),
        json!({"verified": 1}),
    )
    .await
    .form_err("form_param_type_invalid", "verified");
    s.patch(
        &format!("/email_addresses/{}", id(&u["email_addresses"][0])),
        json!({"email_address": "new@example.com"}),
    )
    .await
    .form_err("form_param_unknown", "email_address");
}

/// Twenty creates of one address at once, for two users: one wins, the others get Clerk's 422
/// (never a 500), and one row is stored.
async fn concurrent_creates_of_one_address(s: TestServer) {
    let users = [
        id(&s
            .create_user(json!({"email_address": ["r1@example.com"]}))
            .await),
        id(&s
            .create_user(json!({"email_address": ["r2@example.com"]}))
            .await),
    ];
    let requests = (0..20)
        .map(|i| {
            let body = json!({"user_id": users[i % 2], "email_address": "Race@Example.com",
                              "verified": true});
            (Method::POST, "/email_addresses".to_owned(), Some(body))
        })
        .collect();
    let answers = fire_at(std::slice::from_ref(&s.base), requests).await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 422, "{body}");
        assert_eq!(
            body["errors"][0]["code"], "form_identifier_exists",
            "{body}"
        );
        assert_eq!(body["errors"][0]["meta"]["param_name"], "email_address");
    }
    let owners = s.list_ids("email_address=race@example.com").await;
    assert_eq!(owners.len(), 1);
    let stored = s
        .sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM identifications WHERE norm = 'race@example.com'",
        )
        .await;
    assert_eq!(stored.as_deref(), Some("1"));
    let owner = user(&s, &owners[0]).await;
    assert_eq!(owner["email_addresses"][1]["id"], won[0]["id"]);
}

/// A new address changes the user: `user.updated`, with the user as it is now.
async fn create_emits_user_updated(s: TestServer) {
    let hook = Receiver::start().await;
    s.post_ext("/_ext/webhooks/endpoints", json!({"url": hook.url}))
        .await
        .ok();
    let u = s
        .create_user(json!({"email_address": ["hooked@example.com"]}))
        .await;
    let user_id = id(&u);
    let e = create(
        &s,
        json!({"user_id": user_id, "email_address": "second@example.com", "verified": true}),
    )
    .await;
    let received = hook.wait_for_event("user.updated", &user_id).await;
    let updated = received
        .iter()
        .find(|m| m.event_type() == "user.updated")
        .expect("user.updated")
        .json();
    assert_eq!(updated["data"], user(&s, &user_id).await);
    assert_eq!(updated["data"]["email_addresses"][1]["id"], e["id"]);
}

crate::on_both_stores!(
    every_endpoint,
    the_first_verified_address_becomes_primary,
    primary_rules,
    deleting_the_primary,
    uniqueness_formats_and_not_found,
    concurrent_creates_of_one_address,
    create_emits_user_updated,
);
