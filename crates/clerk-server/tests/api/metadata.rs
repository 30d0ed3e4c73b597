//! `PATCH` (deep merge) and `PUT` (replace) `/users/{user_id}/metadata`.

use serde_json::json;

use crate::support::TestServer;

async fn patch_deep_merges(s: TestServer) {
    let u = s
        .create_user(json!({
            "public_metadata": {"a": 1, "nested": {"keep": true, "drop": 1, "deeper": {"x": 1, "y": 2}}},
            "private_metadata": {"p": 1},
            "unsafe_metadata": {"u": 1}
        }))
        .await;
    let path = format!("/users/{}/metadata", u["id"].as_str().unwrap());
    let v = s
        .patch(
            &path,
            json!({
                "public_metadata": {"a": null, "b": [1, 2], "nested": {"drop": null, "deeper": {"y": null, "z": 3}, "new": {"k": null, "v": 1}}},
                "private_metadata": {"q": 2}
            }),
        )
        .await
        .ok();
    assert_eq!(
        v["public_metadata"],
        json!({"b": [1, 2], "nested": {"keep": true, "deeper": {"x": 1, "z": 3}, "new": {"v": 1}}})
    );
    assert_eq!(v["private_metadata"], json!({"p": 1, "q": 2}));
    assert_eq!(
        v["unsafe_metadata"],
        json!({"u": 1}),
        "omitted bags are untouched"
    );
    // An empty body changes nothing.
    let same = s.patch(&path, json!({})).await.ok();
    assert_eq!(same["public_metadata"], v["public_metadata"]);
}

async fn put_replaces(s: TestServer) {
    let u = s
        .create_user(json!({"public_metadata": {"a": 1}, "private_metadata": {"p": 1}, "unsafe_metadata": {"u": 1}}))
        .await;
    let path = format!("/users/{}/metadata", u["id"].as_str().unwrap());
    let v = s
        .put(
            &path,
            json!({"public_metadata": {"b": {"c": null}}, "private_metadata": {}}),
        )
        .await
        .ok();
    assert_eq!(
        v["public_metadata"],
        json!({"b": {"c": null}}),
        "PUT stores the value as given"
    );
    assert_eq!(v["private_metadata"], json!({}));
    assert_eq!(v["unsafe_metadata"], json!({"u": 1}));
    let v = s.put(&path, json!({"unsafe_metadata": null})).await.ok();
    assert_eq!(v["unsafe_metadata"], json!({}));
}

async fn metadata_rules(s: TestServer) {
    let u = s.create_user(json!({"public_metadata": {"a": 1}})).await;
    let path = format!("/users/{}/metadata", u["id"].as_str().unwrap());
    let big = "x".repeat(8 * 1024);
    s.patch(&path, json!({"public_metadata": {"big": big}}))
        .await
        .form_err("form_param_exceeds_allowed_size", "public_metadata");
    s.put(&path, json!({"private_metadata": {"big": big}}))
        .await
        .form_err("form_param_exceeds_allowed_size", "private_metadata");
    // Growing past the cap through merges is refused too.
    let half = "y".repeat(5 * 1024);
    s.patch(&path, json!({"public_metadata": {"h1": half}}))
        .await
        .ok();
    s.patch(&path, json!({"public_metadata": {"h2": half}}))
        .await
        .form_err("form_param_exceeds_allowed_size", "public_metadata");
    s.patch(&path, json!({"public_metadata": "text"}))
        .await
        .form_err("form_param_value_invalid", "public_metadata");
    s.patch(&path, json!({"other_metadata": {}}))
        .await
        .form_err("form_param_unknown", "other_metadata");
    s.patch(
        "/users/user_missing/metadata",
        json!({"public_metadata": {}}),
    )
    .await
    .err(404, "resource_not_found");
    let stored = s
        .get(&format!("/users/{}", u["id"].as_str().unwrap()))
        .await
        .ok();
    assert_eq!(stored["public_metadata"]["a"], 1);
    assert!(
        stored["public_metadata"].get("h2").is_none(),
        "a refused merge wrote nothing"
    );
}

crate::on_both_stores!(patch_deep_merges, put_replaces, metadata_rules);
