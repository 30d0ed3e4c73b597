//! Memberships: create, update, delete, the user-side list, the quota, and the
//! `organization_id` filter of `GET /users`.

use serde_json::json;

use super::{data_ids, id, new_org, new_user, ADMIN_PERMISSIONS};
use crate::support::TestServer;

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

crate::on_both_stores!(
    creator_becomes_admin,
    memberships_create_update_delete,
    user_memberships_paging,
    membership_quota,
    organization_filter_on_users,
);
