//! Sends an [`HttpRequest`]: builds the URL, adds authentication and headers, applies timeouts,
//! retries what is worth retrying, logs through `tracing`, and turns the response into data or an
//! [`Error`].

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{Configuration, REDACTED, SECRET_KEY_ENV};
use crate::error::{ApiError, Error, Result};
use crate::redact;
use crate::request::{ApiResponse, HttpRequest, RequestBody, RequestOptions};
use crate::retry::{self, Failure};

const API_VERSION_HEADER: &str = "clerk-api-version";

/// One per [`crate::Client`], shared by its clones: one connection pool, one parsed config.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: Url,
    authorization: HeaderValue,
    config: Configuration,
}

/// What one attempt produced, before deciding whether to retry.
enum Outcome<T> {
    Done(ApiResponse<T>),
    Failed {
        error: Error,
        failure: Option<Failure>,
        retry_after: Option<Duration>,
    },
}

impl Transport {
    pub(crate) fn new(config: Configuration) -> Result<Self> {
        let key = config.secret_key.as_ref().ok_or_else(|| {
            Error::Configuration(format!(
                "no secret key: set Configuration::secret_key or {SECRET_KEY_ENV}"
            ))
        })?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
            .map_err(|_| {
                Error::Configuration("the secret key is not a valid header value".into())
            })?;
        // Keeps the key out of reqwest's and hyper's own debug output.
        authorization.set_sensitive(true);

        // A trailing slash would make `Url` treat the last segment as a directory and the empty
        // segment would end up in every path.
        let base_url = Url::parse(config.base_url.trim_end_matches('/')).map_err(|e| {
            Error::Configuration(format!("invalid base URL {:?}: {e}", config.base_url))
        })?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Configuration(format!(
                "invalid base URL {:?}",
                config.base_url
            )));
        }

        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(default_headers)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| Error::Configuration(format!("cannot build the HTTP client: {e}")))?;

        Ok(Self {
            http,
            base_url,
            authorization,
            config,
        })
    }

    pub(crate) fn config(&self) -> &Configuration {
        &self.config
    }

    /// Runs `request` with retries and decodes a 2xx body as `T`.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
        options: RequestOptions,
    ) -> Result<ApiResponse<T>> {
        let span = tracing::debug_span!("clerk_request", operation = request.operation);
        self.execute_inner(request, options).instrument(span).await
    }

    async fn execute_inner<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
        options: RequestOptions,
    ) -> Result<ApiResponse<T>> {
        let policy = options
            .retry_policy
            .clone()
            .unwrap_or_else(|| self.config.retry_policy.clone());
        // The caller's word on this call wins; otherwise the operation's nature or the policy.
        let repeat_is_safe = options
            .idempotent
            .unwrap_or(request.idempotent || policy.retry_non_idempotent);
        let replayable = match &request.body {
            RequestBody::Multipart(image) => image.is_replayable(),
            _ => true,
        };
        let url = self.url(&request, &options);
        let headers = self.headers(&options)?;
        let per_attempt = options.timeout.or(self.config.timeout);
        let started = Instant::now();

        let mut attempt = 1;
        loop {
            // Retries never outlive the policy's time budget.
            let timeout = if attempt == 1 {
                per_attempt
            } else {
                let left = policy.max_elapsed.saturating_sub(started.elapsed());
                Some(per_attempt.map_or(left, |t| t.min(left)))
            };
            let outcome = self.attempt(&request, &url, &headers, timeout).await;
            let (error, failure, retry_after) = match outcome {
                Outcome::Done(response) => return Ok(response),
                Outcome::Failed {
                    error,
                    failure,
                    retry_after,
                } => (error, failure, retry_after),
            };
            let Some(failure) = failure else {
                return Err(error);
            };
            if attempt >= policy.max_attempts
                || !replayable
                || !retry::is_retryable(failure, repeat_is_safe)
            {
                return Err(error);
            }
            // The server's Retry-After wins over our own backoff: retrying earlier would only
            // collect another 429.
            let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            if started.elapsed() + wait >= policy.max_elapsed {
                tracing::debug!(
                    ?wait,
                    "not retrying: the wait would exceed the retry budget"
                );
                return Err(error);
            }
            tracing::debug!(attempt, ?wait, error = %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        request: &HttpRequest,
        url: &Url,
        headers: &HeaderMap,
        timeout: Option<Duration>,
    ) -> Outcome<T> {
        let mut builder = self
            .http
            .request(request.method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder = match &request.body {
            RequestBody::Empty => builder,
            RequestBody::Json(bytes) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            RequestBody::Multipart(image) => match image.form().await {
                Ok(form) => builder.multipart(form),
                Err(error) => {
                    return Outcome::Failed {
                        error,
                        failure: None,
                        retry_after: None,
                    }
                }
            },
        };

        tracing::debug!(
            method = %request.method,
            url = %url,
            headers = %redacted(headers),
            "sending request"
        );
        if self.config.debugging {
            if let RequestBody::Json(bytes) = &request.body {
                let body = redact::for_log(bytes, redact::Direction::Request);
                tracing::debug!(body = %body, "request body");
            }
        }

        let sent = Instant::now();
        let result = async {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;

        let (status, headers, body) = match result {
            Ok(parts) => parts,
            Err(e) => {
                tracing::debug!(elapsed = ?sent.elapsed(), error = %e, "request failed");
                let failure = if e.is_connect() {
                    Failure::Connect
                } else {
                    Failure::Transport
                };
                let error = if e.is_timeout() {
                    Error::Timeout(timeout.unwrap_or_else(|| sent.elapsed()))
                } else {
                    Error::Transport(e)
                };
                return Outcome::Failed {
                    error,
                    failure: Some(failure),
                    retry_after: None,
                };
            }
        };
        tracing::debug!(status = status.as_u16(), elapsed = ?sent.elapsed(), "received response");
        if self.config.debugging {
            let logged = redact::for_log(&body, redact::Direction::Response);
            tracing::debug!(headers = ?headers, body = %logged, "response body");
        }

        if status.is_success() {
            return match serde_json::from_slice::<T>(&body) {
                Ok(data) => Outcome::Done(ApiResponse {
                    data,
                    status,
                    headers,
                }),
                Err(source) => Outcome::Failed {
                    error: Error::Decode {
                        status,
                        body: String::from_utf8_lossy(&body).into_owned(),
                        headers: Box::new(headers),
                        source,
                    },
                    failure: None,
                    retry_after: None,
                },
            };
        }

        let retry_after = retry::retry_after(&headers);
        let error = api_error(status, headers, &body, retry_after);
        Outcome::Failed {
            error,
            failure: Some(Failure::Status(status)),
            retry_after,
        }
    }

    fn url(&self, request: &HttpRequest, options: &RequestOptions) -> Url {
        let mut url = self.base_url.clone();
        {
            // `cannot_be_a_base` was ruled out in `new`, so this cannot fail.
            let mut segments = url.path_segments_mut().expect("base URL can be a base");
            segments.pop_if_empty();
            segments.extend(&request.path);
        }
        if !request.query.is_empty() || !options.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
            for (name, value) in &options.query {
                pairs.append_pair(name, value);
            }
        }
        url
    }

    fn headers(&self, options: &RequestOptions) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        let version = match &options.api_version {
            Some(per_call) => per_call.as_deref(),
            None => self.config.api_version.as_deref(),
        };
        if let Some(version) = version {
            let value = HeaderValue::from_str(version).map_err(|_| {
                Error::validation(
                    "Clerk-API-Version",
                    format!("invalid header value {version:?}"),
                )
            })?;
            headers.insert(API_VERSION_HEADER, value);
        }
        // The first custom value of a name replaces the client's; further ones are added.
        let mut replaced = HashSet::new();
        for (name, value) in &options.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::validation(name.clone(), "invalid header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::validation(name.as_str(), "invalid header value"))?;
            if replaced.insert(name.clone()) {
                headers.insert(name, value);
            } else {
                headers.append(name, value);
            }
        }
        Ok(headers)
    }
}

fn api_error(
    status: StatusCode,
    headers: HeaderMap,
    body: &[u8],
    retry_after: Option<Duration>,
) -> Error {
    let parsed = serde_json::from_slice::<clerk_model::ClerkErrors>(body)
        .ok()
        .filter(|errors| !errors.errors.is_empty());
    let (errors, raw) = match parsed {
        Some(errors) => (errors, None),
        None => (
            Default::default(),
            Some(String::from_utf8_lossy(body).into_owned()),
        ),
    };
    ApiError {
        status,
        errors,
        body: raw,
        headers,
        retry_after,
    }
    .into()
}

/// Headers for logging, with credentials replaced.
fn redacted(headers: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(name.as_str());
        out.push_str(": ");
        if name == AUTHORIZATION || value.is_sensitive() {
            out.push_str("Bearer ");
            out.push_str(REDACTED);
        } else {
            out.push_str(&String::from_utf8_lossy(value.as_bytes()));
        }
    }
    out
}
