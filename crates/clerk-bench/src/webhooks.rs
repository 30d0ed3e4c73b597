//! The `webhooks` scenario: what webhook delivery costs the write path, and how fast and how
//! faithfully events reach an endpoint.
//!
//! A receiver runs in this process (axum on 127.0.0.1, its own thread and runtime so the load
//! this process generates does not delay it) and answers 200 at once; for every message it
//! records when it arrived, the event's `timestamp` (written in the change's transaction), the
//! `svix-id`, and whether the `svix-signature` checks out with the endpoint's secret. Each
//! endpoint registered gets its own path, `/hook/{phase}`, so each phase counts its own
//! messages.
//!
//! 1. Write-path overhead: `POST /users` (no password) for `--seconds`, at `--concurrency`, with
//!    no endpoint, then with one endpoint (the receiver) — alternately, `--rounds` times each,
//!    so drift on a shared machine falls on both sides. After each round with the endpoint, all
//!    its events must arrive (the backlog left when the load stopped is recorded), then the
//!    endpoint is deleted. The same for `PATCH /users/{id}/metadata` (`user.updated`).
//! 2. Delivery: one endpoint, `--events` users created at `--concurrency`, then a wait until
//!    every `user.created` arrived: events/s from the first event's timestamp to the last
//!    arrival, and commit-to-delivery latency (arrival − event timestamp). Then a tenth as many
//!    at one connection: the latency when the worker does not compete with a write load.
//!
//! Every result is a JSON line. Events that never arrive (within `--deadline` after the load)
//! are counted as `missing`; `clerk-bench report --check` fails on them, and this command exits
//! non-zero after printing everything.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use clerk_server::crypto::webhook_signing::WebhookSecret;
use serde_json::{json, Value};

/// What `clerk-bench webhooks` is told.
#[derive(clap::Args)]
pub struct Options {
    /// The server, e.g. http://127.0.0.1:18089
    #[arg(long)]
    pub base: String,
    /// The server's secret key.
    #[arg(long)]
    pub key: String,
    /// Users created (and `user.created` events awaited) in the delivery phase.
    #[arg(long, default_value_t = 10_000)]
    pub events: u64,
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Length of each round with and without an endpoint.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Rounds of each (without, with an endpoint), alternately.
    #[arg(long, default_value_t = 2)]
    pub rounds: u32,
    /// Seconds to wait for the last events once the load stopped.
    #[arg(long, default_value_t = 120.0)]
    pub deadline: f64,
    /// The `users.txt` sample file of the loaded data set (the users PATCHed).
    #[arg(long)]
    pub ids: PathBuf,
    /// Makes created users' emails unique across runs.
    #[arg(long, default_value = "0")]
    pub run_id: String,
    /// Write every message's arrival here (TSV: phase, svix-id, event timestamp in ms,
    /// arrival in µs), for a closer look.
    #[arg(long)]
    pub dump: Option<PathBuf>,
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_micros() as i64
}

// ---------------------------------------------------------------------------------------------
// The receiver

/// One message as it arrived.
struct Arrival {
    svix_id: String,
    /// The event's `timestamp` (ms), set when the server wrote it to the outbox.
    event_ms: i64,
    arrived_us: i64,
}

#[derive(Default)]
struct Inbox {
    secret: Option<WebhookSecret>,
    arrivals: Vec<Arrival>,
    ids: HashSet<String>,
    duplicates: u64,
    /// Missing or wrong signature, a timestamp more than 5 minutes off, or a body without a
    /// `timestamp`.
    bad: u64,
}

type Inboxes = Arc<Mutex<HashMap<String, Inbox>>>;

struct Receiver {
    port: u16,
    inboxes: Inboxes,
}

impl Receiver {
    /// Binds 127.0.0.1 on a free port and serves on a thread of its own (never stopped: it
    /// ends with the process).
    fn start() -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let inboxes = Inboxes::default();
        let app = Router::new()
            .route("/hook/{phase}", post(receive))
            .with_state(inboxes.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("webhook-receiver".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("a bound listener registers");
                    if let Err(e) = axum::serve(listener, app).await {
                        eprintln!("bench: the webhook receiver stopped: {e}");
                    }
                });
            })?;
        Ok(Self { port, inboxes })
    }

    fn url(&self, phase: &str) -> String {
        format!("http://127.0.0.1:{}/hook/{phase}", self.port)
    }

    fn expect(&self, phase: &str, secret: WebhookSecret) {
        self.inboxes
            .lock()
            .expect("inbox lock")
            .entry(phase.to_owned())
            .or_default()
            .secret = Some(secret);
    }

    /// Distinct messages received so far on `phase`.
    fn distinct(&self, phase: &str) -> u64 {
        self.inboxes
            .lock()
            .expect("inbox lock")
            .get(phase)
            .map_or(0, |inbox| inbox.ids.len() as u64)
    }

    /// Waits until `expected` distinct messages arrived on `phase`, or `deadline`.
    async fn wait_for(&self, phase: &str, expected: u64, deadline: Instant) -> u64 {
        loop {
            let got = self.distinct(phase);
            if got >= expected || Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn dump(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(out, "phase\tsvix_id\tevent_ms\tarrived_us")?;
        for (phase, inbox) in self.inboxes.lock().expect("inbox lock").iter() {
            for a in &inbox.arrivals {
                writeln!(
                    out,
                    "{phase}\t{}\t{}\t{}",
                    a.svix_id, a.event_ms, a.arrived_us
                )?;
            }
        }
        out.flush()
    }

    fn stats(&self, phase: &str, expected: u64) -> DeliveryStats {
        let inboxes = self.inboxes.lock().expect("inbox lock");
        let Some(inbox) = inboxes.get(phase) else {
            return DeliveryStats {
                expected,
                ..DeliveryStats::default()
            };
        };
        // First arrival of each message only: a duplicate's lateness is not delivery latency.
        let mut seen = HashSet::new();
        let mut latencies_ms: Vec<f64> = Vec::with_capacity(inbox.arrivals.len());
        let mut first_event_ms = i64::MAX;
        let mut last_arrival_us = i64::MIN;
        for a in &inbox.arrivals {
            if !seen.insert(a.svix_id.as_str()) {
                continue;
            }
            latencies_ms.push(a.arrived_us as f64 / 1000.0 - a.event_ms as f64);
            first_event_ms = first_event_ms.min(a.event_ms);
            last_arrival_us = last_arrival_us.max(a.arrived_us);
        }
        latencies_ms.sort_by(f64::total_cmp);
        let delivered = inbox.ids.len() as u64;
        DeliveryStats {
            expected,
            delivered,
            duplicates: inbox.duplicates,
            bad: inbox.bad,
            first_event_ms: (delivered > 0).then_some(first_event_ms),
            last_arrival_us: (delivered > 0).then_some(last_arrival_us),
            p50_ms: percentile(&latencies_ms, 0.50),
            p99_ms: percentile(&latencies_ms, 0.99),
            max_ms: latencies_ms.last().copied(),
        }
    }
}

async fn receive(
    State(inboxes): State<Inboxes>,
    Path(phase): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let arrived_us = now_us();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let svix_id = header("svix-id").unwrap_or_default().to_owned();
    let timestamp: Option<i64> = header("svix-timestamp").and_then(|t| t.parse().ok());
    let signatures = header("svix-signature").unwrap_or_default().to_owned();
    let event_ms = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["timestamp"].as_i64());
    let secret = inboxes
        .lock()
        .expect("inbox lock")
        .get(&phase)
        .and_then(|inbox| inbox.secret.clone());
    let signed = match (secret, timestamp) {
        (Some(secret), Some(ts)) => {
            let expected = secret.sign(&svix_id, ts, &body);
            (ts - arrived_us / 1_000_000).abs() <= 300
                && signatures.split(' ').any(|s| s == expected)
        }
        _ => false,
    };
    let mut inboxes = inboxes.lock().expect("inbox lock");
    let inbox = inboxes.entry(phase).or_default();
    if !signed || event_ms.is_none() {
        inbox.bad += 1;
    }
    if !inbox.ids.insert(svix_id.clone()) {
        inbox.duplicates += 1;
    }
    inbox.arrivals.push(Arrival {
        svix_id,
        event_ms: event_ms.unwrap_or(0),
        arrived_us,
    });
    StatusCode::OK
}

#[derive(Default)]
struct DeliveryStats {
    /// Successful writes, i.e. events committed.
    expected: u64,
    /// Distinct messages received.
    delivered: u64,
    duplicates: u64,
    bad: u64,
    first_event_ms: Option<i64>,
    last_arrival_us: Option<i64>,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_ms: Option<f64>,
}

impl DeliveryStats {
    fn missing(&self) -> u64 {
        self.expected.saturating_sub(self.delivered)
    }

    /// First commit to last arrival.
    fn span_seconds(&self) -> Option<f64> {
        Some((self.last_arrival_us? as f64 / 1000.0 - self.first_event_ms? as f64) / 1000.0)
    }

    fn json(&self) -> Value {
        json!({
            "events": self.expected,
            "delivered": self.delivered,
            "missing": self.missing(),
            "duplicates": self.duplicates,
            "bad_signatures": self.bad,
            "delivery_p50_ms": self.p50_ms,
            "delivery_p99_ms": self.p99_ms,
            "delivery_max_ms": self.max_ms,
        })
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

// ---------------------------------------------------------------------------------------------
// The load

/// What a load run did, in the shape of a wrk result line.
#[derive(Default)]
struct Load {
    requests: u64,
    /// 2xx answers: the writes that committed.
    ok: u64,
    non2xx: u64,
    socket_errors: u64,
    seconds: f64,
    latencies_ms: Vec<f64>,
    /// When the load started and its last request finished (µs since the epoch).
    started_us: i64,
    ended_us: i64,
    first_failure: Option<String>,
}

impl Load {
    fn add(&mut self, other: Load) {
        self.requests += other.requests;
        self.ok += other.ok;
        self.non2xx += other.non2xx;
        self.socket_errors += other.socket_errors;
        self.seconds += other.seconds;
        self.latencies_ms.extend(other.latencies_ms);
        if self.started_us == 0 {
            self.started_us = other.started_us;
        }
        self.ended_us = self.ended_us.max(other.ended_us);
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }

    fn rps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// `{label}: … req/s, {start}–{end}` (Unix seconds: to line up with other measurements).
    fn describe(&self, label: &str) -> String {
        format!(
            "{label}: {:.0} req/s, {:.3}–{:.3}",
            self.rps(),
            self.started_us as f64 / 1e6,
            self.ended_us as f64 / 1e6
        )
    }

    fn json(&mut self, scenario: &str) -> Value {
        self.latencies_ms.sort_by(f64::total_cmp);
        let l = &self.latencies_ms;
        json!({
            "scenario": scenario,
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": self.rps(),
            "p50_ms": percentile(l, 0.50),
            "p90_ms": percentile(l, 0.90),
            "p99_ms": percentile(l, 0.99),
            "max_ms": l.last(),
            "non2xx": self.non2xx,
            "socket_errors": self.socket_errors,
        })
    }
}

/// How long a load runs.
#[derive(Clone, Copy)]
enum Until {
    Elapsed(Duration),
    Requests(u64),
}

type MakeRequest = Arc<dyn Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync>;

/// `concurrency` connections each sending one request after another (as wrk does) until
/// `until`; request `i` is `make(i)`.
async fn drive(
    client: &reqwest::Client,
    concurrency: usize,
    until: Until,
    make: MakeRequest,
) -> anyhow::Result<Load> {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let started_us = now_us();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, next, make) = (client.clone(), next.clone(), make.clone());
            tokio::spawn(async move {
                let mut load = Load::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    match until {
                        Until::Requests(n) if i >= n => break,
                        Until::Elapsed(d) if started.elapsed() >= d => break,
                        _ => {}
                    }
                    let t = Instant::now();
                    let failure = match make(&client, i).send().await {
                        Ok(response) => {
                            let status = response.status();
                            let body = response.bytes().await;
                            match body {
                                Ok(_) if status.is_success() => None,
                                Ok(body) => {
                                    load.non2xx += 1;
                                    Some(format!("{status}: {}", String::from_utf8_lossy(&body)))
                                }
                                Err(e) => {
                                    load.socket_errors += 1;
                                    Some(e.to_string())
                                }
                            }
                        }
                        Err(e) => {
                            load.socket_errors += 1;
                            Some(e.to_string())
                        }
                    };
                    load.requests += 1;
                    load.latencies_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    match failure {
                        None => load.ok += 1,
                        Some(f) => {
                            load.first_failure.get_or_insert(f);
                        }
                    }
                }
                load.ended_us = now_us();
                load
            })
        })
        .collect();
    let mut total = Load::default();
    for task in tasks {
        total.add(task.await?);
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.started_us = started_us;
    if let Some(f) = &total.first_failure {
        eprintln!("bench: webhooks: a request failed: {f}");
    }
    Ok(total)
}

// ---------------------------------------------------------------------------------------------
// The scenario

struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}/v1{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        ensure!(status.is_success(), "{method} {path}: {status}: {text}");
        serde_json::from_str(&text).with_context(|| format!("{method} {path}: {text}"))
    }

    /// Registers `url` as an endpoint; its id and secret.
    async fn add_endpoint(&self, url: &str) -> anyhow::Result<(String, WebhookSecret)> {
        let made = self
            .call(
                reqwest::Method::POST,
                "/_ext/webhooks/endpoints",
                Some(json!({ "url": url })),
            )
            .await?;
        let id = made["id"]
            .as_str()
            .context("endpoint without id")?
            .to_owned();
        let secret = made["secret"].as_str().context("endpoint without secret")?;
        let secret = WebhookSecret::parse(secret).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((id, secret))
    }

    /// Waits until the worker recorded `attempts` attempts for the endpoint (it records an
    /// attempt after the receiver answered), then deletes it. A delete that fails is tried
    /// again (and said so): on PostgreSQL it can deadlock with the worker's recording.
    async fn delete_endpoint(
        &self,
        id: &str,
        attempts: u64,
        deadline: Instant,
    ) -> anyhow::Result<()> {
        let attempts_path = format!("/_ext/webhooks/endpoints/{id}/attempts?limit=1");
        loop {
            let recorded = self
                .call(reqwest::Method::GET, &attempts_path, None)
                .await?["total_count"]
                .as_u64()
                .unwrap_or(0);
            if recorded >= attempts {
                break;
            }
            if Instant::now() >= deadline {
                eprintln!(
                    "bench: webhooks: {recorded} attempts of {attempts} recorded for endpoint {id}; deleting it anyway"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let path = format!("/_ext/webhooks/endpoints/{id}");
        for tries in 1.. {
            match self.call(reqwest::Method::DELETE, &path, None).await {
                Ok(_) => break,
                Err(e) if tries < 5 => {
                    eprintln!("bench: webhooks: DELETE {path} failed, trying again: {e:#}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .bearer_auth(&self.key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
    }
}

/// `POST /users` without a password, as wrk's `create_user`.
fn creates(api: &Arc<Api>, run_id: &str, label: &str) -> MakeRequest {
    let api = api.clone();
    let prefix = format!("bench-{run_id}-{label}");
    Arc::new(move |client: &reqwest::Client, i: u64| {
        let body = format!(
            r#"{{"email_address":["{prefix}-{i}@bench.example"],"first_name":"Bench","last_name":"Created"}}"#
        );
        api.authorized(client.post(format!("{}/v1/users", api.base)))
            .body(body)
    })
}

/// `PATCH /users/{id}/metadata` of sample users, as wrk's `metadata_patch`: every patch
/// changes the public metadata, so each is a `user.updated`.
fn patches(api: &Arc<Api>, ids: &Arc<Vec<String>>, salt: u64) -> MakeRequest {
    let (api, ids) = (api.clone(), ids.clone());
    Arc::new(move |client: &reqwest::Client, i: u64| {
        // Spread over the samples (Knuth's multiplicative hash), not in order.
        let n = i.wrapping_add(salt).wrapping_mul(2_654_435_761);
        let id = &ids[(n % ids.len() as u64) as usize];
        let body = format!(
            r#"{{"public_metadata":{{"bench":{{"n":{i},"round":{salt}}}}},"private_metadata":{{"touched":true}}}}"#
        );
        api.authorized(client.patch(format!("{}/v1/users/{id}/metadata", api.base)))
            .body(body)
    })
}

/// Runs the scenario and prints its result lines; an error if some event never arrived.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let ids: Vec<String> = std::fs::read_to_string(&opts.ids)
        .with_context(|| format!("reading {}", opts.ids.display()))?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    ensure!(!ids.is_empty(), "no ids in {}", opts.ids.display());
    let ids = Arc::new(ids);
    let receiver = Receiver::start()?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .timeout(Duration::from_secs(60))
        .build()?;
    let api = Arc::new(Api {
        client: client.clone(),
        base: opts.base.trim_end_matches('/').to_owned(),
        key: opts.key.clone(),
    });
    let existing = api
        .call(reqwest::Method::GET, "/_ext/webhooks/endpoints", None)
        .await?;
    let existing = existing["total_count"]
        .as_u64()
        .or_else(|| existing["data"].as_array().map(|d| d.len() as u64));
    ensure!(
        existing == Some(0),
        "the server has webhook endpoints already ({existing:?}): the rounds without one would have one"
    );

    let round = Duration::from_secs_f64(opts.seconds);
    let deadline = Duration::from_secs_f64(opts.deadline);
    let mut missing = 0;
    for kind in ["create", "patch"] {
        let (mut off, mut on) = (Load::default(), Load::default());
        let mut delivered = RoundsDelivered::default();
        for r in 0..opts.rounds {
            let make = |label: &str, salt: u64| match kind {
                "create" => creates(&api, &opts.run_id, label),
                _ => patches(&api, &ids, salt),
            };
            let label = format!("wh-{kind}-off-{r}");
            let load = drive(
                &client,
                opts.concurrency,
                Until::Elapsed(round),
                make(&label, 2 * u64::from(r)),
            )
            .await?;
            eprintln!("bench: webhooks: {}", load.describe(&label));
            off.add(load);

            let label = format!("wh-{kind}-on-{r}");
            let (endpoint, secret) = api.add_endpoint(&receiver.url(&label)).await?;
            receiver.expect(&label, secret);
            let load = drive(
                &client,
                opts.concurrency,
                Until::Elapsed(round),
                make(&label, 2 * u64::from(r) + 1),
            )
            .await?;
            let backlog = load.ok.saturating_sub(receiver.distinct(&label));
            receiver
                .wait_for(&label, load.ok, Instant::now() + deadline)
                .await;
            let stats = receiver.stats(&label, load.ok);
            api.delete_endpoint(&endpoint, stats.delivered, Instant::now() + deadline)
                .await?;
            let drain = stats
                .last_arrival_us
                .map_or(0.0, |last| (last - load.ended_us).max(0) as f64 / 1e6);
            eprintln!(
                "bench: webhooks: {}; {backlog} of {} events not delivered yet when the load stopped, the last {drain:.2} s after",
                load.describe(&label),
                load.ok,
            );
            if stats.missing() > 0 {
                eprintln!(
                    "bench: webhooks: {} of {} events of {label} never arrived within {:.0} s",
                    stats.missing(),
                    stats.expected,
                    opts.deadline
                );
            }
            delivered.add(&stats, backlog, drain);
            on.add(load);
        }
        println!("{}", off.json(&format!("wh_{kind}_off")));
        let mut line = on.json(&format!("wh_{kind}_on"));
        merge(&mut line, delivered.json());
        println!("{line}");
        missing += delivered.missing;
    }

    // Delivery: a fixed number of events, all awaited; then a tenth as many, one request at a
    // time, for the latency of a worker that is not competing with a write load.
    for (label, events, concurrency) in [
        ("wh-delivery", opts.events, opts.concurrency),
        ("wh-delivery-c1", (opts.events / 10).max(1), 1),
    ] {
        missing += delivery(&api, &receiver, &opts, label, events, concurrency).await?;
    }
    if let Some(path) = &opts.dump {
        receiver.dump(path)?;
    }
    if missing > 0 {
        bail!("{missing} webhook events never arrived");
    }
    Ok(())
}

/// Creates `events` users at `concurrency` with one endpoint, awaits every `user.created` and
/// prints the result line; the number of events that never arrived.
async fn delivery(
    api: &Arc<Api>,
    receiver: &Receiver,
    opts: &Options,
    label: &str,
    events: u64,
    concurrency: usize,
) -> anyhow::Result<u64> {
    let deadline = Duration::from_secs_f64(opts.deadline);
    let (endpoint, secret) = api.add_endpoint(&receiver.url(label)).await?;
    receiver.expect(label, secret);
    let mut load = drive(
        &api.client,
        concurrency,
        Until::Requests(events),
        creates(api, &opts.run_id, label),
    )
    .await?;
    let backlog = load.ok.saturating_sub(receiver.distinct(label));
    receiver
        .wait_for(label, load.ok, Instant::now() + deadline)
        .await;
    // Late duplicates, if any, have a moment to show.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = receiver.stats(label, load.ok);
    api.delete_endpoint(&endpoint, stats.delivered, Instant::now() + deadline)
        .await?;
    let mut line = stats.json();
    let span = stats.span_seconds();
    let drain = stats
        .last_arrival_us
        .map(|last| (last - load.ended_us).max(0) as f64 / 1e6);
    eprintln!(
        "bench: webhooks: {}; {backlog} of {} events not delivered yet when the load stopped",
        load.describe(label),
        load.ok,
    );
    let create = load.json("");
    merge(
        &mut line,
        json!({
            "scenario": label.replace('-', "_"),
            "connections": concurrency,
            "requests": load.requests,
            "non2xx": load.non2xx,
            "socket_errors": load.socket_errors,
            "create_rps": load.rps(),
            "create_p50_ms": create["p50_ms"],
            "create_p99_ms": create["p99_ms"],
            "seconds": span,
            "events_per_s": span.map(|s| stats.delivered as f64 / s),
            "backlog_at_stop": backlog,
            "drain_s": drain,
        }),
    );
    println!("{line}");
    if stats.missing() > 0 {
        eprintln!(
            "bench: webhooks: {label}: {} of {} user.created events never arrived within {:.0} s of the last create",
            stats.missing(),
            stats.expected,
            opts.deadline
        );
    }
    if stats.expected < events {
        eprintln!(
            "bench: webhooks: {label}: only {} of {events} creates succeeded",
            stats.expected
        );
    }
    Ok(stats.missing())
}

/// The deliveries of the rounds with an endpoint, taken together.
#[derive(Default)]
struct RoundsDelivered {
    events: u64,
    delivered: u64,
    missing: u64,
    duplicates: u64,
    bad: u64,
    /// Events committed but not delivered yet when a round's load stopped.
    backlog: u64,
    /// The longest time from a round's last answer to its last delivery.
    drain_s: f64,
    /// The worst round's commit-to-delivery p99.
    p99_ms: f64,
}

impl RoundsDelivered {
    fn add(&mut self, stats: &DeliveryStats, backlog: u64, drain_s: f64) {
        self.events += stats.expected;
        self.delivered += stats.delivered;
        self.missing += stats.missing();
        self.duplicates += stats.duplicates;
        self.bad += stats.bad;
        self.backlog += backlog;
        self.drain_s = self.drain_s.max(drain_s);
        self.p99_ms = self.p99_ms.max(stats.p99_ms.unwrap_or(0.0));
    }

    fn json(&self) -> Value {
        json!({
            "events": self.events,
            "delivered": self.delivered,
            "missing": self.missing,
            "duplicates": self.duplicates,
            "bad_signatures": self.bad,
            "backlog_at_stop": self.backlog,
            "drain_s": self.drain_s,
            "delivery_p99_ms": self.p99_ms,
        })
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.50), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile(&v[..1], 0.99), Some(1.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    /// The receiver counts each message once, a repeat as a duplicate, and checks the
    /// signature with the endpoint's secret.
    #[tokio::test]
    async fn the_receiver_counts_duplicates_and_bad_signatures() {
        let receiver = Receiver::start().unwrap();
        let secret = WebhookSecret::generate();
        receiver.expect("t", secret.clone());
        let client = reqwest::Client::new();
        let now = now_us() / 1000;
        let body = format!(r#"{{"data":{{}},"type":"user.created","timestamp":{now}}}"#);
        let ts = now / 1000;
        let send = |id: &'static str, signature: String| {
            client
                .post(receiver.url("t"))
                .header("svix-id", id)
                .header("svix-timestamp", ts.to_string())
                .header("svix-signature", signature)
                .body(body.clone())
                .send()
        };
        let good = secret.sign("msg_1", ts, body.as_bytes());
        for (id, signature) in [
            ("msg_1", format!("v1,bogus {good}")),
            ("msg_1", good.clone()),
            ("msg_2", "v1,bogus".to_owned()),
        ] {
            assert_eq!(send(id, signature).await.unwrap().status(), 200);
        }
        let stats = receiver.stats("t", 2);
        assert_eq!((stats.delivered, stats.duplicates, stats.bad), (2, 1, 1));
        assert_eq!(stats.missing(), 0);
        assert!(stats.p50_ms.unwrap() >= 0.0);
    }
}
