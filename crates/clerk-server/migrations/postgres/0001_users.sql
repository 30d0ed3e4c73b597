-- Users and their identifications (emails, phones, web3 wallets).
-- Timestamps are Unix milliseconds. Metadata bags are JSON text.
-- Text that is sorted uses COLLATE "C" so that order is the same as on SQLite (binary).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    seq                        BIGSERIAL PRIMARY KEY,
    id                         TEXT NOT NULL UNIQUE,
    external_id                TEXT UNIQUE,
    username                   TEXT COLLATE "C",
    first_name                 TEXT COLLATE "C",
    last_name                  TEXT COLLATE "C",
    locale                     TEXT,
    primary_email_address_id   TEXT,
    primary_phone_number_id    TEXT,
    primary_web3_wallet_id     TEXT,
    primary_email_address      TEXT COLLATE "C",
    primary_phone_number       TEXT COLLATE "C",
    primary_web3_wallet        TEXT COLLATE "C",
    public_metadata            TEXT NOT NULL DEFAULT '{}',
    private_metadata           TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata            TEXT NOT NULL DEFAULT '{}',
    password_digest            TEXT,
    password_hasher            TEXT,
    password_last_updated_at   BIGINT,
    banned                     BOOLEAN NOT NULL DEFAULT FALSE,
    locked_at                  BIGINT,
    lockout_expires_at         BIGINT,
    failed_verification_attempts BIGINT NOT NULL DEFAULT 0,
    delete_self_enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    create_organization_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    create_organizations_limit BIGINT,
    bypass_client_trust        BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_enabled_at             BIGINT,
    mfa_disabled_at            BIGINT,
    last_active_at             BIGINT,
    last_sign_in_at            BIGINT,
    legal_accepted_at          BIGINT,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);

-- NULLS FIRST matches SQLite's null ordering, so both stores page identically and the
-- index serves both directions (ASC NULLS FIRST forward, DESC NULLS LAST backward).
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
CREATE INDEX users_created_at ON users (created_at, seq);
CREATE INDEX users_updated_at ON users (updated_at, seq);
CREATE INDEX users_order_email ON users (primary_email_address NULLS FIRST, seq);
CREATE INDEX users_order_phone ON users (primary_phone_number NULLS FIRST, seq);
CREATE INDEX users_order_web3 ON users (primary_web3_wallet NULLS FIRST, seq);
CREATE INDEX users_order_first_name ON users (first_name NULLS FIRST, seq);
CREATE INDEX users_order_last_name ON users (last_name NULLS FIRST, seq);
CREATE INDEX users_order_username ON users (username NULLS FIRST, seq);
CREATE INDEX users_last_active_at ON users (last_active_at NULLS FIRST, seq);
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at NULLS FIRST, seq);
CREATE INDEX users_banned ON users (banned, created_at, seq);

CREATE TABLE identifications (
    seq           BIGSERIAL PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    user_seq      BIGINT NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    norm          TEXT NOT NULL,
    status        TEXT NOT NULL,
    strategy      TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE UNIQUE INDEX identifications_unique ON identifications (kind, norm);
CREATE INDEX identifications_user ON identifications (user_seq, seq);

-- Substring search (`query`, `*_query`): one row per user, lowercased text per field,
-- each column trigram-indexed (GIN, pg_trgm).
CREATE TABLE user_search (
    user_seq   BIGINT PRIMARY KEY REFERENCES users (seq) ON DELETE CASCADE,
    emails     TEXT NOT NULL,
    phones     TEXT NOT NULL,
    usernames  TEXT NOT NULL,
    names      TEXT NOT NULL,
    wallets    TEXT NOT NULL,
    ids        TEXT NOT NULL
);

CREATE INDEX user_search_emails ON user_search USING gin (emails gin_trgm_ops);
CREATE INDEX user_search_phones ON user_search USING gin (phones gin_trgm_ops);
CREATE INDEX user_search_usernames ON user_search USING gin (usernames gin_trgm_ops);
CREATE INDEX user_search_names ON user_search USING gin (names gin_trgm_ops);
CREATE INDEX user_search_wallets ON user_search USING gin (wallets gin_trgm_ops);
CREATE INDEX user_search_ids ON user_search USING gin (ids gin_trgm_ops);

-- OAuth accounts linked to a user (filled by identities work; queried by the
-- provider + provider_user_id list filter).
CREATE TABLE external_accounts (
    seq               BIGSERIAL PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    user_seq          BIGINT NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    provider          TEXT NOT NULL,
    provider_user_id  TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX external_accounts_provider ON external_accounts (provider, provider_user_id);
CREATE INDEX external_accounts_user ON external_accounts (user_seq);

-- Which organizations a user belongs to (queried by the organization_id list filter).
CREATE TABLE organization_memberships (
    seq               BIGSERIAL PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    organization_id   TEXT NOT NULL,
    user_seq          BIGINT NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    role              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX organization_memberships_unique ON organization_memberships (organization_id, user_seq);
CREATE INDEX organization_memberships_user ON organization_memberships (user_seq);
