//! Organizations, memberships and invitations, and the user-side lists of both; the
//! `organization_id` filter of `GET /users` with memberships made over HTTP.

mod invitations;
mod memberships;
mod metadata;
mod orgs;

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
