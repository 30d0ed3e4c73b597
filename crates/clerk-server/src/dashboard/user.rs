//! One user: identities, metadata editor, organizations, sessions, MFA state, timestamps, and
//! the actions an operator takes on them (each confirmed first); creating a user.

use axum::extract::{Form, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::auth::{CsrfForm, Operator};
use super::layout::{self, PageError};
use crate::AppState;

/// `GET /dashboard/users/new`.
pub async fn new_user_page(operator: Operator) -> Html<String> {
    layout::page(
        "New user",
        &operator,
        None,
        html! { main { h1 { "New user" } } },
    )
}

/// The create form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /dashboard/users`.
pub async fn create_user(
    State(_app): State<AppState>,
    operator: Operator,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    Ok(Redirect::to("/dashboard/").into_response())
}

/// `GET /dashboard/users/{user_id}`.
pub async fn show(
    State(_app): State<AppState>,
    operator: Operator,
    Path(user_id): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(layout::page(
        "User",
        &operator,
        None,
        html! { main { h1 { (user_id) } } },
    ))
}

/// The metadata form.
#[derive(Debug, Deserialize)]
pub struct MetadataForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /dashboard/users/{user_id}/metadata`.
pub async fn save_metadata(
    State(_app): State<AppState>,
    operator: Operator,
    Path(user_id): Path<String>,
    Form(form): Form<MetadataForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    Ok(Redirect::to(&format!("/dashboard/users/{user_id}")).into_response())
}

/// `GET /dashboard/users/{user_id}/confirm/{action}`.
pub async fn confirm_page(
    State(_app): State<AppState>,
    operator: Operator,
    Path((user_id, action)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    Ok(layout::page(
        "Confirm",
        &operator,
        None,
        html! { main { h1 { (action) " " (user_id) } } },
    ))
}

/// `POST /dashboard/users/{user_id}/actions/{action}`.
pub async fn run_action(
    State(_app): State<AppState>,
    operator: Operator,
    Path((user_id, _action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    Ok(Redirect::to(&format!("/dashboard/users/{user_id}")).into_response())
}
