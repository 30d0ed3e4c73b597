//! `GET`, `PATCH`, `DELETE /users/{user_id}`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::TestServer;

fn id(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

async fn get_missing_user(s: TestServer) {
    let r = s.get("/users/user_2doesnotexist000000000000000").await;
    r.err(404, "resource_not_found");
    assert!(r.body["errors"][0]["long_message"]
        .as_str()
        .unwrap()
        .contains("user_2doesnotexist"));
    s.patch("/users/user_nope", json!({"first_name": "x"}))
        .await
        .err(404, "resource_not_found");
    s.delete("/users/user_nope")
        .await
        .err(404, "resource_not_found");
}

async fn updates_plain_fields(s: TestServer) {
    let u = s
        .create_user(json!({"first_name": "A", "last_name": "B", "external_id": "e1", "username": "old_name"}))
        .await;
    let before = u["updated_at"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let path = format!("/users/{}", id(&u));
    let v = s
        .patch(
            &path,
            json!({
                "first_name": "Grace",
                "last_name": null,
                "external_id": "e2",
                "locale": "fr-FR",
                "username": "new_name",
                "delete_self_enabled": false,
                "create_organization_enabled": false,
                "create_organizations_limit": 5,
                "legal_accepted_at": "2022-02-02T02:02:02Z",
                "created_at": "2019-01-01T00:00:00Z",
                "bypass_client_trust": true
            }),
        )
        .await
        .ok();
    assert_eq!(v["first_name"], "Grace");
    assert_eq!(v["last_name"], json!(null));
    assert_eq!(v["external_id"], "e2");
    assert_eq!(v["locale"], "fr-FR");
    assert_eq!(v["username"], "new_name");
    assert_eq!(v["delete_self_enabled"], false);
    assert_eq!(v["create_organization_enabled"], false);
    assert_eq!(v["create_organizations_limit"], 5);
    assert_eq!(v["legal_accepted_at"], 1_643_767_322_000i64);
    assert_eq!(v["created_at"], 1_546_300_800_000i64);
    assert_eq!(v["bypass_client_trust"], true);
    assert!(v["updated_at"].as_i64().unwrap() > before);
    assert_eq!(s.get(&path).await.ok(), v);

    // Username removal: by null and by "".
    let v = s.patch(&path, json!({"username": null})).await.ok();
    assert_eq!(v["username"], json!(null));
    s.patch(&path, json!({"username": "again_name"})).await.ok();
    let v = s.patch(&path, json!({"username": ""})).await.ok();
    assert_eq!(v["username"], json!(null));
    // The old username is free again.
    s.create_user(json!({"username": "old_name"})).await;
}

async fn update_checks_uniqueness_and_formats(s: TestServer) {
    s.create_user(json!({"username": "first_user", "external_id": "x1"}))
        .await;
    let u = s.create_user(json!({"username": "second_user"})).await;
    let path = format!("/users/{}", id(&u));
    s.patch(&path, json!({"username": "FIRST_USER"}))
        .await
        .form_err("form_identifier_exists", "username");
    s.patch(&path, json!({"external_id": "x1"}))
        .await
        .form_err("form_identifier_exists", "external_id");
    s.patch(&path, json!({"username": "no"}))
        .await
        .form_err("form_username_invalid_length", "username");
    s.patch(&path, json!({"first_name": 7}))
        .await
        .form_err("form_param_type_invalid", "first_name");
    s.patch(&path, json!({"nickname": "x"}))
        .await
        .form_err("form_param_unknown", "nickname");
    s.patch(&path, json!({"profile_image_id": "img_x"}))
        .await
        .form_err("form_resource_not_found", "profile_image_id");
    // Keeping one's own username is not a clash.
    let v = s
        .patch(&path, json!({"username": "second_user", "first_name": "S"}))
        .await
        .ok();
    assert_eq!(v["first_name"], "S");
    let unchanged = s.get(&path).await.ok();
    assert_eq!(unchanged["username"], "second_user");
}

async fn primary_identifications(s: TestServer) {
    let other = s
        .create_user(json!({"email_address": ["other@example.com"]}))
        .await;
    let u = s
        .create_user(json!({
            "email_address": ["one@example.com", "two@example.com", "res@example.com"],
            "email_address_identification_status": ["verified", "verified", "reserved"],
            "phone_number": ["+15555550150", "+15555550151"]
        }))
        .await;
    let path = format!("/users/{}", id(&u));
    let second_email = u["email_addresses"][1]["id"].clone();
    let second_phone = u["phone_numbers"][1]["id"].clone();
    let v = s
        .patch(&path, json!({"primary_email_address_id": second_email, "primary_phone_number_id": second_phone}))
        .await
        .ok();
    assert_eq!(v["primary_email_address_id"], second_email);
    assert_eq!(v["primary_phone_number_id"], second_phone);
    // Sorting by email follows the primary address.
    assert_eq!(
        s.list_ids("order_by=email_address").await,
        vec![id(&other), id(&u)]
    );

    let reserved = u["email_addresses"][2]["id"].clone();
    s.patch(&path, json!({"primary_email_address_id": reserved}))
        .await
        .form_err("form_param_value_invalid", "primary_email_address_id");
    let foreign = other["email_addresses"][0]["id"].clone();
    s.patch(&path, json!({"primary_email_address_id": foreign}))
        .await
        .form_err("form_resource_not_found", "primary_email_address_id");
    // A phone id is not an email id.
    s.patch(&path, json!({"primary_email_address_id": second_phone}))
        .await
        .form_err("form_resource_not_found", "primary_email_address_id");
    assert_eq!(
        s.get(&path).await.ok()["primary_email_address_id"],
        second_email
    );
}

async fn password_change(s: TestServer) {
    let u = s.create_user(json!({})).await;
    let path = format!("/users/{}", id(&u));
    assert_eq!(u["password_enabled"], false);
    s.patch(&path, json!({"password": "short"}))
        .await
        .form_err("form_password_length_too_short", "password");
    let v = s
        .patch(
            &path,
            json!({"password": "short", "skip_password_checks": true}),
        )
        .await
        .ok();
    assert_eq!(v["password_enabled"], true);
    assert!(v["password_last_updated_at"].as_i64().is_some());
    let v = s
        .patch(
            &path,
            json!({"password": "a much longer password", "sign_out_of_other_sessions": true}),
        )
        .await
        .ok();
    assert_eq!(v["password_enabled"], true);
}

async fn metadata_in_update_depends_on_api_version(s: TestServer) {
    let u = s
        .create_user(json!({"public_metadata": {"a": 1, "b": 2}}))
        .await;
    let path = format!("/users/{}", id(&u));
    // Without a version header (and with older versions) metadata replaces the bag.
    let v = s
        .patch(&path, json!({"public_metadata": {"c": 3}}))
        .await
        .ok();
    assert_eq!(v["public_metadata"], json!({"c": 3}));
    let old = s
        .send(
            s.req(Method::PATCH, &path)
                .header("clerk-api-version", "2025-11-10")
                .json(&json!({"private_metadata": {"p": 1}})),
        )
        .await
        .ok();
    assert_eq!(old["private_metadata"], json!({"p": 1}));
    let current = s
        .send(
            s.req(Method::PATCH, &path)
                .header("clerk-api-version", "2026-05-12")
                .json(&json!({"public_metadata": {"d": 4}})),
        )
        .await;
    current.form_err("form_param_unknown", "public_metadata");
    let by_query = s
        .send(
            s.req(
                Method::PATCH,
                &format!("{path}?__clerk_api_version=2026-05-12"),
            )
            .json(&json!({"unsafe_metadata": {}})),
        )
        .await;
    by_query.form_err("form_param_unknown", "unsafe_metadata");
    assert_eq!(s.get(&path).await.ok()["public_metadata"], json!({"c": 3}));
}

async fn delete_removes_everything(s: TestServer) {
    let u = s
        .create_user(json!({"email_address": ["gone@example.com"], "phone_number": ["+15555550160"], "username": "gone_user", "external_id": "gone"}))
        .await;
    let path = format!("/users/{}", id(&u));
    let d = s.delete(&path).await.ok();
    assert_eq!(d, json!({"object": "user", "id": id(&u), "deleted": true}));
    s.get(&path).await.err(404, "resource_not_found");
    s.delete(&path).await.err(404, "resource_not_found");
    assert_eq!(s.count("").await, 0);
    assert_eq!(
        s.count("query=gone").await,
        0,
        "the search index forgets deleted users"
    );
    // Every identifier is free again.
    s.create_user(json!({"email_address": ["gone@example.com"], "phone_number": ["+15555550160"], "username": "gone_user", "external_id": "gone"}))
        .await;
}

crate::on_both_stores!(
    get_missing_user,
    updates_plain_fields,
    update_checks_uniqueness_and_formats,
    primary_identifications,
    password_change,
    metadata_in_update_depends_on_api_version,
    delete_removes_everything,
);
