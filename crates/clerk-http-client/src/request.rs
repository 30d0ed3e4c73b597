//! What one call sends and gets back: per-call overrides ([`RequestOptions`], the Rust form of
//! the Ruby SDK's `opts`), the response with its status and headers ([`ApiResponse`]), and the
//! description of an HTTP request that builders hand to the transport.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::upload::ProfileImage;

/// Per-call overrides of the client's [`crate::Configuration`]. Every operation builder has the
/// same methods (`.header(..)`, `.query_param(..)`, `.timeout(..)`, …); this type lets a caller
/// prepare a set once and apply it with `.options(..)`.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) api_version: Option<Option<String>>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// An extra header; replaces a header of the same name the client would send.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// An extra query parameter, appended after the operation's own (repeat it for arrays).
    pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Limit for each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retry policy for this call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Declare whether this call is safe to repeat. `true` lets retries cover 5xx and dropped
    /// connections for operations the client treats as unsafe (e.g. a create with your own
    /// de-duplication); `false` restricts an idempotent one.
    pub fn idempotent(mut self, safe_to_repeat: bool) -> Self {
        self.idempotent = Some(safe_to_repeat);
        self
    }

    /// `Clerk-API-Version` for this call; `None` sends no version header.
    pub fn api_version(mut self, version: Option<&str>) -> Self {
        self.api_version = Some(version.map(str::to_owned));
        self
    }

    /// Adds `other`'s settings on top of these.
    pub(crate) fn merge(&mut self, other: RequestOptions) {
        self.headers.extend(other.headers);
        self.query.extend(other.query);
        self.timeout = other.timeout.or(self.timeout);
        self.retry_policy = other.retry_policy.or(self.retry_policy.take());
        self.idempotent = other.idempotent.or(self.idempotent);
        self.api_version = other.api_version.or(self.api_version.take());
    }
}

/// A successful response: the decoded body with the status and headers it came with (the Ruby
/// SDK's `*_with_http_info` triple).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub data: T,
    /// The HTTP status (2xx).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
}

impl<T> ApiResponse<T> {
    /// A response, e.g. for a test double of code that takes one.
    pub fn new(data: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            data,
            status,
            headers,
        }
    }

    /// The body alone.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Transforms the data, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            data: f(self.data),
            status: self.status,
            headers: self.headers,
        }
    }
}

/// One operation's request, before the transport adds the base URL, authentication and
/// per-call options.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    /// The operation's name in the original SDK (`get_user`), for logs and error messages.
    pub operation: &'static str,
    pub method: Method,
    /// Path segments after the base URL, unencoded: the transport percent-encodes each, so an id
    /// can never change which endpoint is addressed.
    pub path: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: RequestBody,
    /// Whether repeating the request cannot apply it twice.
    pub idempotent: bool,
}

#[derive(Debug)]
pub(crate) enum RequestBody {
    Empty,
    Json(Bytes),
    Multipart(ProfileImage),
}

impl HttpRequest {
    pub fn new(operation: &'static str, method: Method, path: &[&str]) -> Self {
        // GET, PUT and DELETE are idempotent by HTTP semantics; POST and PATCH start unsafe and
        // builders mark the POSTs that only set state (ban, lock, …) as safe.
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        Self {
            operation,
            method,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: RequestBody::Empty,
            idempotent,
        }
    }

    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    pub fn json<B: Serialize>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::validation("body", format!("cannot serialize: {e}")))?;
        self.body = RequestBody::Json(bytes.into());
        Ok(self)
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// An array parameter as repeated keys (`k=a&k=b`), the form Clerk documents.
    pub fn query_all(mut self, name: &'static str, values: &[String]) -> Self {
        self.query.extend(values.iter().map(|v| (name, v.clone())));
        self
    }
}

/// Generates the methods every operation builder shares: per-call options, `send` and
/// `send_with_http_info`. The builder must have `client: Client`, `options: RequestOptions` and a
/// `fn build(self) -> Result<HttpRequest>` that checks parameters and describes the request.
macro_rules! operation {
    ($builder:ident -> $output:ty) => {
        $crate::request::operation!($builder -> $output as $output);
    };
    // `as $wire`: decode the body as `$wire`, then convert it (`From`) to what callers get; for
    // endpoints whose body comes in more than one shape.
    ($builder:ident -> $output:ty as $wire:ty) => {
        impl $builder {
            /// Adds a header to this call (replaces one the client would send).
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options.headers.push((name.into(), value.into()));
                self
            }

            /// Adds a query parameter to this call.
            pub fn query_param(
                mut self,
                name: impl Into<String>,
                value: impl Into<String>,
            ) -> Self {
                self.options.query.push((name.into(), value.into()));
                self
            }

            /// Timeout for each attempt of this call.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Retry policy for this call.
            pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
                self.options.retry_policy = Some(policy);
                self
            }

            /// Declares whether this call is safe to repeat (see [`RequestOptions::idempotent`]).
            ///
            /// [`RequestOptions::idempotent`]: $crate::RequestOptions::idempotent
            pub fn idempotent(mut self, safe_to_repeat: bool) -> Self {
                self.options.idempotent = Some(safe_to_repeat);
                self
            }

            /// `Clerk-API-Version` for this call (`None`: no header).
            pub fn api_version(mut self, version: Option<&str>) -> Self {
                self.options.api_version = Some(version.map(str::to_owned));
                self
            }

            /// Applies a prepared set of overrides.
            pub fn options(mut self, options: $crate::RequestOptions) -> Self {
                self.options.merge(options);
                self
            }

            /// Sends the request and returns the decoded body.
            pub async fn send(self) -> $crate::Result<$output> {
                self.send_with_http_info()
                    .await
                    .map($crate::ApiResponse::into_data)
            }

            /// Sends the request and returns the body with the status and headers.
            pub async fn send_with_http_info(self) -> $crate::Result<$crate::ApiResponse<$output>> {
                let client = self.client.clone();
                let options = self.options.clone();
                let request = self.build()?;
                let response = client.transport().execute::<$wire>(request, options).await?;
                Ok(response.map(<$output>::from))
            }
        }

        impl std::future::IntoFuture for $builder {
            type Output = $crate::Result<$output>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

            /// `builder.await` is `builder.send().await`.
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

pub(crate) use operation;
