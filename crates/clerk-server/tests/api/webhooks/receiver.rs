//! A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that records every message
//! and answers with the statuses it is told to (200 once the list runs out), and Svix's
//! signature check written out here, independently of the server's code.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::Notify;

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub svix_id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub user_agent: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a message body is JSON")
    }

    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }

    /// Whether one of the `v1,` signatures is the HMAC of this message under `secret`.
    pub fn verifies_with(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .expect("base64 secret");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.{}", self.svix_id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signature.split(' ').any(|s| s == expected)
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    statuses: Mutex<VecDeque<u16>>,
    /// Answer 500 to the first attempt of each message.
    fail_first_attempts: std::sync::atomic::AtomicBool,
    /// Answer the next message with a 307 to this URL.
    redirect_to: Mutex<Option<String>>,
    arrived: Notify,
}

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    pub url: String,
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(record))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { inner, url }
    }

    /// The next answers, in order; 200 after them.
    pub fn answer_with(&self, statuses: &[u16]) {
        self.inner.statuses.lock().unwrap().extend(statuses);
    }

    /// From now on, the first attempt of each message gets 500.
    pub fn fail_first_attempts(&self) {
        self.inner
            .fail_first_attempts
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next message gets `307 Temporary Redirect` to `url`.
    pub fn redirect_next_to(&self, url: &str) {
        *self.inner.redirect_to.lock().unwrap() = Some(url.to_owned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages arrived; fails the test after 30 s.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let notified = self.inner.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {count} messages, got {}: {:#?}",
                    received.len(),
                    received
                        .iter()
                        .map(Received::event_type)
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits until a message of `event_type` about `id` (its `data.id`) arrived; the messages
    /// so far.
    pub async fn wait_for_event(&self, event_type: &str, id: &str) -> Vec<Received> {
        let mut count = 1;
        loop {
            let received = self.wait_for(count).await;
            if received
                .iter()
                .any(|m| m.event_type() == event_type && m.json()["data"]["id"] == id)
            {
                return received;
            }
            count = received.len() + 1;
        }
    }
}

async fn record(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = answer(&inner, &headers, body);
    match inner.redirect_to.lock().unwrap().take() {
        Some(url) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(axum::http::header::LOCATION, url)],
        )
            .into_response(),
        None => status.into_response(),
    }
}

/// Records the message; the status to answer with.
fn answer(inner: &Inner, headers: &HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let svix_id = header("svix-id");
    let mut received = inner.received.lock().unwrap();
    let first_attempt = !received.iter().any(|m| m.svix_id == svix_id);
    received.push(Received {
        svix_id,
        timestamp: header("svix-timestamp"),
        signature: header("svix-signature"),
        body: String::from_utf8(body.to_vec()).expect("a UTF-8 body"),
        user_agent: header("user-agent"),
    });
    drop(received);
    inner.arrived.notify_waiters();
    if first_attempt
        && inner
            .fail_first_attempts
            .load(std::sync::atomic::Ordering::SeqCst)
    {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let status = inner.statuses.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}
