//! The HTTP layer: routes, authentication, request logging. It only translates between HTTP
//! and the domain; rules live in `domain`.

mod auth;
pub mod extract;
mod users;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::ApiError;
use crate::AppState;

/// Largest JSON body accepted; metadata bags are capped at 8 KB each, so this is generous.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(app: AppState) -> Router {
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
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            auth::require_secret_key,
        ));

    Router::new()
        .nest("/v1", v1)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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
