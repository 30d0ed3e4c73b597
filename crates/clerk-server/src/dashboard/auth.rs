//! Who may use the dashboard: an operator who signed in with one of the server's secret or
//! admin keys.
//!
//! - The session is a cookie signed with a key derived from the encryption key (so every node
//!   accepts it and a restart keeps it), carrying its expiry, which key kind signed in, a
//!   fingerprint of that key (taking the key out of the configuration ends its sessions) and the
//!   session's CSRF token. `HttpOnly`, `SameSite=Strict`, path `/dashboard`, `Secure` when the
//!   server is reached over HTTPS.
//! - Every form that changes something sends the session's CSRF token; a request without it, or
//!   with another, is refused with 403 before anything happens. The sign-in form has one too,
//!   bound to a short-lived cookie of its own.
//! - Wrong keys are counted per client address: after [`MAX_FAILURES`] within
//!   [`FAILURE_WINDOW`], sign-ins from that address are refused (429) until the oldest failure
//!   leaves the window, the right key included, so guessing gets no answer either way.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Extension, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, CookieJar, Key, SameSite};
use maud::html;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::layout;
use crate::crypto::secrets::SecretKey;
use crate::http::auth::{key_kind, Presented};
use crate::AppState;

/// The session cookie.
const SESSION_COOKIE: &str = "clerk_dashboard";
/// The sign-in form's CSRF cookie.
const SIGN_IN_COOKIE: &str = "clerk_dashboard_sign_in";
/// How long a session lasts; signing in again starts a new one.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a sign-in form stays usable.
const SIGN_IN_FORM_LIFETIME: Duration = Duration::from_secs(3600);
/// Wrong keys from one address that close sign-in for it…
pub const MAX_FAILURES: usize = 5;
/// …when they fall within this window.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses whose failures are remembered; past it the oldest entries are forgotten, so a
/// flood of addresses cannot grow the map without bound.
const MAX_TRACKED_ADDRESSES: usize = 10_000;

/// What the dashboard keeps for its life: the cookie signing key and the failed sign-ins.
#[derive(Clone)]
pub struct DashboardKeys(Arc<Inner>);

struct Inner {
    cookie_key: Key,
    failures: Mutex<FailedSignIns>,
}

impl DashboardKeys {
    pub fn new(encryption_key: &SecretKey) -> Self {
        let derived = encryption_key.derive("clerk dashboard session cookies v1");
        Self(Arc::new(Inner {
            cookie_key: Key::from(&derived),
            failures: Mutex::new(FailedSignIns::default()),
        }))
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, FailedSignIns> {
        // A panic while the lock was held left counts, not broken invariants.
        self.0.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Which key kind signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Secret,
    Admin,
}

impl KeyKind {
    /// "a secret key" / "an admin key", for the page header.
    pub fn describe(self) -> &'static str {
        match self {
            KeyKind::Secret => "a secret key",
            KeyKind::Admin => "an admin key",
        }
    }
}

/// What the session cookie holds (signed, so it cannot be changed by the browser).
#[derive(Debug, Serialize, Deserialize)]
struct SessionClaims {
    /// Unix seconds after which the session is over, whatever the cookie's own expiry says.
    exp: u64,
    kind: KeyKind,
    /// The first bytes of the key's SHA-256: the session ends when that key is removed.
    key: String,
    csrf: String,
}

/// A signed-in operator: a handler argument that only a valid session gets. Without one, a
/// browser is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct Operator {
    pub kind: KeyKind,
    csrf: String,
}

impl Operator {
    /// The token every state-changing form of this session carries (see
    /// [`layout::csrf_field`]).
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }

    /// Refuses a form whose CSRF token is not this session's ([`CsrfRefused`] is a 403 page).
    pub fn check_csrf(&self, presented: &str) -> Result<(), CsrfRefused> {
        if bool::from(self.csrf.as_bytes().ct_eq(presented.as_bytes())) {
            Ok(())
        } else {
            Err(CsrfRefused)
        }
    }
}

/// A form without this session's CSRF token: answered with a 403 page, nothing done.
#[derive(Debug)]
pub struct CsrfRefused;

impl IntoResponse for CsrfRefused {
    fn into_response(self) -> Response {
        forbidden_form()
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let keys = parts
            .extensions
            .get::<DashboardKeys>()
            .expect("the dashboard router adds its keys")
            .clone();
        session_of(&parts.headers, &keys, app)
            .ok_or_else(|| Redirect::to("/dashboard/sign-in").into_response())
    }
}

/// The operator of a valid session cookie, if the request has one.
fn session_of(headers: &HeaderMap, keys: &DashboardKeys, app: &AppState) -> Option<Operator> {
    let jar = request_cookies(headers);
    let cookie = jar.signed(&keys.0.cookie_key).get(SESSION_COOKIE)?;
    let json = URL_SAFE_NO_PAD.decode(cookie.value()).ok()?;
    let claims: SessionClaims = serde_json::from_slice(&json).ok()?;
    if claims.exp <= unix_now() {
        return None;
    }
    let configured = match claims.kind {
        KeyKind::Admin => &app.admin_keys,
        KeyKind::Secret => &app.secret_keys,
    };
    let still_configured = configured
        .iter()
        .any(|key| bool::from(fingerprint(key).as_bytes().ct_eq(claims.key.as_bytes())));
    still_configured.then_some(Operator {
        kind: claims.kind,
        csrf: claims.csrf,
    })
}

/// `GET /dashboard/sign-in`: the form, with a fresh CSRF token in it and in a cookie.
pub async fn sign_in_page(
    State(app): State<AppState>,
    Extension(keys): Extension<DashboardKeys>,
    headers: HeaderMap,
) -> Response {
    if session_of(&headers, &keys, &app).is_some() {
        return Redirect::to("/dashboard/").into_response();
    }
    sign_in_form(&app, &keys, &headers, StatusCode::OK, None)
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /dashboard/sign-in`.
pub async fn sign_in(
    State(app): State<AppState>,
    Extension(keys): Extension<DashboardKeys>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let address = peer.ip();
    let now = Instant::now();
    let expected = request_cookies(&headers)
        .signed(&keys.0.cookie_key)
        .get(SIGN_IN_COOKIE)
        .map(|c| c.value().to_owned());
    let form_is_ours =
        expected.is_some_and(|token| bool::from(token.as_bytes().ct_eq(form.csrf.as_bytes())));
    // The check, the key comparison and the count of a wrong key happen under one lock, so
    // that concurrent guesses cannot all pass the check before any of them is counted. The
    // comparison is a few constant-time byte compares: nothing slow is held under the lock.
    let verdict = {
        let mut failures = keys.failures();
        match failures.blocked_for(address, now) {
            Some(wait) => Verdict::Blocked(wait),
            None if !form_is_ours => Verdict::ForeignForm,
            None => match key_kind(&app.secret_keys, &app.admin_keys, form.key.trim()) {
                Some(presented) => Verdict::Key(presented),
                None => {
                    failures.record(address, now);
                    Verdict::WrongKey
                }
            },
        }
    };
    let kind = match verdict {
        Verdict::Key(Presented::Admin) => KeyKind::Admin,
        Verdict::Key(Presented::Secret) => KeyKind::Secret,
        Verdict::ForeignForm => {
            let message = "The sign-in form expired. Please sign in again.";
            return sign_in_form(&app, &keys, &headers, StatusCode::FORBIDDEN, Some(message));
        }
        Verdict::WrongKey => {
            tracing::warn!(%address, "dashboard sign-in with a wrong key");
            let message = "That key is not a secret key or admin key of this server.";
            return sign_in_form(
                &app,
                &keys,
                &headers,
                StatusCode::UNAUTHORIZED,
                Some(message),
            );
        }
        Verdict::Blocked(wait) => {
            let message = format!(
                "Too many wrong keys from your address. Try again in {} minutes.",
                wait.as_secs().div_ceil(60)
            );
            let mut response = sign_in_form(
                &app,
                &keys,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&message),
            );
            if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    };
    let claims = SessionClaims {
        exp: unix_now() + SESSION_LIFETIME.as_secs(),
        kind,
        key: fingerprint(form.key.trim()),
        csrf: random_token(),
    };
    // base64url: JSON's quotes and commas are not allowed in a cookie value.
    let value = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
    let secure = is_https(&headers, &app);
    let mut response = Redirect::to("/dashboard/").into_response();
    set_signed_cookie(
        &mut response,
        &keys,
        cookie(
            SESSION_COOKIE,
            value,
            "/dashboard",
            SESSION_LIFETIME,
            secure,
        ),
    );
    add_set_cookie(
        &mut response,
        removal(SIGN_IN_COOKIE, "/dashboard/sign-in", secure),
    );
    response
}

/// What a sign-in attempt comes to.
enum Verdict {
    /// Too many wrong keys from the address: closed for this long.
    Blocked(Duration),
    /// The form's token is not the one this browser was given.
    ForeignForm,
    WrongKey,
    Key(Presented),
}

/// A form that only carries the CSRF token (sign-out, confirmations).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /dashboard/sign-out`: clears the session cookie.
pub async fn sign_out(
    State(app): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = operator.check_csrf(&form.csrf) {
        return refused.into_response();
    }
    let mut response = Redirect::to("/dashboard/sign-in").into_response();
    add_set_cookie(
        &mut response,
        removal(SESSION_COOKIE, "/dashboard", is_https(&headers, &app)),
    );
    response
}

fn sign_in_form(
    app: &AppState,
    keys: &DashboardKeys,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let token = random_token();
    let body = html! {
        main.sign-in {
            h1 { "Sign in" }
            p { "Use one of this server's secret keys or admin keys." }
            form #sign-in method="post" action="/dashboard/sign-in" {
                @if let Some(error) = error {
                    p #form-error .error role="alert" { (error) }
                }
                input type="hidden" name="csrf" value=(token);
                label for="key" { "Key" }
                input #key type="password" name="key" required autocomplete="current-password"
                    autofocus aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| "form-error")];
                button #sign-in-submit type="submit" { "Sign in" }
            }
        }
    };
    let secure = is_https(headers, app);
    let mut response = (status, layout::bare_page("Sign in", body)).into_response();
    set_signed_cookie(
        &mut response,
        keys,
        cookie(
            SIGN_IN_COOKIE,
            token,
            "/dashboard/sign-in",
            SIGN_IN_FORM_LIFETIME,
            secure,
        ),
    );
    response
}

fn forbidden_form() -> Response {
    let body = html! {
        main {
            h1 { "Form expired" }
            p #form-error .error role="alert" {
                "This form is not from your current session. Go back, reload the page and try again."
            }
            p { a href="/dashboard/" { "Back to the dashboard" } }
        }
    };
    (
        StatusCode::FORBIDDEN,
        layout::bare_page("Form expired", body),
    )
        .into_response()
}

/// Failed sign-ins per address, within [`FAILURE_WINDOW`].
#[derive(Default)]
struct FailedSignIns {
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

impl FailedSignIns {
    fn record(&mut self, address: IpAddr, now: Instant) {
        if self.by_address.len() >= MAX_TRACKED_ADDRESSES {
            self.forget_expired(now);
        }
        if self.by_address.len() >= MAX_TRACKED_ADDRESSES {
            // Still full of live entries: drop one rather than grow; an attacker with that
            // many addresses is not slowed by a per-address count anyway.
            if let Some(&any) = self.by_address.keys().next() {
                self.by_address.remove(&any);
            }
        }
        let failures = self.by_address.entry(address).or_default();
        failures.push_back(now);
        while failures.len() > MAX_FAILURES {
            failures.pop_front();
        }
    }

    /// How long sign-in stays closed for `address`, if it is.
    fn blocked_for(&mut self, address: IpAddr, now: Instant) -> Option<Duration> {
        let failures = self.by_address.get_mut(&address)?;
        while failures
            .front()
            .is_some_and(|&at| now.duration_since(at) >= FAILURE_WINDOW)
        {
            failures.pop_front();
        }
        if failures.is_empty() {
            self.by_address.remove(&address);
            return None;
        }
        let oldest = *failures.front()?;
        (failures.len() >= MAX_FAILURES)
            .then(|| FAILURE_WINDOW.saturating_sub(now.duration_since(oldest)))
    }

    fn forget_expired(&mut self, now: Instant) {
        self.by_address.retain(|_, failures| {
            failures
                .back()
                .is_some_and(|&at| now.duration_since(at) < FAILURE_WINDOW)
        });
    }
}

fn request_cookies(headers: &HeaderMap) -> CookieJar {
    let mut jar = CookieJar::new();
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for cookie in Cookie::split_parse(value.to_owned()).flatten() {
            jar.add_original(cookie);
        }
    }
    jar
}

fn cookie(
    name: &'static str,
    value: String,
    path: &'static str,
    lifetime: Duration,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(lifetime.as_secs() as i64))
        .build()
}

/// A `Set-Cookie` that deletes `name` at `path`.
fn removal(name: &'static str, path: &'static str, secure: bool) -> Cookie<'static> {
    let mut removal = cookie(name, String::new(), path, Duration::ZERO, secure);
    removal.make_removal();
    removal
}

fn set_signed_cookie(response: &mut Response, keys: &DashboardKeys, cookie: Cookie<'static>) {
    let mut jar = CookieJar::new();
    jar.signed_mut(&keys.0.cookie_key).add(cookie);
    for signed in jar.delta() {
        add_set_cookie(response, signed.clone());
    }
}

fn add_set_cookie(response: &mut Response, cookie: Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Whether the browser reached us over HTTPS: the configured public URL says so, or a proxy
/// in front does (`X-Forwarded-Proto`). Only ever adds `Secure`, so a forged header can do no
/// harm.
fn is_https(headers: &HeaderMap, app: &AppState) -> bool {
    app.settings.public_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

fn fingerprint(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..12])
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_close_sign_in_until_the_oldest_leaves_the_window() {
        let mut failures = FailedSignIns::default();
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let start = Instant::now();
        for i in 0..MAX_FAILURES as u64 {
            assert_eq!(failures.blocked_for(address, start), None);
            failures.record(address, start + Duration::from_secs(i));
        }
        let later = start + Duration::from_secs(60);
        assert!(failures.blocked_for(address, later).is_some());
        assert_eq!(failures.blocked_for(other, later), None);
        assert!(failures
            .blocked_for(address, start + FAILURE_WINDOW - Duration::from_secs(1))
            .is_some());
        // The first failure leaves the window: one more try is allowed.
        assert_eq!(failures.blocked_for(address, start + FAILURE_WINDOW), None);
    }

    #[test]
    fn the_map_of_addresses_stays_bounded() {
        let mut failures = FailedSignIns::default();
        let now = Instant::now();
        for i in 0..(MAX_TRACKED_ADDRESSES as u32 + 50) {
            failures.record(IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(failures.by_address.len() <= MAX_TRACKED_ADDRESSES);
    }
}
