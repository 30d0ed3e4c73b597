//! Paginated lists as streams.
//!
//! An operation's builder knows how to fetch one page and what request fetches the next one
//! (a `starting_after` cursor for `GET /users`, an offset elsewhere); `pages` turns that into a
//! stream of pages and `items` into a stream of single items. Pages are fetched lazily, one at a
//! time, as the stream is polled.

use std::future::Future;

use clerk_model::Paginated;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::Result;
use crate::request::HttpRequest;
use crate::{Client, RequestOptions};

/// A stream of pages; ends after the last page or at the first error.
pub type PageStream<T> = BoxStream<'static, Result<Vec<T>>>;

/// A stream of items across all pages; ends after the last item or at the first error.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// Walks pages from `first`: `fetch` sends one request and returns its page and, when there may
/// be more, the request for the next page.
pub(crate) fn pages<B, T, F, Fut>(first: B, fetch: F) -> PageStream<T>
where
    B: Send + 'static,
    T: Send + 'static,
    F: Fn(B) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<B>)>> + Send + 'static,
{
    stream::try_unfold(Some(first), move |next| {
        let fetched = next.map(&fetch);
        async move {
            match fetched {
                None => Ok(None),
                Some(fetched) => {
                    let (page, next) = fetched.await?;
                    Ok(Some((page, next)))
                }
            }
        }
    })
    .boxed()
}

/// Flattens pages into items.
pub(crate) fn items<T: Send + 'static>(pages: PageStream<T>) -> ItemStream<T> {
    pages
        .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Every item of an offset-paginated list that reports its total, from `first` on: `send`
/// fetches one page (its items and `total_count`), `offset_of` and `at_offset` read and move the
/// request's offset.
pub(crate) fn offset_items<B, T, Fut>(
    first: B,
    offset_of: fn(&B) -> u32,
    at_offset: fn(B, u32) -> B,
    send: fn(B) -> Fut,
) -> ItemStream<T>
where
    B: Clone + Send + Sync + 'static,
    T: Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, i64)>> + Send + 'static,
{
    items(pages(first, move |request: B| {
        let offset = offset_of(&request);
        let next_template = request.clone();
        let fetched = send(request);
        async move {
            let (page, total_count) = fetched.await?;
            let next = next_offset(offset, page.len(), total_count)
                .map(|next| at_offset(next_template, next));
            Ok((page, next))
        }
    }))
}

/// The next offset of an offset-paginated list that reports its total, or `None` after the last
/// page. An empty page also ends the walk, so a total that grows while we read cannot loop.
pub(crate) fn next_offset(offset: u32, page_len: usize, total_count: i64) -> Option<u32> {
    let next = offset as i64 + page_len as i64;
    (page_len > 0 && next < total_count).then(|| next.min(u32::MAX as i64) as u32)
}

/// A list as Clerk's offset-paged routes answer it: a bare array (what their spec shows), or
/// `{"data": [...], "total_count": n}` when the request carries `paginated=true` (Clerk's JS and
/// Go SDKs send it). Both read as the same items, so a caller's extra `paginated` parameter
/// never fails a call.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ListBody<T> {
    Array(Vec<T>),
    Paginated { data: Vec<T> },
}

impl<T> From<ListBody<T>> for Vec<T> {
    fn from(list: ListBody<T>) -> Self {
        match list {
            ListBody::Array(items) | ListBody::Paginated { data: items } => items,
        }
    }
}

/// Sends a list request with `paginated=true`, which makes those routes answer the page with
/// the total the filters select: what an offset walk needs to know where to stop. (`Default`:
/// `Paginated`'s derived `Deserialize` asks it of the items.)
pub(crate) async fn send_with_total_count<T: DeserializeOwned + Default>(
    client: Client,
    options: RequestOptions,
    request: Result<HttpRequest>,
) -> Result<Paginated<T>> {
    let request = request?.query("paginated", true);
    let response = client.transport().execute(request, options).await?;
    Ok(response.data)
}

/// The paging methods of a list builder whose route takes `paginated=true` and answers with the
/// total (`GET /sessions`, `GET /jwt_templates`): `send_with_total_count` and `into_stream`.
/// The builder has `limit` and `offset` fields and setters, and a `build`.
macro_rules! offset_paginated_list {
    ($builder:ident -> $item:ty) => {
        impl $builder {
            /// One page together with the number of items the filters select
            /// (`paginated=true`).
            pub async fn send_with_total_count(self) -> $crate::Result<clerk_model::Paginated<$item>> {
                let (client, options) = (self.client.clone(), self.options.clone());
                $crate::pagination::send_with_total_count(client, options, self.build()).await
            }

            /// Every item from `offset` on, page after page (offsets, up to the reported total).
            /// Page size: `limit`, or [`DEFAULT_STREAM_PAGE_SIZE`](crate::users::DEFAULT_STREAM_PAGE_SIZE).
            pub fn into_stream(self) -> $crate::pagination::ItemStream<$item> {
                let page_size = self.limit.unwrap_or($crate::users::DEFAULT_STREAM_PAGE_SIZE);
                $crate::pagination::offset_items(
                    self.limit(page_size),
                    |request| request.offset.unwrap_or(0),
                    Self::offset,
                    |request| async move {
                        let page = request.send_with_total_count().await?;
                        Ok((page.data, page.total_count))
                    },
                )
            }
        }

        $crate::request::operation!(
            $builder -> Vec<$item> as $crate::pagination::ListBody<$item>
        );
    };
}

pub(crate) use offset_paginated_list;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn walks_every_page_then_stops() {
        // Pages of 2 over 0..5: the fetcher says "more" while pages are full.
        let all: Vec<u32> = items(pages(0u32, |offset| async move {
            let page: Vec<u32> = (offset..(offset + 2).min(5)).collect();
            let next = (page.len() == 2).then_some(offset + 2);
            Ok((page, next))
        }))
        .try_collect()
        .await
        .unwrap();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn next_offset_stops_at_total_and_on_empty_pages() {
        assert_eq!(next_offset(0, 10, 25), Some(10));
        assert_eq!(next_offset(20, 5, 25), None);
        assert_eq!(next_offset(0, 0, 25), None);
    }

    #[test]
    fn a_list_reads_the_same_bare_or_paginated() {
        let bare: ListBody<u32> = serde_json::from_str("[1, 2]").unwrap();
        let wrapped: ListBody<u32> =
            serde_json::from_str(r#"{"data": [1, 2], "total_count": 7}"#).unwrap();
        assert_eq!(Vec::from(bare), vec![1, 2]);
        assert_eq!(Vec::from(wrapped), vec![1, 2]);
    }
}
