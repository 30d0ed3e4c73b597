//! Webhook delivery: a worker per process that claims due deliveries from the outbox, sends each
//! as Svix does (signed, 15 s timeout, no redirects), and records the outcome — a retry on
//! Svix's schedule, success on any 2xx, or failure after the last attempt.
//!
//! A commit that wrote to the outbox wakes the worker of its process at once; on PostgreSQL it
//! also notifies every node (`LISTEN`), and each worker polls now and then besides, for retries
//! that fall due and for claims a dead node left behind.

mod attempt;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::domain::webhook_endpoints::EndpointSpec;
use crate::AppState;

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The delay before each retry; the first attempt is immediate. Svix's: 5 s, 5 min, 30 min,
    /// 2 h, 5 h, 10 h, 10 h.
    pub retry_schedule: Vec<Duration>,
    /// How long one attempt may take, answer included.
    pub timeout: Duration,
    /// Endpoints set up at start (`clerk serve --webhook`).
    pub endpoints: Vec<EndpointSpec>,
    /// How long a message, its deliveries and its attempts are kept once no endpoint still
    /// has it pending.
    pub retention: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            retry_schedule: default_retry_schedule(),
            timeout: Duration::from_secs(15),
            endpoints: Vec::new(),
            retention: DEFAULT_RETENTION,
        }
    }
}

/// How long delivered and failed messages are kept by default.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// Svix's retry schedule, after the first, immediate, attempt.
pub fn default_retry_schedule() -> Vec<Duration> {
    [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}

/// Most retries a schedule may have.
pub const MAX_RETRIES: usize = 20;

/// Reads `1s,2s,5m` (`--webhook-retry-schedule`): the delays before each retry, each more than
/// zero, at most [`MAX_RETRIES`]. An empty text means no retry.
pub fn parse_retry_schedule(text: &str) -> Result<Vec<Duration>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let delays = text
        .split(',')
        .map(|part| match humantime::parse_duration(part.trim()) {
            Ok(delay) if !delay.is_zero() => Ok(delay),
            Ok(_) => Err(format!("{part:?}: a delay must be more than zero")),
            Err(e) => Err(format!("{part:?}: {e}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if delays.len() > MAX_RETRIES {
        return Err(format!("at most {MAX_RETRIES} retries"));
    }
    Ok(delays)
}

/// The running delivery worker of this process.
pub struct DeliveryWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryWorker {
    pub fn spawn(app: AppState, config: &WebhookConfig) -> Self {
        let (stop, stopped) = watch::channel(false);
        let worker = Arc::new(worker::Worker::new(app, config));
        let task = tokio::spawn(supervise(worker, stopped));
        Self { stop, task }
    }

    /// Stops claiming, abandons the attempts under way and hands their deliveries back (due
    /// now, for whichever node runs next).
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Err(e) = (&mut self.task).await {
            tracing::error!(error = %e, "webhook delivery supervisor failed");
        }
    }
}

/// Runs the worker until it is told to stop, and again after a panic: a bug in one cycle must
/// not end delivery for the life of the process. What it had claimed is sent again once the
/// claims run out.
async fn supervise(worker: Arc<worker::Worker>, stop: watch::Receiver<bool>) {
    loop {
        match tokio::spawn(worker.clone().run(stop.clone())).await {
            Err(e) if e.is_panic() && !*stop.borrow() => {
                tracing::error!(error = %e, "the webhook delivery worker panicked; restarting it");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_schedules_read_and_refuse() {
        assert_eq!(
            parse_retry_schedule("1s, 500ms,2m").unwrap(),
            [1000, 500, 120_000].map(Duration::from_millis)
        );
        assert!(parse_retry_schedule("").unwrap().is_empty());
        assert!(parse_retry_schedule("0s")
            .unwrap_err()
            .contains("more than zero"));
        assert!(parse_retry_schedule("soon").is_err());
        assert!(parse_retry_schedule(&["1s"; MAX_RETRIES + 1].join(",")).is_err());
        assert_eq!(
            parse_retry_schedule(&["1s"; MAX_RETRIES].join(","))
                .unwrap()
                .len(),
            MAX_RETRIES
        );
    }
}
