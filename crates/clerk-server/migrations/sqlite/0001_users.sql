-- Users and their identifications (emails, phones, web3 wallets).
-- Booleans are INTEGER 0/1: sqlx's Any driver cannot decode SQLite's BOOLEAN type.
-- Timestamps are Unix milliseconds. Metadata bags are JSON text.

CREATE TABLE users (
    seq                        INTEGER PRIMARY KEY AUTOINCREMENT,
    id                         TEXT NOT NULL UNIQUE,
    external_id                TEXT UNIQUE,
    username                   TEXT,
    first_name                 TEXT,
    last_name                  TEXT,
    locale                     TEXT,
    primary_email_address_id   TEXT,
    primary_phone_number_id    TEXT,
    primary_web3_wallet_id     TEXT,
    -- sort keys for order_by: the primary identification's normalized value
    primary_email_address      TEXT,
    primary_phone_number       TEXT,
    primary_web3_wallet        TEXT,
    public_metadata            TEXT NOT NULL DEFAULT '{}',
    private_metadata           TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata            TEXT NOT NULL DEFAULT '{}',
    password_digest            TEXT,
    password_hasher            TEXT,
    password_last_updated_at   BIGINT,
    banned                     INTEGER NOT NULL DEFAULT 0,
    locked_at                  BIGINT,
    lockout_expires_at         BIGINT,
    failed_verification_attempts BIGINT NOT NULL DEFAULT 0,
    delete_self_enabled        INTEGER NOT NULL DEFAULT 1,
    create_organization_enabled INTEGER NOT NULL DEFAULT 1,
    create_organizations_limit BIGINT,
    bypass_client_trust        INTEGER NOT NULL DEFAULT 0,
    mfa_enabled_at             BIGINT,
    mfa_disabled_at            BIGINT,
    last_active_at             BIGINT,
    last_sign_in_at            BIGINT,
    legal_accepted_at          BIGINT,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);

CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
CREATE INDEX users_created_at ON users (created_at, seq);
CREATE INDEX users_updated_at ON users (updated_at, seq);
CREATE INDEX users_order_email ON users (primary_email_address, seq);
CREATE INDEX users_order_phone ON users (primary_phone_number, seq);
CREATE INDEX users_order_web3 ON users (primary_web3_wallet, seq);
CREATE INDEX users_order_first_name ON users (first_name, seq);
CREATE INDEX users_order_last_name ON users (last_name, seq);
CREATE INDEX users_order_username ON users (username, seq);
CREATE INDEX users_last_active_at ON users (last_active_at, seq);
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at, seq);
CREATE INDEX users_banned ON users (banned, created_at, seq);

CREATE TABLE identifications (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    user_seq      INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    kind          TEXT NOT NULL,          -- email_address | phone_number | web3_wallet
    value         TEXT NOT NULL,          -- as the caller wrote it
    norm          TEXT NOT NULL,          -- lowercased where the kind is case-insensitive
    status        TEXT NOT NULL,          -- verified | reserved | unverified
    strategy      TEXT,                   -- verification strategy, e.g. admin
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE UNIQUE INDEX identifications_unique ON identifications (kind, norm);
CREATE INDEX identifications_user ON identifications (user_seq, seq);

-- Substring search (`query`, `*_query`): one row per user, lowercased text per field,
-- trigram-indexed. rowid = users.seq.
CREATE VIRTUAL TABLE user_search USING fts5(
    emails, phones, usernames, names, wallets, ids,
    tokenize = 'trigram'
);

-- OAuth accounts linked to a user (filled by identities work; queried by the
-- provider + provider_user_id list filter).
CREATE TABLE external_accounts (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    user_seq          INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    provider          TEXT NOT NULL,
    provider_user_id  TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX external_accounts_provider ON external_accounts (provider, provider_user_id);
CREATE INDEX external_accounts_user ON external_accounts (user_seq);

-- Which organizations a user belongs to (queried by the organization_id list filter).
CREATE TABLE organization_memberships (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    organization_id   TEXT NOT NULL,
    user_seq          INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    role              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX organization_memberships_unique ON organization_memberships (organization_id, user_seq);
CREATE INDEX organization_memberships_user ON organization_memberships (user_seq);
