-- Webhooks: endpoints, and the transactional outbox their deliveries are made from.
-- A change writes its event (`webhook_messages`) and one delivery per matching endpoint
-- (`webhook_deliveries`) in its own transaction, so a rolled-back change emits nothing and a
-- committed one is delivered even if the process dies right after. Every attempt is logged in
-- `webhook_attempts`. Timestamps are Unix milliseconds.

CREATE TABLE webhook_endpoints (
    id                        TEXT PRIMARY KEY,
    url                       TEXT NOT NULL,
    description               TEXT NOT NULL DEFAULT '',
    -- JSON array of event types, or NULL for every event.
    filter_types              TEXT,
    disabled                  BOOLEAN NOT NULL DEFAULT FALSE,
    -- The signing secret, sealed with the encryption key.
    secret                    TEXT NOT NULL,
    -- After a rotation, the previous secret still signs (beside the new one) until it expires.
    previous_secret           TEXT,
    previous_secret_expires_at BIGINT,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);

CREATE TABLE webhook_messages (
    id          TEXT PRIMARY KEY,
    event_type  TEXT NOT NULL,
    -- The exact body every attempt sends (and signs).
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
-- Old messages are pruned by age (see `crate::webhooks`).
CREATE INDEX webhook_messages_created_at ON webhook_messages (created_at);

CREATE TABLE webhook_deliveries (
    seq              BIGSERIAL PRIMARY KEY,
    message_id       TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- pending, succeeded or failed (every attempt of the schedule made).
    status           TEXT NOT NULL,
    -- Attempts made so far.
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- When a pending delivery is due. A node that claims it moves this past its lease, so a
    -- node that dies mid-attempt leaves it due again once the lease runs out.
    next_attempt_at  BIGINT,
    -- Who holds the current claim; a late result from an expired claim changes nothing.
    claim            TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (message_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id);

CREATE TABLE webhook_attempts (
    seq              BIGSERIAL PRIMARY KEY,
    delivery_seq     BIGINT NOT NULL REFERENCES webhook_deliveries (seq) ON DELETE CASCADE,
    -- The delivery's endpoint, so that an endpoint's attempts are listed newest first by index.
    endpoint_id      TEXT NOT NULL,
    -- succeeded or failed
    status           TEXT NOT NULL,
    response_status  INTEGER,
    -- The first bytes of the response body, or why no response came.
    response_body    TEXT NOT NULL DEFAULT '',
    started_at       BIGINT NOT NULL,
    finished_at      BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_seq);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, seq);
