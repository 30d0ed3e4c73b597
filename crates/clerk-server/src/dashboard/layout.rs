//! The frame every page shares (header, navigation, sign-out, flash message), the pieces forms
//! need, and error pages.

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::assets;
use super::auth::Operator;
use crate::error::{ApiError, ErrorKind};
use crate::http::query::QueryParams;

/// A page of a signed-in operator.
pub fn page(title: &str, operator: &Operator, flash: Option<&str>, body: Markup) -> Html<String> {
    document(
        title,
        html! {
            header.top {
                a.brand href="/dashboard/" { "Users dashboard" }
                nav aria-label="Main" {
                    a href="/dashboard/" { "Users" }
                    a href="/dashboard/organizations" { "Organizations" }
                }
                span.muted #signed-in-as { "Signed in with " (operator.kind.describe()) }
                form #sign-out method="post" action="/dashboard/sign-out" {
                    (csrf_field(operator))
                    button #sign-out-submit .link type="submit" { "Sign out" }
                }
            }
            @if let Some(flash) = flash {
                p #flash .flash role="status" { (flash) }
            }
            (body)
        },
    )
}

/// A page outside a session (sign-in, errors).
pub fn bare_page(title: &str, body: Markup) -> Html<String> {
    document(
        title,
        html! {
            header.top { a.brand href="/dashboard/" { "Users dashboard" } }
            (body)
        },
    )
}

fn document(title: &str, content: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · Users dashboard" }
                link rel="stylesheet" href=(assets::url("app.css"));
                script src=(assets::url("app.js")) defer {}
            }
            body { (content) }
        }
    };
    Html(markup.into_string())
}

/// The hidden field that carries the session's CSRF token.
pub fn csrf_field(operator: &Operator) -> Markup {
    html! { input type="hidden" name="csrf" value=(operator.csrf_token()); }
}

/// A Unix-milliseconds timestamp as a `<time>` element, in UTC.
pub fn timestamp(ms: Option<i64>) -> Markup {
    let Some(ms) = ms else {
        return html! { span.muted { "never" } };
    };
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(at) => html! {
            time datetime=(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) {
                (at.format("%Y-%m-%d %H:%M UTC"))
            }
        },
        None => html! { (ms) },
    }
}

/// A first and last name joined, empty parts left out.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field a refused search names: marked `aria-invalid` and pointed at the error above the
/// form (`#search-error`).
#[derive(Clone, Copy)]
pub struct SearchErrors<'a>(pub Option<&'a ApiError>);

impl SearchErrors<'_> {
    pub fn invalid(self, name: &str) -> Option<&'static str> {
        self.0
            .and_then(|e| e.param_name.as_deref())
            .filter(|p| *p == name)
            .map(|_| "true")
    }

    pub fn described(self, name: &str) -> Option<&'static str> {
        self.invalid(name).map(|_| "search-error")
    }
}

/// The `order_by` the query string asks for, with its sign (`+` when it has none, as the API
/// reads it), or `default`.
pub fn selected_order(q: &QueryParams, default: &str) -> String {
    match q.first("order_by") {
        None => default.to_owned(),
        Some(raw) if raw.starts_with(['+', '-']) => raw,
        Some(raw) => format!("+{raw}"),
    }
}

/// The end of a search form: the order select (`orders`: value and label, the first the
/// default), the page size when one was given (a refused one is not carried on), and the
/// button.
pub fn order_and_submit(
    orders: &[(&str, &str)],
    q: &QueryParams,
    errors: SearchErrors<'_>,
) -> Markup {
    let order = selected_order(q, orders[0].0);
    html! {
        div {
            label for="order_by" { "Order" }
            select #order_by name="order_by" aria-invalid=[errors.invalid("order_by")]
                aria-describedby=[errors.described("order_by")] {
                @for (option, label) in orders {
                    option value=(option) selected[*option == order] { (label) }
                }
            }
        }
        @if let Some(limit) = q.first("limit").filter(|_| errors.invalid("limit").is_none()) {
            input type="hidden" name="limit" value=(limit);
        }
        div {
            button #search-submit .primary type="submit" { "Search" }
        }
    }
}

/// What a page handler fails with: an error page with the error's status.
#[derive(Debug)]
pub struct PageError(Response);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0
    }
}

impl From<super::auth::CsrfRefused> for PageError {
    fn from(refused: super::auth::CsrfRefused) -> Self {
        PageError(refused.into_response())
    }
}

/// Clerk's error as a page: a 404 names what is missing (`#not-found`); a 5xx says no more
/// than that something failed (its cause is logged, as for the API).
impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        let status = crate::http::error::status_of(err.kind);
        let body = match err.kind {
            ErrorKind::NotFound => html! {
                main #not-found {
                    h1 { "Not found" }
                    p { (err.long_message) }
                    p { a href="/dashboard/" { "Back to the users" } }
                }
            },
            _ if status.is_server_error() => html! {
                main #server-error {
                    h1 { "Something went wrong" }
                    p { "The server could not complete this page. It has been logged; try again." }
                    p { a href="/dashboard/" { "Back to the users" } }
                }
            },
            _ => html! {
                main #request-error {
                    h1 { (err.message) }
                    p .error role="alert" { (err.long_message) }
                    p { a href="/dashboard/" { "Back to the users" } }
                }
            },
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "dashboard page failed");
        }
        PageError((status, bare_page("Error", body)).into_response())
    }
}
