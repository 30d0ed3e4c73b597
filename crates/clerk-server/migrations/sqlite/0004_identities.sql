-- Passkeys and trusted devices of a user (created by bulk import; listed, revoked and deleted
-- through the Users API).
CREATE TABLE passkeys (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    user_seq      INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    last_used_at  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX passkeys_user ON passkeys (user_seq, seq);

CREATE TABLE trusted_devices (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    user_seq        INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    app_identifier  TEXT NOT NULL,
    name            TEXT,
    algorithm       TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_seq, status, seq);
