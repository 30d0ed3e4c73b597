//! Transport rules: authentication, Content-Type, error envelopes for bad input.

use reqwest::Method;
use serde_json::json;

use crate::support::{TestServer, SECOND_KEY};

async fn authentication(s: TestServer) {
    let no_key = s.send(s.req_without_key(Method::GET, "/users")).await;
    no_key.err(401, "authentication_invalid");
    let wrong = s
        .send(
            s.req_without_key(Method::GET, "/users")
                .bearer_auth("sk_test_wrong_key_000000000000000000000"),
        )
        .await;
    wrong.err(401, "clerk_key_invalid");
    let basic = s
        .send(
            s.req_without_key(Method::GET, "/users")
                .header("authorization", "Basic Zm9vOmJhcg=="),
        )
        .await;
    basic.err(401, "authorization_header_format_invalid");
    // Every configured key is accepted (rotation).
    let second = s
        .send(
            s.req_without_key(Method::GET, "/users")
                .bearer_auth(SECOND_KEY),
        )
        .await;
    assert_eq!(second.status, 200);
    // Unknown routes are authenticated too: no probing without a key.
    let probe = s
        .send(s.req_without_key(Method::GET, "/nothing-here"))
        .await;
    probe.err(401, "authentication_invalid");
}

async fn content_type_is_exactly_json(s: TestServer) {
    let ok = s.get("/users").await;
    assert_eq!(ok.content_type.as_deref(), Some("application/json"));
    let err = s.get("/users/user_missing").await;
    assert_eq!(err.content_type.as_deref(), Some("application/json"));
    assert!(err.body["clerk_trace_id"]
        .as_str()
        .is_some_and(|t| t.len() == 32));
}

async fn bad_bodies_get_clerk_errors(s: TestServer) {
    let malformed = s
        .send(
            s.req(Method::POST, "/users")
                .header("content-type", "application/json")
                .body("{\"first_name\":"),
        )
        .await;
    malformed.err(400, "request_body_invalid");

    let not_object = s
        .send(s.req(Method::POST, "/users").json(&json!([1, 2])))
        .await;
    not_object.err(400, "request_body_invalid");

    s.post("/users", json!({"first_name": 42}))
        .await
        .form_err("form_param_type_invalid", "first_name");
    s.post("/users", json!({"email_address": "a@b.com"}))
        .await
        .form_err("form_param_type_invalid", "email_address");
    s.post("/users", json!({"favourite_colour": "blue"}))
        .await
        .form_err("form_param_unknown", "favourite_colour");
    s.post("/users", json!({"first_name": "x".repeat(257)}))
        .await
        .form_err("form_param_max_length_exceeded", "first_name");

    let wrong_type = s
        .send(
            s.req(Method::POST, "/users")
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;
    wrong_type.err(415, "unsupported_content_type");

    let huge = format!("{{\"first_name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let too_big = s
        .send_oversized(
            s.req(Method::POST, "/users")
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    if let Some(too_big) = too_big {
        too_big.err(413, "request_body_too_large");
    }

    // Nothing was created by any of the above.
    assert_eq!(s.count("").await, 0);
}

async fn unknown_routes_and_methods(s: TestServer) {
    s.get("/no/such/route").await.err(404, "resource_not_found");
    let wrong_method = s.send(s.req(Method::PUT, "/users")).await;
    wrong_method.err(405, "method_not_allowed");
}

async fn ids_look_like_clerks(s: TestServer) {
    let user = s
        .create_user(json!({"email_address": ["id@example.com"]}))
        .await;
    let id = user["id"].as_str().unwrap();
    let email_id = user["email_addresses"][0]["id"].as_str().unwrap();
    for (value, prefix) in [(id, "user_"), (email_id, "idn_")] {
        let body = value
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{value} lacks {prefix}"));
        assert_eq!(body.len(), 27, "{value}");
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric()), "{value}");
    }
}

async fn api_version_header(s: TestServer) {
    let bad = s
        .send(
            s.req(Method::PATCH, "/users/user_x")
                .header("clerk-api-version", "tomorrow")
                .json(&json!({})),
        )
        .await;
    bad.err(400, "invalid_api_version");
    // Checked on every route, not only where the version changes behaviour.
    let on_list = s
        .send(
            s.req(Method::GET, "/users")
                .header("clerk-api-version", "v2"),
        )
        .await;
    on_list.err(400, "invalid_api_version");
    let ok = s
        .send(
            s.req(Method::GET, "/users")
                .header("clerk-api-version", "2026-05-12"),
        )
        .await;
    assert_eq!(ok.status, 200);
    let both = s
        .send(
            s.req(
                Method::PATCH,
                "/users/user_x?__clerk_api_version=2025-11-10",
            )
            .header("clerk-api-version", "2025-11-10")
            .json(&json!({})),
        )
        .await;
    both.err(400, "invalid_api_version");
}

/// PostgreSQL cannot store NUL in text; NUL anywhere is a 4xx on both stores, never a 500.
async fn nul_characters_are_refused(s: TestServer) {
    s.post(
        "/users",
        json!({"email_address": ["nul@example.com"], "first_name": "a\u{0}b"}),
    )
    .await
    .err(400, "request_body_invalid");
    s.get("/users?query=a%00b")
        .await
        .err(400, "invalid_query_parameter_value");
    s.get("/users/count?email_address=x%00")
        .await
        .err(400, "invalid_query_parameter_value");
    s.get("/users/user%00x")
        .await
        .err(404, "resource_not_found");
    s.patch("/users/user%00x/metadata", json!({}))
        .await
        .err(404, "resource_not_found");
    // An escaped backslash before `u0000` is plain text, not NUL.
    let u = s
        .create_user(json!({"first_name": "back\\u0000slash"}))
        .await;
    assert_eq!(u["first_name"], "back\\u0000slash");
    assert_eq!(s.count("").await, 1);
}

crate::on_both_stores!(
    authentication,
    content_type_is_exactly_json,
    bad_bodies_get_clerk_errors,
    unknown_routes_and_methods,
    ids_look_like_clerks,
    api_version_header,
    nul_characters_are_refused,
);
