//! The HTTP layer: routes, authentication, request logging, request timeouts. It only
//! translates between HTTP and the domain; rules live in `domain`.

pub(crate) mod auth;
mod billing;
mod credentials;
pub mod error;
pub mod extract;
mod health;
mod identifications;
mod identities;
mod images;
mod organizations;
pub mod query;
mod sessions;
mod transfer;
mod users;
mod webhooks;

use std::time::Duration;

use crate::error::ErrorKind;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{middleware, Extension, Router};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::domain::events::{RequestOrigin, REQUEST_ORIGIN};
use crate::error::ApiError;
use crate::serve::ServingConfig;
use crate::store::Dialect;
use crate::AppState;

/// Largest JSON body accepted; metadata bags are capped at 8 KB each, so this is generous.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(app: AppState, serving: &ServingConfig, dashboard: bool) -> Router {
    let v1 = Router::new()
        .merge(users::router())
        .merge(credentials::router())
        .merge(identities::router())
        .merge(identifications::router())
        .merge(images::router())
        .merge(organizations::router())
        .merge(billing::router())
        .merge(transfer::router())
        .merge(webhooks::router())
        .merge(sessions::router())
        .route("/_ext/ping", get(ping))
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
    let pages = if dashboard {
        crate::dashboard::router(&app)
    } else {
        Router::new()
    };
    Router::new()
        .nest("/v1", v1)
        .merge(pages)
        .merge(images::public_router().route_layer(middleware::from_fn(reject_unusable_path)))
        .merge(sessions::public_router())
        .merge(health::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(deadlines, enforce_deadline))
        .layer(middleware::from_fn(record_origin))
        // Tells `on_blocking_thread` routes which store serves them.
        .layer(Extension(app.store.dialect()))
        // A body that stops arriving fails the handler's read (see `extract::JsonBody`).
        .layer(RequestBodyTimeoutLayer::new(serving.body_timeout))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(log_response),
        )
        .with_state(app)
}

/// A list as Clerk answers it: the bare array, or `{data, total_count}` with `paginated=true`.
fn list_response<T: serde::Serialize>(
    page: clerk_model::Paginated<T>,
    paginated: bool,
) -> Response {
    if paginated {
        axum::Json(page).into_response()
    } else {
        axum::Json(page.data).into_response()
    }
}

/// One line per request; an error's cause (see [`error::ErrorCause`]) is logged here, once,
/// at `error` for a 5xx and `warn` otherwise.
fn log_response(res: &Response, latency: Duration, _span: &Span) {
    let status = res.status().as_u16();
    let latency_us = latency.as_micros() as u64;
    match res.extensions().get::<error::ErrorCause>() {
        Some(cause) if res.status().is_server_error() => {
            tracing::error!(status, latency_us, error = %cause.0, "request failed")
        }
        Some(cause) => tracing::warn!(status, latency_us, error = %cause.0, "request refused"),
        None => tracing::info!(status, latency_us, "request"),
    }
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

/// `method_router` with its requests run on a blocking thread when the store is SQLite: for the
/// routes whose work grows with the data set (lists, searches, counts, export, import, bulk
/// changes).
///
/// SQLite queries run synchronously on the thread that makes them (see `store::db`). A point
/// read or write by key takes microseconds, less than handing the request to another thread,
/// so those run on the runtime's worker (measured: +31 % get_user, see BENCHMARKS.md). A query
/// over the data set can take many milliseconds at a million users; run on a worker it would
/// hold up every other request queued there, so such a request is handed, once, to a blocking
/// thread, where all its queries run and it finishes. PostgreSQL queries are network I/O: there
/// every request stays on the workers.
pub fn on_blocking_thread(method_router: MethodRouter<AppState>) -> MethodRouter<AppState> {
    method_router.layer(middleware::from_fn(run_on_blocking_thread))
}

async fn run_on_blocking_thread(
    Extension(dialect): Extension<Dialect>,
    req: Request,
    next: middleware::Next,
) -> Response {
    if dialect != Dialect::Sqlite {
        return next.run(req).await;
    }
    // A blocking thread cannot be stopped from outside: when this future is dropped (the
    // request's deadline passed, or the client went away) `_abandon` is dropped with it, and the
    // request stops at its next await on the blocking thread, as it would have on a worker.
    let (_abandon, abandoned) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Handle::current();
    let origin = REQUEST_ORIGIN.try_with(Clone::clone).unwrap_or_default();
    let run = move || {
        runtime.block_on(REQUEST_ORIGIN.scope(origin, async move {
            tokio::select! {
                response = next.run(req) => response,
                _ = abandoned => ApiError::internal().into_response(), // nobody is waiting
            }
        }))
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => ApiError::internal().caused_by(e).into_response(),
    }
}

/// Keeps who sent the request (the peer's address, its `User-Agent`) for the webhook events
/// it causes, which report them in `event_attributes.http_request`.
async fn record_origin(req: Request, next: middleware::Next) -> Response {
    let client_ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    let user_agent = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let origin = RequestOrigin {
        client_ip,
        user_agent,
    };
    REQUEST_ORIGIN.scope(origin, next.run(req)).await
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
    let budget = if req.uri().path().strip_prefix("/v1") == Some(transfer::IMPORT_ROUTE) {
        deadlines.import
    } else {
        deadlines.request
    };
    match tokio::time::timeout(budget, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(budget_ms = budget.as_millis() as u64, "request timed out");
            ApiError::new(
                ErrorKind::Unavailable,
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
        ErrorKind::MethodNotAllowed,
        "method_not_allowed",
        "Method not allowed",
        "This path does not support the request's HTTP method.",
    )
    .into_response()
}
