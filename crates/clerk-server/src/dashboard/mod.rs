//! The operator's dashboard: server-rendered HTML at `/dashboard/`, for finding, inspecting and
//! acting on users without a client of one's own (see `docs/dashboard.md`).
//!
//! Pages call the same domain functions as the API (`domain::list`, `domain::users`, …), so a
//! search here costs what `GET /v1/users` costs and obeys the same rules. Reading works without
//! JavaScript; a little plain JS (`assets/app.js`) checks JSON as it is typed. Every page is one
//! request plus the two static assets, which browsers cache for good (their URL names their
//! content).
//!
//! Sign-in takes a secret or admin key and sets a signed, expiring, `HttpOnly`,
//! `SameSite=Strict` cookie ([`auth`]); every form that changes something carries a CSRF token
//! bound to that session.

mod assets;
mod auth;
mod layout;
mod organizations;
mod user;
mod users;

use axum::http::{header, HeaderValue};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{middleware, Extension, Router};

use crate::http::on_blocking_thread;
use crate::AppState;

pub use auth::DashboardKeys;

/// The dashboard's routes, and `GET /` sending a browser to it.
pub fn router(app: &AppState) -> Router<AppState> {
    let keys = DashboardKeys::new(&app.encryption_key);
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard/") }))
        .route("/dashboard", get(|| async { Redirect::to("/dashboard/") }))
        .route("/dashboard/assets/{version}/{file}", get(assets::serve))
        .route(
            "/dashboard/sign-in",
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .route("/dashboard/sign-out", post(auth::sign_out))
        // The pages whose work grows with the data set run where the API's lists run.
        .route("/dashboard/", on_blocking_thread(get(users::list)))
        .route("/dashboard/users/new", get(user::new_user_page))
        .route("/dashboard/users", post(user::create_user))
        .route("/dashboard/users/{user_id}", get(user::show))
        .route(
            "/dashboard/users/{user_id}/metadata",
            post(user::save_metadata),
        )
        .route(
            "/dashboard/users/{user_id}/confirm/{action}",
            get(user::confirm_page),
        )
        .route(
            "/dashboard/users/{user_id}/actions/{action}",
            post(user::run_action),
        )
        .route(
            "/dashboard/organizations",
            on_blocking_thread(get(organizations::list)),
        )
        .route(
            "/dashboard/organizations/{organization_id}",
            get(organizations::show),
        )
        .layer(Extension(keys))
        .layer(middleware::map_response(protect_page))
}

/// Headers on every dashboard response: no framing (the confirmation pages must not be
/// clickjacked), scripts and styles from this server only (pages have no inline script), no
/// MIME sniffing, no referrer leaving the site, and pages (which show personal data) kept out
/// of shared caches; the assets set their own caching.
async fn protect_page(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; \
         form-action 'self'; base-uri 'none'",
    );
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}
