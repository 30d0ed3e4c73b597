//! SQL for deliveries: claiming the due ones, recording each attempt, listing attempts and
//! resending a message.

use crate::store::{Conn, DbResult, Dialect, Row, Sql, WriteTx};

/// A delivery claimed for one attempt, with what the attempt sends.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub seq: i64,
    /// Attempts made before this one.
    pub attempts: i64,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub endpoint_id: String,
}

/// Claims up to `limit` due deliveries of enabled endpoints under `claim`: each is due again
/// at `lease_until` unless its attempt is recorded before then. On PostgreSQL rows another node
/// is claiming are skipped, so one attempt is made by one node.
pub async fn claim_due(
    tx: &mut WriteTx,
    claim: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> DbResult<Vec<ClaimedDelivery>> {
    // The due rows are picked in a CTE, which PostgreSQL runs once: as an `IN (…)` subquery
    // its `LIMIT … SKIP LOCKED` can be evaluated again under concurrency and claim more rows
    // than asked for (seen under the CI bench).
    let lock = match tx.dialect {
        Dialect::Postgres => " FOR UPDATE OF d SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let mut update = Sql::new(&format!(
        "WITH due AS (SELECT d.seq FROM webhook_deliveries d JOIN webhook_endpoints e \
         ON e.id = d.endpoint_id WHERE d.status = 'pending' AND NOT e.disabled AND \
         d.next_attempt_at <= $3 ORDER BY d.next_attempt_at LIMIT $4{lock}) \
         UPDATE webhook_deliveries SET next_attempt_at = $1, claim = $2, updated_at = $3 \
         FROM due WHERE webhook_deliveries.seq = due.seq RETURNING webhook_deliveries.seq"
    ));
    update.arg(lease_until).arg(claim).arg(now).arg(limit);
    let seqs = update
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>(0))
        .collect::<DbResult<Vec<i64>>>()?;
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Sql::new(
        "SELECT d.seq, d.attempts, d.endpoint_id, m.id, m.event_type, m.payload \
         FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id \
         WHERE d.seq IN ",
    );
    select.bind_list(&seqs).push(" ORDER BY d.seq");
    select
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|row| {
            Ok(ClaimedDelivery {
                seq: row.try_get(0)?,
                attempts: row.try_get(1)?,
                endpoint_id: row.try_get(2)?,
                message_id: row.try_get(3)?,
                event_type: row.try_get(4)?,
                payload: row.try_get(5)?,
            })
        })
        .collect()
}

/// When the earliest pending delivery of an enabled endpoint is due, if there is one.
pub async fn next_due(conn: &mut Conn) -> DbResult<Option<i64>> {
    Sql::new(
        "SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d JOIN webhook_endpoints e \
         ON e.id = d.endpoint_id WHERE d.status = 'pending' AND NOT e.disabled",
    )
    .fetch_one(conn)
    .await?
    .try_get(0)
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Succeeded,
    RetryAt(i64),
    /// The schedule's last attempt failed.
    Failed,
}

/// One attempt, as it is logged.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery_seq: i64,
    pub endpoint_id: String,
    pub claim: String,
    pub after: AfterAttempt,
    pub response_status: Option<i64>,
    /// The first bytes of the response, or why there was none.
    pub response_body: String,
    pub started_at: i64,
    pub finished_at: i64,
}

/// Logs the attempts and moves their deliveries on, in two statements whatever their number.
/// A delivery moves on only if the claim its attempt was made under still holds (a claim that
/// outlived its lease was taken over); the attempt is logged either way, unless its endpoint
/// was deleted meanwhile.
pub async fn record_attempts(tx: &mut WriteTx, attempts: &[AttemptRecord]) -> DbResult<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    if tx.dialect == Dialect::Postgres {
        // Endpoints first, in one order: a concurrent DELETE of an endpoint (which locks it,
        // then its deliveries) waits for this transaction instead of deadlocking with it, and
        // cannot take a delivery away between the two statements below.
        let mut ids: Vec<&str> = attempts.iter().map(|a| a.endpoint_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut lock = Sql::new("SELECT id FROM webhook_endpoints WHERE id IN ");
        lock.bind_list(&ids).push(" ORDER BY id FOR KEY SHARE");
        lock.fetch_all(tx.conn()).await?;
    }
    let mut log = Sql::new(
        "WITH v (seq, status, response_status, response_body, started_at, finished_at) AS \
         (VALUES ",
    );
    for (i, attempt) in attempts.iter().enumerate() {
        let succeeded = attempt.after == AfterAttempt::Succeeded;
        log.push(if i == 0 { "(" } else { ", (" })
            .bind(attempt.delivery_seq)
            .push(", ")
            .bind(if succeeded { "succeeded" } else { "failed" })
            .push(", ")
            .bind(attempt.response_status)
            .push(", ")
            .bind(attempt.response_body.as_str())
            .push(", ")
            .bind(attempt.started_at)
            .push(", ")
            .bind(attempt.finished_at)
            .push(")");
    }
    log.push(
        ") INSERT INTO webhook_attempts (delivery_seq, endpoint_id, status, response_status, \
         response_body, started_at, finished_at) SELECT v.seq, d.endpoint_id, v.status, \
         v.response_status, v.response_body, v.started_at, v.finished_at \
         FROM v JOIN webhook_deliveries d ON d.seq = v.seq ORDER BY v.seq",
    );
    log.execute(tx.conn()).await?;

    let mut update = Sql::new("WITH v (seq, claim, status, next_at, finished_at) AS (VALUES ");
    for (i, attempt) in attempts.iter().enumerate() {
        let (status, next) = match attempt.after {
            AfterAttempt::Succeeded => ("succeeded", None),
            AfterAttempt::RetryAt(at) => ("pending", Some(at)),
            AfterAttempt::Failed => ("failed", None),
        };
        update
            .push(if i == 0 { "(" } else { ", (" })
            .bind(attempt.delivery_seq)
            .push(", ")
            .bind(attempt.claim.as_str())
            .push(", ")
            .bind(status)
            .push(", ")
            .bind(next)
            .push(", ")
            .bind(attempt.finished_at)
            .push(")");
    }
    update.push(
        ") UPDATE webhook_deliveries SET status = v.status, attempts = attempts + 1, \
         claim = NULL, next_attempt_at = v.next_at, updated_at = v.finished_at FROM v \
         WHERE webhook_deliveries.seq = v.seq AND webhook_deliveries.claim = v.claim",
    );
    update.execute(tx.conn()).await.map(|_| ())
}

/// Makes the pending deliveries claimed under `claim_prefix…` due now (a node shutting down
/// hands back what it has not sent).
pub async fn release_claims(tx: &mut WriteTx, claim_prefix: &str, now: i64) -> DbResult<u64> {
    let mut sql = Sql::new("UPDATE webhook_deliveries SET claim = NULL, next_attempt_at = ");
    sql.bind(now)
        .push(" WHERE status = 'pending' AND claim LIKE ")
        .bind(format!("{}%", crate::store::sql::escape_like(claim_prefix)))
        .push(" ESCAPE '\\'");
    sql.execute(tx.conn()).await
}

/// Sends the message again to every endpoint it went to: each of its deliveries starts the
/// retry schedule over, now. The number of deliveries; 0 if there is no such message.
pub async fn resend(tx: &mut WriteTx, message_id: &str, now: i64) -> DbResult<u64> {
    let mut sql = Sql::new(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, claim = NULL, \
         next_attempt_at = ",
    );
    sql.bind(now)
        .push(", updated_at = $1 WHERE message_id = ")
        .bind(message_id);
    let resent = sql.execute(tx.conn()).await?;
    if resent > 0 {
        tx.wake_delivery_on_commit().await?;
    }
    Ok(resent)
}

/// The event type of a stored message.
pub async fn message_event_type(conn: &mut Conn, message_id: &str) -> DbResult<Option<String>> {
    let mut sql = Sql::new("SELECT event_type FROM webhook_messages WHERE id = ");
    sql.bind(message_id);
    sql.fetch_optional(conn)
        .await?
        .map(|row| row.try_get(0))
        .transpose()
}

/// One logged attempt, with its message and the state of its delivery.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub seq: i64,
    pub message_id: String,
    pub event_type: String,
    pub succeeded: bool,
    pub response_status: Option<i64>,
    pub response_body: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub delivery_status: String,
    pub next_attempt_at: Option<i64>,
}

fn attempt_from_row(row: &Row) -> DbResult<AttemptRow> {
    Ok(AttemptRow {
        seq: row.try_get("seq")?,
        message_id: row.try_get("message_id")?,
        event_type: row.try_get("event_type")?,
        succeeded: row.try_get::<String, _>("status")? == "succeeded",
        response_status: row.try_get("response_status")?,
        response_body: row.try_get("response_body")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        delivery_status: row.try_get("delivery_status")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
    })
}

/// A page of the endpoint's attempts, newest first, and how many it has in all — read in one
/// statement, so the two agree while attempts are being recorded.
pub async fn attempts_of_endpoint(
    conn: &mut Conn,
    endpoint_id: &str,
    limit: i64,
    offset: i64,
) -> DbResult<(Vec<AttemptRow>, i64)> {
    let mut sql = Sql::new(
        "SELECT a.seq, d.message_id, m.event_type, a.status, a.response_status, \
         a.response_body, a.started_at, a.finished_at, d.status AS delivery_status, \
         d.next_attempt_at, COUNT(*) OVER () AS total FROM webhook_attempts a \
         JOIN webhook_deliveries d ON d.seq = a.delivery_seq \
         JOIN webhook_messages m ON m.id = d.message_id WHERE a.endpoint_id = ",
    );
    sql.bind(endpoint_id)
        .push(" ORDER BY a.seq DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = sql.fetch_all(conn).await?;
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        // A page past the end: count on its own.
        None if offset > 0 => {
            let mut count = Sql::new("SELECT COUNT(*) FROM webhook_attempts WHERE endpoint_id = ");
            count.bind(endpoint_id);
            count.fetch_i64(conn).await?
        }
        None => 0,
    };
    let rows = rows.iter().map(attempt_from_row).collect::<DbResult<_>>()?;
    Ok((rows, total))
}

/// Deletes up to `limit` of the oldest messages written before `cutoff` that no endpoint still
/// has pending, with their deliveries and attempts; how many were deleted.
pub async fn prune_messages(tx: &mut WriteTx, cutoff: i64, limit: i64) -> DbResult<u64> {
    let mut sql = Sql::new(
        "DELETE FROM webhook_messages WHERE id IN (SELECT m.id FROM webhook_messages m \
         WHERE m.created_at < ",
    );
    sql.bind(cutoff)
        .push(
            " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = m.id \
             AND d.status = 'pending') ORDER BY m.created_at LIMIT ",
        )
        .bind(limit)
        .push(")");
    sql.execute(tx.conn()).await
}
