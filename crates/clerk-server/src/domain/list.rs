//! `GET /users` and `GET /users/count`: a filter, an order and a page → users; and the bounds
//! every paginated list and filter obeys.

use clerk_model::{TotalCount, User};

use super::view;
use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::store::users as sql;
pub use crate::store::users::{IncludeExclude, OrderField, TimeRange};
pub use crate::store::{UserFilter, UserOrder};
use crate::AppState;

/// Values per array filter, as Clerk documents.
pub const MAX_FILTER_VALUES: usize = 100;
pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 500;
/// Largest `offset` accepted: far past any real instance's user count (deep pages are
/// `starting_after`'s job), and small enough that `limit + offset` is exact in any integer
/// type the stores use (i64, SQL `BIGINT`, SQLite's 64-bit integers, even 32-bit ones).
pub const MAX_OFFSET: i64 = 1_000_000_000;
/// Longest search needle (`query`, `email_address_query`, …), in characters. Matching costs
/// grow with the needle (trigrams to intersect, LIKE patterns to run); no real search needs
/// more than the longest value a user field holds.
pub const MAX_NEEDLE_CHARS: usize = 256;

/// One page of a list: `limit` items after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// What `GET /users` asks for.
#[derive(Debug, Clone)]
pub struct UserListQuery {
    pub filter: UserFilter,
    pub order: UserOrder,
    pub page: Page,
    /// A user id: the page starts after it (only when ordering by `created_at`, offset 0).
    pub starting_after: Option<String>,
}

pub async fn list_users(app: &AppState, query: &UserListQuery) -> ApiResult<Vec<User>> {
    let UserListQuery {
        filter,
        order,
        page: Page { limit, offset },
        starting_after,
    } = query;
    let (order, limit, offset) = (*order, *limit, *offset);
    let mut conn = app.store.read().await?;
    let cursor = match &starting_after {
        None => None,
        Some(_) if order.field != OrderField::CreatedAt => {
            return Err(ApiError::form(
                "form_conditional_param_disallowed",
                "starting_after",
                "is not allowed",
                "starting_after can only be used when ordering by created_at.".into(),
            ))
        }
        Some(_) if offset != 0 => {
            return Err(ApiError::form(
                "form_conditional_param_disallowed",
                "starting_after",
                "is not allowed",
                "starting_after cannot be combined with a non-zero offset.".into(),
            ))
        }
        Some(id) => Some(sql::cursor_position(&mut conn, id).await?.ok_or_else(|| {
            ApiError::form(
                "form_resource_not_found",
                "starting_after",
                "not found",
                format!("No user was found with id {id} to start after."),
            )
        })?),
    };
    let records = sql::list_users(
        &mut conn,
        app.store.dialect(),
        filter,
        order,
        cursor,
        limit,
        offset,
    )
    .await?;
    let now = now_ms();
    Ok(records
        .iter()
        .map(|r| view::user(r, &app.settings, now))
        .collect())
}

pub async fn count_users(app: &AppState, filter: &UserFilter) -> ApiResult<TotalCount> {
    let mut conn = app.store.read().await?;
    let total = sql::count_users(&mut conn, app.store.dialect(), filter).await?;
    Ok(TotalCount::new(total))
}
