//! Organizations: the list, and one organization with its members and invitations.
//!
//! The list reads its query string as `GET /v1/organizations` does (`query`, `user_id`,
//! `organization_id`, `order_by`, `limit`, `offset`) and calls the same domain function; one
//! organization's page calls what `GET /v1/organizations/{id}`, `…/memberships` and
//! `…/invitations` call, one bounded page of each. Private metadata is never shown.

use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use clerk_model::{Organization, OrganizationInvitations, OrganizationMemberships};
use maud::{html, Markup};

use super::auth::Operator;
use super::layout::{self, PageError, SearchErrors};
use super::users::{count_of, link, reject_nul, PAGE_SIZE};
use crate::domain::list::{Page, MAX_OFFSET};
use crate::domain::organizations::{
    self as orgs, InvitationFilter, InvitationListQuery, InvitationOrderField, Order,
    OrganizationFilter, OrganizationList, OrganizationListQuery, OrganizationOrderField,
};
use crate::error::{ApiError, ApiResult};
use crate::http::error::status_of;
use crate::http::query::QueryParams;
use crate::AppState;

/// The fields `GET /v1/organizations` orders by; the first is the default.
const ORDER_FIELDS: &[(&str, OrganizationOrderField)] = &[
    ("created_at", OrganizationOrderField::CreatedAt),
    ("name", OrganizationOrderField::Name),
    ("members_count", OrganizationOrderField::MembersCount),
];

/// The `order_by` choices of the list; the first is the API's default.
const ORDERS: &[(&str, &str)] = &[
    ("-created_at", "Newest first"),
    ("+created_at", "Oldest first"),
    ("+name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-members_count", "Most members"),
    ("+members_count", "Fewest members"),
];

/// Members and invitations shown per page on an organization's page.
const SECTION_SIZE: i64 = 50;

/// `GET /dashboard/organizations`.
pub async fn list(
    State(app): State<AppState>,
    operator: Operator,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let raw = raw.unwrap_or_default();
    let q = QueryParams::parse(&raw);
    let result = match organization_list(&q) {
        Ok(query) => orgs::list_organizations(&app, &query)
            .await
            .map(|found| (query.page, found)),
        Err(err) => Err(err),
    };
    match result {
        Ok((page, found)) => {
            Ok(render_list(&operator, &q, &raw, Ok((page, &found))).into_response())
        }
        Err(err) if status_of(err.kind).is_server_error() => Err(err.into()),
        Err(err) => Ok((
            status_of(err.kind),
            render_list(&operator, &q, &raw, Err(&err)),
        )
            .into_response()),
    }
}

/// The query string as `GET /v1/organizations` reads it, with members counted (the list's
/// query counts them whether asked or not) and the dashboard's page size.
fn organization_list(q: &QueryParams) -> ApiResult<OrganizationListQuery> {
    reject_nul(q)?;
    let filter = OrganizationFilter {
        query: q.needle("query")?,
        user_ids: q.include_exclude("user_id")?,
        organization_ids: q.include_exclude("organization_id")?,
    };
    let (field, descending) = q.order_by(ORDER_FIELDS)?;
    let mut page = q.page()?;
    if q.first("limit").is_none() {
        page.limit = PAGE_SIZE;
    }
    Ok(OrganizationListQuery {
        filter,
        include_members_count: true,
        order: Order { field, descending },
        page,
    })
}

/// The next page by offset: when something follows `shown` items at `page`, out of `total`,
/// and the API would accept its offset.
fn next_offset(page: Page, shown: usize, total: i64) -> Option<i64> {
    let next = page.offset + i64::try_from(shown).ok()?;
    (shown > 0 && next < total && next <= MAX_OFFSET).then_some(next)
}

fn render_list(
    operator: &Operator,
    q: &QueryParams,
    raw: &str,
    result: Result<(Page, &OrganizationList), &ApiError>,
) -> Html<String> {
    let error = result.as_ref().err();
    let errors = SearchErrors(error.copied());
    let path = "/dashboard/organizations";
    let body = html! {
        main {
            h1 { "Organizations" }
            @if let Some(error) = error {
                p #search-error .error role="alert" { (error.long_message) }
            }
            form #organization-search .filters method="get" action=(path) role="search"
                aria-label="Search organizations" {
                div.wide {
                    label for="query" { "Search" }
                    input #query type="search" name="query"
                        value=(q.first("query").unwrap_or_default().replace('\0', ""))
                        placeholder="Name, slug or ID"
                        aria-invalid=[errors.invalid("query")]
                        aria-describedby=[errors.described("query")];
                }
                (layout::order_and_submit(ORDERS, q, errors))
            }
            @if let Ok((page, found)) = result {
                div.summary {
                    p #total-count {
                        (count_of(found.total_count, "organization", "organizations"))
                    }
                }
                @if found.data.is_empty() {
                    p #no-organizations { "No organizations match." }
                } @else {
                    (organizations_table(&found.data))
                }
                (ORGANIZATION_PAGES.pager(path, raw, page, found.data.len(), found.total_count))
            }
        }
    };
    layout::page("Organizations", operator, None, body)
}

fn organizations_table(organizations: &[Organization]) -> Markup {
    html! {
        table #organizations .stack {
            thead {
                tr {
                    th scope="col" { "Name" }
                    th scope="col" { "Slug" }
                    th scope="col" { "Members" }
                    th scope="col" { "Created" }
                }
            }
            tbody {
                @for org in organizations {
                    tr data-organization-id=(org.id) {
                        td data-label="Name" {
                            a.org-link href=(format!("/dashboard/organizations/{}", org.id)) {
                                (org.name)
                            }
                        }
                        td data-label="Slug" { (org.slug) }
                        td data-label="Members" {
                            @match org.members_count {
                                Some(count) => (count),
                                None => span.muted { "unknown" },
                            }
                        }
                        td data-label="Created" { (layout::timestamp(Some(org.created_at))) }
                    }
                }
            }
        }
    }
}

/// An offset-paged list of a page: its offset parameter and the pager's words.
struct Paged {
    /// The offset parameter (`offset`, `members_offset`, …).
    param: &'static str,
    /// The `aria-label` of the pager (one page may have several).
    nav_label: &'static str,
    /// Id and text of the link back to the first page.
    first: (&'static str, &'static str),
    /// Id and text of the link to the next page.
    next: (&'static str, &'static str),
}

const ORGANIZATION_PAGES: Paged = Paged {
    param: "offset",
    nav_label: "Pages",
    first: ("first-page", "First page"),
    next: ("next-page", "Next page"),
};

const MEMBER_PAGES: Paged = Paged {
    param: "members_offset",
    nav_label: "Member pages",
    first: ("first-members", "First members"),
    next: ("next-members", "More members"),
};

const INVITATION_PAGES: Paged = Paged {
    param: "invitations_offset",
    nav_label: "Invitation pages",
    first: ("first-invitations", "First invitations"),
    next: ("next-invitations", "More invitations"),
};

impl Paged {
    /// First and next links of `shown` items at `page` out of `total`, on `path` with the
    /// query string `raw` (the other parameters kept); nothing when all fits on one page.
    fn pager(&self, path: &str, raw: &str, page: Page, shown: usize, total: i64) -> Markup {
        let param = self.param;
        let first = (page.offset > 0).then(|| link(path, raw, &[param], None));
        let next = next_offset(page, shown, total)
            .map(|next| link(path, raw, &[param], Some((param, &next.to_string()))));
        let ((first_id, first_label), (next_id, next_label)) = (self.first, self.next);
        html! {
            @if first.is_some() || next.is_some() {
                nav.pager aria-label=(self.nav_label) {
                    @if let Some(first) = first {
                        a #(first_id) href=(first) { (first_label) }
                    }
                    @if let Some(next) = next {
                        a #(next_id) rel="next" href=(next) { (next_label) }
                    }
                }
            }
        }
    }
}

/// `offset`-style parameter `name` of the organization page: 0 when absent, checked as the
/// API checks `offset`.
fn offset_param(q: &QueryParams, name: &str) -> ApiResult<i64> {
    let offset = q.int(name)?.unwrap_or(0);
    if !(0..=MAX_OFFSET).contains(&offset) {
        return Err(ApiError::query_invalid(
            name,
            format!("{name} must be between 0 and {MAX_OFFSET}."),
        ));
    }
    Ok(offset)
}

/// `GET /dashboard/organizations/{organization_id}`.
pub async fn show(
    State(app): State<AppState>,
    operator: Operator,
    Path(organization_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    let raw = raw.unwrap_or_default();
    let q = QueryParams::parse(&raw);
    reject_nul(&q)?;
    let members_page = Page {
        limit: SECTION_SIZE,
        offset: offset_param(&q, MEMBER_PAGES.param)?,
    };
    let invitations_page = Page {
        limit: SECTION_SIZE,
        offset: offset_param(&q, INVITATION_PAGES.param)?,
    };
    let org = orgs::get_organization(&app, &organization_id, true).await?;
    let members = orgs::list_organization_memberships(&app, &org.id, members_page).await?;
    let invitations = orgs::list_organization_invitations(
        &app,
        &org.id,
        &InvitationListQuery {
            filter: InvitationFilter::default(),
            order: Order {
                field: InvitationOrderField::CreatedAt,
                descending: true,
            },
            page: invitations_page,
        },
    )
    .await?;
    let path = format!("/dashboard/organizations/{}", org.id);
    let body = html! {
        main {
            p { a href="/dashboard/organizations" { "← All organizations" } }
            h1 { (org.name) }
            (facts(&org))
            h2 #members-heading { "Members" }
            p #members-count .muted { (count_of(members.total_count, "member", "members")) }
            (members_table(&members))
            (MEMBER_PAGES.pager(&path, &raw, members_page, members.data.len(),
                members.total_count))
            h2 #invitations-heading { "Invitations" }
            p #invitations-count .muted {
                (count_of(invitations.total_count, "invitation", "invitations"))
            }
            (invitations_table(&invitations))
            (INVITATION_PAGES.pager(&path, &raw, invitations_page, invitations.data.len(),
                invitations.total_count))
        }
    };
    Ok(layout::page(&org.name, &operator, None, body))
}

fn facts(org: &Organization) -> Markup {
    let public_metadata =
        serde_json::to_string_pretty(&org.public_metadata).unwrap_or_else(|_| "{}".into());
    html! {
        section #organization-facts .panel aria-labelledby="facts-heading" {
            h2 #facts-heading { "Details" }
            dl.facts {
                dt { "ID" } dd #organization-id { code { (org.id) } }
                dt { "Slug" } dd #organization-slug { (org.slug) }
                dt { "Members" } dd {
                    @match org.members_count {
                        Some(count) => (count),
                        None => span.muted { "unknown" },
                    }
                }
                dt { "Membership limit" } dd {
                    @if org.max_allowed_memberships == 0 {
                        "none"
                    } @else {
                        (org.max_allowed_memberships)
                    }
                }
                dt { "Created by" } dd {
                    @match &org.created_by {
                        Some(user_id) => a href=(format!("/dashboard/users/{user_id}")) {
                            (user_id)
                        },
                        None => span.muted { "unknown" },
                    }
                }
                dt { "Created" } dd { (layout::timestamp(Some(org.created_at))) }
                dt { "Updated" } dd { (layout::timestamp(Some(org.updated_at))) }
            }
            h3 { "Public metadata" }
            pre #public-metadata { (public_metadata) }
        }
    }
}

fn members_table(members: &OrganizationMemberships) -> Markup {
    html! {
        @if members.data.is_empty() {
            p #no-members { "No members." }
        } @else {
            table #members .stack aria-labelledby="members-heading" {
                thead {
                    tr {
                        th scope="col" { "Member" }
                        th scope="col" { "Identifier" }
                        th scope="col" { "Role" }
                        th scope="col" { "Joined" }
                    }
                }
                tbody {
                    @for membership in &members.data {
                        @let user = membership.public_user_data.as_ref();
                        tr data-user-id=[user.map(|u| &u.user_id)] {
                            td.name data-label="Member" {
                                @if let Some(user) = user {
                                    img.avatar src=(user.image_url) alt="" width="32" height="32"
                                        loading="lazy";
                                    a.user-link
                                        href=(format!("/dashboard/users/{}", user.user_id)) {
                                        (member_name(user))
                                    }
                                } @else {
                                    span.muted { "unknown user" }
                                }
                            }
                            td data-label="Identifier" {
                                @match user.and_then(|u| u.identifier.as_deref()) {
                                    Some(identifier) => (identifier),
                                    None => span.muted { "none" },
                                }
                            }
                            td data-label="Role" { (membership.role) }
                            td data-label="Joined" {
                                (layout::timestamp(Some(membership.created_at)))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A member's name: full name, else username, else identifier, else user id.
fn member_name(user: &clerk_model::OrganizationMembershipPublicUserData) -> String {
    let full = layout::full_name(user.first_name.as_deref(), user.last_name.as_deref());
    let name = [
        Some(full.as_str()),
        user.username.as_deref(),
        user.identifier.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find(|name| !name.is_empty())
    .unwrap_or(&user.user_id)
    .to_owned();
    name
}

fn invitations_table(invitations: &OrganizationInvitations) -> Markup {
    html! {
        @if invitations.data.is_empty() {
            p #no-invitations { "No invitations." }
        } @else {
            table #invitations .stack aria-labelledby="invitations-heading" {
                thead {
                    tr {
                        th scope="col" { "Email" }
                        th scope="col" { "Role" }
                        th scope="col" { "Status" }
                        th scope="col" { "Created" }
                    }
                }
                tbody {
                    @for invitation in &invitations.data {
                        tr data-invitation-id=(invitation.id) {
                            td data-label="Email" { (invitation.email_address) }
                            td data-label="Role" { (invitation.role) }
                            td data-label="Status" {
                                @match &invitation.status {
                                    Some(status) => (status.as_str()),
                                    None => span.muted { "unknown" },
                                }
                            }
                            td data-label="Created" {
                                (layout::timestamp(Some(invitation.created_at)))
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_its_query_as_the_api_does() {
        let q = organization_list(&QueryParams::parse("query=acme&order_by=name")).unwrap();
        assert_eq!(q.filter.query.as_deref(), Some("acme"));
        assert_eq!(
            (q.order.field, q.order.descending),
            (OrganizationOrderField::Name, false)
        );
        assert_eq!(
            q.page,
            Page {
                limit: PAGE_SIZE,
                offset: 0
            }
        );
        assert!(q.include_members_count);
        let q = organization_list(&QueryParams::parse("limit=7&offset=14")).unwrap();
        assert_eq!(
            q.page,
            Page {
                limit: 7,
                offset: 14
            }
        );
        for bad in ["order_by=slug", "limit=0", "offset=-1", "query=a%00b"] {
            assert!(
                organization_list(&QueryParams::parse(bad)).is_err(),
                "{bad}"
            );
        }
        for (value, _) in ORDERS {
            let raw = format!("order_by={}", value.replace('+', "%2B"));
            assert!(
                organization_list(&QueryParams::parse(&raw)).is_ok(),
                "{value}"
            );
        }
    }

    #[test]
    fn next_offset_stops_at_the_end_and_at_the_api_bound() {
        let page = |offset| Page { limit: 20, offset };
        assert_eq!(next_offset(page(0), 20, 45), Some(20));
        assert_eq!(next_offset(page(40), 5, 45), None);
        assert_eq!(next_offset(page(20), 20, 40), None);
        assert_eq!(next_offset(page(0), 0, 0), None);
        assert_eq!(next_offset(page(MAX_OFFSET), 20, i64::MAX), None);
        assert_eq!(
            offset_param(&QueryParams::parse("members_offset=50"), "members_offset").unwrap(),
            50
        );
        assert!(offset_param(&QueryParams::parse("members_offset=-1"), "members_offset").is_err());
        assert!(offset_param(&QueryParams::parse("members_offset=x"), "members_offset").is_err());
    }

    #[test]
    fn section_links_page_one_section_and_keep_the_other() {
        let raw = "invitations_offset=50&members_offset=50";
        let path = "/dashboard/organizations/org_1";
        let html = MEMBER_PAGES
            .pager(
                path,
                raw,
                Page {
                    limit: 50,
                    offset: 50,
                },
                50,
                120,
            )
            .into_string();
        assert!(html.contains(
            r#"href="/dashboard/organizations/org_1?invitations_offset=50&amp;members_offset=100""#
        ));
        assert!(html.contains(r#"href="/dashboard/organizations/org_1?invitations_offset=50""#));
    }
}
