//! The serving loop against raw TCP clients: stalled and slow clients are cut off by the
//! timeouts, connections past the cap wait in the listen backlog, errors come in Clerk's
//! envelope (what hyper answers itself is pinned here as `docs/operations.md` describes it),
//! and shutdown finishes in-flight requests within its deadline.
//!
//! Timeouts are short here (1–2 s) so that the tests are quick; every "it happens" is bounded
//! by [`EVENTUALLY`], never timed exactly.

use std::net::SocketAddr;
use std::time::Duration;

use clerk_server::{RunningServer, ServerConfig, ServingConfig, Settings};
use serde_json::Value;
use sqlx::Connection;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY: &str = "sk_test_serving_tests_key_0123456789";

/// Bound on anything that must happen eventually (a timeout firing, a connection closing).
const EVENTUALLY: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

fn postgres_base_url() -> String {
    std::env::var("CLERK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Timeouts long enough never to fire in a test unless the test shortens one.
fn patient() -> ServingConfig {
    ServingConfig {
        header_timeout: Duration::from_secs(60),
        body_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(60),
        import_timeout: Duration::from_secs(60),
        max_connections: None,
        shutdown_timeout: Duration::from_secs(60),
    }
}

/// [`patient`], but headers must arrive within 1 s.
fn header_timeout_of_1s() -> ServingConfig {
    ServingConfig {
        header_timeout: Duration::from_secs(1),
        ..patient()
    }
}

/// The real server in-process, on a fresh SQLite file or PostgreSQL database.
struct Server {
    running: Option<RunningServer>,
    addr: SocketAddr,
    pg_database: Option<String>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(backend: Backend, serving: ServingConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("clerk.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = format!("clerk_serving_{:x}", rand::random::<u64>());
                let mut admin =
                    sqlx::PgConnection::connect(&format!("{}/postgres", postgres_base_url()))
                        .await
                        .expect("PostgreSQL must be reachable (CLERK_TEST_POSTGRES_URL)");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                (format!("{}/{name}", postgres_base_url()), Some(name))
            }
        };
        let running = clerk_server::start(ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url,
            secret_keys: vec![KEY.into()],
            settings: Settings {
                bcrypt_cost: 4,
                ..Settings::default()
            },
            serving,
            ..ServerConfig::default()
        })
        .await
        .expect("server starts");
        Server {
            addr: running.addr(),
            running: Some(running),
            pg_database,
            _dir: dir,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.expect("connect")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `RunningServer::shutdown`, on a task of its own so the test can act meanwhile.
    fn begin_shutdown(&mut self) -> tokio::task::JoinHandle<()> {
        let running = self.running.take().expect("running");
        tokio::spawn(running.shutdown())
    }

    /// Waits until connecting is refused: the server has stopped accepting.
    async fn wait_until_refusing(&self) {
        tokio::time::timeout(EVENTUALLY, async {
            while TcpStream::connect(self.addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the server stops accepting connections");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let running = self.running.take();
        let database = self.pg_database.take();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                drop(running);
                if let Some(name) = database {
                    if let Ok(mut admin) =
                        sqlx::PgConnection::connect(&format!("{}/postgres", postgres_base_url()))
                            .await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                    }
                }
            });
        })
        .join()
        .ok();
    }
}

/// A request head; `Authorization` with the test key unless `key` is false.
fn head(method: &str, path: &str, key: bool, extra: &[&str]) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n");
    if key {
        text.push_str(&format!("Authorization: Bearer {KEY}\r\n"));
    }
    for line in extra {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text
}

/// `head` for a JSON body of `len` bytes.
fn json_head(method: &str, path: &str, len: usize, extra: &[&str]) -> String {
    let length = format!("Content-Length: {len}");
    let mut lines = vec!["Content-Type: application/json", length.as_str()];
    lines.extend_from_slice(extra);
    head(method, path, true, &lines)
}

#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts Clerk's error envelope, with `Content-Type: application/json`.
    #[track_caller]
    fn assert_clerk_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let body = self.json();
        assert_eq!(body["errors"][0]["code"], code, "{body}");
        assert!(body["clerk_trace_id"].is_string(), "{body}");
    }
}

/// Reads one response (an interim `100 Continue` counts as one).
async fn read_response(stream: &mut TcpStream) -> RawResponse {
    tokio::time::timeout(EVENTUALLY, read_response_now(stream))
        .await
        .expect("a response in time")
}

/// Parses a response already read in full.
async fn parse_response(mut bytes: &[u8]) -> RawResponse {
    read_response_now(&mut bytes).await
}

async fn read_response_now(stream: &mut (impl AsyncRead + Unpin)) -> RawResponse {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(
            n > 0,
            "connection closed before a response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let status: u16 = status.parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "connection closed mid-body");
        body.extend_from_slice(&chunk[..n]);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

/// Reads until the server closes the connection; returns what came before. Fails the test if
/// the connection is still open after [`EVENTUALLY`].
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    tokio::time::timeout(EVENTUALLY, async {
        let mut all = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return all,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection")
}

/// Writes `bytes` one at a time, `gap` apart, until done or the server closes the
/// connection; returns how many were written before the close was seen (`None`: all of them).
async fn trickle(stream: TcpStream, bytes: &[u8], gap: Duration) -> (Option<usize>, Vec<u8>) {
    let (mut reader, mut writer) = stream.into_split();
    let answer = tokio::spawn(async move {
        let mut all = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => return all,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
            }
        }
    });
    for (i, byte) in bytes.iter().enumerate() {
        if answer.is_finished() || writer.write_all(&[*byte]).await.is_err() {
            let answer = tokio::time::timeout(EVENTUALLY, answer)
                .await
                .expect("closed")
                .unwrap();
            return (Some(i), answer);
        }
        tokio::time::sleep(gap).await;
    }
    drop(writer);
    (None, answer.await.unwrap())
}

// ---- slow and stalled clients -------------------------------------------------------------

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let server = Server::start(Backend::Sqlite, header_timeout_of_1s()).await;
    let mut silent = server.connect().await;
    // hyper closes it without an answer: there is no request to answer.
    assert_eq!(read_until_closed(&mut silent).await, b"");
}

#[tokio::test]
async fn partial_headers_are_cut_off_at_the_header_timeout() {
    let server = Server::start(Backend::Sqlite, header_timeout_of_1s()).await;
    let mut partial = server.connect().await;
    partial
        .write_all(b"GET /v1/_ext/ping HTTP/1.1\r\nHost: test\r\nAuthor")
        .await
        .unwrap();
    assert_eq!(read_until_closed(&mut partial).await, b"");
}

#[tokio::test]
async fn headers_trickled_a_byte_at_a_time_are_cut_off_at_the_header_timeout() {
    let server = Server::start(Backend::Sqlite, header_timeout_of_1s()).await;
    // 600 bytes, 50 ms apart: 30 s to send in full; each byte alone is well within any timeout.
    let request = head(
        "GET",
        "/v1/_ext/ping",
        true,
        &[&format!("X-Pad: {}", "a".repeat(500))],
    );
    let (written, answer) = trickle(
        server.connect().await,
        request.as_bytes(),
        Duration::from_millis(50),
    )
    .await;
    assert!(written.is_some(), "the server waited for the whole header");
    assert_eq!(answer, b"");
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_in_the_envelope() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            body_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    let mut stalled = server.connect().await;
    let body = br#"{"email_address":["ada@example.com"]}"#;
    stalled
        .write_all(json_head("POST", "/v1/users", body.len(), &[]).as_bytes())
        .await
        .unwrap();
    stalled.write_all(&body[..10]).await.unwrap();
    read_response(&mut stalled)
        .await
        .assert_clerk_error(408, "request_timeout");
    // The rest of that body will never be read: the connection is done.
    read_until_closed(&mut stalled).await;
}

/// A profile image upload whose multipart body stops arriving gets the same 408 as a JSON body.
#[tokio::test]
async fn a_stalled_image_upload_is_answered_408_in_the_envelope() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            body_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    let mut stalled = server.connect().await;
    let part = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
                Content-Type: image/png\r\n\r\n\u{89}PNG";
    let request = head(
        "POST",
        "/v1/users/user_stalled/profile_image",
        true,
        &[
            "Content-Type: multipart/form-data; boundary=b",
            "Content-Length: 4096",
        ],
    );
    stalled.write_all(request.as_bytes()).await.unwrap();
    stalled.write_all(part.as_bytes()).await.unwrap();
    read_response(&mut stalled)
        .await
        .assert_clerk_error(408, "request_timeout");
    read_until_closed(&mut stalled).await;
}

#[tokio::test]
async fn a_body_trickled_under_the_body_timeout_meets_the_request_deadline() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            body_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(2),
            ..patient()
        },
    )
    .await;
    // Each byte 100 ms after the last (never 1 s of silence); 400 bytes would take 40 s.
    let body = format!(r#"{{"first_name":"{}"}}"#, "a".repeat(384));
    let mut stream = server.connect().await;
    stream
        .write_all(json_head("POST", "/v1/users", body.len(), &[]).as_bytes())
        .await
        .unwrap();
    let (written, answer) = trickle(stream, body.as_bytes(), Duration::from_millis(100)).await;
    assert!(written.is_some(), "the server waited for the whole body");
    parse_response(&answer)
        .await
        .assert_clerk_error(503, "request_timed_out");
}

async fn bulk_import_is_not_held_to_the_request_deadline(backend: Backend) {
    let server = Server::start(
        backend,
        ServingConfig {
            request_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    let body = serde_json::json!({
        "users": [{"email_addresses": [{"email_address": "slow@example.com"}]}]
    })
    .to_string();
    let mut stream = server.connect().await;
    stream
        .write_all(json_head("POST", "/v1/_ext/import/users", body.len(), &[]).as_bytes())
        .await
        .unwrap();
    // The body arrives in three pieces 600 ms apart: the request takes longer than 1 s.
    let third = body.len() / 3;
    for piece in [&body[..third], &body[third..2 * third], &body[2 * third..]] {
        tokio::time::sleep(Duration::from_millis(600)).await;
        stream.write_all(piece.as_bytes()).await.unwrap();
    }
    let response = read_response(&mut stream).await;
    assert_eq!(response.status, 200, "{:?}", response.json());
    assert_eq!(response.json()["failed"], 0, "{}", response.json());

    // The same pace on any other route meets the 1 s deadline.
    let body = r#"{"email_address":["quick@example.com"]}"#;
    let mut stream = server.connect().await;
    stream
        .write_all(json_head("POST", "/v1/users", body.len(), &[]).as_bytes())
        .await
        .unwrap();
    for piece in [&body[..10], &body[10..20], &body[20..]] {
        tokio::time::sleep(Duration::from_millis(600)).await;
        if stream.write_all(piece.as_bytes()).await.is_err() {
            break;
        }
    }
    read_response(&mut stream)
        .await
        .assert_clerk_error(503, "request_timed_out");
}

/// A request abandoned at its deadline stops there: a bulk import cut off by its deadline
/// creates no more users once it has answered 503. Holds too for the routes SQLite runs on a
/// blocking thread (the import is one), where the handler runs apart from the task that
/// enforces the deadline.
async fn a_request_abandoned_at_its_deadline_goes_no_further(backend: Backend) {
    let server = Server::start(
        backend,
        ServingConfig {
            import_timeout: Duration::from_millis(300),
            ..patient()
        },
    )
    .await;
    // 500 users, each with a password to hash: far more than 300 ms of work.
    let users: Vec<_> = (0..500)
        .map(|i| {
            serde_json::json!({
                "email_addresses": [{"email_address": format!("abandoned{i}@example.com")}],
                "password": "an imported password",
            })
        })
        .collect();
    let answer = reqwest::Client::new()
        .post(server.url("/v1/_ext/import/users"))
        .bearer_auth(KEY)
        .json(&serde_json::json!({ "users": users }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    let count = || async {
        let body: serde_json::Value = reqwest::Client::new()
            .get(server.url("/v1/users/count"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["total_count"].as_i64().unwrap()
    };
    // Time for a record being written at the deadline to finish, then none may follow.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_abandon = count().await;
    assert!(
        at_abandon < 500,
        "the import was cut off ({at_abandon} created)"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(count().await, at_abandon, "the abandoned import went on");
}

#[tokio::test]
async fn a_request_abandoned_at_its_deadline_goes_no_further_sqlite() {
    a_request_abandoned_at_its_deadline_goes_no_further(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_request_abandoned_at_its_deadline_goes_no_further_postgres() {
    a_request_abandoned_at_its_deadline_goes_no_further(Backend::Postgres).await;
}

#[tokio::test]
async fn bulk_import_is_not_held_to_the_request_deadline_sqlite() {
    bulk_import_is_not_held_to_the_request_deadline(Backend::Sqlite).await;
}

#[tokio::test]
async fn bulk_import_is_not_held_to_the_request_deadline_postgres() {
    bulk_import_is_not_held_to_the_request_deadline(Backend::Postgres).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            idle_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    let mut stream = server.connect().await;
    stream
        .write_all(head("GET", "/v1/_ext/ping", true, &[]).as_bytes())
        .await
        .unwrap();
    assert_eq!(read_response(&mut stream).await.status, 200);
    // Kept alive, then closed while idle (the header timeout here is 60 s, EVENTUALLY 20 s).
    assert_eq!(read_until_closed(&mut stream).await, b"");
}

#[tokio::test]
async fn a_partial_body_the_handler_never_reads_does_not_hold_the_connection() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    // `POST …/ban` reads no body; the unknown user is answered at once. The 90 body bytes
    // never sent must not keep the connection open.
    let mut stream = server.connect().await;
    stream
        .write_all(json_head("POST", "/v1/users/user_missing/ban", 100, &[]).as_bytes())
        .await
        .unwrap();
    stream.write_all(b"{\"a\":1").await.unwrap();
    read_response(&mut stream)
        .await
        .assert_clerk_error(404, "resource_not_found");
    read_until_closed(&mut stream).await;
}

// ---- the connection cap -------------------------------------------------------------------

#[tokio::test]
async fn connections_past_the_cap_wait_in_the_backlog_until_one_closes() {
    let server = Server::start(
        Backend::Sqlite,
        ServingConfig {
            max_connections: Some(2),
            ..patient()
        },
    )
    .await;
    let ping = head("GET", "/v1/_ext/ping", true, &[]);
    // Two connections served and kept alive: the cap is reached.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = server.connect().await;
        stream.write_all(ping.as_bytes()).await.unwrap();
        assert_eq!(read_response(&mut stream).await.status, 200);
        held.push(stream);
    }
    // A third connects (the kernel completes it into the backlog) but is not served...
    let mut waiting = server.connect().await;
    waiting.write_all(ping.as_bytes()).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut byte)).await;
    assert!(early.is_err(), "served past the cap: {early:?}");
    // ...until a held one closes; then it is served, not refused.
    drop(held.pop());
    let response = read_response(&mut waiting).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["object"], "pong");
}

// ---- errors in Clerk's envelope -----------------------------------------------------------

#[tokio::test]
async fn path_segments_that_are_not_utf8_answer_404_in_the_envelope() {
    let server = Server::start(Backend::Sqlite, patient()).await;
    let http = reqwest::Client::new();
    let cases: &[(&str, &str, bool)] = &[
        ("GET", "/v1/users/user_%FF", true),
        ("PATCH", "/v1/users/user_%FF/metadata", true),
        ("DELETE", "/v1/users/user_%C3%28", true),
        ("POST", "/v1/users/user_%FF/ban", true),
        ("GET", "/v1/organizations/org_%FF", true),
        (
            "GET",
            "/v1/organizations/org_1/memberships/user_%FF%FE/metadata",
            true,
        ),
        (
            "GET",
            "/v1/users/user_1/oauth_access_tokens/oauth_%FF",
            true,
        ),
        ("DELETE", "/v1/users/user_1/passkeys/idn_%80", true),
        ("GET", "/_ext/images/%FF", false),
        ("GET", "/_ext/images/img%00.png", false),
    ];
    for (method, path, key) in cases {
        let mut request = http.request(method.parse().unwrap(), server.url(path));
        if *key {
            request = request.bearer_auth(KEY);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/json"),
            "{method} {path}"
        );
        assert_eq!(
            body["errors"][0]["code"], "resource_not_found",
            "{method} {path}"
        );
    }
    // Authentication still comes first.
    let response = http
        .get(server.url("/v1/users/user_%FF"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_wrong_method_on_the_image_route_answers_405_in_the_envelope() {
    let server = Server::start(Backend::Sqlite, patient()).await;
    let mut stream = server.connect().await;
    stream
        .write_all(
            head(
                "POST",
                "/_ext/images/abc.png",
                false,
                &["Content-Length: 0"],
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    read_response(&mut stream)
        .await
        .assert_clerk_error(405, "method_not_allowed");
}

#[tokio::test]
async fn a_long_uri_within_hyper_limit_is_ours() {
    let server = Server::start(Backend::Sqlite, patient()).await;
    let mut stream = server.connect().await;
    let path = format!("/v1/users/user_{}", "a".repeat(60_000));
    stream
        .write_all(head("GET", &path, true, &[]).as_bytes())
        .await
        .unwrap();
    read_response(&mut stream)
        .await
        .assert_clerk_error(404, "resource_not_found");
}

/// What hyper answers before any of our code runs, as `docs/operations.md` documents: a bare
/// status (no body, no Content-Type), then the connection is closed. A change here (a hyper
/// upgrade) must update that document.
#[tokio::test]
async fn hyper_answers_unparsable_requests_itself() {
    let server = Server::start(Backend::Sqlite, patient()).await;
    let huge_uri = format!("/v1/users/user_{}", "a".repeat(70_000));
    let huge_header = format!("X-Pad: {}", "a".repeat(500_000));
    let many_headers: Vec<String> = (0..101).map(|i| format!("X-H{i}: x")).collect();
    let many_headers: Vec<&str> = many_headers.iter().map(String::as_str).collect();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "raw byte 0xFF in the path",
            b"GET /v1/users/\xff HTTP/1.1\r\nHost: test\r\n\r\n".to_vec(),
            400,
        ),
        (
            "space in the path",
            b"GET /v1/users/a b HTTP/1.1\r\nHost: test\r\n\r\n".to_vec(),
            400,
        ),
        (
            "malformed method",
            b"G(T /v1/_ext/ping HTTP/1.1\r\nHost: test\r\n\r\n".to_vec(),
            400,
        ),
        (
            "invalid header name",
            b"GET /v1/_ext/ping HTTP/1.1\r\nHo st: test\r\n\r\n".to_vec(),
            400,
        ),
        (
            "URI over 64 KB",
            head("GET", &huge_uri, true, &[]).into_bytes(),
            414,
        ),
        (
            "request head over MAX_HEAD_BYTES",
            head("GET", "/v1/_ext/ping", true, &[&huge_header]).into_bytes(),
            431,
        ),
        (
            "more than 100 headers",
            head("GET", "/v1/_ext/ping", true, &many_headers).into_bytes(),
            431,
        ),
    ];
    for (what, request, status) in cases {
        // Shown with the failure if this case's connection is never closed.
        eprintln!("case: {what}");
        let mut stream = server.connect().await;
        // The server may answer and close before reading everything.
        let _ = stream.write_all(&request).await;
        let answer = read_until_closed(&mut stream).await;
        let response = parse_response(&answer).await;
        assert_eq!(response.status, status, "{what}: {response:?}");
        assert_eq!(response.header("content-length"), Some("0"), "{what}");
        assert_eq!(response.header("content-type"), None, "{what}");
    }

    // HTTP/1.1 only: the HTTP/2 preface gets no answer.
    eprintln!("case: the HTTP/2 preface");
    let mut stream = server.connect().await;
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_until_closed(&mut stream).await, b"");
}

// ---- graceful shutdown --------------------------------------------------------------------

/// Sends a create-user head with `Expect: 100-continue` and waits for hyper's `100 Continue`,
/// which it sends when the handler starts reading the body: the request is then in flight.
async fn request_in_flight(server: &Server, body: &str) -> TcpStream {
    let mut stream = server.connect().await;
    stream
        .write_all(json_head("POST", "/v1/users", body.len(), &["Expect: 100-continue"]).as_bytes())
        .await
        .unwrap();
    let interim = read_response(&mut stream).await;
    assert_eq!(interim.status, 100, "{interim:?}");
    stream
}

async fn shutdown_finishes_in_flight_requests(backend: Backend) {
    let mut server = Server::start(backend, patient()).await;
    let body = r#"{"email_address":["inflight@example.com"]}"#;
    let mut in_flight = request_in_flight(&server, body).await;
    // An idle keep-alive connection is closed at once.
    let mut idle = server.connect().await;
    idle.write_all(head("GET", "/v1/_ext/ping", true, &[]).as_bytes())
        .await
        .unwrap();
    assert_eq!(read_response(&mut idle).await.status, 200);

    let shutdown = server.begin_shutdown();
    server.wait_until_refusing().await;
    assert_eq!(read_until_closed(&mut idle).await, b"");

    // The in-flight request completes and is answered, then its connection is closed.
    in_flight.write_all(body.as_bytes()).await.unwrap();
    let response = read_response(&mut in_flight).await;
    assert_eq!(response.status, 200, "{:?}", response.json());
    assert_eq!(
        response.json()["email_addresses"][0]["email_address"],
        "inflight@example.com"
    );
    read_until_closed(&mut in_flight).await;
    tokio::time::timeout(EVENTUALLY, shutdown)
        .await
        .expect("shutdown returns once nothing is in flight")
        .unwrap();
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_sqlite() {
    shutdown_finishes_in_flight_requests(Backend::Sqlite).await;
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_postgres() {
    shutdown_finishes_in_flight_requests(Backend::Postgres).await;
}

async fn shutdown_closes_what_outlives_its_deadline(backend: Backend) {
    let mut server = Server::start(
        backend,
        ServingConfig {
            shutdown_timeout: Duration::from_secs(1),
            ..patient()
        },
    )
    .await;
    // A request whose body never comes (the body and request timeouts are 60 s here).
    let mut stuck = request_in_flight(&server, r#"{"email_address":["stuck@example.com"]}"#).await;
    // A connection that never sends its headers.
    let mut silent = server.connect().await;
    silent.write_all(b"GET /v1/_ext/pi").await.unwrap();

    let shutdown = server.begin_shutdown();
    tokio::time::timeout(EVENTUALLY, shutdown)
        .await
        .expect("shutdown returns after its deadline")
        .unwrap();
    read_until_closed(&mut stuck).await;
    read_until_closed(&mut silent).await;
}

#[tokio::test]
async fn shutdown_closes_what_outlives_its_deadline_sqlite() {
    shutdown_closes_what_outlives_its_deadline(Backend::Sqlite).await;
}

#[tokio::test]
async fn shutdown_closes_what_outlives_its_deadline_postgres() {
    shutdown_closes_what_outlives_its_deadline(Backend::Postgres).await;
}
