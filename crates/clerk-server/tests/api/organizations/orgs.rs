//! Organizations themselves: create, get, delete, list; concurrent creates.

use serde_json::{json, Value};

use super::{id, new_org, new_user};
use crate::support::TestServer;

async fn create_get_delete_organization(s: TestServer) {
    let org = new_org(&s, json!({"name": "Acme Inc."})).await;
    assert_eq!(org["object"], "organization");
    assert!(org["id"].as_str().unwrap().starts_with("org_"));
    assert_eq!(org["name"], "Acme Inc.");
    assert_eq!(org["slug"], "acme-inc", "slug made from the name");
    assert_eq!(org["max_allowed_memberships"], 0);
    assert_eq!(org["admin_delete_enabled"], true);
    assert_eq!(org["has_image"], false);
    assert_eq!(org["public_metadata"], json!({}));
    assert_eq!(org["private_metadata"], json!({}));
    assert!(org.get("created_by").is_none());

    // A second organization with the same name gets a different, still derived, slug.
    let twin = new_org(&s, json!({"name": "Acme Inc."})).await;
    let twin_slug = twin["slug"].as_str().unwrap();
    assert!(twin_slug.starts_with("acme-inc-") && twin_slug != "acme-inc");

    let custom = new_org(
        &s,
        json!({"name": "Beta", "slug": "beta-team", "max_allowed_memberships": 3,
               "public_metadata": {"tier": "gold"}, "private_metadata": {"crm": 7},
               "created_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(custom["slug"], "beta-team");
    assert_eq!(custom["max_allowed_memberships"], 3);
    assert_eq!(custom["public_metadata"], json!({"tier": "gold"}));
    assert_eq!(custom["private_metadata"], json!({"crm": 7}));
    assert_eq!(custom["created_at"], 1_577_836_800_000i64);

    s.post(
        "/organizations",
        json!({"name": "Other", "slug": "beta-team"}),
    )
    .await
    .form_err("form_identifier_exists", "slug");
    s.post(
        "/organizations",
        json!({"name": "Other", "slug": "Not A Slug"}),
    )
    .await
    .form_err("form_param_format_invalid", "slug");
    s.post("/organizations", json!({"slug": "no-name"}))
        .await
        .form_err("form_param_missing", "name");
    s.post("/organizations", json!({"name": "X", "colour": "red"}))
        .await
        .form_err("form_param_unknown", "colour");
    s.post("/organizations", json!({"name": 5}))
        .await
        .form_err("form_param_type_invalid", "name");
    s.post(
        "/organizations",
        json!({"name": "X", "max_allowed_memberships": -1}),
    )
    .await
    .form_err("form_param_value_invalid", "max_allowed_memberships");
    s.post(
        "/organizations",
        json!({"name": "X", "public_metadata": [1]}),
    )
    .await
    .form_err("form_param_value_invalid", "public_metadata");
    s.post(
        "/organizations",
        json!({"name": "X", "created_by": "user_missing"}),
    )
    .await
    .err(400, "organization_creator_not_found");

    // By id and by slug.
    let by_id = s.get(&format!("/organizations/{}", id(&custom))).await.ok();
    assert_eq!(by_id, custom);
    let by_slug = s.get("/organizations/beta-team").await.ok();
    assert_eq!(by_slug["id"], custom["id"]);
    let counted = s
        .get("/organizations/beta-team?include_members_count=true")
        .await
        .ok();
    assert_eq!(counted["members_count"], 0);
    s.get("/organizations/org_missing")
        .await
        .err(404, "resource_not_found");

    let deleted = s
        .delete(&format!("/organizations/{}", id(&custom)))
        .await
        .ok();
    assert_eq!(
        deleted,
        json!({"object": "organization", "id": custom["id"], "deleted": true})
    );
    s.get(&format!("/organizations/{}", id(&custom)))
        .await
        .err(404, "resource_not_found");
    s.delete(&format!("/organizations/{}", id(&custom)))
        .await
        .err(404, "resource_not_found");
    // The slug is free again.
    new_org(&s, json!({"name": "Beta again", "slug": "beta-team"})).await;
}

async fn list_organizations(s: TestServer) {
    let u = new_user(&s, "lister@example.com").await;
    let v = new_user(&s, "other@example.com").await;
    let charlie = new_org(&s, json!({"name": "Charlie", "created_by": u})).await;
    let alpha = new_org(&s, json!({"name": "alpha"})).await;
    let bravo = new_org(&s, json!({"name": "Bravo", "created_by": v})).await;
    s.post(
        &format!("/organizations/{}/memberships", id(&bravo)),
        json!({"user_id": u, "role": "org:member"}),
    )
    .await
    .ok();
    let names = |list: &Value| -> Vec<String> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = s.get("/organizations").await.ok();
    assert_eq!(all["total_count"], 3);
    assert_eq!(names(&all), ["Bravo", "alpha", "Charlie"], "newest first");
    assert!(all["data"][0].get("members_count").is_none());
    let by_name = s.get("/organizations?order_by=name").await.ok();
    assert_eq!(
        names(&by_name),
        ["Bravo", "Charlie", "alpha"],
        "binary order"
    );
    let by_members = s
        .get("/organizations?order_by=-members_count&include_members_count=true")
        .await
        .ok();
    assert_eq!(names(&by_members)[0], "Bravo");
    assert_eq!(by_members["data"][0]["members_count"], 2);
    let paged = s
        .get("/organizations?order_by=name&limit=1&offset=1")
        .await
        .ok();
    assert_eq!(paged["total_count"], 3);
    assert_eq!(names(&paged), ["Charlie"]);

    assert_eq!(
        names(&s.get("/organizations?query=RAV").await.ok()),
        ["Bravo"]
    );
    assert_eq!(
        names(
            &s.get(&format!("/organizations?query={}", id(&alpha)))
                .await
                .ok()
        ),
        ["alpha"]
    );
    let mine = s.get(&format!("/organizations?user_id={u}")).await.ok();
    assert_eq!(names(&mine), ["Bravo", "Charlie"]);
    let not_mine = s.get(&format!("/organizations?user_id=-{u}")).await.ok();
    assert_eq!(names(&not_mine), ["alpha"]);
    let picked = s
        .get(&format!(
            "/organizations?organization_id={}&organization_id={}",
            id(&alpha),
            id(&charlie)
        ))
        .await
        .ok();
    assert_eq!(names(&picked), ["alpha", "Charlie"]);
    s.get("/organizations?order_by=slug")
        .await
        .form_err("form_param_value_invalid", "order_by");
    s.get("/organizations?limit=0")
        .await
        .form_err("form_param_value_invalid", "limit");
}

/// Concurrent requests: generated slugs stay unique, a user joins an organization once.
async fn concurrent_creates(s: TestServer) {
    let orgs = futures::future::join_all(
        (0..8).map(|_| s.post("/organizations", json!({"name": "Rush"}))),
    )
    .await;
    let mut slugs: Vec<String> = orgs
        .into_iter()
        .map(|r| r.ok()["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 8, "{slugs:?}");

    let org = id(&new_org(&s, json!({"name": "Once"})).await);
    let user = new_user(&s, "once@example.com").await;
    let path = format!("/organizations/{org}/memberships");
    let body = json!({"user_id": user, "role": "org:member"});
    let answers = futures::future::join_all((0..8).map(|_| s.post(&path, body.clone()))).await;
    let created = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(created, 1);
    for r in answers.iter().filter(|r| r.status != 200) {
        r.err(400, "already_a_member_in_organization");
    }
    assert_eq!(s.count(&format!("organization_id={org}")).await, 1);
}

crate::on_both_stores!(
    create_get_delete_organization,
    list_organizations,
    concurrent_creates,
);
