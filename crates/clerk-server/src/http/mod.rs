//! The HTTP layer: routes, authentication, request logging, request timeouts. It only
//! translates between HTTP and the domain; rules live in `domain`.

mod auth;
mod billing;
mod credentials;
pub mod extract;
mod health;
mod identities;
mod images;
mod organizations;
mod transfer;
mod users;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{middleware, Router};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::ApiError;
use crate::serve::ServingConfig;
use crate::AppState;

/// Largest JSON body accepted; metadata bags are capped at 8 KB each, so this is generous.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The bulk import route (under `/v1`): its requests get [`ServingConfig::import_timeout`]
/// rather than [`ServingConfig::request_timeout`].
pub const IMPORT_ROUTE: &str = "/_ext/import/users";

pub fn router(app: AppState, serving: &ServingConfig) -> Router {
    let v1 = Router::new()
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/users/count", get(users::count_users))
        .route(
            "/users/{user_id}",
            get(users::get_user)
                .patch(users::update_user)
                .delete(users::delete_user),
        )
        .route(
            "/users/{user_id}/metadata",
            axum::routing::patch(users::merge_metadata).put(users::replace_metadata),
        )
        .route("/users/ban", post(credentials::ban_many))
        .route("/users/unban", post(credentials::unban_many))
        .route("/users/{user_id}/ban", post(credentials::ban))
        .route("/users/{user_id}/unban", post(credentials::unban))
        .route("/users/{user_id}/lock", post(credentials::lock))
        .route("/users/{user_id}/unlock", post(credentials::unlock))
        .route(
            "/users/{user_id}/verify_password",
            post(credentials::verify_password),
        )
        .route(
            "/users/{user_id}/verify_totp",
            post(credentials::verify_totp),
        )
        .route(
            "/users/{user_id}/totp",
            post(credentials::create_totp).delete(credentials::delete_totp),
        )
        .route(
            "/users/{user_id}/backup_code",
            delete(credentials::delete_backup_codes),
        )
        .route("/users/{user_id}/mfa", delete(credentials::disable_mfa))
        .route(
            "/users/{user_id}/remove_password",
            post(credentials::remove_password),
        )
        .route(
            "/users/{user_id}/password/set_compromised",
            post(credentials::set_password_compromised),
        )
        .route(
            "/users/{user_id}/password/unset_compromised",
            post(credentials::unset_password_compromised),
        )
        .route(
            "/users/{user_id}/profile_image",
            post(images::set_profile_image)
                .delete(images::delete_profile_image)
                .layer(DefaultBodyLimit::max(images::MAX_UPLOAD_BODY)),
        )
        .route(
            "/users/{user_id}/email_address",
            put(identities::replace_email_address),
        )
        .route(
            "/users/{user_id}/phone_number",
            put(identities::replace_phone_number),
        )
        .route(
            "/users/{user_id}/web3_wallets/{web3_wallet_identification_id}",
            delete(identities::delete_web3_wallet),
        )
        .route(
            "/users/{user_id}/passkeys/{passkey_identification_id}",
            delete(identities::delete_passkey),
        )
        .route(
            "/users/{user_id}/external_accounts/{external_account_id}",
            delete(identities::delete_external_account),
        )
        .route(
            "/users/{user_id}/trusted_devices",
            get(identities::list_trusted_devices),
        )
        .route(
            "/users/{user_id}/trusted_devices/{trusted_device_id}",
            delete(identities::revoke_trusted_device),
        )
        .route(
            "/organizations",
            get(organizations::list_organizations).post(organizations::create_organization),
        )
        .route(
            "/organizations/{organization_id}",
            get(organizations::get_organization)
                .patch(organizations::update_organization)
                .delete(organizations::delete_organization),
        )
        .route(
            "/organizations/{organization_id}/metadata",
            axum::routing::patch(organizations::merge_metadata)
                .put(organizations::replace_metadata),
        )
        .route(
            "/organizations/{organization_id}/memberships",
            get(organizations::list_memberships).post(organizations::create_membership),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}",
            axum::routing::patch(organizations::update_membership)
                .delete(organizations::delete_membership),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}/metadata",
            axum::routing::patch(organizations::merge_membership_metadata),
        )
        .route(
            "/organizations/{organization_id}/invitations",
            get(organizations::list_invitations).post(organizations::create_invitation),
        )
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}",
            get(organizations::get_invitation),
        )
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}/revoke",
            post(organizations::revoke_invitation),
        )
        .route(
            "/users/{user_id}/organization_memberships",
            get(organizations::user_memberships),
        )
        .route(
            "/users/{user_id}/organization_invitations",
            get(organizations::user_invitations),
        )
        .route(
            "/users/{user_id}/oauth_access_tokens/{provider}",
            get(transfer::oauth_access_tokens),
        )
        .route(
            "/users/{user_id}/billing/credits",
            get(billing::credit_balance).post(billing::adjust_credits),
        )
        .route(
            "/users/{user_id}/billing/subscription",
            get(billing::subscription),
        )
        .route("/_ext/ping", get(ping))
        .route(
            IMPORT_ROUTE,
            post(transfer::import_users).layer(DefaultBodyLimit::max(transfer::MAX_IMPORT_BODY)),
        )
        .route("/_ext/export/users", get(transfer::export_users))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // The last layer added runs first: authentication, then the API version check.
        .layer(middleware::from_fn(check_api_version))
        .layer(middleware::from_fn(reject_unusable_path))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            auth::require_secret_key,
        ));

    let deadlines = Deadlines {
        request: serving.request_timeout,
        import: serving.import_timeout,
    };
    Router::new()
        .nest("/v1", v1)
        .route(
            "/_ext/images/{key}",
            get(images::serve_image).route_layer(middleware::from_fn(reject_unusable_path)),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(deadlines, enforce_deadline))
        // A body that stops arriving fails the handler's read (see `extract::JsonBody`).
        .layer(RequestBodyTimeoutLayer::new(serving.body_timeout))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _span: &Span| {
                    tracing::info!(status = res.status().as_u16(), latency_us = latency.as_micros() as u64, "request");
                }),
        )
        .with_state(app)
}

/// No id contains NUL or bytes that are not UTF-8 (PostgreSQL text cannot hold either): a
/// path whose percent-decoding has them names nothing. Checked before any handler, because
/// axum's `Path` answers a segment that is not UTF-8 with a plain-text 400 of its own.
async fn reject_unusable_path(req: Request, next: middleware::Next) -> Response {
    let decoded: std::borrow::Cow<[u8]> =
        percent_encoding::percent_decode_str(req.uri().path()).into();
    if decoded.contains(&0) || std::str::from_utf8(&decoded).is_err() {
        return ApiError::route_not_found().into_response();
    }
    next.run(req).await
}

/// How long a request may take from its headers to its response.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    request: Duration,
    import: Duration,
}

/// Abandons a request that outlives its budget: the handler's future is dropped, as when the
/// client disconnects. The budget covers reading the body, so a body trickled in just under
/// the body timeout is bounded too. 503, not 408: the server did not finish in time (a client
/// too slow to send its body gets 408 from the body timeout), and Clerk's SDKs retry 5XX
/// answers with backoff. A middleware rather than tower-http's `TimeoutLayer`, which answers
/// a bodiless status with one duration per layer: this answers in Clerk's envelope and gives
/// the bulk import its own budget.
async fn enforce_deadline(
    State(deadlines): State<Deadlines>,
    req: Request,
    next: middleware::Next,
) -> Response {
    let budget = if req.uri().path().strip_prefix("/v1") == Some(IMPORT_ROUTE) {
        deadlines.import
    } else {
        deadlines.request
    };
    match tokio::time::timeout(budget, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(budget_ms = budget.as_millis() as u64, "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "request_timed_out",
                "Request timed out",
                format!(
                    "The server did not finish this request within {} and abandoned it; it \
                     may or may not have taken effect. Retry later.",
                    humantime::format_duration(budget)
                ),
            )
            .into_response()
        }
    }
}

/// Every request with an invalid `Clerk-API-Version` is refused, whatever the route.
async fn check_api_version(req: Request, next: middleware::Next) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = req.into_parts();
    if let Err(err) = extract::ApiVersion::from_request_parts(&mut parts, &()).await {
        return err.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The cheapest authenticated route (our extension): authentication, routing and a JSON
/// response, no database. Health checks and the benchmarks' HTTP ceiling use it.
async fn ping() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "object": "pong" }))
}

async fn not_found() -> ApiError {
    ApiError::route_not_found()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "This path does not support the request's HTTP method.",
    )
    .into_response()
}
