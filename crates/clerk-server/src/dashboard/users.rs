//! The users table: search, filters, sort, cursor paging and the total.

use axum::extract::State;
use axum::response::Html;
use maud::html;

use super::auth::Operator;
use super::layout::{self, PageError};
use crate::AppState;

/// `GET /dashboard/`.
pub async fn list(
    State(_app): State<AppState>,
    operator: Operator,
) -> Result<Html<String>, PageError> {
    Ok(layout::page(
        "Users",
        &operator,
        None,
        html! { main { h1 { "Users" } } },
    ))
}
