//! The delivery loop: record what finished, claim what is due, start its attempts, wait.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::attempt::{self, Job};
use super::WebhookConfig;
use crate::domain::webhook_endpoints::signing_secrets;
use crate::store::webhooks::deliveries::{self, AttemptRecord};
use crate::store::webhooks::endpoints;
use crate::store::{now_ms, DbResult, Store, DELIVERY_CHANNEL};
use crate::{ids, AppState};

/// Attempts under way at once, per process.
const MAX_IN_FLIGHT: usize = 64;
/// Longest wait between two looks at the outbox: retries fall due and dead nodes' claims
/// expire without anyone being notified.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Wait after the database failed, before trying again.
const ERROR_PAUSE: Duration = Duration::from_secs(1);
/// How often old messages are pruned, and how many go per transaction.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
const PRUNE_BATCH: i64 = 1000;

pub struct Worker {
    app: AppState,
    client: reqwest::Client,
    retry_schedule: Vec<Duration>,
    /// How long a claim holds: past it, a node that died mid-attempt is presumed dead and
    /// another node (or this one, restarted) makes the attempt. Longer than an attempt can
    /// take, so a live node's attempt is never made twice at once.
    lease: Duration,
    signal: Arc<Notify>,
    retention: Duration,
    /// Claims are `{node}:{n}`: this process's id, and a count.
    node: String,
    claims: AtomicU64,
}

impl Worker {
    pub fn new(app: AppState, config: &WebhookConfig) -> Self {
        let client = reqwest::Client::builder()
            // A redirect is a failed attempt, as with Svix: the endpoint's URL is the one
            // configured, and the signed message goes nowhere else.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .user_agent(concat!(
                "Svix-Webhooks/1.0 (clerk-server ",
                env!("CARGO_PKG_VERSION"),
                ")"
            ))
            .build()
            .expect("a default HTTP client builds");
        Self {
            signal: app.store.delivery_signal(),
            app,
            client,
            retry_schedule: config.retry_schedule.clone(),
            lease: config.timeout * 2 + Duration::from_secs(5),
            retention: config.retention,
            node: ids::new_id("node"),
            claims: AtomicU64::new(0),
        }
    }

    fn store(&self) -> &Store {
        &self.app.store
    }

    /// Delivers until `stop` says so (or its sender is gone).
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        // In a set, so that it is aborted however this run ends, a panic included.
        let mut listener = JoinSet::new();
        if let Some(pool) = self.store().postgres_pool().cloned() {
            listener.spawn(listen(pool, self.signal.clone()));
        }
        let mut in_flight: JoinSet<AttemptRecord> = JoinSet::new();
        let mut finished: Vec<AttemptRecord> = Vec::new();
        let mut next_prune = Instant::now();
        loop {
            while let Some(done) = in_flight.try_join_next() {
                finished.extend(done.ok());
            }
            // A claim never returns more than asked for; saturating all the same.
            let free = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
            let mut full_batch = false;
            if free > 0 || !finished.is_empty() {
                let exchanged = self.exchange(&finished, free).await;
                finished.clear();
                match exchanged {
                    Ok(jobs) => {
                        full_batch = free > 0 && jobs.len() == free;
                        for job in jobs {
                            let worker = self.clone();
                            in_flight.spawn(async move {
                                attempt::run(&worker.client, job, &worker.retry_schedule).await
                            });
                        }
                    }
                    Err(e) => {
                        // Unrecorded attempts are made again once their claims run out: at
                        // least once.
                        tracing::error!(error = %e, "cannot record or claim webhook deliveries");
                        tokio::select! {
                            _ = tokio::time::sleep(ERROR_PAUSE) => continue,
                            _ = stopped(&mut stop) => break,
                        }
                    }
                }
            }
            if full_batch {
                continue; // more may be due
            }
            if Instant::now() >= next_prune {
                next_prune = match self.prune().await {
                    Ok(deleted) if deleted as i64 == PRUNE_BATCH => Instant::now(), // more to go
                    Ok(_) => Instant::now() + PRUNE_EVERY,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot prune old webhook messages");
                        Instant::now() + PRUNE_EVERY
                    }
                };
            }
            let wake_at = self.next_wake().await;
            tokio::select! {
                Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                    finished.extend(done.ok());
                }
                _ = self.signal.notified() => {}
                _ = tokio::time::sleep_until(wake_at) => {}
                _ = stopped(&mut stop) => break,
            }
        }
        listener.abort_all();
        // Attempts that finished are recorded; those cut short are handed back below.
        while let Some(done) = in_flight.try_join_next() {
            finished.extend(done.ok());
        }
        in_flight.shutdown().await;
        if !finished.is_empty() {
            if let Err(e) = self.record(&finished).await {
                tracing::warn!(error = %e, "cannot record webhook attempts at shutdown");
            }
        }
        if let Err(e) = self.release_claims().await {
            tracing::warn!(error = %e, "cannot hand back webhook deliveries at shutdown");
        }
    }

    /// Records the attempts that finished and claims up to `limit` due deliveries, in one
    /// transaction (on SQLite, one turn of the write lock per cycle), then reads what the
    /// claimed attempts send.
    async fn exchange(&self, finished: &[AttemptRecord], limit: usize) -> DbResult<Vec<Job>> {
        let now = now_ms();
        let claim = format!(
            "{}:{}",
            self.node,
            self.claims.fetch_add(1, Ordering::Relaxed)
        );
        let lease_until = now + self.lease.as_millis() as i64;
        let mut tx = self.store().begin_write().await?;
        deliveries::record_attempts(&mut tx, finished).await?;
        let claimed = if limit > 0 {
            deliveries::claim_due(&mut tx, &claim, now, lease_until, limit as i64).await?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<String> = claimed.iter().map(|d| d.endpoint_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut conn = self.store().read().await?;
        let rows = endpoints::find_many(&mut conn, &ids).await?;
        drop(conn);
        let by_id: HashMap<&str, _> = rows.iter().map(|row| (row.id.as_str(), row)).collect();
        Ok(claimed
            .into_iter()
            .filter_map(|delivery| {
                // An endpoint deleted since took its deliveries with it.
                let endpoint = by_id.get(delivery.endpoint_id.as_str())?;
                let secrets = signing_secrets(&self.app.encryption_key, endpoint, now)
                    .map_err(|e| e.long_message);
                Some(Job {
                    delivery,
                    claim: claim.clone(),
                    url: endpoint.url.clone(),
                    secrets,
                })
            })
            .collect())
    }

    /// Records finished attempts (at shutdown).
    async fn record(&self, finished: &[AttemptRecord]) -> DbResult<()> {
        let mut tx = self.store().begin_write().await?;
        deliveries::record_attempts(&mut tx, finished).await?;
        tx.commit().await
    }

    /// When to look at the outbox again if nothing wakes the worker first.
    async fn next_wake(&self) -> Instant {
        let idle = Instant::now() + IDLE_POLL;
        let due = async {
            let mut conn = self.store().read().await?;
            deliveries::next_due(&mut conn).await
        };
        match due.await {
            Ok(Some(at)) => {
                let wait = Duration::from_millis((at - now_ms()).max(0) as u64);
                idle.min(Instant::now() + wait)
            }
            Ok(None) => idle,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read when the next webhook delivery is due");
                idle
            }
        }
    }

    /// Deletes one batch of messages older than the retention that nothing still waits for.
    async fn prune(&self) -> DbResult<u64> {
        let cutoff = now_ms() - self.retention.as_millis() as i64;
        let mut tx = self.store().begin_write().await?;
        let deleted = deliveries::prune_messages(&mut tx, cutoff, PRUNE_BATCH).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    async fn release_claims(&self) -> DbResult<()> {
        let mut tx = self.store().begin_write().await?;
        deliveries::release_claims(&mut tx, &format!("{}:", self.node), now_ms()).await?;
        tx.commit().await
    }
}

/// Resolves once the worker is told to stop.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Wakes the worker on every notification on [`DELIVERY_CHANNEL`] (a commit on any node that
/// wrote to the outbox). Notifications sent while the connection is down are lost; the
/// worker's polling covers them.
async fn listen(pool: sqlx::PgPool, signal: Arc<Notify>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for webhook deliveries");
                tokio::time::sleep(ERROR_PAUSE).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(DELIVERY_CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for webhook deliveries");
            tokio::time::sleep(ERROR_PAUSE).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(_) => signal.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, "lost the webhook delivery channel");
                    tokio::time::sleep(ERROR_PAUSE).await;
                    break;
                }
            }
        }
    }
}
