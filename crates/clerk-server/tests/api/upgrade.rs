//! A database written by the release before the store moved off sqlx's `Any` driver (the dumps
//! in `tests/fixtures/release-0.1`, made by its `make.sh` with that release's `clerk serve`)
//! is migrated by this server and served as it was written: users, identifiers, passwords,
//! sealed TOTP secrets, bans, organizations, invitations, the kept count and the unique
//! indexes.

use serde_json::json;

use crate::credentials::hotp;
use crate::support::TestServer;

const SQLITE_DUMP: &str = include_str!("../fixtures/release-0.1/sqlite.sql");
const POSTGRES_DUMP: &str = include_str!("../fixtures/release-0.1/postgres.sql");
/// The encryption key `make.sh` started the release with (the TOTP secret is sealed with it).
const FIXTURE_ENCRYPTION_KEY: &str =
    "7777777777777777777777777777777777777777777777777777777777777777";
/// `JBSWY3DPEHPK3PXP`, the TOTP secret `make.sh` gave Grace, decoded.
const GRACE_TOTP_SECRET: &[u8] = b"Hello!\xDE\xAD\xBE\xEF";

async fn a_release_database_migrates_and_serves_its_users(mut s: TestServer) {
    s.stop().await;
    let postgres = s.database_url.starts_with("postgres");
    s.load_dump(if postgres { POSTGRES_DUMP } else { SQLITE_DUMP })
        .await;
    let mut config = s.config();
    config.encryption_key =
        Some(clerk_server::crypto::SecretKey::parse(FIXTURE_ENCRYPTION_KEY).unwrap());
    s.restart_with(config)
        .await
        .expect("the release's database opens");

    let ready = reqwest::get(format!("{}/readyz", s.root_url()))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "every migration is applied");
    assert_eq!(s.count("").await, 2);
    let users = s.get("/users?order_by=created_at").await.ok();
    let (ada, grace) = (&users[0], &users[1]);

    assert_eq!(ada["external_id"], "fixture-ada");
    assert_eq!(ada["username"], "ada_lovelace");
    assert_eq!(ada["created_at"], 1_704_164_645_000_i64);
    assert_eq!(ada["email_addresses"].as_array().unwrap().len(), 2);
    assert_eq!(ada["phone_numbers"][0]["phone_number"], "+15555550100");
    assert_eq!(ada["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(ada["private_metadata"], json!({"notes": "vip"}));
    assert_eq!(ada["unsafe_metadata"], json!({"theme": "dark"}));
    let ada_id = ada["id"].as_str().unwrap();
    let verified = s
        .post(
            &format!("/users/{ada_id}/verify_password"),
            json!({"password": "correct horse battery staple"}),
        )
        .await
        .ok();
    assert_eq!(verified, json!({"verified": true}));
    assert_eq!(s.list_ids("query=lovelace").await, vec![ada_id.to_owned()]);

    assert_eq!(grace["banned"], true);
    assert_eq!(grace["totp_enabled"], true);
    assert_eq!(grace["backup_code_enabled"], true);
    let grace_id = grace["id"].as_str().unwrap();
    let step = chrono::Utc::now().timestamp() as u64 / 30;
    let code = hotp(GRACE_TOTP_SECRET, step, 6);
    let totp = s
        .post(
            &format!("/users/{grace_id}/verify_totp"),
            json!({"code": code}),
        )
        .await
        .ok();
    assert_eq!(totp["verified"], true, "the sealed secret opens");

    let orgs = s.get("/organizations").await.ok();
    assert_eq!(orgs["data"][0]["slug"], "fixture-org");
    let org_id = orgs["data"][0]["id"].as_str().unwrap();
    let members = s
        .get(&format!("/organizations/{org_id}/memberships"))
        .await
        .ok();
    assert_eq!(members["data"][0]["public_user_data"]["user_id"], grace_id);
    let invitations = s
        .get(&format!("/organizations/{org_id}/invitations"))
        .await
        .ok();
    assert_eq!(
        invitations["data"][0]["email_address"],
        "invitee@example.com"
    );

    // Writes work, the unique indexes hold, and the kept count goes on from the release's.
    let renamed = s
        .patch(
            &format!("/users/{ada_id}"),
            json!({"first_name": "Augusta"}),
        )
        .await
        .ok();
    assert_eq!(renamed["first_name"], "Augusta");
    s.post("/users", json!({"email_address": ["ada@example.com"]}))
        .await
        .form_err("form_identifier_exists", "email_address");
    s.create_user(json!({})).await;
    assert_eq!(s.count("").await, 3);
}

crate::on_both_stores!(a_release_database_migrates_and_serves_its_users);
