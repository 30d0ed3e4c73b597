-- Sessions, the keys that sign their tokens, and JWT templates. Timestamps are Unix ms.

-- A session belongs to a user by id, not by foreign key: deleting the user ends its sessions
-- and keeps them, as Clerk lists them. `status` holds what was done to the session (active,
-- revoked, ended); `expired` and `abandoned` are read from the clock against `expire_at` and
-- `abandon_at`, so nothing has to run when the time comes.
CREATE TABLE sessions (
    seq                          INTEGER PRIMARY KEY AUTOINCREMENT,
    id                           TEXT NOT NULL UNIQUE,
    user_id                      TEXT NOT NULL,
    client_id                    TEXT NOT NULL,
    status                       TEXT NOT NULL,
    last_active_organization_id  TEXT,
    -- JSON object, or NULL
    actor                        TEXT,
    last_active_at               BIGINT NOT NULL,
    expire_at                    BIGINT NOT NULL,
    abandon_at                   BIGINT NOT NULL,
    created_at                   BIGINT NOT NULL,
    updated_at                   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, created_at, seq);
CREATE INDEX sessions_client ON sessions (client_id, created_at, seq);
CREATE INDEX sessions_created ON sessions (created_at, seq);

-- The instance's token signing keys. One is current (`current` = 1; NULL on the others, and
-- NULLs do not clash in the unique index, so two nodes making the first key at once keep one).
-- A retired key stays in the JWKS until `tokens_valid_until`: no token it signed outlives it.
CREATE TABLE signing_keys (
    kid                 TEXT PRIMARY KEY,
    algorithm           TEXT NOT NULL,
    -- PKCS#1 DER, sealed with the encryption key
    private_key         TEXT NOT NULL,
    -- the public key as a JWK (JSON)
    public_jwk          TEXT NOT NULL,
    current             INTEGER UNIQUE,
    tokens_valid_until  BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    retired_at          BIGINT
);

CREATE TABLE jwt_templates (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL UNIQUE,
    -- JSON object with shortcodes
    claims              TEXT NOT NULL,
    lifetime            BIGINT NOT NULL,
    allowed_clock_skew  BIGINT NOT NULL,
    custom_signing_key  INTEGER NOT NULL DEFAULT 0,
    signing_algorithm   TEXT NOT NULL,
    -- the template's own key (secret or PEM), sealed; NULL without custom_signing_key
    signing_key         TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
