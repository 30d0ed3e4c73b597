//! Sessions as an operator meets them, against real `clerk serve` processes: `clerk sessions`
//! creates, lists (table and JSON), revokes and mints tokens, the printed JWT verifies against
//! what `clerk jwks` prints (with a JWT library), a JWT template's token carries its claims, and
//! failures say what went wrong and exit non-zero.

mod common;

use common::{serve_on, stderr, Server, Store, SECRET_KEY};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(json)
        .collect()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// `clerk users create --email EMAIL --json`: the user's id.
fn create_user(server: &Server, email: &str) -> String {
    id(&json(
        &server.ok(&["users", "create", "--email", email, "--json"]),
    ))
}

/// `clerk sessions create --user USER --json`.
fn create_session(server: &Server, user: &str) -> Value {
    json(&server.ok(&["sessions", "create", "--user", user, "--json"]))
}

/// `clerk sessions list ARGS --json`: the sessions' ids.
fn listed(server: &Server, args: &[&str]) -> Vec<String> {
    let mut command = vec!["sessions", "list", "--json"];
    command.extend_from_slice(args);
    json_lines(&server.ok(&command)).iter().map(id).collect()
}

/// `clerk sessions token ARGS`: stdout must be the JWT and nothing else.
fn token(server: &Server, args: &[&str]) -> String {
    let mut command = vec!["sessions", "token"];
    command.extend_from_slice(args);
    let out = server.ok(&command);
    let jwt = out.strip_suffix('\n').expect("one line");
    assert!(
        !jwt.contains(char::is_whitespace) && jwt.split('.').count() == 3,
        "not a JWT alone: {out:?}"
    );
    jwt.to_owned()
}

/// The claims of `jwt`, checked as an application's backend does: RS256, signed by the key that
/// `jwks` (what `clerk jwks` printed) lists under the header's `kid`, issued by the server, not
/// expired.
fn verify(server: &Server, jwt: &str, jwks: &Value) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("a JWS header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("a kid");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("{kid} is not in {jwks}"));
    let key =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[server.url.trim_end_matches("/v1")]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("{jwt} does not verify: {e}"))
        .claims
}

fn lifetime(claims: &Value) -> i64 {
    claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
}

/// `POST /jwt_templates` straight over HTTP (the CLI does not manage templates).
fn create_template(server: &Server, body: Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/jwt_templates", server.url))
            .bearer_auth(SECRET_KEY)
            .json(&body)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    });
}

fn list_create_revoke_and_tokens(store: Store) {
    let (server, _database) = serve_on(store, "sessions", &[]);
    let user = create_user(&server, "ada@example.com");

    // Text for people: the session's fields, one per line.
    let text = server.ok(&["sessions", "create", "--user", &user]);
    let first = text
        .lines()
        .find_map(|l| l.strip_prefix("id"))
        .expect("an id line")
        .trim()
        .to_owned();
    assert!(first.starts_with("sess_"), "{text}");
    assert!(text.contains(&user) && text.contains("active"), "{text}");
    let second = create_session(&server, &user);
    assert_eq!(second["user_id"], user.as_str());
    assert_eq!(second["status"], "active");
    let second_id = id(&second);

    // A table, newest first; JSON lines; filtered by client; a shorter page says so.
    let table = server.ok(&["sessions", "list", "--user", &user]);
    let rows: Vec<&str> = table.lines().collect();
    assert!(
        rows[0].starts_with("ID") && rows[0].contains("STATUS"),
        "{table}"
    );
    assert_eq!(rows.len(), 3, "{table}");
    assert!(
        rows[1].starts_with(&second_id) && rows[2].starts_with(&first),
        "{table}"
    );
    assert_eq!(
        listed(&server, &["--user", &user]),
        [second_id.as_str(), first.as_str()]
    );
    let client = second["client_id"].as_str().unwrap();
    assert_eq!(listed(&server, &["--client", client]), [second_id.as_str()]);
    let output = server.clerk(&["sessions", "list", "--user", &user, "--limit", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    assert!(
        stderr(&output).contains("1 of 2 sessions shown"),
        "{}",
        stderr(&output)
    );

    // A session token, verified against the keys `clerk jwks` prints.
    let jwks = json(&server.ok(&["jwks"]));
    let jwt = token(&server, &[&second_id]);
    let claims = verify(&server, &jwt, &jwks);
    assert_eq!(claims["sub"], user.as_str());
    assert_eq!(claims["sid"], second_id.as_str());
    assert_eq!(lifetime(&claims), 60);
    let long = token(&server, &[&second_id, "--expires-in", "3600"]);
    assert_eq!(lifetime(&verify(&server, &long, &jwks)), 3600);

    // A JWT template's token carries its claims.
    create_template(
        &server,
        json!({"name": "my-api", "claims": {"aud": "my-api", "uid": "{{user.id}}"}, "lifetime": 120}),
    );
    let templated = token(&server, &[&second_id, "--template", "my-api"]);
    let claims = verify(&server, &templated, &jwks);
    assert_eq!(claims["aud"], "my-api");
    assert_eq!(claims["uid"], user.as_str());
    assert_eq!(lifetime(&claims), 120);
    let short = token(
        &server,
        &[&second_id, "--template", "my-api", "--expires-in", "40"],
    );
    assert_eq!(lifetime(&verify(&server, &short, &jwks)), 40);

    // Revoked: listed as such, and no more tokens.
    assert_eq!(
        server.ok(&["sessions", "revoke", &first]),
        format!("revoked {first}\n")
    );
    assert_eq!(
        listed(&server, &["--user", &user, "--status", "revoked"]),
        [first.as_str()]
    );
    assert_eq!(
        listed(&server, &["--user", &user, "--status", "active"]),
        [second_id.as_str()]
    );
    let output = server.clerk(&["sessions", "token", &first]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let log = stderr(&output);
    assert!(
        log.starts_with(&format!("error: session {first}: 404"))
            && log.contains("resource_not_found"),
        "{log}"
    );
    let revoked = json_lines(&server.ok(&["sessions", "revoke", &second_id, "--json"]));
    assert_eq!(revoked[0]["status"], "revoked");
}

#[test]
fn list_create_revoke_and_tokens_on_sqlite() {
    list_create_revoke_and_tokens(Store::Sqlite);
}

#[test]
fn list_create_revoke_and_tokens_on_postgres() {
    list_create_revoke_and_tokens(Store::Postgres);
}

#[test]
fn jwks_rotate_adds_a_key_and_old_tokens_still_verify() {
    let server = Server::start();
    let user = create_user(&server, "rotate@example.com");
    let session = id(&create_session(&server, &user));
    let old = token(&server, &[&session]);
    let rotated = json(&server.ok(&["jwks", "--rotate"]));
    assert_eq!(rotated["keys"].as_array().unwrap().len(), 2, "{rotated}");
    assert_eq!(json(&server.ok(&["jwks"])), rotated);
    let new = token(&server, &[&session]);
    verify(&server, &old, &rotated);
    verify(&server, &new, &rotated);

    // A server without the route (Clerk itself) is named as such.
    let output = server
        .command(&["jwks", "--rotate"])
        .env("CLERK_API_URL", format!("{}/nowhere", server.url))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(
        log.contains("no key rotation route") && log.contains("404"),
        "{log}"
    );
}

#[test]
fn failures_say_what_went_wrong_and_exit_non_zero() {
    let server = Server::start();
    let fails = |args: &[&str], code: i32, says: &[&str]| {
        let output = server.clerk(args);
        assert_eq!(output.status.code(), Some(code), "clerk {args:?}");
        let log = stderr(&output);
        for part in says {
            assert!(log.contains(part), "clerk {args:?}: {part:?} not in {log}");
        }
    };
    fails(
        &["sessions", "revoke", "sess_missing"],
        1,
        &[
            "error: session sess_missing: 404",
            "resource_not_found",
            "No session was found with id sess_missing",
        ],
    );
    fails(
        &["sessions", "create", "--user", "user_missing"],
        1,
        &["404", "resource_not_found"],
    );

    let user = create_user(&server, "banned@example.com");
    let session = id(&create_session(&server, &user));
    fails(
        &["sessions", "token", &session, "--template", "nope"],
        1,
        &["404", "No JWT template exists with name: nope"],
    );
    server.ok(&["users", "ban", &user]);
    fails(
        &["sessions", "create", "--user", &user],
        1,
        &["403", "user_banned"],
    );

    // Refused before any request: clap's usage errors (exit 2).
    fails(&["sessions", "list"], 2, &["--user"]);
    fails(
        &["sessions", "list", "--user", &user, "--status", "sleeping"],
        2,
        &["sleeping", "active"],
    );
    fails(
        &["sessions", "token", &session, "--expires-in", "29"],
        2,
        &["29"],
    );
}
