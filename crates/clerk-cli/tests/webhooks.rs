//! Webhooks as an operator meets them: `clerk serve --webhook` sets an endpoint up at start (once,
//! however often it restarts), a user created through the API reaches a receiver signed as Svix
//! signs it, `clerk webhooks` adds, lists, removes, shows attempts and resends, a failed
//! delivery is retried on `--webhook-retry-schedule` with the same `svix-id`, and a bad
//! `--webhook` stops the start with a clear message.
//!
//! The receiver is a small axum server in the test process. Every "it arrives" is bounded by
//! [`EVENTUALLY`], never timed exactly.

mod common;

use std::collections::VecDeque;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{clerk_bin, stderr, Server, Store, SECRET_KEY};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const EVENTUALLY: Duration = Duration::from_secs(30);
/// `whsec_` and the base64 of 32 bytes: a secret of one's own.
const SECRET: &str = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(json)
        .collect()
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        json(&self.body)
    }

    /// Checks the signature as Svix's libraries do: HMAC-SHA256 keyed with the secret's bytes
    /// over `{id}.{timestamp}.{body}`, `v1,<base64>` among the header's space-separated
    /// signatures.
    #[track_caller]
    fn assert_signed_with(&self, secret: &str) {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        assert!(
            self.signature.split(' ').any(|s| s == expected),
            "svix-signature {:?} has no {expected:?}",
            self.signature
        );
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Statuses to answer, in order; 200 once they run out.
    answers: Mutex<VecDeque<u16>>,
}

/// A webhook receiver on an ephemeral port; stopped when dropped.
struct Receiver {
    url: String,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    /// Answers `answers` in order, then 200.
    fn start(answers: &[u16]) -> Self {
        let shared = Arc::new(Shared {
            answers: Mutex::new(answers.iter().copied().collect()),
            ..Shared::default()
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(shared.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url,
            shared,
            _runtime: runtime,
        }
    }

    /// Waits until `n` requests have arrived; returns them in arrival order.
    #[track_caller]
    fn wait_for(&self, n: usize) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                start.elapsed() < EVENTUALLY,
                "{} of {n} webhook requests arrived: {received:#?}",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    shared.received.lock().unwrap().push(Received {
        id: header("svix-id"),
        timestamp: header("svix-timestamp"),
        signature: header("svix-signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let answer = shared.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(answer).unwrap()
}

/// `clerk users create --email EMAIL --json`: the user's id.
fn create_user(server: &Server, email: &str) -> String {
    let user = json(&server.ok(&["users", "create", "--email", email, "--json"]));
    user["id"].as_str().unwrap().to_owned()
}

/// `clerk webhooks list --json`.
fn endpoints(server: &Server) -> Vec<Value> {
    json_lines(&server.ok(&["webhooks", "list", "--json"]))
}

/// `clerk webhooks attempts ID --json`, once there are `n` (attempts are recorded after the
/// receiver answers, so shortly after it has the request).
#[track_caller]
fn attempts(server: &Server, endpoint: &str, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let attempts = json_lines(&server.ok(&["webhooks", "attempts", endpoint, "--json"]));
        if attempts.len() >= n {
            return attempts;
        }
        assert!(
            start.elapsed() < EVENTUALLY,
            "{} of {n} attempts recorded: {attempts:#?}",
            attempts.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_webhook_sets_the_endpoint_up_once_and_its_messages_are_signed() {
    let receiver = Receiver::start(&[]);
    let flag = format!("{},secret={SECRET},events=user.created", receiver.url);
    let args = ["--webhook", flag.as_str()];
    let server = Server::start_in(tempfile::tempdir().unwrap(), None, &args, &[]);

    let listed = endpoints(&server);
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let endpoint = &listed[0];
    let id = endpoint["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ep_"), "{endpoint}");
    assert_eq!(endpoint["url"], receiver.url.as_str());
    assert_eq!(endpoint["secret"], SECRET);
    assert_eq!(
        endpoint["filter_types"],
        serde_json::json!(["user.created"])
    );
    assert_eq!(endpoint["disabled"], false);
    let table = server.ok(&["webhooks", "list"]);
    assert!(
        table.starts_with("ID") && table.contains(&id) && table.contains("user.created"),
        "{table}"
    );

    let user = create_user(&server, "hooked@example.com");
    let message = receiver.wait_for(1).remove(0);
    assert!(message.id.starts_with("msg_"), "{message:?}");
    assert!(message.timestamp.parse::<i64>().is_ok(), "{message:?}");
    message.assert_signed_with(SECRET);
    let event = message.json();
    assert_eq!(event["type"], "user.created", "{event}");
    assert_eq!(event["object"], "event", "{event}");
    assert_eq!(event["data"]["id"], user.as_str(), "{event}");

    // A restart with the same flag finds the endpoint by its URL: still one, the same.
    let dir = server.stop();
    let server = Server::start_in(dir, None, &args, &[]);
    let relisted = endpoints(&server);
    assert_eq!(relisted.len(), 1, "{relisted:#?}");
    assert_eq!(relisted[0]["id"], id.as_str());
    assert_eq!(relisted[0]["secret"], SECRET);

    // And it still delivers.
    create_user(&server, "after-restart@example.com");
    receiver.wait_for(2)[1].assert_signed_with(SECRET);
}

#[test]
fn clerk_webhooks_holds_several_endpoints_separated_by_semicolons() {
    let env = "http://127.0.0.1:9/a;http://127.0.0.1:9/b,events=user.deleted|user.updated;";
    let server = Server::start_in(
        tempfile::tempdir().unwrap(),
        None,
        &[],
        &[("CLERK_WEBHOOKS", env)],
    );
    let mut listed = endpoints(&server);
    listed.sort_by_key(|e| e["url"].as_str().unwrap().to_owned());
    assert_eq!(listed.len(), 2, "{listed:#?}");
    assert_eq!(listed[0]["url"], "http://127.0.0.1:9/a");
    assert_eq!(listed[0]["filter_types"], Value::Null);
    assert_eq!(
        listed[1]["filter_types"],
        serde_json::json!(["user.deleted", "user.updated"])
    );
    // Generated secrets, each its own.
    for endpoint in &listed {
        assert!(endpoint["secret"].as_str().unwrap().starts_with("whsec_"));
    }
    assert_ne!(listed[0]["secret"], listed[1]["secret"]);
}

#[test]
fn add_list_attempts_resend_rm() {
    let receiver = Receiver::start(&[]);
    let server = Server::start();

    // add: the endpoint in full, its secret included.
    let added = server.ok(&[
        "webhooks",
        "add",
        &receiver.url,
        "--events",
        "user.created,user.deleted",
        "--description",
        "the test's receiver",
    ]);
    let field = |name: &str| -> String {
        added
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name}: {added}"))
            .trim()
            .to_owned()
    };
    let id = field("id");
    let secret = field("secret");
    assert!(id.starts_with("ep_"), "{added}");
    assert!(secret.starts_with("whsec_"), "{added}");
    assert_eq!(field("events"), "user.created,user.deleted");
    assert_eq!(field("status"), "enabled");
    assert_eq!(field("description"), "the test's receiver");
    // A second one, disabled, with a secret of its own, as JSON.
    let other = json(&server.ok(&[
        "webhooks",
        "add",
        "http://127.0.0.1:9/unused",
        "--secret",
        SECRET,
        "--disabled",
        "--json",
    ]));
    let other_id = other["id"].as_str().unwrap().to_owned();
    assert_eq!(other["secret"], SECRET);
    assert_eq!(other["disabled"], true);
    assert_eq!(other["filter_types"], Value::Null);

    // list: a table with a header, the columns lined up; JSON lines.
    let table = server.ok(&["webhooks", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    // Oldest first; the secret is the last column.
    let secret_column = lines[0].find("SECRET").expect("a SECRET column");
    assert_eq!(&lines[1][secret_column..], secret, "{table}");
    assert_eq!(&lines[2][secret_column..], SECRET, "{table}");
    assert!(
        table.contains("disabled") && table.contains("enabled"),
        "{table}"
    );
    assert!(
        table.contains("all"),
        "events of an endpoint without a filter: {table}"
    );
    let listed = endpoints(&server);
    assert_eq!(listed.len(), 2, "{listed:#?}");

    // A user created through the API reaches the enabled endpoint only.
    let user = create_user(&server, "roundtrip@example.com");
    let first = receiver.wait_for(1).remove(0);
    first.assert_signed_with(&secret);
    assert_eq!(first.json()["data"]["id"], user.as_str());

    // attempts: the delivery, as a table and as JSON.
    let recorded = attempts(&server, &id, 1);
    assert_eq!(recorded.len(), 1, "{recorded:#?}");
    let attempt = &recorded[0];
    assert_eq!(attempt["message_id"], first.id.as_str());
    assert_eq!(attempt["event_type"], "user.created");
    assert_eq!(attempt["status"], "succeeded");
    assert_eq!(attempt["response_status_code"], 200);
    assert_eq!(attempt["delivery_status"], "succeeded");
    let table = server.ok(&["webhooks", "attempts", &id]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(
        lines[0].starts_with("STARTED") && lines[0].contains("MESSAGE"),
        "{table}"
    );
    assert!(
        lines[1].contains(&first.id) && lines[1].contains("succeeded") && lines[1].contains("200"),
        "{table}"
    );
    assert!(json_lines(&server.ok(&["webhooks", "attempts", &other_id, "--json"])).is_empty());

    // resend: the same message again, same svix-id, to the one endpoint it went to.
    let resent = server.ok(&["webhooks", "resend", &first.id]);
    assert_eq!(
        resent.trim(),
        format!("resent {} (user.created) to 1 endpoint", first.id)
    );
    let again = receiver.wait_for(2)[1].clone();
    assert_eq!(again.id, first.id);
    assert_eq!(again.body, first.body);
    again.assert_signed_with(&secret);
    assert_eq!(attempts(&server, &id, 2).len(), 2);
    let limited = json_lines(&server.ok(&["webhooks", "attempts", &id, "--limit", "1", "--json"]));
    assert_eq!(limited.len(), 1);

    // rm: both, then nothing is left; an unknown id is Clerk's 404.
    let removed = server.ok(&["webhooks", "rm", &id, &other_id]);
    assert_eq!(removed, format!("deleted {id}\ndeleted {other_id}\n"));
    assert!(endpoints(&server).is_empty());
    assert_eq!(
        server.ok(&["webhooks", "list"]).trim(),
        "ID  URL  EVENTS  STATUS  SECRET"
    );
    let output = server.clerk(&["webhooks", "rm", &id]);
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(
        log.starts_with("error: ") && log.contains("404") && log.contains("resource_not_found"),
        "{log}"
    );
    assert!(log.contains(&id), "{log}");

    // The server's validation, told as the other commands tell it.
    let output = server.clerk(&["webhooks", "add", "ftp://127.0.0.1/hook"]);
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(
        log.contains("422") && log.contains("form_param_value_invalid") && log.contains("url"),
        "{log}"
    );
    let output = server.clerk(&["webhooks", "resend", "msg_unknown"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("resource_not_found"),
        "{}",
        stderr(&output)
    );
}

/// Against a server without the webhook routes (Clerk itself), the command says so.
#[test]
fn a_server_without_webhook_routes_is_named_as_such() {
    let server = Server::start();
    let output = server
        .command(&["webhooks", "list"])
        .env("CLERK_API_URL", format!("{}/nowhere", server.url))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(
        log.contains("no webhook routes") && log.contains("404"),
        "{log}"
    );
}

#[test]
fn verbose_shows_requests_without_the_key() {
    let server = Server::start();
    let output = server.clerk(&["webhooks", "list", "--verbose"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains("GET") && log.contains("/_ext/webhooks/endpoints"),
        "{log}"
    );
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains(SECRET_KEY), "{log}");
}

fn a_failed_delivery_is_retried_with_the_same_svix_id(store: Store) {
    let receiver = Receiver::start(&[500]);
    let (server, _database) = common::serve_on(
        store,
        "webhooks",
        &["--webhook", &receiver.url, "--webhook-retry-schedule", "1s"],
    );
    let endpoint = endpoints(&server).remove(0);
    let secret = endpoint["secret"].as_str().unwrap();
    let id = endpoint["id"].as_str().unwrap();

    let user = create_user(&server, "retried@example.com");
    let both = receiver.wait_for(2);
    let (first, second) = (&both[0], &both[1]);
    assert_eq!(first.id, second.id, "a retry is the same message");
    assert_eq!(first.body, second.body);
    assert_eq!(first.json()["data"]["id"], user.as_str());
    first.assert_signed_with(secret);
    second.assert_signed_with(secret);

    // Newest first: the success, then the 500, the delivery done.
    let recorded = attempts(&server, id, 2);
    let mut recorded = recorded.into_iter();
    let (newest, oldest) = (recorded.next().unwrap(), recorded.next().unwrap());
    assert_eq!(
        (&newest["status"], &newest["response_status_code"]),
        (&Value::from("succeeded"), &Value::from(200)),
        "{newest}"
    );
    assert_eq!(
        (&oldest["status"], &oldest["response_status_code"]),
        (&Value::from("failed"), &Value::from(500)),
        "{oldest}"
    );
    assert_eq!(newest["delivery_status"], "succeeded");
    assert!(
        oldest["finished_at"].as_i64().unwrap() + 1000 <= newest["started_at"].as_i64().unwrap(),
        "the retry waited out the schedule's 1 s: {oldest} {newest}"
    );
    // Nothing more comes: the delivery is done.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(receiver.received().len(), 2);
}

#[test]
fn a_failed_delivery_is_retried_with_the_same_svix_id_on_sqlite() {
    a_failed_delivery_is_retried_with_the_same_svix_id(Store::Sqlite);
}

#[test]
fn a_failed_delivery_is_retried_with_the_same_svix_id_on_postgres() {
    a_failed_delivery_is_retried_with_the_same_svix_id(Store::Postgres);
}

#[test]
fn a_bad_webhook_flag_stops_the_start_with_a_clear_message() {
    let secret = "whsec_c2hvcnQ="; // 5 bytes: too short
    for (value, says) in [
        ("ftp://127.0.0.1/hook", "http or https URL"),
        (
            &format!("http://127.0.0.1:9/hook,secret={secret}") as &str,
            "secret= must be whsec_",
        ),
        (
            "http://127.0.0.1:9/hook,events=created",
            "events= must list event types",
        ),
        ("http://127.0.0.1:9/hook,retries=3", "unknown part"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(clerk_bin())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--secret-key",
                SECRET_KEY,
            ])
            .arg("--database-url")
            .arg(format!("sqlite://{}", dir.path().join("x.db").display()))
            .args(["--webhook", value])
            .env_remove("CLERK_WEBHOOKS")
            .env_remove("DATABASE_URL")
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > EVENTUALLY {
                let _ = child.kill();
                panic!("clerk serve --webhook {value} started");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        let log = stderr(&output);
        let printed = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{value}: {log}");
        assert!(!printed.contains("listening on"), "{value}: {printed}");
        assert!(
            log.starts_with("error: --webhook / CLERK_WEBHOOKS") && log.contains(says),
            "{value}: {log}"
        );
        assert!(!log.contains(secret), "the secret is not repeated: {log}");
    }

    // A retry schedule, timeout or retention that does not parse is refused by the flag parser.
    for (flag, value, says) in [
        ("--webhook-retry-schedule", "1s,soon", "5s,5m,30m"),
        ("--webhook-timeout", "0s", "must be longer than 0"),
        ("--webhook-retention", "30", "10s"),
    ] {
        let output = Command::new(clerk_bin())
            .args(["serve", "--listen", "127.0.0.1:0", flag, value])
            .env("CLERK_SECRET_KEY", SECRET_KEY)
            .output()
            .unwrap();
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {log}");
        assert!(
            log.contains(flag) && log.contains(says),
            "{flag} {value}: {log}"
        );
    }
}
