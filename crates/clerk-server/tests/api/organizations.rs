//! Organizations, memberships and invitations, and the user-side lists of both; the
//! `organization_id` filter of `GET /users` with memberships made over HTTP.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::TestServer;

const ADMIN_PERMISSIONS: [&str; 6] = [
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
];

async fn new_user(s: &TestServer, email: &str) -> String {
    s.create_user(json!({"email_address": [email], "first_name": "F", "last_name": "L"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn new_org(s: &TestServer, body: Value) -> Value {
    s.post("/organizations", body).await.ok()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn data_ids(list: &Value, key: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .map(|m| m[key]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

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

async fn creator_becomes_admin(s: TestServer) {
    let user = new_user(&s, "Owner@Example.com").await;
    let org = new_org(&s, json!({"name": "Owned", "created_by": user})).await;
    assert_eq!(org["created_by"], user);
    let list = s
        .get(&format!("/users/{user}/organization_memberships"))
        .await
        .ok();
    assert_eq!(list["total_count"], 1);
    let m = &list["data"][0];
    assert_eq!(m["object"], "organization_membership");
    assert!(m["id"].as_str().unwrap().starts_with("orgmem_"));
    assert_eq!(m["role"], "org:admin");
    assert_eq!(m["role_name"], "Admin");
    assert_eq!(m["permissions"], json!(ADMIN_PERMISSIONS));
    assert_eq!(m["organization"]["id"], org["id"]);
    assert_eq!(m["organization"]["slug"], "owned");
    assert_eq!(m["public_user_data"]["user_id"], user);
    assert_eq!(m["public_user_data"]["first_name"], "F");
    assert_eq!(m["public_user_data"]["identifier"], "Owner@Example.com");
    let counted = s
        .get(&format!(
            "/organizations/{}?include_members_count=1",
            id(&org)
        ))
        .await
        .ok();
    assert_eq!(counted["members_count"], 1);
}

async fn memberships_create_update_delete(s: TestServer) {
    let org = id(&new_org(&s, json!({"name": "Team"})).await);
    let a = new_user(&s, "a@example.com").await;
    let b = new_user(&s, "b@example.com").await;
    let path = format!("/organizations/{org}/memberships");

    let m = s
        .post(
            &path,
            json!({"user_id": a, "role": "org:member", "public_metadata": {"team": "red"},
                   "private_metadata": {"note": 1}}),
        )
        .await
        .ok();
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["role_name"], "Member");
    assert_eq!(m["permissions"], json!(["org:sys_memberships:read"]));
    assert_eq!(m["public_metadata"], json!({"team": "red"}));
    assert_eq!(m["private_metadata"], json!({"note": 1}));
    assert_eq!(m["organization"]["id"], org);
    assert_eq!(m["public_user_data"]["user_id"], a);
    assert_eq!(m["public_user_data"]["identifier"], "a@example.com");

    s.post(&path, json!({"user_id": a, "role": "org:admin"}))
        .await
        .err(400, "already_a_member_in_organization");
    s.post(
        &path,
        json!({"user_id": "user_missing", "role": "org:member"}),
    )
    .await
    .err(404, "resource_not_found");
    s.post(
        "/organizations/org_missing/memberships",
        json!({"user_id": b, "role": "org:member"}),
    )
    .await
    .err(404, "resource_not_found");
    s.post(&path, json!({"user_id": b, "role": 5}))
        .await
        .form_err("form_param_type_invalid", "role");
    s.post(&path, json!({"user_id": b, "role": "admin"}))
        .await
        .form_err("form_param_value_invalid", "role");
    s.post(&path, json!({"user_id": b}))
        .await
        .form_err("form_param_missing", "role");
    s.post(&path, json!({"role": "org:member"}))
        .await
        .form_err("form_param_missing", "user_id");

    // A custom role has no system permissions.
    let custom = s
        .post(&path, json!({"user_id": b, "role": "org:billing_manager"}))
        .await
        .ok();
    assert_eq!(custom["role_name"], "Billing manager");
    assert_eq!(custom["permissions"], json!([]));

    let promoted = s
        .patch(&format!("{path}/{a}"), json!({"role": "org:admin"}))
        .await
        .ok();
    assert_eq!(promoted["id"], m["id"]);
    assert_eq!(promoted["role"], "org:admin");
    assert_eq!(promoted["permissions"], json!(ADMIN_PERMISSIONS));
    assert!(promoted["updated_at"].as_i64() >= m["updated_at"].as_i64());
    s.patch(&format!("{path}/{a}"), json!({"role": ["org:admin"]}))
        .await
        .form_err("form_param_type_invalid", "role");
    s.patch(&format!("{path}/{a}"), json!({}))
        .await
        .form_err("form_param_missing", "role");
    let outsider = new_user(&s, "c@example.com").await;
    s.patch(&format!("{path}/{outsider}"), json!({"role": "org:admin"}))
        .await
        .err(404, "resource_not_found");
    s.patch(
        &format!("{path}/user_missing"),
        json!({"role": "org:admin"}),
    )
    .await
    .err(404, "resource_not_found");

    let members = s.get(&format!("{path}?limit=1")).await.ok();
    assert_eq!(members["total_count"], 2);
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
    assert_eq!(members["data"][0]["public_user_data"]["user_id"], a);
    let rest = s.get(&format!("{path}?limit=1&offset=1")).await.ok();
    assert_eq!(rest["data"][0]["public_user_data"]["user_id"], b);

    let removed = s.delete(&format!("{path}/{a}")).await.ok();
    assert_eq!(removed["id"], m["id"]);
    assert_eq!(removed["role"], "org:admin");
    s.delete(&format!("{path}/{a}"))
        .await
        .err(404, "resource_not_found");
    let list = s
        .get(&format!("/users/{a}/organization_memberships"))
        .await
        .ok();
    assert_eq!(list, json!({"data": [], "total_count": 0}));
    // Removed members may join again.
    s.post(&path, json!({"user_id": a, "role": "org:member"}))
        .await
        .ok();
}

async fn user_memberships_paging(s: TestServer) {
    let user = new_user(&s, "pager@example.com").await;
    let mut orgs = Vec::new();
    for i in 0..12 {
        let org = new_org(&s, json!({"name": format!("Org {i}")})).await;
        s.post(
            &format!("/organizations/{}/memberships", id(&org)),
            json!({"user_id": user, "role": "org:member"}),
        )
        .await
        .ok();
        orgs.push(id(&org));
    }
    let newest_first: Vec<String> = orgs.iter().rev().cloned().collect();
    let path = format!("/users/{user}/organization_memberships");

    let page = s.get(&path).await.ok();
    assert_eq!(page["total_count"], 12);
    assert_eq!(
        data_ids(&page, "organization"),
        newest_first[..10],
        "default limit 10"
    );
    let page = s.get(&format!("{path}?limit=5&offset=10")).await.ok();
    assert_eq!(page["total_count"], 12);
    assert_eq!(data_ids(&page, "organization"), newest_first[10..]);
    let page = s.get(&format!("{path}?limit=500&offset=12")).await.ok();
    assert_eq!(page, json!({"data": [], "total_count": 12}));

    s.get(&format!("{path}?limit=0"))
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get(&format!("{path}?limit=501"))
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get(&format!("{path}?offset=-1"))
        .await
        .form_err("form_param_value_invalid", "offset");
    assert_eq!(
        s.get(&format!("{path}?limit=ten"))
            .await
            .err(400, "invalid_query_parameter_value")
            .as_deref(),
        Some("limit")
    );
    s.get("/users/user_missing/organization_memberships")
        .await
        .err(404, "resource_not_found");

    // Deleting an organization removes its memberships.
    s.delete(&format!("/organizations/{}", orgs[0])).await.ok();
    assert_eq!(s.get(&path).await.ok()["total_count"], 11);
}

async fn invitations_create_revoke_and_user_list(s: TestServer) {
    let admin = new_user(&s, "admin@example.com").await;
    let member = new_user(&s, "member@example.com").await;
    let invitee = s
        .create_user(json!({"email_address": ["Invitee@Example.com", "second@example.com"]}))
        .await;
    let invitee = id(&invitee);
    let org = new_org(&s, json!({"name": "Inviting", "created_by": admin})).await;
    let org_id = id(&org);
    s.post(
        &format!("/organizations/{org_id}/memberships"),
        json!({"user_id": member, "role": "org:member"}),
    )
    .await
    .ok();
    let path = format!("/organizations/{org_id}/invitations");

    let inv = s
        .post(
            &path,
            json!({"email_address": "invitee@EXAMPLE.com", "role": "org:member",
                   "inviter_user_id": admin, "expires_in_days": 7,
                   "public_metadata": {"p": 1}, "private_metadata": {"q": 2},
                   "redirect_url": "https://app.example.com/join", "notify": false}),
        )
        .await
        .ok();
    assert_eq!(inv["object"], "organization_invitation");
    assert!(inv["id"].as_str().unwrap().starts_with("orginv_"));
    assert_eq!(inv["email_address"], "invitee@EXAMPLE.com");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["role"], "org:member");
    assert_eq!(inv["role_name"], "Member");
    assert_eq!(inv["organization_id"], org_id);
    assert_eq!(inv["inviter_id"], admin);
    assert_eq!(inv["public_inviter_data"]["user_id"], admin);
    assert_eq!(
        inv["public_inviter_data"]["identifier"],
        "admin@example.com"
    );
    assert_eq!(inv["public_metadata"], json!({"p": 1}));
    assert_eq!(inv["private_metadata"], json!({"q": 2}));
    assert_eq!(inv["url"], Value::Null);
    assert!(inv.get("public_organization_data").is_none());
    assert_eq!(
        inv["expires_at"].as_i64().unwrap() - inv["created_at"].as_i64().unwrap(),
        7 * 24 * 3600 * 1000
    );

    // Without an inviter, the default lifetime (30 days) applies.
    let other = s
        .post(
            &path,
            json!({"email_address": "stranger@example.com", "role": "org:admin"}),
        )
        .await
        .ok();
    assert_eq!(other["inviter_id"], Value::Null);
    assert_eq!(other["public_inviter_data"], Value::Null);
    assert_eq!(
        other["expires_at"].as_i64().unwrap() - other["created_at"].as_i64().unwrap(),
        30 * 24 * 3600 * 1000
    );

    s.post(
        &path,
        json!({"email_address": "INVITEE@example.com", "role": "org:member"}),
    )
    .await
    .err(400, "organization_invitation_not_unique");
    s.post(
        &path,
        json!({"email_address": "member@example.com", "role": "org:member"}),
    )
    .await
    .err(400, "already_a_member_in_organization");
    s.post(
        &path,
        json!({"email_address": "new@example.com", "role": "org:member", "inviter_user_id": member}),
    )
    .await
    .err(403, "not_an_admin_in_organization");
    s.post(
        &path,
        json!({"email_address": "new@example.com", "role": "org:member", "inviter_user_id": "user_missing"}),
    )
    .await
    .err(404, "resource_not_found");
    s.post(
        &path,
        json!({"email_address": "not-an-email", "role": "org:member"}),
    )
    .await
    .form_err("form_param_format_invalid", "email_address");
    s.post(&path, json!({"email_address": "new@example.com"}))
        .await
        .form_err("form_param_missing", "role");
    s.post(
        &path,
        json!({"email_address": "new@example.com", "role": "org:member", "expires_in_days": 0}),
    )
    .await
    .form_err("form_param_value_invalid", "expires_in_days");
    s.post(
        &path,
        json!({"email_address": "new@example.com", "role": "org:member", "expires_in_days": "7"}),
    )
    .await
    .form_err("form_param_type_invalid", "expires_in_days");
    s.post(
        "/organizations/org_missing/invitations",
        json!({"email_address": "new@example.com", "role": "org:member"}),
    )
    .await
    .err(404, "resource_not_found");

    // A second organization invites the same user (through the other address), then revokes.
    let org2 = id(&new_org(&s, json!({"name": "Second", "created_by": admin})).await);
    let inv2 = s
        .post(
            &format!("/organizations/{org2}/invitations"),
            json!({"email_address": "second@example.com", "role": "org:admin"}),
        )
        .await
        .ok();
    let revoke = format!("/organizations/{org2}/invitations/{}/revoke", id(&inv2));
    s.post(&revoke, json!({"requesting_user_id": member}))
        .await
        .err(403, "not_an_admin_in_organization");
    let revoked = s
        .post(&revoke, json!({"requesting_user_id": admin}))
        .await
        .ok();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["id"], inv2["id"]);
    s.post(&revoke, json!({}))
        .await
        .err(400, "organization_invitation_not_pending");
    // An empty body is allowed.
    s.send(s.req(
        Method::POST,
        &format!("/organizations/{org2}/invitations/orginv_missing/revoke"),
    ))
    .await
    .err(404, "resource_not_found");
    s.post(
        &format!("/organizations/{org_id}/invitations/{}/revoke", id(&inv2)),
        json!({}),
    )
    .await
    .err(404, "resource_not_found");

    // The user's side: every invitation sent to any of their addresses, newest first.
    let user_path = format!("/users/{invitee}/organization_invitations");
    let all = s.get(&user_path).await.ok();
    assert_eq!(all["total_count"], 2);
    let items = all["data"].as_array().unwrap();
    assert_eq!(items[0]["id"], inv2["id"]);
    assert_eq!(items[0]["status"], "revoked");
    assert_eq!(items[1]["id"], inv["id"]);
    assert_eq!(items[1]["public_inviter_data"]["user_id"], admin);
    assert_eq!(
        items[1]["public_organization_data"],
        json!({"id": org_id, "name": "Inviting", "slug": "inviting", "has_image": false})
    );

    let ids_for = |v: &Value| -> Vec<Value> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].clone())
            .collect()
    };
    let pending = s.get(&format!("{user_path}?status=pending")).await.ok();
    assert_eq!(ids_for(&pending), vec![inv["id"].clone()]);
    assert_eq!(pending["total_count"], 1);
    let revoked = s.get(&format!("{user_path}?status[]=revoked")).await.ok();
    assert_eq!(ids_for(&revoked), vec![inv2["id"].clone()]);
    let both = s
        .get(&format!(
            "{user_path}?status=pending&status=revoked&limit=1&offset=1"
        ))
        .await
        .ok();
    assert_eq!(both["total_count"], 2);
    assert_eq!(ids_for(&both), vec![inv["id"].clone()]);
    assert_eq!(
        s.get(&format!("{user_path}?status=accepted")).await.ok(),
        json!({"data": [], "total_count": 0})
    );
    assert_eq!(
        s.get(&format!("{user_path}?status=bogus"))
            .await
            .err(400, "invalid_query_parameter_value")
            .as_deref(),
        Some("status")
    );
    s.get(&format!("{user_path}?limit=501"))
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get("/users/user_missing/organization_invitations")
        .await
        .err(404, "resource_not_found");
    // Someone else's invitations are not this user's.
    let members_view = s
        .get(&format!("/users/{member}/organization_invitations"))
        .await
        .ok();
    assert_eq!(members_view["total_count"], 0);

    // A pending invitation past its time is expired; it can no longer be revoked.
    s.exec_sql(&format!(
        "UPDATE organization_invitations SET expires_at = 1 WHERE id = '{}'",
        id(&inv)
    ))
    .await;
    let expired = s.get(&format!("{user_path}?status=expired")).await.ok();
    assert_eq!(ids_for(&expired), vec![inv["id"].clone()]);
    assert_eq!(expired["data"][0]["status"], "expired");
    assert_eq!(
        s.get(&format!("{user_path}?status=pending")).await.ok()["total_count"],
        0
    );
    s.post(
        &format!("/organizations/{org_id}/invitations/{}/revoke", id(&inv)),
        json!({}),
    )
    .await
    .err(400, "organization_invitation_not_pending");
    // An expired invitation does not block a new one.
    s.post(
        &path,
        json!({"email_address": "invitee@example.com", "role": "org:member"}),
    )
    .await
    .ok();

    // Deleting an organization removes its invitations.
    s.delete(&format!("/organizations/{org2}")).await.ok();
    assert_eq!(s.get(&user_path).await.ok()["total_count"], 2);
    s.delete(&format!("/organizations/{org_id}")).await.ok();
    assert_eq!(
        s.get(&user_path).await.ok(),
        json!({"data": [], "total_count": 0})
    );
}

async fn membership_quota(s: TestServer) {
    let org = id(&new_org(&s, json!({"name": "Small", "max_allowed_memberships": 2})).await);
    let a = new_user(&s, "qa@example.com").await;
    let b = new_user(&s, "qb@example.com").await;
    s.post(
        &format!("/organizations/{org}/memberships"),
        json!({"user_id": a, "role": "org:member"}),
    )
    .await
    .ok();
    // A pending invitation takes the last seat.
    s.post(
        &format!("/organizations/{org}/invitations"),
        json!({"email_address": "seat@example.com", "role": "org:member"}),
    )
    .await
    .ok();
    s.post(
        &format!("/organizations/{org}/memberships"),
        json!({"user_id": b, "role": "org:member"}),
    )
    .await
    .err(403, "organization_membership_quota_exceeded");
    s.post(
        &format!("/organizations/{org}/invitations"),
        json!({"email_address": "more@example.com", "role": "org:member"}),
    )
    .await
    .err(403, "organization_membership_quota_exceeded");
}

async fn organization_filter_on_users(s: TestServer) {
    let a = new_user(&s, "fa@example.com").await;
    let b = new_user(&s, "fb@example.com").await;
    let c = new_user(&s, "fc@example.com").await;
    let d = new_user(&s, "fd@example.com").await;
    let org1 = id(&new_org(&s, json!({"name": "One", "created_by": a})).await);
    let org2 = id(&new_org(&s, json!({"name": "Two"})).await);
    for (org, user) in [(&org1, &b), (&org2, &c)] {
        s.post(
            &format!("/organizations/{org}/memberships"),
            json!({"user_id": user, "role": "org:member"}),
        )
        .await
        .ok();
    }
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let expect = |ids: &[&String]| sorted(ids.iter().map(|s| (*s).clone()).collect());

    assert_eq!(
        sorted(s.list_ids(&format!("organization_id={org1}")).await),
        expect(&[&a, &b])
    );
    assert_eq!(s.count(&format!("organization_id={org1}")).await, 2);
    assert_eq!(
        sorted(
            s.list_ids(&format!("organization_id=%2B{org1}&organization_id={org2}"))
                .await
        ),
        expect(&[&a, &b, &c])
    );
    assert_eq!(
        sorted(s.list_ids(&format!("organization_id=-{org1}")).await),
        expect(&[&c, &d])
    );
    assert_eq!(s.count(&format!("organization_id[]=-{org2}")).await, 3);

    s.delete(&format!("/organizations/{org1}/memberships/{b}"))
        .await
        .ok();
    assert_eq!(
        s.list_ids(&format!("organization_id={org1}")).await,
        vec![a.clone()]
    );
    s.delete(&format!("/organizations/{org1}")).await.ok();
    assert_eq!(s.count(&format!("organization_id={org1}")).await, 0);

    // Deleting a user removes their memberships.
    s.delete(&format!("/users/{c}")).await.ok();
    assert_eq!(s.count(&format!("organization_id={org2}")).await, 0);
    let members = s
        .get(&format!("/organizations/{org2}/memberships"))
        .await
        .ok();
    assert_eq!(members, json!({"data": [], "total_count": 0}));
}

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

async fn organization_invitations_list_and_get(s: TestServer) {
    let org = id(&new_org(&s, json!({"name": "Invites"})).await);
    let admin = new_user(&s, "boss@example.com").await;
    s.post(
        &format!("/organizations/{org}/memberships"),
        json!({"user_id": admin, "role": "org:admin"}),
    )
    .await
    .ok();
    let path = format!("/organizations/{org}/invitations");
    let mut sent = Vec::new();
    for email in ["zed@example.com", "amy@example.com", "Kim@example.com"] {
        let inv = s
            .post(
                &path,
                json!({"email_address": email, "role": "org:member", "inviter_user_id": admin}),
            )
            .await
            .ok();
        sent.push(id(&inv));
    }
    s.post(&format!("{path}/{}/revoke", sent[0]), json!({}))
        .await
        .ok();
    let ids_of = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = s.get(&path).await.ok();
    assert_eq!(all["total_count"], 3);
    assert_eq!(
        ids_of(&all),
        [sent[2].as_str(), &sent[1], &sent[0]],
        "newest first"
    );
    assert_eq!(all["data"][0]["public_inviter_data"]["user_id"], admin);
    assert!(all["data"][0].get("public_organization_data").is_none());
    let by_email = s.get(&format!("{path}?order_by=email_address")).await.ok();
    assert_eq!(ids_of(&by_email), [sent[1].as_str(), &sent[2], &sent[0]]);
    let pending = s.get(&format!("{path}?status=pending")).await.ok();
    assert_eq!(pending["total_count"], 2);
    let revoked = s.get(&format!("{path}?status=revoked")).await.ok();
    assert_eq!(ids_of(&revoked), [sent[0].as_str()]);
    let kim = s
        .get(&format!("{path}?email_address=kim%40EXAMPLE.com"))
        .await
        .ok();
    assert_eq!(ids_of(&kim), [sent[2].as_str()]);
    let paged = s.get(&format!("{path}?limit=1&offset=2")).await.ok();
    assert_eq!(paged["total_count"], 3);
    assert_eq!(ids_of(&paged), [sent[0].as_str()]);
    s.get(&format!("{path}?status=gone"))
        .await
        .err(400, "invalid_query_parameter_value");
    s.get("/organizations/org_missing/invitations")
        .await
        .err(404, "resource_not_found");

    let one = s.get(&format!("{path}/{}", sent[1])).await.ok();
    assert_eq!(one["email_address"], "amy@example.com");
    assert_eq!(one["status"], "pending");
    assert_eq!(one["organization_id"], org);
    s.get(&format!("{path}/orginv_missing"))
        .await
        .err(404, "resource_not_found");
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
    creator_becomes_admin,
    memberships_create_update_delete,
    user_memberships_paging,
    invitations_create_revoke_and_user_list,
    membership_quota,
    organization_filter_on_users,
    update_organization_and_metadata,
    list_organizations,
    organization_invitations_list_and_get,
    concurrent_creates,
);
