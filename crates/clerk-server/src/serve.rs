//! The serving loop: accepts TCP connections, at most [`ServingConfig::max_connections`] open at
//! once, serves HTTP/1.1 on each with hyper under the connection timeouts, and on shutdown stops
//! accepting and lets in-flight requests finish up to a deadline.
//!
//! The per-request and request-body timeouts are layers of the router (`http::router`); the
//! timeouts here are the ones only the connection can enforce.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// Timeouts and limits of serving. Every one bounds what a slow, stalled or malicious client
/// can hold; `docs/operations.md` says what each answers.
#[derive(Debug, Clone)]
pub struct ServingConfig {
    /// A request's headers must be complete this long after the connection is ready for it
    /// (accepted, or done with its previous response).
    pub header_timeout: Duration,
    /// Longest wait for the next piece of a request body once the handler reads it.
    pub body_timeout: Duration,
    /// Longest a keep-alive connection waits for its next request.
    pub idle_timeout: Duration,
    /// Longest a request may take from its headers to its response (bulk import excepted).
    pub request_timeout: Duration,
    /// The same for the bulk import route (`POST /v1/_ext/import/users`): 500 records whose
    /// plain passwords are hashed with bcrypt take far longer than any other request.
    pub import_timeout: Duration,
    /// Most client connections open at once; more wait in the listen backlog. `None`: derived
    /// from the process's file-descriptor limit ([`default_max_connections`]).
    pub max_connections: Option<usize>,
    /// On shutdown, how long in-flight requests may take before their connections are closed.
    pub shutdown_timeout: Duration,
}

impl Default for ServingConfig {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            import_timeout: Duration::from_secs(600),
            max_connections: None,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

impl ServingConfig {
    /// The connection cap in force.
    pub fn connection_cap(&self) -> usize {
        self.max_connections
            .unwrap_or_else(default_max_connections)
            .clamp(1, Semaphore::MAX_PERMITS)
    }

    /// hyper runs one timer from the moment a connection is ready for a request (accepted, or
    /// done with the previous response) until that request's headers are complete: it is both
    /// the header timeout and the keep-alive idle timeout. The shorter of the two keeps both
    /// bounds true.
    fn hyper_header_read_timeout(&self) -> Duration {
        self.header_timeout.min(self.idle_timeout)
    }
}

/// Largest request head (request line and headers) accepted, in bytes; a larger one gets 431.
/// The size of hyper's default read buffer, set explicitly because that buffer alone is not a
/// strict bound: one read can take more than it when the bytes are already waiting, and a
/// head that arrives whole may then be parsed and served.
pub const MAX_HEAD_BYTES: usize = 8192 + 409_600;

/// File descriptors kept for what is not a client connection: the database pool (16
/// PostgreSQL sockets, or 8 SQLite connections of three files each), the listener, standard
/// streams, the runtime's own descriptors, image files and outgoing HTTPS connections.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// The soft `RLIMIT_NOFILE` less [`RESERVED_DESCRIPTORS`] (at least half the limit), so that
/// client connections can never take the descriptors the database and files need. 1024 where
/// the limit cannot be read.
pub fn default_max_connections() -> usize {
    soft_descriptor_limit().map_or(1024, cap_for_descriptor_limit)
}

fn cap_for_descriptor_limit(limit: u64) -> usize {
    let cap = limit.saturating_sub(RESERVED_DESCRIPTORS).max(limit / 2);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

#[cfg(unix)]
fn soft_descriptor_limit() -> Option<u64> {
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .ok()
        .map(|(soft, _hard)| soft)
}

#[cfg(not(unix))]
fn soft_descriptor_limit() -> Option<u64> {
    None
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then shuts down:
/// the listener is closed at once, in-flight requests get `shutdown_timeout` to finish, and
/// whatever connection is still open then is closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    config: ServingConfig,
    mut stop: oneshot::Receiver<()>,
) {
    let cap = config.connection_cap();
    tracing::info!(max_connections = cap, "serving");
    let slots = Arc::new(Semaphore::new(cap));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.hyper_header_read_timeout())
        .max_header_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    // Every open connection's task: what the shutdown deadline aborts.
    let mut connections = JoinSet::new();

    loop {
        // A free slot before `accept`: past the cap, new connections wait in the kernel's
        // listen backlog, holding no descriptor of ours, instead of being accepted and starved.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // The peer's address reaches handlers as axum's `ConnectInfo`.
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        ));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            if let Err(err) = connection.await {
                // Timeouts, resets, malformed requests: the client's problem, not ours.
                tracing::debug!(error = %err, "connection closed with an error");
            }
            drop(slot);
        });
        // Forget finished connections so the set holds open ones only.
        while connections.try_join_next().is_some() {}
    }

    // Stop accepting: from here on, connection attempts are refused.
    drop(listener);
    let open = connections.len();
    if open > 0 {
        tracing::info!(connections = open, "waiting for in-flight requests");
    }
    // Idle connections close now; busy ones after their current response.
    if tokio::time::timeout(config.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            connections = connections.len(),
            "shutdown deadline reached: closing the connections still open"
        );
    }
    connections.shutdown().await;
}

/// Accepting fails for a connection reset before it was accepted (nothing to do) or for lack
/// of descriptors or memory (wait a little for some to be freed rather than spin).
async fn accept_failed(err: io::Error) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %err, "cannot accept a connection");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_leaves_descriptors_for_the_rest() {
        assert_eq!(cap_for_descriptor_limit(256), 192);
        assert_eq!(cap_for_descriptor_limit(1024), 960);
        assert_eq!(cap_for_descriptor_limit(100), 50);
        // An unlimited soft limit (RLIM_INFINITY) still gives a usable semaphore size.
        let unlimited = ServingConfig {
            max_connections: Some(cap_for_descriptor_limit(u64::MAX)),
            ..ServingConfig::default()
        };
        assert_eq!(unlimited.connection_cap(), Semaphore::MAX_PERMITS);
    }

    #[test]
    fn hyper_gets_the_shorter_of_header_and_idle_timeouts() {
        let config = ServingConfig {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            ..ServingConfig::default()
        };
        assert_eq!(config.hyper_header_read_timeout(), Duration::from_secs(10));
        let config = ServingConfig {
            idle_timeout: Duration::from_secs(2),
            ..config
        };
        assert_eq!(config.hyper_header_read_timeout(), Duration::from_secs(2));
    }
}
