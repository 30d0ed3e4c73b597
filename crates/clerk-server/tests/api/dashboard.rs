//! The operator's dashboard over HTTP, as a browser without JavaScript uses it: sign-in and its
//! cookie, CSRF on forms, the wrong-key limit, the metadata editor, actions, no secrets on
//! pages, and a session shared by two nodes. (The browser suite in `browser/` drives the same
//! pages in Chromium.)

use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, Method, StatusCode};
use serde_json::json;

use crate::on_both_stores;
use crate::support::{TestServer, ADMIN_KEY, KEY};

/// A browser without JavaScript: follows no redirect by itself, keeps the cookies it is given.
struct Browser {
    http: reqwest::Client,
    root: String,
    cookies: Vec<(String, String)>,
}

/// A page as received.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let start = self
            .body
            .find(r#"name="csrf" value=""#)
            .expect("a csrf field")
            + 19;
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].to_owned()
    }

    /// The `Set-Cookie` header that sets `name`.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        Self::at(server.root_url())
    }

    fn at(root: String) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
            root,
            cookies: Vec::new(),
        }
    }

    async fn request(&mut self, method: Method, path: &str, form: &[(&str, &str)]) -> Page {
        let mut builder = self.http.request(method, format!("{}{path}", self.root));
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            builder = builder.header(COOKIE, header);
        }
        if !form.is_empty() {
            builder = builder.form(form);
        }
        let response = builder.send().await.unwrap();
        let page = Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        };
        for set in page.headers.get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !attributes.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.request(Method::GET, path, &[]).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, path, form).await
    }

    async fn sign_in(&mut self, key: &str) -> Page {
        let csrf = self.get("/dashboard/sign-in").await.csrf();
        self.post("/dashboard/sign-in", &[("csrf", &csrf), ("key", key)])
            .await
    }

    /// The CSRF token of the signed-in session, as the users page carries it.
    async fn session_csrf(&mut self) -> String {
        self.get("/dashboard/").await.csrf()
    }
}

async fn sign_in_sets_a_strict_expiring_cookie_and_sign_out_clears_it(s: TestServer) {
    let mut browser = Browser::new(&s);
    let root = browser.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.location(), "/dashboard/");
    let anonymous = browser.get("/dashboard/").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), "/dashboard/sign-in");

    let signed_in = browser.sign_in(KEY).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), "/dashboard/");
    let cookie = signed_in.set_cookie("clerk_dashboard").unwrap();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/dashboard",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let users = browser.get("/dashboard/").await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains("Signed in with a secret key"));
    for (header, value) in [
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(users.headers[header], value);
    }

    // A changed cookie is no session.
    let mut forger = Browser::new(&s);
    forger.cookies = browser.cookies.clone();
    forger.cookies[0].1.replace_range(0..2, "AA");
    assert_eq!(
        forger.get("/dashboard/").await.status,
        StatusCode::SEE_OTHER
    );

    let csrf = browser.session_csrf().await;
    let out = browser
        .post("/dashboard/sign-out", &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .set_cookie("clerk_dashboard")
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        browser.get("/dashboard/").await.status,
        StatusCode::SEE_OTHER
    );

    // Behind an HTTPS proxy the cookie is Secure; an admin key says so in the header.
    let mut behind_tls = Browser::new(&s);
    let csrf = behind_tls.get("/dashboard/sign-in").await.csrf();
    let response = behind_tls
        .http
        .post(format!("{}/dashboard/sign-in", behind_tls.root))
        .header("x-forwarded-proto", "https")
        .header(
            COOKIE,
            format!("clerk_dashboard_sign_in={}", behind_tls.cookies[0].1),
        )
        .form(&[("csrf", csrf.as_str()), ("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    let secure = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("clerk_dashboard="))
        .unwrap()
        .to_owned();
    assert!(secure.contains("; Secure"), "{secure}");
}

async fn forms_without_the_session_csrf_token_change_nothing(s: TestServer) {
    let user = s
        .create_user(json!({"email_address": ["csrf@example.com"]}))
        .await;
    let id = user["id"].as_str().unwrap();
    let mut browser = Browser::new(&s);
    browser.sign_in(KEY).await;
    let action = format!("/dashboard/users/{id}/actions/ban");

    for form in [vec![("note", "no token")], vec![("csrf", "0000")]] {
        let refused = browser.post(&action, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    // Another session's token is not this one's.
    let mut other = Browser::new(&s);
    other.sign_in(KEY).await;
    let foreign = other.session_csrf().await;
    let refused = browser.post(&action, &[("csrf", &foreign)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get(&format!("/users/{id}")).await.ok()["banned"], false);

    // Without a session, a form with a token sends the browser to sign in.
    let mut stranger = Browser::new(&s);
    let page = stranger.post(&action, &[("csrf", &foreign)]).await;
    assert_eq!(page.location(), "/dashboard/sign-in");

    let confirm = browser
        .get(&format!("/dashboard/users/{id}/confirm/ban"))
        .await;
    assert_eq!(confirm.status, StatusCode::OK);
    let done = browser.post(&action, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), format!("/dashboard/users/{id}?done=ban"));
    assert_eq!(s.get(&format!("/users/{id}")).await.ok()["banned"], true);
    let page = browser.get(done.location()).await;
    assert!(page.body.contains("User banned."), "{}", page.body);
    assert!(page.body.contains("badge-banned"));

    // Deleting goes back to the list; the user's page is then a 404.
    let csrf = page.csrf();
    let deleted = browser
        .post(
            &format!("/dashboard/users/{id}/actions/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.location(), "/dashboard/?done=delete");
    let gone = browser.get(&format!("/dashboard/users/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.body.contains(r#"id="not-found""#));
}

async fn wrong_keys_close_sign_in_for_the_address(s: TestServer) {
    // A sign-in form not from this browser is refused before the key is looked at.
    let mut other = Browser::new(&s);
    other.get("/dashboard/sign-in").await;
    let forged = other
        .post("/dashboard/sign-in", &[("csrf", "f00d"), ("key", KEY)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.set_cookie("clerk_dashboard").is_none());

    let mut browser = Browser::new(&s);
    for _ in 0..5 {
        let wrong = browser
            .sign_in("sk_test_not_a_key_of_this_server_000000")
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains(r#"id="form-error""#));
        assert!(wrong.set_cookie("clerk_dashboard").is_none());
    }
    // Now even the right key gets no answer about itself.
    let blocked = browser.sign_in(KEY).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers.contains_key("retry-after"));
    assert!(blocked.set_cookie("clerk_dashboard").is_none());
    // The API, which has no such limit, still answers the key.
    assert_eq!(s.get("/users/count").await.status, 200);
}

/// Twenty guesses at once get no more answers than five one after the other.
async fn concurrent_wrong_keys_are_all_counted(s: TestServer) {
    let mut browsers = Vec::new();
    for _ in 0..20 {
        let mut browser = Browser::new(&s);
        let csrf = browser.get("/dashboard/sign-in").await.csrf();
        browsers.push((browser, csrf));
    }
    let attempts = browsers.iter_mut().map(|(browser, csrf)| {
        let csrf = csrf.clone();
        async move {
            browser
                .post(
                    "/dashboard/sign-in",
                    &[
                        ("csrf", &csrf),
                        ("key", "sk_test_a_concurrent_guess_000000000000"),
                    ],
                )
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let answered = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((answered, refused), (5, 15), "{statuses:?}");
}

async fn the_metadata_editor_saves_objects_and_shows_clerks_errors(s: TestServer) {
    let user = s
        .create_user(
            json!({"email_address": ["meta@example.com"], "public_metadata": {"plan": "free"}}),
        )
        .await;
    let id = user["id"].as_str().unwrap();
    let mut browser = Browser::new(&s);
    browser.sign_in(KEY).await;
    let page = browser.get(&format!("/dashboard/users/{id}")).await;
    let csrf = page.csrf();
    let path = format!("/dashboard/users/{id}/metadata");

    let oversized = format!(r#"{{"blob": "{}"}}"#, "x".repeat(9000));
    for (public, private, unsafe_, field) in [
        ("{not json", "{}", "{}", "public_metadata"),
        ("{}", "[1, 2]", "{}", "private_metadata"),
        ("{}", "{}", oversized.as_str(), "unsafe_metadata"),
    ] {
        let refused = browser
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("public_metadata", public),
                    ("private_metadata", private),
                    ("unsafe_metadata", unsafe_),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(refused.body.contains(r#"id="metadata-errors""#), "{field}");
        let marked = format!(
            r#"id="{field}" name="{field}" data-json rows="6" spellcheck="false" aria-invalid="true""#
        );
        assert!(
            refused.body.contains(&marked),
            "{field} not marked:\n{}",
            refused.body
        );
    }
    // Nothing was half-written.
    let stored = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(stored["public_metadata"], json!({"plan": "free"}));

    let saved = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("public_metadata", r#"{"plan": "pro"}"#),
                ("private_metadata", r#"{"crm": 7}"#),
                ("unsafe_metadata", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location(),
        format!("/dashboard/users/{id}?done=metadata")
    );
    let stored = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(stored["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(stored["private_metadata"], json!({"crm": 7}));
    assert_eq!(stored["unsafe_metadata"], json!({}));
}

/// A save from a page opened before another change is refused, not applied over it.
async fn a_metadata_save_from_an_old_page_does_not_undo_a_newer_change(s: TestServer) {
    let user = s
        .create_user(json!({"email_address": ["stale@example.com"], "public_metadata": {"v": 1}}))
        .await;
    let id = user["id"].as_str().unwrap();
    let mut browser = Browser::new(&s);
    browser.sign_in(KEY).await;
    let old_page = browser.get(&format!("/dashboard/users/{id}")).await;
    let seen = hidden_value(&old_page.body, "updated_at");
    assert_eq!(seen, user["updated_at"].to_string());

    // Meanwhile someone else changes the user.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let newer = s
        .put(
            &format!("/users/{id}/metadata"),
            json!({"public_metadata": {"v": 2}}),
        )
        .await
        .ok();
    let path = format!("/dashboard/users/{id}/metadata");
    let form = |seen: &str| {
        vec![
            ("csrf".to_owned(), old_page.csrf()),
            ("updated_at".to_owned(), seen.to_owned()),
            (
                "public_metadata".to_owned(),
                r#"{"v": "from the old page"}"#.to_owned(),
            ),
            ("private_metadata".to_owned(), "{}".to_owned()),
            ("unsafe_metadata".to_owned(), "{}".to_owned()),
        ]
    };
    let stale = form(&seen);
    let refused = browser.post(&path, &pairs(&stale)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("after you opened the page"));
    // The typed text is kept, now based on the user as it is.
    assert!(refused.body.contains("from the old page"));
    assert_eq!(
        hidden_value(&refused.body, "updated_at"),
        newer["updated_at"].to_string()
    );
    let stored = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(stored["public_metadata"], json!({"v": 2}));

    // Saving again from that page is a deliberate overwrite.
    let current = form(&newer["updated_at"].to_string());
    let saved = browser.post(&path, &pairs(&current)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stored = s.get(&format!("/users/{id}")).await.ok();
    assert_eq!(stored["public_metadata"], json!({"v": "from the old page"}));
}

/// Owned form fields as the borrowed pairs `Browser::post` takes.
fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The value of the hidden input `name` on a page.
fn hidden_value(body: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = body.find(&marker).expect("the hidden input") + marker.len();
    let end = start + body[start..].find('"').unwrap();
    body[start..end].to_owned()
}

async fn pages_never_show_password_digests_or_totp_secrets(s: TestServer) {
    let user = s
        .create_user(json!({
            "email_address": ["secret@example.com"],
            "password": "a-long-enough-password-1",
            "totp_secret": "JBSWY3DPEHPK3PXP",
            "backup_codes": ["13572468"],
        }))
        .await;
    let id = user["id"].as_str().unwrap();
    let mut browser = Browser::new(&s);
    browser.sign_in(ADMIN_KEY).await;
    for path in [
        format!("/dashboard/users/{id}"),
        "/dashboard/".to_owned(),
        "/dashboard/?query=secret".to_owned(),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for secret in [
            "$2",
            "JBSWY3DPEHPK3PXP",
            "13572468",
            "a-long-enough-password-1",
        ] {
            assert!(!page.body.contains(secret), "{secret} on {path}");
        }
    }
}

/// The session cookie is signed with a key every node derives from the shared encryption key,
/// so a balancer may send the next request anywhere.
async fn a_session_made_on_one_node_works_on_another(s: TestServer) {
    let second = s.start_node().await;
    let mut browser = Browser::new(&s);
    browser.sign_in(KEY).await;
    let mut on_second = Browser::at(second.base_url().trim_end_matches("/v1").to_owned());
    on_second.cookies = browser.cookies.clone();
    let page = on_second.get("/dashboard/").await;
    assert_eq!(page.status, StatusCode::OK);
    second.shutdown().await;
}

async fn no_dashboard_serves_no_pages(mut s: TestServer) {
    let mut config = s.config();
    config.dashboard = false;
    s.restart_with(config).await.unwrap();
    let mut browser = Browser::new(&s);
    for path in ["/", "/dashboard/", "/dashboard/sign-in"] {
        assert_eq!(
            browser.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The API is untouched.
    assert_eq!(s.get("/users").await.status, 200);
}

on_both_stores!(
    sign_in_sets_a_strict_expiring_cookie_and_sign_out_clears_it,
    forms_without_the_session_csrf_token_change_nothing,
    wrong_keys_close_sign_in_for_the_address,
    concurrent_wrong_keys_are_all_counted,
    the_metadata_editor_saves_objects_and_shows_clerks_errors,
    a_metadata_save_from_an_old_page_does_not_undo_a_newer_change,
    pages_never_show_password_digests_or_totp_secrets,
    a_session_made_on_one_node_works_on_another,
    no_dashboard_serves_no_pages,
);
