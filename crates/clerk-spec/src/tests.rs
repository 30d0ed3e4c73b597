use serde_json::{json, Value};

use super::*;

const JSON: Option<&str> = Some("application/json");
const USER_PATH: &str = "/v1/users/user_2abcdefghijklmnopqrstuvwxyz1";

fn user() -> Value {
    json!({
        "id": "user_2abcdefghijklmnopqrstuvwxyz1",
        "object": "user",
        "external_id": null,
        "primary_email_address_id": "idn_2abcdefghijklmnopqrstuvwxyz1",
        "primary_phone_number_id": null,
        "primary_web3_wallet_id": null,
        "username": null,
        "first_name": "Ada",
        "last_name": null,
        "locale": null,
        "image_url": "https://img.example/x",
        "has_image": false,
        "public_metadata": {"a": 1},
        "private_metadata": {},
        "unsafe_metadata": {},
        "email_addresses": [{
            "id": "idn_2abcdefghijklmnopqrstuvwxyz1",
            "object": "email_address",
            "email_address": "ada@example.com",
            "reserved": false,
            "verification": {
                "object": "verification_admin",
                "status": "verified",
                "strategy": "admin",
                "attempts": null,
                "expire_at": null
            },
            "linked_to": [],
            "created_at": 1_700_000_000_000_i64,
            "updated_at": 1_700_000_000_000_i64
        }],
        "phone_numbers": [],
        "web3_wallets": [],
        "passkeys": [],
        "password_enabled": true,
        "two_factor_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "external_accounts": [],
        "saml_accounts": [],
        "enterprise_accounts": [],
        "last_sign_in_at": null,
        "banned": false,
        "locked": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": null,
        "updated_at": 1_700_000_000_000_i64,
        "created_at": 1_700_000_000_000_i64,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "last_active_at": null,
        "legal_accepted_at": null
    })
}

fn spec() -> &'static Spec {
    Spec::load()
}

fn violation(
    method: &str,
    path: &str,
    status: u16,
    ct: Option<&str>,
    body: &Value,
) -> SpecViolation {
    spec()
        .validate_response(method, path, status, ct, body)
        .expect_err("should violate the spec")
}

fn pointers(v: &SpecViolation) -> Vec<&str> {
    v.errors.iter().map(|e| e.pointer.as_str()).collect()
}

#[test]
fn loads_the_vendored_spec() {
    assert_eq!(spec().version(), "2026-05-12");
}

#[test]
fn valid_user_passes() {
    spec()
        .validate_response("GET", USER_PATH, 200, JSON, &user())
        .unwrap();
    spec()
        .validate_response("PATCH", USER_PATH, 200, JSON, &user())
        .unwrap();
    spec()
        .validate_response("POST", "/v1/users", 200, JSON, &user())
        .unwrap();
    spec()
        .validate_response(
            "PATCH",
            &format!("{USER_PATH}/metadata"),
            200,
            JSON,
            &user(),
        )
        .unwrap();
}

#[test]
fn full_urls_and_query_strings_are_accepted() {
    let list = json!([user(), user()]);
    spec()
        .validate_response(
            "GET",
            "http://127.0.0.1:9/v1/users?limit=2&order_by=-created_at",
            200,
            JSON,
            &list,
        )
        .unwrap();
}

#[test]
fn user_missing_a_required_key_fails() {
    let mut u = user();
    u.as_object_mut().unwrap().remove("banned");
    let v = violation("GET", USER_PATH, 200, JSON, &u);
    assert!(v.to_string().contains("banned"), "{v}");
}

#[test]
fn every_required_user_key_is_enforced() {
    let required = spec().doc["components"]["schemas"]["User"]["required"]
        .as_array()
        .unwrap()
        .clone();
    assert!(required.len() > 30);
    for key in required {
        let mut u = user();
        u.as_object_mut().unwrap().remove(key.as_str().unwrap());
        assert!(
            spec()
                .validate_response("GET", USER_PATH, 200, JSON, &u)
                .is_err(),
            "removing {key} should fail"
        );
    }
}

#[test]
fn user_with_an_extra_key_fails() {
    let mut u = user();
    u["favourite_colour"] = json!("green");
    let v = violation("GET", USER_PATH, 200, JSON, &u);
    assert!(v.to_string().contains("favourite_colour"), "{v}");
}

#[test]
fn user_with_a_string_timestamp_fails_at_its_pointer() {
    let mut u = user();
    u["created_at"] = json!("x");
    let v = violation("GET", USER_PATH, 200, JSON, &u);
    assert_eq!(pointers(&v), vec!["/created_at"], "{v}");
}

#[test]
fn user_with_a_wrong_object_fails() {
    let mut u = user();
    u["object"] = json!("nope");
    let v = violation("GET", USER_PATH, 200, JSON, &u);
    assert_eq!(pointers(&v), vec!["/object"], "{v}");
}

#[test]
fn null_where_not_nullable_fails_and_null_where_nullable_passes() {
    let mut u = user();
    u["banned"] = Value::Null;
    assert_eq!(
        pointers(&violation("GET", USER_PATH, 200, JSON, &u)),
        vec!["/banned"]
    );
    let mut u = user();
    u["private_metadata"] = Value::Null;
    u["scim"] = Value::Null; // nullable through allOf
    spec()
        .validate_response("GET", USER_PATH, 200, JSON, &u)
        .unwrap();
}

#[test]
fn nested_errors_carry_their_pointer() {
    let mut u = user();
    u["email_addresses"][0]
        .as_object_mut()
        .unwrap()
        .remove("reserved");
    u["email_addresses"][0]["verification"]["status"] = json!("bogus");
    let v = violation("GET", USER_PATH, 200, JSON, &u);
    let text = v.to_string();
    assert!(text.contains("/email_addresses/0"), "{text}");
    assert!(text.contains("reserved"), "{text}");
}

#[test]
fn verification_needs_its_discriminator() {
    // The Python SDK picks the variant by `object`; the spec leaves it optional.
    let mut u = user();
    u["email_addresses"][0]["verification"]
        .as_object_mut()
        .unwrap()
        .remove("object");
    violation("GET", USER_PATH, 200, JSON, &u);
}

#[test]
fn error_envelope_passes() {
    let body = json!({
        "errors": [{
            "message": "not found",
            "long_message": "User not found",
            "code": "resource_not_found",
            "meta": {}
        }],
        "clerk_trace_id": "0123456789abcdef0123456789abcdef"
    });
    spec()
        .validate_response("GET", USER_PATH, 404, JSON, &body)
        .unwrap();
    spec()
        .validate_response("GET", "/v1/users", 401, JSON, &body)
        .unwrap();
    // verify_password documents 422 without a body schema: still a ClerkErrors envelope.
    spec()
        .validate_response(
            "POST",
            &format!("{USER_PATH}/verify_password"),
            422,
            JSON,
            &body,
        )
        .unwrap();
    // Undocumented error statuses too.
    spec()
        .validate_response("GET", USER_PATH, 500, JSON, &body)
        .unwrap();
}

#[test]
fn non_envelope_error_fails() {
    let v = violation("GET", USER_PATH, 404, JSON, &json!({"error": "not found"}));
    assert!(v.to_string().contains("errors"), "{v}");
    let v = violation(
        "GET",
        USER_PATH,
        500,
        JSON,
        &json!({"errors": [{"message": "boom"}]}),
    );
    assert!(v.to_string().contains("/errors/0"), "{v}");
    let v = spec()
        .validate_raw_response(
            "GET",
            USER_PATH,
            500,
            Some("text/plain"),
            b"Internal Server Error",
        )
        .unwrap_err();
    assert!(v.to_string().contains("not JSON"), "{v}");
}

#[test]
fn content_type_must_be_exactly_application_json() {
    for ct in [
        Some("text/plain"),
        Some("application/json; charset=utf-8"),
        None,
    ] {
        let v = violation("GET", USER_PATH, 200, ct, &user());
        assert!(v.to_string().contains("Content-Type"), "{v}");
    }
}

#[test]
fn literal_segments_beat_parameters() {
    let count = json!({"object": "total_count", "total_count": 2});
    spec()
        .validate_response("GET", "/v1/users/count", 200, JSON, &count)
        .unwrap();
    // A User is not a TotalCount.
    violation("GET", "/v1/users/count", 200, JSON, &user());
    spec()
        .validate_response("POST", "/v1/users/ban", 200, JSON, &json!([user()]))
        .unwrap();
}

#[test]
fn small_response_objects() {
    let p = format!("{USER_PATH}/verify_password");
    spec()
        .validate_response("POST", &p, 200, JSON, &json!({"verified": true}))
        .unwrap();
    violation(
        "POST",
        &p,
        200,
        JSON,
        &json!({"verified": true, "extra": 1}),
    );
    let p = format!("{USER_PATH}/verify_totp");
    spec()
        .validate_response(
            "POST",
            &p,
            200,
            JSON,
            &json!({"verified": true, "code_type": "totp"}),
        )
        .unwrap();
    violation(
        "POST",
        &p,
        200,
        JSON,
        &json!({"verified": true, "code_type": "sms"}),
    );
    let deleted = json!({"object": "user", "id": "user_x", "deleted": true});
    spec()
        .validate_response("DELETE", USER_PATH, 200, JSON, &deleted)
        .unwrap();
    spec()
        .validate_response(
            "DELETE",
            &format!("{USER_PATH}/mfa"),
            200,
            JSON,
            &json!({"user_id": "user_x"}),
        )
        .unwrap();
}

#[test]
fn all_of_merges_before_additional_properties() {
    let invitation = json!({
        "object": "organization_invitation",
        "id": "orginv_x",
        "email_address": "a@example.com",
        "role": "org:member",
        "role_name": "Member",
        "organization_id": "org_x",
        "inviter_id": null,
        "public_inviter_data": null,
        "status": "pending",
        "public_metadata": {},
        "url": null,
        "expires_at": null,
        "created_at": 1,
        "updated_at": 1,
        "public_organization_data": {
            "id": "org_x", "name": "Acme", "slug": "acme", "image_url": "https://i", "has_image": false
        }
    });
    let schema = spec()
        .component_json_schema("OrganizationInvitationWithPublicOrganizationData")
        .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&invitation)
        .map(|e| e.to_string())
        .collect();
    // Properties of both allOf parts are known to the merged schema.
    assert!(
        !errors
            .iter()
            .any(|e| e.contains("public_organization_data")),
        "{errors:?}"
    );
    let mut missing = invitation.clone();
    missing.as_object_mut().unwrap().remove("role");
    assert!(!validator.is_valid(&missing));
}

#[test]
fn list_of_memberships_and_invitations_shapes() {
    let p = format!("{USER_PATH}/organization_invitations");
    spec()
        .validate_response("GET", &p, 200, JSON, &json!({"data": [], "total_count": 0}))
        .unwrap();
    violation("GET", &p, 200, JSON, &json!({"data": []}));
    let p = format!("{USER_PATH}/organization_memberships");
    spec()
        .validate_response("GET", &p, 200, JSON, &json!({"data": [], "total_count": 0}))
        .unwrap();
}

#[test]
fn unknown_paths() {
    let ok = json!({"status": "ok"});
    // Unknown path with 2xx: a violation, unless declared an extension.
    violation("GET", "/v1/_ext/health", 200, JSON, &ok);
    spec()
        .validate_response_allowing_extensions(
            &["/v1/_ext/"],
            "GET",
            "/v1/_ext/health",
            200,
            JSON,
            &ok,
        )
        .unwrap();
    spec()
        .validate_response_allowing_extensions(&["/healthz"], "GET", "/healthz", 200, None, &ok)
        .unwrap();
    // An unknown route still answers with the error envelope.
    let envelope =
        json!({"errors": [{"message": "m", "long_message": "l", "code": "resource_not_found"}]});
    spec()
        .validate_response("GET", "/v1/nope/nope", 404, JSON, &envelope)
        .unwrap();
    violation("GET", "/v1/nope/nope", 404, JSON, &json!({"error": "nope"}));
    // A method the spec does not define on a known path.
    violation("PUT", "/v1/users/count", 200, JSON, &ok);
    // Outside /v1.
    violation("GET", "/users", 200, JSON, &json!([]));
}

#[test]
fn undocumented_success_status_fails() {
    violation("POST", "/v1/users", 201, JSON, &user());
}

#[test]
fn translation_of_nullable_enums() {
    let schema = spec().json_schema(&json!({"type": "string", "nullable": true, "enum": ["a"]}));
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&json!("a")));
    assert!(v.is_valid(&Value::Null));
    assert!(!v.is_valid(&json!("b")));
}

#[test]
fn every_users_response_schema_compiles() {
    let paths = spec().doc["paths"].as_object().unwrap();
    for (template, item) in paths.iter().filter(|(t, _)| t.starts_with("/users")) {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                let response = spec().deref(response);
                if let Some(schema) = response.pointer("/content/application~1json/schema") {
                    let root = spec().json_schema(schema);
                    jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft202012)
                        .build(&root)
                        .unwrap_or_else(|e| panic!("{method} {template} {status}: {e}"));
                }
            }
        }
    }
}

#[test]
#[should_panic(expected = "/banned")]
fn assert_response_panics_with_the_report() {
    let mut u = user();
    u["banned"] = json!("no");
    spec().assert_response("GET", USER_PATH, 200, JSON, &u);
}
