//! Webhooks over HTTP: the endpoints API, every event type arriving signed as Svix signs with
//! the right object, retries, failure and resend, rotation, filters, nothing for a rolled-back
//! change, and two PostgreSQL nodes sending each attempt once.

pub mod receiver;

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{Resp, TestServer};
use receiver::{Received, Receiver};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn add_endpoint(s: &TestServer, body: Value) -> Value {
    s.post_ext("/_ext/webhooks/endpoints", body).await.ok()
}

async fn ext(s: &TestServer, method: Method, path: &str, body: Option<Value>) -> Resp {
    let mut request = s.req(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    s.send_outside_spec(request).await
}

/// Restarts the server with this retry schedule (the delays before each retry).
async fn restart_with_schedule(s: &mut TestServer, millis: &[u64]) {
    let mut config = s.config();
    config.webhooks.retry_schedule = millis.iter().map(|&ms| Duration::from_millis(ms)).collect();
    config.webhooks.timeout = Duration::from_secs(2);
    s.restart_with(config).await.expect("restarts");
}

/// Every message verifies with `secret`, and is in Clerk's envelope.
fn assert_signed_envelopes(received: &[Received], secret: &str) {
    for message in received {
        assert!(message.verifies_with(secret), "{message:#?}");
        assert!(message.svix_id.starts_with("msg_"), "{message:#?}");
        assert!(
            message.user_agent.starts_with("Svix-Webhooks/"),
            "{message:#?}"
        );
        let ts: i64 = message.timestamp.parse().expect("seconds");
        assert!((ts - crate::support::now_ms() / 1000).abs() < 300);
        let event = message.json();
        assert_eq!(event["object"], "event");
        assert!(event["instance_id"].as_str().unwrap().starts_with("ins_"));
        assert!(event["timestamp"].as_i64().unwrap() > 0);
        assert!(event["event_attributes"]["http_request"]["client_ip"]
            .as_str()
            .is_some());
    }
}

async fn every_event_type_arrives_signed_with_its_object(s: TestServer) {
    let hook = Receiver::start().await;
    let endpoint = add_endpoint(&s, json!({"url": hook.url})).await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();

    let user = s
        .create_user(json!({"email_address": ["ada@example.com"], "first_name": "Ada"}))
        .await;
    let user_id = id(&user);
    let created = hook.wait_for_event("user.created", &user_id).await;
    // The user exactly as GET /users/{id} returns it at commit.
    let got = s.get(&format!("/users/{user_id}")).await.ok();
    assert_eq!(created[0].json()["data"], got);
    assert_eq!(
        created[0].json()["event_attributes"]["http_request"]["client_ip"],
        "127.0.0.1"
    );

    let path = format!("/users/{user_id}");
    let updated = s.patch(&path, json!({"last_name": "Lovelace"})).await.ok();
    s.patch(
        &format!("{path}/metadata"),
        json!({"public_metadata": {"plan": "pro"}}),
    )
    .await
    .ok();
    s.post(&format!("{path}/ban"), json!({})).await.ok();
    s.post(&format!("{path}/unban"), json!({})).await.ok();
    s.post(&format!("{path}/lock"), json!({})).await.ok();
    let unlocked = s.post(&format!("{path}/unlock"), json!({})).await.ok();

    let member = s
        .create_user(json!({"email_address": ["m@example.com"]}))
        .await;
    let member_id = id(&member);
    let org = s
        .post(
            "/organizations",
            json!({"name": "Hooks", "created_by": user_id}),
        )
        .await
        .ok();
    let org_id = id(&org);
    s.patch(
        &format!("/organizations/{org_id}"),
        json!({"name": "Hooks 2"}),
    )
    .await
    .ok();
    let members = format!("/organizations/{org_id}/memberships");
    s.post(
        &members,
        json!({"user_id": member_id, "role": "org:member"}),
    )
    .await
    .ok();
    s.patch(
        &format!("{members}/{member_id}"),
        json!({"role": "org:admin"}),
    )
    .await
    .ok();
    s.delete(&format!("{members}/{member_id}")).await.ok();
    let invitation = s
        .post(
            &format!("/organizations/{org_id}/invitations"),
            json!({"email_address": "inv@example.com", "role": "org:member"}),
        )
        .await
        .ok();
    let invitation_id = id(&invitation);
    s.post(
        &format!("/organizations/{org_id}/invitations/{invitation_id}/revoke"),
        json!({}),
    )
    .await
    .ok();
    s.delete(&format!("/organizations/{org_id}")).await.ok();
    s.delete(&path).await.ok();

    let expected = [
        "user.created",
        "user.updated", // last_name
        "user.updated", // metadata
        "user.updated", // ban
        "user.updated", // unban
        "user.updated", // lock
        "user.updated", // unlock
        "user.created", // member
        "organization.created",
        "organizationMembership.created", // the creator, admin
        "organization.updated",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "organizationInvitation.created",
        "organizationInvitation.revoked",
        "organization.deleted",
        "user.deleted",
    ];
    // Deliveries run concurrently: the last change's event can arrive before an earlier one's
    // (seen under load: `user.deleted` before `organization.deleted`), so wait for them all.
    hook.wait_for_event("user.deleted", &user_id).await;
    let received = hook.wait_for(expected.len()).await;
    assert_signed_envelopes(&received, &secret);
    let types: Vec<String> = received.iter().map(Received::event_type).collect();
    let mut sorted_types = types.clone();
    sorted_types.sort();
    let mut sorted_expected: Vec<String> = expected.iter().map(|t| t.to_string()).collect();
    sorted_expected.sort();
    assert_eq!(sorted_types, sorted_expected, "in arrival order: {types:?}");

    let by_type = |t: &str| -> Vec<Value> {
        received
            .iter()
            .filter(|m| m.event_type() == t)
            .map(|m| m.json()["data"].clone())
            .collect()
    };
    let user_updates = by_type("user.updated");
    assert!(
        user_updates.contains(&updated),
        "the PATCH answer is an event's data"
    );
    assert!(user_updates.contains(&unlocked));
    assert!(user_updates.iter().any(|u| u["banned"] == true));
    assert!(user_updates.iter().any(|u| u["locked"] == true));
    assert!(user_updates
        .iter()
        .any(|u| u["public_metadata"] == json!({"plan": "pro"})));
    assert_eq!(
        by_type("user.deleted"),
        vec![json!({"deleted": true, "id": user_id, "object": "user"})]
    );
    assert_eq!(
        by_type("organization.deleted"),
        vec![json!({"deleted": true, "id": org_id, "object": "organization"})]
    );
    let org_created = &by_type("organization.created")[0];
    assert_eq!(org_created["object"], "organization");
    assert_eq!(org_created["id"], org_id.as_str());
    assert_eq!(by_type("organization.updated")[0]["name"], "Hooks 2");
    for membership in by_type("organizationMembership.created") {
        assert_eq!(membership["object"], "organization_membership");
        assert_eq!(membership["organization"]["id"], org_id.as_str());
    }
    let deleted_membership = &by_type("organizationMembership.deleted")[0];
    assert_eq!(
        deleted_membership["public_user_data"]["user_id"],
        member_id.as_str()
    );
    assert_eq!(deleted_membership["role"], "org:admin");
    let revoked = &by_type("organizationInvitation.revoked")[0];
    assert_eq!(revoked["object"], "organization_invitation");
    assert_eq!(revoked["id"], invitation_id.as_str());
    assert_eq!(revoked["status"], "revoked");

    let ids: std::collections::HashSet<&str> =
        received.iter().map(|m| m.svix_id.as_str()).collect();
    assert_eq!(ids.len(), received.len(), "one svix-id per message");
    let instances: std::collections::HashSet<String> = received
        .iter()
        .map(|m| m.json()["instance_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(instances.len(), 1, "one instance");
}

/// Checks of a password or a code change attempt counters, not the user: no `user.updated`.
async fn attempt_counters_send_nothing(s: TestServer) {
    let hook = Receiver::start().await;
    add_endpoint(&s, json!({"url": hook.url})).await;
    let user = s
        .create_user(json!({"email_address": ["p@example.com"], "password": "a-long-password-1"}))
        .await;
    let user_id = id(&user);
    let verify = format!("/users/{user_id}/verify_password");
    s.post(&verify, json!({"password": "wrong-password"}))
        .await
        .err(422, "incorrect_password");
    s.post(&verify, json!({"password": "a-long-password-1"}))
        .await
        .ok();
    // A marker: once its event is in, every earlier one is too (one endpoint, one worker,
    // attempts made in commit order within a batch is not promised, so wait on the marker
    // and then on the count).
    let marker = s
        .create_user(json!({"email_address": ["marker@example.com"]}))
        .await;
    hook.wait_for_event("user.created", &id(&marker)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let types: Vec<String> = hook.received().iter().map(Received::event_type).collect();
    assert_eq!(
        types.iter().filter(|t| *t == "user.updated").count(),
        0,
        "{types:?}"
    );
    assert_eq!(types.len(), 2, "{types:?}");
}

/// A change that fails (here, a taken email) writes no event; bulk import writes one per
/// created user.
async fn a_rolled_back_change_emits_nothing(s: TestServer) {
    let hook = Receiver::start().await;
    add_endpoint(&s, json!({"url": hook.url})).await;
    let first = s
        .create_user(json!({"email_address": ["dup@example.com"]}))
        .await;
    s.post("/users", json!({"email_address": ["dup@example.com"]}))
        .await
        .form_err("form_identifier_exists", "email_address");
    let imported = s
        .post_ext(
            "/_ext/import/users",
            json!({"users": [{"email_addresses": [{"email_address": "imp@example.com"}]},
                             {"email_addresses": [{"email_address": "dup@example.com"}]}]}),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let marker = s
        .create_user(json!({"email_address": ["marker@example.com"]}))
        .await;
    hook.wait_for_event("user.created", &id(&marker)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created: Vec<Value> = hook
        .received()
        .iter()
        .filter(|m| m.event_type() == "user.created")
        .map(|m| m.json()["data"].clone())
        .collect();
    let emails: Vec<&str> = created
        .iter()
        .map(|u| u["email_addresses"][0]["email_address"].as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 3, "{emails:?}");
    assert!(emails.contains(&"imp@example.com"));
    assert_eq!(
        created.iter().filter(|u| u["id"] == first["id"]).count(),
        1,
        "{emails:?}"
    );
}

async fn a_failed_attempt_is_retried_with_the_same_svix_id(mut s: TestServer) {
    restart_with_schedule(&mut s, &[300, 300]).await;
    let hook = Receiver::start().await;
    hook.answer_with(&[500]);
    let endpoint = add_endpoint(&s, json!({"url": hook.url})).await;
    let user = s.create_user(json!({})).await;
    let received = hook.wait_for(2).await;
    assert_eq!(received[0].svix_id, received[1].svix_id);
    assert_eq!(received[0].body, received[1].body);
    assert!(received[1].verifies_with(endpoint["secret"].as_str().unwrap()));
    assert_eq!(received[1].json()["data"]["id"], user["id"]);

    let attempts = wait_for_attempts(&s, &id(&endpoint), |a| {
        a.len() == 2 && a[0]["delivery_status"] == "succeeded"
    })
    .await;
    // Newest first.
    assert_eq!(attempts[0]["status"], "succeeded");
    assert_eq!(attempts[0]["response_status_code"], 200);
    assert_eq!(attempts[1]["status"], "failed");
    assert_eq!(attempts[1]["response_status_code"], 500);
    assert_eq!(attempts[1]["message_id"], received[0].svix_id.as_str());
    assert_eq!(attempts[1]["event_type"], "user.created");
    assert!(attempts[0]["next_attempt_at"].is_null());
    let path = format!("/_ext/webhooks/endpoints/{}/attempts", id(&endpoint));
    let past_the_end = s.get_ext(&format!("{path}?offset=5")).await.ok();
    assert_eq!(past_the_end["data"], json!([]));
    assert_eq!(past_the_end["total_count"], 2);
    let second_page = s.get_ext(&format!("{path}?limit=1&offset=1")).await.ok();
    assert_eq!(second_page["data"][0]["status"], "failed");
    assert_eq!(second_page["total_count"], 2);
}

/// A redirect is an answer that is not 2xx: the attempt failed, and the signed message goes
/// nowhere else.
async fn a_redirect_is_a_failed_attempt(mut s: TestServer) {
    restart_with_schedule(&mut s, &[300]).await;
    let hook = Receiver::start().await;
    let elsewhere = Receiver::start().await;
    hook.redirect_next_to(&elsewhere.url);
    let endpoint = add_endpoint(&s, json!({"url": hook.url})).await;
    s.create_user(json!({})).await;
    let attempts = wait_for_attempts(&s, &id(&endpoint), |a| {
        a.len() == 2 && a[0]["delivery_status"] == "succeeded"
    })
    .await;
    assert_eq!(attempts[1]["status"], "failed");
    assert_eq!(attempts[1]["response_status_code"], 307);
    assert_eq!(hook.received().len(), 2);
    assert!(
        elsewhere.received().is_empty(),
        "the redirect was not followed"
    );
}

/// The endpoint's attempts once `done` holds of them; fails after 30 s.
async fn wait_for_attempts(
    s: &TestServer,
    endpoint_id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let path = format!("/_ext/webhooks/endpoints/{endpoint_id}/attempts");
    for _ in 0..300 {
        let body = s.get_ext(&path).await.ok();
        let data = body["data"].as_array().unwrap().clone();
        assert_eq!(body["total_count"], data.len());
        if done(&data) {
            return data;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the attempts never came to the expected state");
}

async fn after_the_last_attempt_the_message_fails_and_can_be_resent(mut s: TestServer) {
    restart_with_schedule(&mut s, &[100]).await;
    let hook = Receiver::start().await;
    hook.answer_with(&[500, 503]);
    let endpoint = add_endpoint(&s, json!({"url": hook.url})).await;
    s.create_user(json!({})).await;
    let attempts = wait_for_attempts(&s, &id(&endpoint), |a| {
        a.len() == 2 && a[0]["delivery_status"] == "failed"
    })
    .await;
    assert!(attempts.iter().all(|a| a["status"] == "failed"));
    assert!(attempts[0]["next_attempt_at"].is_null());
    let message_id = attempts[0]["message_id"].as_str().unwrap().to_owned();

    let resent = s
        .post_ext(
            &format!("/_ext/webhooks/messages/{message_id}/resend"),
            json!({}),
        )
        .await
        .ok();
    assert_eq!(resent["deliveries"], 1);
    assert_eq!(resent["event_type"], "user.created");
    let received = hook.wait_for(3).await;
    assert_eq!(received[2].svix_id, message_id);
    wait_for_attempts(&s, &id(&endpoint), |a| {
        a.len() == 3 && a[0]["delivery_status"] == "succeeded"
    })
    .await;
    s.post_ext("/_ext/webhooks/messages/msg_missing/resend", json!({}))
        .await
        .err(404, "resource_not_found");
}

async fn a_rotated_secret_signs_beside_the_new_one(s: TestServer) {
    let hook = Receiver::start().await;
    let endpoint = add_endpoint(&s, json!({"url": hook.url})).await;
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    let path = format!("/_ext/webhooks/endpoints/{}/rotate_secret", id(&endpoint));
    let own = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let rotated = s.post_ext(&path, json!({"key": own})).await.ok();
    assert_eq!(rotated["secret"], own);
    s.create_user(json!({})).await;
    let received = hook.wait_for(1).await;
    assert!(received[0].verifies_with(own));
    assert!(received[0].verifies_with(&old));
    assert_eq!(received[0].signature.split(' ').count(), 2);
    s.post_ext(&path, json!({"key": "whsec_c2hvcnQ="}))
        .await
        .form_err("form_param_value_invalid", "key");
}

async fn filters_and_disabled_endpoints(s: TestServer) {
    let deletions = Receiver::start().await;
    let off = Receiver::start().await;
    let everything = Receiver::start().await;
    add_endpoint(
        &s,
        json!({"url": deletions.url, "filter_types": ["user.deleted"]}),
    )
    .await;
    add_endpoint(&s, json!({"url": off.url, "disabled": true})).await;
    add_endpoint(&s, json!({"url": everything.url})).await;
    let user = s.create_user(json!({})).await;
    s.delete(&format!("/users/{}", id(&user))).await.ok();
    let all = everything.wait_for(2).await;
    let only = deletions.wait_for(1).await;
    assert_eq!(only[0].event_type(), "user.deleted");
    // Messages have no order between them: find the deletion among the two.
    let deletion = all
        .iter()
        .find(|m| m.event_type() == "user.deleted")
        .expect("the deletion arrived");
    assert_eq!(
        only[0].svix_id, deletion.svix_id,
        "one message, one id, for every endpoint"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(deletions.received().len(), 1);
    assert!(off.received().is_empty());
}

async fn endpoints_api(s: TestServer) {
    let created = add_endpoint(
        &s,
        json!({"url": "https://example.com/hooks", "description": "prod",
               "filter_types": ["user.created", "organizationMembership.deleted"]}),
    )
    .await;
    assert_eq!(created["object"], "webhook_endpoint");
    assert!(id(&created).starts_with("ep_"));
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created["disabled"], false);
    assert_eq!(created["description"], "prod");
    let path = format!("/_ext/webhooks/endpoints/{}", id(&created));
    assert_eq!(s.get_ext(&path).await.ok(), created);

    let patched = ext(
        &s,
        Method::PATCH,
        &path,
        Some(json!({"filter_types": null, "disabled": true, "url": "https://example.com/v2"})),
    )
    .await
    .ok();
    assert!(patched["filter_types"].is_null());
    assert_eq!(patched["disabled"], true);
    assert_eq!(patched["url"], "https://example.com/v2");
    assert_eq!(patched["secret"], created["secret"]);

    add_endpoint(&s, json!({"url": "http://127.0.0.1:9/other"})).await;
    let list = s.get_ext("/_ext/webhooks/endpoints?limit=1").await.ok();
    assert_eq!(list["total_count"], 2);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], created["id"]);

    for (body, code, param) in [
        (json!({}), "form_param_missing", "url"),
        (
            json!({"url": "not a url"}),
            "form_param_format_invalid",
            "url",
        ),
        (
            json!({"url": "ftp://example.com/x"}),
            "form_param_value_invalid",
            "url",
        ),
        (
            json!({"url": "https://x.test", "filter_types": []}),
            "form_param_value_invalid",
            "filter_types",
        ),
        (
            json!({"url": "https://x.test", "filter_types": ["user created"]}),
            "form_param_value_invalid",
            "filter_types",
        ),
        (
            json!({"url": "https://x.test", "filter_types": ["%\"x"]}),
            "form_param_value_invalid",
            "filter_types",
        ),
        (
            json!({"url": "https://x.test", "secret": "whsec_!!"}),
            "form_param_value_invalid",
            "secret",
        ),
        (
            json!({"url": "https://x.test", "description": "d".repeat(2000)}),
            "form_param_value_invalid",
            "description",
        ),
    ] {
        s.post_ext("/_ext/webhooks/endpoints", body)
            .await
            .form_err(code, param);
    }
    s.post_ext(
        "/_ext/webhooks/endpoints",
        json!({"url": "https://x.test", "nope": 1}),
    )
    .await
    .err(422, "form_param_unknown");

    let deleted = ext(&s, Method::DELETE, &path, None).await.ok();
    assert_eq!(deleted["deleted"], true);
    s.get_ext(&path).await.err(404, "resource_not_found");
    ext(&s, Method::DELETE, &path, None)
        .await
        .err(404, "resource_not_found");
    s.get_ext(&format!("{path}/attempts"))
        .await
        .err(404, "resource_not_found");
    // The secret key is required.
    let anonymous = s
        .req_without_key(Method::GET, "/_ext/webhooks/endpoints")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Past the retention, delivered and failed messages go with their attempts; a message still
/// pending stays, however old.
async fn old_messages_are_pruned_unless_pending(mut s: TestServer) {
    restart_with_schedule(&mut s, &[3_600_000]).await;
    let delivered = Receiver::start().await;
    let failing = Receiver::start().await;
    failing.answer_with(&[500]);
    let ok = add_endpoint(&s, json!({"url": delivered.url})).await;
    let pending = add_endpoint(&s, json!({"url": failing.url})).await;
    s.create_user(json!({})).await;
    delivered.wait_for(1).await;
    failing.wait_for(1).await;
    wait_for_attempts(&s, &id(&pending), |a| a.len() == 1).await;
    wait_for_attempts(&s, &id(&ok), |a| a.len() == 1).await;
    let message_id = delivered.received()[0].svix_id.clone();

    // Restarting prunes at once; with a retention of 1 ms every message is old enough.
    let mut config = s.config();
    config.webhooks.retention = Duration::from_millis(1);
    s.restart_with(config).await.unwrap();
    let still = wait_for_attempts(&s, &id(&pending), |a| a.len() == 1).await;
    assert_eq!(still[0]["delivery_status"], "pending");
    s.post_ext(
        "/_ext/webhooks/messages/msg_other_missing/resend",
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
    // The message is kept for the endpoint that still waits for it, so it is not pruned.
    let resent = s
        .post_ext(
            &format!("/_ext/webhooks/messages/{message_id}/resend"),
            json!({}),
        )
        .await
        .ok();
    assert_eq!(resent["deliveries"], 2);

    // Once every delivery is done (the failing endpoint now answers 200), the next prune
    // takes every message with its attempts.
    let second = s.create_user(json!({})).await;
    delivered.wait_for_event("user.created", &id(&second)).await;
    let done = |a: &[Value]| a.len() == 3 && a.iter().all(|a| a["delivery_status"] == "succeeded");
    wait_for_attempts(&s, &id(&ok), done).await;
    wait_for_attempts(&s, &id(&pending), done).await;
    let mut config = s.config();
    config.webhooks.retention = Duration::from_millis(1);
    s.restart_with(config).await.unwrap();
    wait_for_attempts(&s, &id(&ok), |a| a.is_empty()).await;
    wait_for_attempts(&s, &id(&pending), |a| a.is_empty()).await;
    s.post_ext(
        &format!("/_ext/webhooks/messages/{message_id}/resend"),
        json!({}),
    )
    .await
    .err(404, "resource_not_found");
}

/// `clerk serve --webhook`: the endpoint is made once; a restart with the same flag leaves it
/// as it is, even disabled through the API; a new `events=` or secret is applied.
async fn endpoints_from_flags_are_made_once(mut s: TestServer) {
    let hook = Receiver::start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let mut config = s.config();
    config.webhooks.endpoints = vec![format!("{},secret={secret},events=user.created", hook.url)
        .parse()
        .unwrap()];
    s.restart_with(config.clone()).await.unwrap();
    let list = s.get_ext("/_ext/webhooks/endpoints").await.ok();
    assert_eq!(list["total_count"], 1);
    let endpoint = list["data"][0].clone();
    assert_eq!(endpoint["secret"], secret);
    assert_eq!(endpoint["filter_types"], json!(["user.created"]));
    let path = format!("/_ext/webhooks/endpoints/{}", id(&endpoint));
    let disabled = ext(&s, Method::PATCH, &path, Some(json!({"disabled": true})))
        .await
        .ok();

    s.restart_with(config.clone()).await.unwrap();
    let list = s.get_ext("/_ext/webhooks/endpoints").await.ok();
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["data"][0], disabled, "unchanged by a restart");

    config.webhooks.endpoints = vec![format!("{},events=user.deleted", hook.url).parse().unwrap()];
    s.restart_with(config).await.unwrap();
    let after = s.get_ext(&path).await.ok();
    assert_eq!(after["filter_types"], json!(["user.deleted"]));
    assert_eq!(after["secret"], secret, "no secret= keeps the one it has");
    assert_eq!(after["disabled"], true);
}

/// An endpoint deleted while its attempts are being recorded goes cleanly (it deadlocked with
/// the worker on PostgreSQL), and the other endpoints' messages all arrive, once.
async fn deleting_an_endpoint_while_it_receives(s: TestServer) {
    let kept = Receiver::start().await;
    add_endpoint(&s, json!({"url": kept.url})).await;
    let mut created = 0;
    for round in 0..4 {
        let doomed = Receiver::start().await;
        let endpoint = add_endpoint(&s, json!({"url": doomed.url})).await;
        let requests = (0..40)
            .map(|i| {
                let body = json!({"email_address": [format!("r{round}u{i}@example.com")]});
                (Method::POST, "/users".to_owned(), Some(body))
            })
            .collect();
        let answers = crate::support::fire_at(std::slice::from_ref(&s.base), requests).await;
        assert!(answers.iter().all(|(status, _)| *status == 200));
        created += 40;
        doomed.wait_for(5).await;
        let path = format!("/_ext/webhooks/endpoints/{}", id(&endpoint));
        ext(&s, Method::DELETE, &path, None).await.ok();
    }
    let received = kept.wait_for(created).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ids: std::collections::HashSet<&str> =
        received.iter().map(|m| m.svix_id.as_str()).collect();
    assert_eq!(ids.len(), created);
    assert_eq!(kept.received().len(), created, "each message once");
}

crate::on_both_stores!(
    a_redirect_is_a_failed_attempt,
    deleting_an_endpoint_while_it_receives,
    endpoints_from_flags_are_made_once,
    old_messages_are_pruned_unless_pending,
    every_event_type_arrives_signed_with_its_object,
    attempt_counters_send_nothing,
    a_rolled_back_change_emits_nothing,
    a_failed_attempt_is_retried_with_the_same_svix_id,
    after_the_last_attempt_the_message_fails_and_can_be_resent,
    a_rotated_secret_signs_beside_the_new_one,
    filters_and_disabled_endpoints,
    endpoints_api,
);

/// Two nodes on one PostgreSQL database, both delivering: every message arrives, and each
/// attempt is made by one node only — with a receiver failing every first attempt, each
/// message arrives exactly twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_nodes_send_each_attempt_once() {
    let mut s = TestServer::start(crate::support::Backend::Postgres).await;
    restart_with_schedule(&mut s, &[200]).await;
    let second = s.start_node().await;
    let hook = Receiver::start().await;
    add_endpoint(&s, json!({"url": hook.url})).await;
    const USERS: usize = 60;
    hook.fail_first_attempts();
    let bases = [s.base.clone(), second.base_url()];
    let requests = (0..USERS)
        .map(|i| {
            let body = json!({"email_address": [format!("node{i}@example.com")]});
            (Method::POST, "/users".to_owned(), Some(body))
        })
        .collect();
    let answers = crate::support::fire_at(&bases, requests).await;
    assert!(answers.iter().all(|(status, _)| *status == 200));
    let received = hook.wait_for(2 * USERS).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received_now = hook.received();
    assert_eq!(received_now.len(), 2 * USERS, "no attempt is made twice");
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for message in &received {
        *per_id.entry(message.svix_id.as_str()).or_default() += 1;
    }
    assert_eq!(per_id.len(), USERS);
    assert!(per_id.values().all(|&n| n == 2), "{per_id:?}");
    second.shutdown().await;
}
