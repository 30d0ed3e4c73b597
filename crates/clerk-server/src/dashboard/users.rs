//! The users table: search, filters, sort, cursor paging and the total.
//!
//! The page's own query string is parsed exactly as `GET /v1/users` parses it
//! ([`query::user_list`]), and the page calls [`list::list_users`] and [`list::count_users`]
//! as `GET /v1/users` and `GET /v1/users/count` do, so a search costs what the API's does. A
//! parameter the API refuses is shown above the (still filled) form with the API's status.

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use clerk_model::User;
use maud::{html, Markup};

use super::auth::Operator;
use super::layout::{self, PageError, SearchErrors};
use super::user::{badges, display_name};
use crate::domain::list::{self, OrderField, Page, UserListQuery, MAX_OFFSET};
use crate::error::{ApiError, ApiResult};
use crate::http::error::status_of;
use crate::http::query::{self, QueryParams};
use crate::AppState;

/// Rows per page when the query string has no `limit` (the API's bounds apply to one given).
pub(super) const PAGE_SIZE: i64 = 20;

/// The exact-match filters of the search form besides `query`: name (also the input's id) and
/// label. Each is an array filter of `GET /v1/users`; the form fills in the first value.
const EXACT_FILTERS: &[(&str, &str)] = &[
    ("email_address", "Email address"),
    ("phone_number", "Phone number"),
    ("username", "Username"),
    ("external_id", "External ID"),
    ("organization_id", "Organization ID"),
];

/// The `banned` choices: value and label.
const BANNED_CHOICES: [(&str, &str); 3] =
    [("", "Any"), ("true", "Banned"), ("false", "Not banned")];

/// The `order_by` choices: every field `GET /v1/users` sorts by, both directions. The first is
/// the API's default.
const ORDERS: &[(&str, &str)] = &[
    ("-created_at", "Newest first"),
    ("+created_at", "Oldest first"),
    ("-last_sign_in_at", "Recent sign-ins"),
    ("+last_sign_in_at", "Oldest sign-ins"),
    ("-last_active_at", "Recently active"),
    ("+last_active_at", "Least recently active"),
    ("-updated_at", "Recently updated"),
    ("+updated_at", "Least recently updated"),
    ("+first_name", "First name (A–Z)"),
    ("-first_name", "First name (Z–A)"),
    ("+last_name", "Last name (A–Z)"),
    ("-last_name", "Last name (Z–A)"),
    ("+email_address", "Email address (A–Z)"),
    ("-email_address", "Email address (Z–A)"),
    ("+username", "Username (A–Z)"),
    ("-username", "Username (Z–A)"),
    ("+phone_number", "Phone number (ascending)"),
    ("-phone_number", "Phone number (descending)"),
    ("+web3wallet", "Web3 wallet (A–Z)"),
    ("-web3wallet", "Web3 wallet (Z–A)"),
];

/// One page of the search and what the pager needs.
struct Found {
    users: Vec<User>,
    total: i64,
    pager: Pager,
}

/// `GET /dashboard/`.
pub async fn list(
    State(app): State<AppState>,
    operator: Operator,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let raw = raw.unwrap_or_default();
    let q = QueryParams::parse(&raw);
    match search(&app, &q, &raw).await {
        Ok(found) => Ok(render(&operator, &q, Ok(&found), flash(&q)).into_response()),
        Err(err) if status_of(err.kind).is_server_error() => Err(err.into()),
        Err(err) => {
            Ok((status_of(err.kind), render(&operator, &q, Err(&err), None)).into_response())
        }
    }
}

/// The page's query string as `GET /v1/users` reads it (with the dashboard's page size), the
/// page of users and the count of all that match.
async fn search(app: &AppState, q: &QueryParams, raw: &str) -> ApiResult<Found> {
    reject_nul(q)?;
    let mut query = query::user_list(q)?;
    if q.first("limit").is_none() {
        query.page.limit = PAGE_SIZE;
    }
    let (users, count) = tokio::try_join!(
        list::list_users(app, &query),
        list::count_users(app, &query.filter)
    )?;
    let total = count.total_count;
    let pager = pager(
        raw,
        &query,
        users.last().map(|u| u.id.as_str()),
        users.len(),
        total,
    );
    Ok(Found {
        users,
        total,
        pager,
    })
}

/// What the API's query extractor refuses before any handler runs: NUL in a parameter.
pub(super) fn reject_nul(q: &QueryParams) -> ApiResult<()> {
    match q.name_with_nul() {
        Some(name) => Err(ApiError::query_invalid(
            &name,
            format!("{name} may not contain NUL characters."),
        )),
        None => Ok(()),
    }
}

/// The message of `?done=…`, from a fixed list (never text from the URL): deleting a user on
/// their page comes back here.
fn flash(q: &QueryParams) -> Option<&'static str> {
    super::user::done_message(&q.first("done")?)
}

/// The links under the table.
#[derive(Debug, Default, PartialEq, Eq)]
struct Pager {
    first: Option<String>,
    next: Option<String>,
}

/// The pager of a page of `shown` users, the last one `last_id`, out of `total` matching.
///
/// Ordered by `created_at` (the only order `starting_after` works with) the next page starts
/// after the last user shown, so deep pages cost no more than the first; other orders page by
/// `offset`, up to the API's largest offset. A page that is not full is the last one.
fn pager(
    raw: &str,
    query: &UserListQuery,
    last_id: Option<&str>,
    shown: usize,
    total: i64,
) -> Pager {
    let Page { limit, offset } = query.page;
    let full = i64::try_from(shown).unwrap_or(i64::MAX) >= limit;
    let on_later_page = offset > 0 || query.starting_after.is_some();
    let next = match last_id {
        Some(last_id) if full => {
            if query.order.field == OrderField::CreatedAt {
                // Without a cursor the total tells whether anything follows; after one, a
                // full page may be followed by more.
                (query.starting_after.is_some() || offset + limit < total)
                    .then(|| link("/dashboard/", raw, &[], Some(("starting_after", last_id))))
            } else {
                let next_offset = offset + limit;
                (next_offset < total && next_offset <= MAX_OFFSET).then(|| {
                    link(
                        "/dashboard/",
                        raw,
                        &[],
                        Some(("offset", &next_offset.to_string())),
                    )
                })
            }
        }
        _ => None,
    };
    Pager {
        first: on_later_page.then(|| link("/dashboard/", raw, &[], None)),
        next,
    }
}

/// `path` with the query string `raw` minus its paging (`offset`, `starting_after`), the
/// one-time `done` message, the parameters named in `drop` and empty values (which every list
/// ignores), plus `set`. Every other parameter, repeated ones included, is kept as given.
pub(super) fn link(path: &str, raw: &str, drop: &[&str], set: Option<(&str, &str)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let name = key.strip_suffix("[]").unwrap_or(&key);
        let dropped = value.is_empty()
            || name == "offset"
            || name == "starting_after"
            || name == "done"
            || drop.contains(&name)
            || set.is_some_and(|(set, _)| set == name);
        if !dropped {
            query.append_pair(&key, &value);
        }
    }
    if let Some((name, value)) = set {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// "1 user", "20 users".
pub(super) fn count_of(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The primary email address of `user`, if any.
fn primary_email(user: &User) -> Option<&str> {
    let primary = user.primary_email_address_id.as_deref()?;
    user.email_addresses
        .iter()
        .find(|e| e.id == primary)
        .map(|e| e.email_address.as_str())
}

fn render(
    operator: &Operator,
    q: &QueryParams,
    result: Result<&Found, &ApiError>,
    flash: Option<&str>,
) -> Html<String> {
    let error = result.err();
    let errors = SearchErrors(error);
    let invalid = |name: &str| errors.invalid(name);
    let described = |name: &str| errors.described(name);
    // NUL (refused above the form) is left out rather than echoed.
    let value = |name: &str| q.first(name).unwrap_or_default().replace('\0', "");
    let banned = match q.bool("banned") {
        Ok(Some(true)) => "true",
        Ok(Some(false)) => "false",
        _ => "",
    };
    let body = html! {
        main {
            div.page-head {
                h1 { "Users" }
                a #new-user .button.primary href="/dashboard/users/new" { "New user" }
            }
            @if let Some(error) = error {
                p #search-error .error role="alert" { (error.long_message) }
            }
            form #user-search .filters method="get" action="/dashboard/" role="search"
                aria-label="Search users" {
                div.wide {
                    label for="query" { "Search" }
                    input #query type="search" name="query" value=(value("query"))
                        placeholder="Name, email address, phone number, username or ID"
                        aria-invalid=[invalid("query")] aria-describedby=[described("query")];
                }
                @for (name, label) in EXACT_FILTERS {
                    div {
                        label for=(name) { (label) }
                        input #(name) type="text" name=(name) value=(value(name))
                            autocomplete="off" aria-invalid=[invalid(name)]
                            aria-describedby=[described(name)];
                    }
                }
                div {
                    label for="banned" { "Banned" }
                    select #banned name="banned" aria-invalid=[invalid("banned")]
                        aria-describedby=[described("banned")] {
                        @for (option, label) in BANNED_CHOICES {
                            option value=(option) selected[option == banned] { (label) }
                        }
                    }
                }
                (layout::order_and_submit(ORDERS, q, errors))
            }
            @if let Ok(found) = result {
                (results(found))
            }
        }
    };
    layout::page("Users", operator, flash, body)
}

fn results(found: &Found) -> Markup {
    html! {
        div.summary {
            p #total-count { (count_of(found.total, "user", "users")) }
        }
        @if found.users.is_empty() {
            p #no-users { "No users match." }
        } @else {
            table #users .stack {
                thead {
                    tr {
                        th scope="col" { "Name" }
                        th scope="col" { "Email" }
                        th scope="col" { "Created" }
                        th scope="col" { "Last sign-in" }
                        th scope="col" { "Status" }
                    }
                }
                tbody {
                    @for user in &found.users {
                        (row(user))
                    }
                }
            }
        }
        @if found.pager != Pager::default() {
            nav.pager aria-label="Pages" {
                @if let Some(first) = &found.pager.first {
                    a #first-page href=(first) { "First page" }
                }
                @if let Some(next) = &found.pager.next {
                    a #next-page rel="next" href=(next) { "Next page" }
                }
            }
        }
    }
}

fn row(user: &User) -> Markup {
    html! {
        tr data-user-id=(user.id) {
            td.name data-label="Name" {
                img.avatar src=(user.image_url) alt="" width="32" height="32" loading="lazy";
                a.user-link href=(format!("/dashboard/users/{}", user.id)) { (display_name(user)) }
            }
            td data-label="Email" {
                @match primary_email(user) {
                    Some(email) => (email),
                    None => span.muted { "none" },
                }
            }
            td data-label="Created" { (layout::timestamp(Some(user.created_at))) }
            td data-label="Last sign-in" { (layout::timestamp(user.last_sign_in_at)) }
            td data-label="Status" { (badges(user)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(raw: &str) -> UserListQuery {
        let mut query = query::user_list(&QueryParams::parse(raw)).unwrap();
        if QueryParams::parse(raw).first("limit").is_none() {
            query.page.limit = PAGE_SIZE;
        }
        query
    }

    #[test]
    fn every_order_choice_is_one_the_api_takes_and_none_repeats() {
        let mut seen = std::collections::HashSet::new();
        for (value, _) in ORDERS {
            let raw = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("order_by", value)
                .finish();
            assert!(
                query::user_order(&QueryParams::parse(&raw)).is_ok(),
                "{value}"
            );
            assert!(seen.insert(*value), "{value} twice");
        }
        // Both directions of every field.
        for (value, _) in ORDERS {
            let field = &value[1..];
            assert!(seen.contains(format!("+{field}").as_str()), "+{field}");
            assert!(seen.contains(format!("-{field}").as_str()), "-{field}");
        }
        let default = query::user_order(&QueryParams::default()).unwrap();
        assert_eq!(
            (default.field, default.descending),
            (OrderField::CreatedAt, true)
        );
        assert_eq!(ORDERS[0].0, "-created_at");
    }

    #[test]
    fn links_keep_every_filter_and_replace_the_paging() {
        let raw = "query=ann+lee&email_address=a%40x.com&email_address[]=b%40x.com&phone_number=\
                   &banned=false&order_by=%2Bcreated_at&limit=5&offset=10&starting_after=user_1";
        assert_eq!(
            link("/dashboard/", raw, &[], Some(("starting_after", "user_9"))),
            "/dashboard/?query=ann+lee&email_address=a%40x.com&email_address%5B%5D=b%40x.com\
             &banned=false&order_by=%2Bcreated_at&limit=5&starting_after=user_9"
        );
        assert_eq!(
            link("/dashboard/", "offset=20&query=&done=delete", &[], None),
            "/dashboard/"
        );
        // Markup in a value stays data: encoded in the URL, escaped again by maud.
        assert_eq!(
            link("/dashboard/", "query=%22%3E%3Cscript%3E", &[], None),
            "/dashboard/?query=%22%3E%3Cscript%3E"
        );
    }

    #[test]
    fn created_at_pages_by_cursor() {
        let raw = "query=x&order_by=-created_at";
        let q = query(raw);
        // A full first page with more behind it.
        let p = pager(raw, &q, Some("user_20"), 20, 45);
        assert_eq!(
            p.next.as_deref(),
            Some("/dashboard/?query=x&order_by=-created_at&starting_after=user_20")
        );
        assert_eq!(p.first, None);
        // Exactly one page of results: nothing follows.
        assert_eq!(pager(raw, &q, Some("user_20"), 20, 20).next, None);
        // After a cursor: a full page may have more; a short one is the last.
        let raw = "query=x&order_by=-created_at&starting_after=user_20";
        let q = query(raw);
        let p = pager(raw, &q, Some("user_40"), 20, 45);
        assert_eq!(
            p.next.as_deref(),
            Some("/dashboard/?query=x&order_by=-created_at&starting_after=user_40")
        );
        assert_eq!(
            p.first.as_deref(),
            Some("/dashboard/?query=x&order_by=-created_at")
        );
        assert_eq!(pager(raw, &q, Some("user_45"), 5, 45).next, None);
    }

    #[test]
    fn other_orders_page_by_offset() {
        let raw = "order_by=%2Busername&limit=10";
        let q = query(raw);
        let p = pager(raw, &q, Some("user_10"), 10, 25);
        assert_eq!(
            p.next.as_deref(),
            Some("/dashboard/?order_by=%2Busername&limit=10&offset=10")
        );
        assert_eq!(p.first, None);
        let raw = "order_by=%2Busername&limit=10&offset=10";
        let q = query(raw);
        let p = pager(raw, &q, Some("user_20"), 10, 25);
        assert_eq!(
            p.next.as_deref(),
            Some("/dashboard/?order_by=%2Busername&limit=10&offset=20")
        );
        assert_eq!(
            p.first.as_deref(),
            Some("/dashboard/?order_by=%2Busername&limit=10")
        );
        // The last page, full or not, has no next.
        let raw = "order_by=%2Busername&limit=10&offset=20";
        assert_eq!(pager(raw, &query(raw), Some("user_25"), 5, 25).next, None);
        let raw = "order_by=%2Busername&limit=5&offset=20";
        assert_eq!(pager(raw, &query(raw), Some("user_25"), 5, 25).next, None);
        // Never past the API's largest offset.
        let raw = format!("order_by=-updated_at&limit=500&offset={MAX_OFFSET}");
        assert_eq!(
            pager(&raw, &query(&raw), Some("u"), 500, i64::MAX).next,
            None
        );
        // Nothing found: no pager at all.
        assert_eq!(pager("", &query(""), None, 0, 0), Pager::default());
    }

    #[test]
    fn the_selected_order_reads_as_the_api_does() {
        let order = |raw: &str| layout::selected_order(&QueryParams::parse(raw), ORDERS[0].0);
        assert_eq!(order(""), "-created_at");
        assert_eq!(order("order_by=username"), "+username");
        assert_eq!(order("order_by=-last_sign_in_at"), "-last_sign_in_at");
        assert_eq!(count_of(1, "user", "users"), "1 user");
        assert_eq!(count_of(0, "user", "users"), "0 users");
        let flash_of = |raw: &str| flash(&QueryParams::parse(raw));
        assert_eq!(flash_of("done=delete"), Some("User deleted."));
        assert_eq!(flash_of("done=%3Cscript%3E"), None);
        assert_eq!(flash_of(""), None);
    }
}
