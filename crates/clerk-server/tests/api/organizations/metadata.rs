//! `PATCH /organizations/{id}` and the organization and membership metadata endpoints.

use reqwest::Method;
use serde_json::json;

use super::{id, new_org, new_user};
use crate::support::TestServer;

async fn update_organization_and_metadata(s: TestServer) {
    let org = new_org(
        &s,
        json!({"name": "Meta", "public_metadata": {"a": 1, "n": {"x": 1, "y": 2}},
               "private_metadata": {"secret": true}}),
    )
    .await;
    let path = format!("/organizations/{}", id(&org));
    new_org(&s, json!({"name": "Taken", "slug": "taken"})).await;

    let updated = s
        .patch(
            &path,
            json!({"name": "Meta Two", "slug": "meta-two", "max_allowed_memberships": 9,
                   "admin_delete_enabled": false}),
        )
        .await
        .ok();
    assert_eq!(updated["name"], "Meta Two");
    assert_eq!(updated["slug"], "meta-two");
    assert_eq!(updated["max_allowed_memberships"], 9);
    assert_eq!(updated["admin_delete_enabled"], false);
    assert_eq!(updated["public_metadata"], org["public_metadata"]);
    assert_eq!(s.get("/organizations/meta-two").await.ok(), updated);
    s.patch(&path, json!({"slug": "taken"}))
        .await
        .form_err("form_identifier_exists", "slug");
    s.patch(&path, json!({"slug": "Bad Slug"}))
        .await
        .form_err("form_param_format_invalid", "slug");
    s.patch(&path, json!({"name": "<b>html</b>"}))
        .await
        .form_err("form_param_value_invalid", "name");
    s.patch(&path, json!({"members": 1}))
        .await
        .form_err("form_param_unknown", "members");
    s.patch("/organizations/org_missing", json!({"name": "X"}))
        .await
        .err(404, "resource_not_found");
    // From API version 2026-05-12 the update takes no metadata; before, it replaces the bag.
    s.send(
        s.req(Method::PATCH, &path)
            .header("Clerk-API-Version", "2026-05-12")
            .json(&json!({"public_metadata": {"z": 1}})),
    )
    .await
    .form_err("form_param_unknown", "public_metadata");
    let replaced = s
        .send(
            s.req(Method::PATCH, &path)
                .header("Clerk-API-Version", "2025-04-10")
                .json(&json!({"public_metadata": {"a": 1, "n": {"x": 1, "y": 2}}})),
        )
        .await
        .ok();
    assert_eq!(
        replaced["public_metadata"],
        json!({"a": 1, "n": {"x": 1, "y": 2}})
    );

    let merged = s
        .patch(
            &format!("{path}/metadata"),
            json!({"public_metadata": {"a": null, "n": {"x": null, "z": 3}}}),
        )
        .await
        .ok();
    assert_eq!(merged["public_metadata"], json!({"n": {"y": 2, "z": 3}}));
    assert_eq!(merged["private_metadata"], json!({"secret": true}));
    let put = s
        .put(
            &format!("{path}/metadata"),
            json!({"private_metadata": {"b": 1}}),
        )
        .await
        .ok();
    assert_eq!(put["private_metadata"], json!({"b": 1}));
    assert_eq!(put["public_metadata"], json!({"n": {"y": 2, "z": 3}}));
    s.patch(&format!("{path}/metadata"), json!({"public_metadata": [1]}))
        .await
        .form_err("form_param_value_invalid", "public_metadata");
    s.put("/organizations/org_missing/metadata", json!({}))
        .await
        .err(404, "resource_not_found");

    // Membership metadata merges the same way.
    let user = new_user(&s, "meta@example.com").await;
    s.post(
        &format!("{path}/memberships"),
        json!({"user_id": user, "role": "org:member", "public_metadata": {"k": {"a": 1}}}),
    )
    .await
    .ok();
    let m = s
        .patch(
            &format!("{path}/memberships/{user}/metadata"),
            json!({"public_metadata": {"k": {"b": 2}}, "private_metadata": {"p": 1}}),
        )
        .await
        .ok();
    assert_eq!(m["public_metadata"], json!({"k": {"a": 1, "b": 2}}));
    assert_eq!(m["private_metadata"], json!({"p": 1}));
    let stranger = new_user(&s, "stranger@example.com").await;
    s.patch(
        &format!("{path}/memberships/{stranger}/metadata"),
        json!({"public_metadata": {}}),
    )
    .await
    .err(404, "resource_not_found");
}

/// A bag given as `null` is reset to `{}` by `PATCH` and `PUT`, on organizations and
/// memberships alike (as on users); an absent bag is left alone; a bag that is neither an
/// object nor `null` is refused.
async fn null_metadata_bags_reset(s: TestServer) {
    let org = new_org(
        &s,
        json!({"name": "Nulls", "public_metadata": {"a": 1}, "private_metadata": {"p": 1}}),
    )
    .await;
    let path = format!("/organizations/{}/metadata", id(&org));

    let patched = s.patch(&path, json!({"public_metadata": null})).await.ok();
    assert_eq!(patched["public_metadata"], json!({}));
    assert_eq!(
        patched["private_metadata"],
        json!({"p": 1}),
        "absent bag untouched"
    );

    s.patch(&path, json!({"public_metadata": {"b": 2}}))
        .await
        .ok();
    let put = s.put(&path, json!({"public_metadata": null})).await.ok();
    assert_eq!(put["public_metadata"], json!({}));
    assert_eq!(
        put["private_metadata"],
        json!({"p": 1}),
        "absent bag untouched"
    );
    let put = s.put(&path, json!({"private_metadata": null})).await.ok();
    assert_eq!(put["private_metadata"], json!({}));

    let untouched = s
        .patch(&path, json!({"public_metadata": {"c": 3}}))
        .await
        .ok();
    let same = s.patch(&path, json!({})).await.ok();
    assert_eq!(same["public_metadata"], untouched["public_metadata"]);
    let same = s.put(&path, json!({})).await.ok();
    assert_eq!(same["public_metadata"], json!({"c": 3}));
    let stored = s.get(&format!("/organizations/{}", id(&org))).await.ok();
    assert_eq!(stored["public_metadata"], json!({"c": 3}));
    assert_eq!(stored["private_metadata"], json!({}));

    for (bag, value) in [
        ("public_metadata", json!("text")),
        ("private_metadata", json!(5)),
        ("public_metadata", json!([1])),
    ] {
        s.patch(&path, json!({ bag: value.clone() }))
            .await
            .form_err("form_param_value_invalid", bag);
        s.put(&path, json!({ bag: value }))
            .await
            .form_err("form_param_value_invalid", bag);
    }
    let stored = s.get(&format!("/organizations/{}", id(&org))).await.ok();
    assert_eq!(
        stored["public_metadata"],
        json!({"c": 3}),
        "a refused bag wrote nothing"
    );

    // Membership metadata: the same rule.
    let user = new_user(&s, "nulls@example.com").await;
    let members = format!("/organizations/{}/memberships", id(&org));
    s.post(
        &members,
        json!({"user_id": user, "role": "org:member",
               "public_metadata": {"k": 1}, "private_metadata": {"q": 1}}),
    )
    .await
    .ok();
    let m = s
        .patch(
            &format!("{members}/{user}/metadata"),
            json!({"public_metadata": null}),
        )
        .await
        .ok();
    assert_eq!(m["public_metadata"], json!({}));
    assert_eq!(
        m["private_metadata"],
        json!({"q": 1}),
        "absent bag untouched"
    );
    s.patch(
        &format!("{members}/{user}/metadata"),
        json!({"private_metadata": "text"}),
    )
    .await
    .form_err("form_param_value_invalid", "private_metadata");
}

crate::on_both_stores!(update_organization_and_metadata, null_metadata_bags_reset,);
