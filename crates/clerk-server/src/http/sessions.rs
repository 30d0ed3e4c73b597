//! `/v1/sessions`, `/v1/jwks` and `/v1/jwt_templates` handlers; the public JWKS at
//! `/.well-known/jwks.json`; and our key rotation extension `/v1/_ext/jwks/rotate`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use clerk_model::{
    CreateSessionRequest, CreateSessionTokenRequest, DeletedObject, Jwks, JwtTemplate,
    JwtTemplateRequest, RefreshSessionRequest, Session, SessionStatus, SessionToken,
};

use super::extract::{JsonBody, Query};
use super::{list_response, on_blocking_thread};
use crate::domain::jwt_templates;
use crate::domain::sessions::{self, SessionListQuery};
use crate::domain::tokens::{self, Refreshed};
use crate::error::ApiResult;
use crate::AppState;

/// The routes of this module, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        // A user's or a client's sessions: an indexed page, but the count grows with them.
        .route(
            "/sessions",
            on_blocking_thread(get(list_sessions)).post(create_session),
        )
        .route("/sessions/{session_id}", get(get_session))
        .route("/sessions/{session_id}/revoke", post(revoke_session))
        .route("/sessions/{session_id}/refresh", post(refresh_session))
        .route("/sessions/{session_id}/tokens", post(create_token))
        .route(
            "/sessions/{session_id}/tokens/{template_name}",
            post(create_template_token),
        )
        .route("/jwks", get(jwks))
        .route("/_ext/jwks/rotate", post(rotate_keys))
        .route("/jwt_templates", get(list_templates).post(create_template))
        .route(
            "/jwt_templates/{template_id}",
            get(get_template)
                .patch(update_template)
                .delete(delete_template),
        )
}

/// The JWKS without authentication, where an issuer's keys are looked for
/// (`{iss}/.well-known/jwks.json`), as Clerk's Frontend API serves it.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/.well-known/jwks.json", get(jwks))
}

async fn create_session(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<CreateSessionRequest>,
) -> ApiResult<Json<Session>> {
    sessions::create(&app, req).await.map(Json)
}

async fn list_sessions(State(app): State<AppState>, Query(q): Query) -> ApiResult<Response> {
    let query = SessionListQuery {
        user_id: q.first("user_id"),
        client_id: q.first("client_id"),
        status: q
            .first("status")
            .map(|s| s.parse::<SessionStatus>().unwrap_or_else(|n| match n {})),
        page: q.page()?,
    };
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let page = sessions::list(&app, &query, paginated).await?;
    Ok(list_response(page, paginated))
}

async fn get_session(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Session>> {
    sessions::get(&app, &id).await.map(Json)
}

async fn revoke_session(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Session>> {
    sessions::revoke(&app, &id).await.map(Json)
}

async fn refresh_session(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RefreshSessionRequest>,
) -> ApiResult<Response> {
    Ok(match tokens::refresh(&app, &id, req).await? {
        Refreshed::Token(token) => Json(token).into_response(),
        Refreshed::Cookies(cookies) => Json(cookies).into_response(),
    })
}

async fn create_token(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CreateSessionTokenRequest>,
) -> ApiResult<Json<SessionToken>> {
    tokens::session_token(&app, &id, req).await.map(Json)
}

async fn create_template_token(
    State(app): State<AppState>,
    Path((id, template_name)): Path<(String, String)>,
    JsonBody(req): JsonBody<CreateSessionTokenRequest>,
) -> ApiResult<Json<SessionToken>> {
    tokens::template_token(&app, &id, &template_name, req)
        .await
        .map(Json)
}

async fn jwks(State(app): State<AppState>) -> ApiResult<Json<Jwks>> {
    tokens::jwks(&app).await.map(Json)
}

async fn rotate_keys(State(app): State<AppState>) -> ApiResult<Json<Jwks>> {
    tokens::rotate(&app).await.map(Json)
}

async fn list_templates(State(app): State<AppState>, Query(q): Query) -> ApiResult<Response> {
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let page = jwt_templates::list(&app, q.page()?, paginated).await?;
    Ok(list_response(page, paginated))
}

async fn create_template(
    State(app): State<AppState>,
    JsonBody(req): JsonBody<JwtTemplateRequest>,
) -> ApiResult<Json<JwtTemplate>> {
    jwt_templates::create(&app, req).await.map(Json)
}

async fn get_template(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<JwtTemplate>> {
    jwt_templates::get(&app, &id).await.map(Json)
}

async fn update_template(
    State(app): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<JwtTemplateRequest>,
) -> ApiResult<Json<JwtTemplate>> {
    jwt_templates::update(&app, &id, req).await.map(Json)
}

async fn delete_template(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeletedObject>> {
    jwt_templates::delete(&app, &id).await.map(Json)
}
