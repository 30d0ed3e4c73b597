//! The outbox: an event written in the transaction of the change it reports, with one pending
//! delivery per endpoint that takes it.

use crate::store::sql::escape_like;
use crate::store::{DbResult, Dialect, Sql, WriteTx, DELIVERY_CHANNEL};

/// An event on its way out, its body ready to send.
pub struct OutboxMessage<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    pub payload: &'a str,
    pub created_at: i64,
}

/// Appends `FROM webhook_endpoints WHERE …`: the enabled endpoints that take `event_type`.
/// Event types hold no JSON escapes (see `domain::webhook_endpoints`), so the stored array
/// contains the type between quotes exactly when it lists it.
fn push_endpoints_taking(sql: &mut Sql, event_type: &str) {
    sql.push(
        " FROM webhook_endpoints WHERE NOT disabled AND (filter_types IS NULL OR filter_types \
         LIKE ",
    )
    .bind(format!("%\"{}\"%", escape_like(event_type)))
    .push(" ESCAPE '\\')");
}

/// Writes the message and its deliveries inside `tx`, unless no endpoint takes it (then
/// nothing is written: events nobody receives are not kept). The delivery worker is woken when
/// `tx` commits.
pub async fn enqueue(tx: &mut WriteTx, message: &OutboxMessage<'_>) -> DbResult<()> {
    match tx.dialect {
        Dialect::Postgres => enqueue_in_one_statement(tx, message).await,
        Dialect::Sqlite => enqueue_in_two_statements(tx, message).await,
    }
}

/// PostgreSQL: the message, its deliveries and the notification of every node in one round
/// trip (a write pays for each statement it sends over the network).
async fn enqueue_in_one_statement(tx: &mut WriteTx, message: &OutboxMessage<'_>) -> DbResult<()> {
    let mut sql = Sql::new(
        "WITH m AS (INSERT INTO webhook_messages (id, event_type, payload, created_at) SELECT ",
    );
    sql.bind(message.id)
        .push(", ")
        .bind(message.event_type)
        .push(", ")
        .bind(message.payload)
        .push(", ")
        .bind(message.created_at)
        .push(" WHERE EXISTS (SELECT 1");
    push_endpoints_taking(&mut sql, message.event_type);
    sql.push(
        ") RETURNING id), d AS (INSERT INTO webhook_deliveries (message_id, endpoint_id, \
         status, attempts, next_attempt_at, created_at, updated_at) \
         SELECT m.id, e.id, 'pending', 0, $4, $4, $4 FROM m, webhook_endpoints e \
         WHERE e.id IN (SELECT id",
    );
    push_endpoints_taking(&mut sql, message.event_type);
    // PostgreSQL sends one notification per channel and payload per transaction, however
    // many rows ask for it.
    sql.push(") RETURNING 1) SELECT COUNT(*) FROM d, LATERAL (SELECT pg_notify(")
        .bind(DELIVERY_CHANNEL)
        .push(", '')) n");
    if sql.fetch_i64(tx.conn()).await? > 0 {
        tx.wake_local_delivery_on_commit();
    }
    Ok(())
}

/// SQLite: statements cost no round trip; the message, then its deliveries.
async fn enqueue_in_two_statements(tx: &mut WriteTx, message: &OutboxMessage<'_>) -> DbResult<()> {
    let mut insert =
        Sql::new("INSERT INTO webhook_messages (id, event_type, payload, created_at) SELECT ");
    insert
        .bind(message.id)
        .push(", ")
        .bind(message.event_type)
        .push(", ")
        .bind(message.payload)
        .push(", ")
        .bind(message.created_at)
        .push(" WHERE EXISTS (SELECT 1");
    push_endpoints_taking(&mut insert, message.event_type);
    insert.push(")");
    if insert.execute(tx.conn()).await? == 0 {
        return Ok(());
    }
    let mut fan_out = Sql::new(
        "INSERT INTO webhook_deliveries (message_id, endpoint_id, status, attempts, \
         next_attempt_at, created_at, updated_at) SELECT ",
    );
    fan_out
        .bind(message.id)
        .push(", id, 'pending', 0, ")
        .bind(message.created_at)
        .push(", $2, $2");
    push_endpoints_taking(&mut fan_out, message.event_type);
    fan_out.execute(tx.conn()).await?;
    tx.wake_delivery_on_commit().await
}
