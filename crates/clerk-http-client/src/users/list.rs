//! `GET /users` (`get_user_list`) and `GET /users/count` (`get_users_count`): the same filters,
//! one returning a page of users, the other their number.

use clerk_model::{Paginated, TotalCount, User};
use reqwest::Method;

use super::order::{UserOrderBy, UserOrderField};
use crate::pagination::{self, ItemStream, PageStream};
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, RequestOptions, Result};

/// Page size used when walking every page and the caller set no `limit`: fewer round trips than
/// Clerk's default of 10, well inside its maximum of 500.
pub const DEFAULT_STREAM_PAGE_SIZE: u32 = 100;

/// The filters `GET /users` and `GET /users/count` share.
#[derive(Debug, Clone, Default)]
struct UserFilters {
    email_address: Vec<String>,
    phone_number: Vec<String>,
    external_id: Vec<String>,
    username: Vec<String>,
    web3_wallet: Vec<String>,
    user_id: Vec<String>,
    organization_id: Vec<String>,
    provider_user_id: Vec<String>,
    query: Option<String>,
    email_address_query: Option<String>,
    phone_number_query: Option<String>,
    username_query: Option<String>,
    name_query: Option<String>,
    provider: Option<String>,
    banned: Option<bool>,
    last_active_at_before: Option<i64>,
    last_active_at_after: Option<i64>,
    last_active_at_since: Option<i64>,
    created_at_before: Option<i64>,
    created_at_after: Option<i64>,
    last_sign_in_at_before: Option<i64>,
    last_sign_in_at_after: Option<i64>,
}

impl UserFilters {
    fn validate(&self, enabled: bool) -> Result<()> {
        for (name, values) in [
            ("email_address", &self.email_address),
            ("phone_number", &self.phone_number),
            ("external_id", &self.external_id),
            ("username", &self.username),
            ("web3_wallet", &self.web3_wallet),
            ("user_id", &self.user_id),
            ("organization_id", &self.organization_id),
            ("provider_user_id", &self.provider_user_id),
        ] {
            validation::filter_values(enabled, name, values)?;
        }
        Ok(())
    }

    fn apply(&self, request: HttpRequest) -> HttpRequest {
        request
            .query_all("email_address", &self.email_address)
            .query_all("phone_number", &self.phone_number)
            .query_all("external_id", &self.external_id)
            .query_all("username", &self.username)
            .query_all("web3_wallet", &self.web3_wallet)
            .query_all("user_id", &self.user_id)
            .query_all("organization_id", &self.organization_id)
            .query_opt("query", self.query.as_deref())
            .query_opt("email_address_query", self.email_address_query.as_deref())
            .query_opt("phone_number_query", self.phone_number_query.as_deref())
            .query_opt("username_query", self.username_query.as_deref())
            .query_opt("name_query", self.name_query.as_deref())
            .query_opt("banned", self.banned)
            .query_opt("last_active_at_before", self.last_active_at_before)
            .query_opt("last_active_at_after", self.last_active_at_after)
            .query_opt("last_active_at_since", self.last_active_at_since)
            .query_opt("created_at_before", self.created_at_before)
            .query_opt("created_at_after", self.created_at_after)
            .query_opt("last_sign_in_at_before", self.last_sign_in_at_before)
            .query_opt("last_sign_in_at_after", self.last_sign_in_at_after)
            .query_opt("provider", self.provider.as_deref())
            .query_all("provider_user_id", &self.provider_user_id)
    }
}

/// Setters for [`UserFilters`], on both builders.
macro_rules! filter_setters {
    ($builder:ident) => {
        impl $builder {
            filter_setters!(@array
                /// Users with any of these email addresses (at most 100).
                email_address,
                /// Users with any of these phone numbers (at most 100).
                phone_number,
                /// Users with any of these external ids; prefix `+`/`-` to include/exclude.
                external_id,
                /// Users with any of these usernames.
                username,
                /// Users with any of these web3 wallets.
                web3_wallet,
                /// Users with any of these ids; prefix `+`/`-` to include/exclude.
                user_id,
                /// Members of any of these organizations; prefix `+`/`-` to include/exclude.
                organization_id,
                /// With `provider`: users with these ids at that OAuth provider.
                provider_user_id
            );
            filter_setters!(@string
                /// Partial match over emails, phones, usernames, wallets, ids and names.
                query,
                /// Case-insensitive substring of an email address.
                email_address_query,
                /// Case-insensitive substring of a phone number.
                phone_number_query,
                /// Case-insensitive substring of a username.
                username_query,
                /// Case-insensitive substring of a first or last name.
                name_query,
                /// OAuth provider (e.g. `oauth_google`), paired with `provider_user_id`.
                provider
            );
            filter_setters!(@int
                /// Last active before this time (Unix ms; day precision).
                last_active_at_before,
                /// Last active after this time (Unix ms; day precision).
                last_active_at_after,
                /// Deprecated by Clerk in favour of `last_active_at_after`.
                last_active_at_since,
                /// Created before this time (Unix ms).
                created_at_before,
                /// Created after this time (Unix ms).
                created_at_after,
                /// Last signed in before this time (Unix ms).
                last_sign_in_at_before,
                /// Last signed in after this time (Unix ms).
                last_sign_in_at_after
            );

            /// Only banned (`true`) or only non-banned (`false`) users.
            pub fn banned(mut self, banned: bool) -> Self {
                self.filters.banned = Some(banned);
                self
            }
        }
    };
    (@array $($(#[$doc:meta])* $field:ident),*) => {$(
        $(#[$doc])*
        pub fn $field<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.filters.$field = values.into_iter().map(Into::into).collect();
            self
        }
    )*};
    (@string $($(#[$doc:meta])* $field:ident),*) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.filters.$field = Some(value.into());
            self
        }
    )*};
    (@int $($(#[$doc:meta])* $field:ident),*) => {$(
        $(#[$doc])*
        pub fn $field(mut self, unix_ms: i64) -> Self {
            self.filters.$field = Some(unix_ms);
            self
        }
    )*};
}

/// `GET /users`: users matching the filters, newest first unless `order_by` says otherwise.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetUserList {
    client: Client,
    options: RequestOptions,
    filters: UserFilters,
    limit: Option<u32>,
    offset: Option<u32>,
    starting_after: Option<String>,
    order_by: Option<UserOrderBy>,
}

filter_setters!(GetUserList);

impl GetUserList {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            filters: UserFilters::default(),
            limit: None,
            offset: None,
            starting_after: None,
            order_by: None,
        }
    }

    /// Page size, 1..=500 (Clerk's default: 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Users to skip. Deep offsets get slow on Clerk; prefer `starting_after` or
    /// [`GetUserList::into_stream`], which uses the cursor.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Cursor: the id of the last user of the previous page. Needs `created_at` ordering and no
    /// offset.
    pub fn starting_after(mut self, user_id: impl Into<String>) -> Self {
        self.starting_after = Some(user_id.into());
        self
    }

    /// The sort order: Clerk's default is newest first (`-created_at`). Takes a typed
    /// [`UserOrderBy`] or Clerk's string form (`"+username"`, `"-last_sign_in_at"`).
    ///
    /// ```no_run
    /// use clerk_http_client::users::{UserOrderBy, UserOrderField};
    /// # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
    /// let recent = client
    ///     .users()
    ///     .get_user_list()
    ///     .order_by(UserOrderBy::desc(UserOrderField::LastActiveAt))
    ///     .send()
    ///     .await?;
    /// let by_name = client.users().get_user_list().order_by("+last_name").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn order_by(mut self, order_by: impl Into<UserOrderBy>) -> Self {
        self.order_by = Some(order_by.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        let validate = self.client.validates();
        validation::limit(validate, self.limit)?;
        self.filters.validate(validate)?;
        let request = HttpRequest::new("get_user_list", Method::GET, &["users"]);
        Ok(self
            .filters
            .apply(request)
            .query_opt("limit", self.limit)
            .query_opt("offset", self.offset)
            .query_opt("starting_after", self.starting_after.as_deref())
            .query_opt("order_by", self.order_by.as_ref()))
    }

    /// Whether the walk can use the `starting_after` cursor, which Clerk allows only with
    /// `created_at` ordering and without an offset; otherwise it falls back to offsets.
    fn cursor_allowed(&self) -> bool {
        let created_at_order = self
            .order_by
            .as_ref()
            .is_none_or(|order| order.field == UserOrderField::CreatedAt);
        created_at_order && self.offset.unwrap_or(0) == 0
    }

    /// Every page of the list, fetched one at a time as the stream is polled. Uses the
    /// `starting_after` cursor when the ordering allows it (constant cost per page on Clerk),
    /// else offsets. Page size: `limit`, or [`DEFAULT_STREAM_PAGE_SIZE`].
    pub fn into_pages(self) -> PageStream<User> {
        let page_size = self.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE);
        let use_cursor = self.cursor_allowed();
        pagination::pages(
            self.limit(page_size),
            move |request: GetUserList| async move {
                let next_template = request.clone();
                let page = request.send().await?;
                // A short page is the last one; a full one may be followed by more.
                if page.len() < page_size as usize || page.is_empty() {
                    return Ok((page, None));
                }
                let next = if use_cursor {
                    let last = page.last().map(|u| u.id.clone()).unwrap_or_default();
                    // A server that ignored the cursor would hand back the same page forever.
                    if next_template.starting_after.as_deref() == Some(last.as_str()) {
                        return Ok((page, None));
                    }
                    next_template.starting_after(last)
                } else {
                    let offset = next_template
                        .offset
                        .unwrap_or(0)
                        .saturating_add(page.len() as u32);
                    next_template.offset(offset)
                };
                Ok((page, Some(next)))
            },
        )
    }

    /// Every user matching the filters, across all pages (see [`GetUserList::into_pages`]).
    pub fn into_stream(self) -> ItemStream<User> {
        pagination::items(self.into_pages())
    }

    /// One page together with the number of users matching the filters, fetched concurrently
    /// from `GET /users` and `GET /users/count` (the list endpoint returns no total).
    pub async fn send_with_total_count(self) -> Result<Paginated<User>> {
        let count = GetUsersCount {
            client: self.client.clone(),
            options: self.options.clone(),
            filters: self.filters.clone(),
        };
        let (data, total) = futures::try_join!(self.send(), count.send())?;
        Ok(Paginated {
            data,
            total_count: total.total_count,
        })
    }
}

operation!(GetUserList -> Vec<User>);

/// `GET /users/count`: how many users match the filters.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetUsersCount {
    client: Client,
    options: RequestOptions,
    filters: UserFilters,
}

filter_setters!(GetUsersCount);

impl GetUsersCount {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            filters: UserFilters::default(),
        }
    }

    fn build(self) -> Result<HttpRequest> {
        self.filters.validate(self.client.validates())?;
        let request = HttpRequest::new("get_users_count", Method::GET, &["users", "count"]);
        Ok(self.filters.apply(request))
    }
}

operation!(GetUsersCount -> TotalCount);
