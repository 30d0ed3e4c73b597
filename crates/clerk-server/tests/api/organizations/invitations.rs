//! Invitations: create, revoke, get, and the organization- and user-side lists.

use reqwest::Method;
use serde_json::{json, Value};

use super::{id, new_org, new_user};
use crate::support::TestServer;

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

crate::on_both_stores!(
    invitations_create_revoke_and_user_list,
    organization_invitations_list_and_get,
);
