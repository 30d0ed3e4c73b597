//! Organizations: the list, and one organization with its members and invitations.

use axum::extract::{Path, State};
use axum::response::Html;
use maud::html;

use super::auth::Operator;
use super::layout::{self, PageError};
use crate::AppState;

/// `GET /dashboard/organizations`.
pub async fn list(
    State(_app): State<AppState>,
    operator: Operator,
) -> Result<Html<String>, PageError> {
    Ok(layout::page(
        "Organizations",
        &operator,
        None,
        html! { main { h1 { "Organizations" } } },
    ))
}

/// `GET /dashboard/organizations/{organization_id}`.
pub async fn show(
    State(_app): State<AppState>,
    operator: Operator,
    Path(organization_id): Path<String>,
) -> Result<Html<String>, PageError> {
    Ok(layout::page(
        "Organization",
        &operator,
        None,
        html! { main { h1 { (organization_id) } } },
    ))
}
