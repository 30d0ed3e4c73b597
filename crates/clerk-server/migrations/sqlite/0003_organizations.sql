-- Organizations, their memberships and invitations.
-- Booleans are INTEGER 0/1 (sqlx's Any driver cannot decode SQLite's BOOLEAN type).
-- Timestamps are Unix milliseconds; metadata bags are JSON text.

CREATE TABLE organizations (
    seq                      INTEGER PRIMARY KEY AUTOINCREMENT,
    id                       TEXT NOT NULL UNIQUE,
    name                     TEXT NOT NULL,
    slug                     TEXT NOT NULL UNIQUE,
    max_allowed_memberships  BIGINT NOT NULL DEFAULT 0,   -- 0: unlimited
    admin_delete_enabled     INTEGER NOT NULL DEFAULT 1,
    public_metadata          TEXT NOT NULL DEFAULT '{}',
    private_metadata         TEXT NOT NULL DEFAULT '{}',
    created_by               TEXT,                        -- a user id, kept after that user goes
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX organizations_created_at ON organizations (created_at, seq);

-- organization_memberships (0001) keeps `organization_id` as the organization's public id, so
-- the `organization_id` filter of GET /users reads it without a join.
ALTER TABLE organization_memberships ADD COLUMN public_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organization_memberships ADD COLUMN private_metadata TEXT NOT NULL DEFAULT '{}';
-- A user's memberships, newest first (GET /users/{id}/organization_memberships).
CREATE INDEX organization_memberships_user_created ON organization_memberships (user_seq, created_at, seq);
-- An organization's members in order.
CREATE INDEX organization_memberships_org_created ON organization_memberships (organization_id, created_at, seq);

CREATE TABLE organization_invitations (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    organization_seq  INTEGER NOT NULL REFERENCES organizations (seq) ON DELETE CASCADE,
    email_address     TEXT NOT NULL,          -- as the caller wrote it
    email_norm        TEXT NOT NULL,          -- lowercased: matches identifications.norm
    role              TEXT NOT NULL,
    inviter_user_id   TEXT,
    status            TEXT NOT NULL,          -- pending | accepted | revoked (expired is derived)
    public_metadata   TEXT NOT NULL DEFAULT '{}',
    private_metadata  TEXT NOT NULL DEFAULT '{}',
    redirect_url      TEXT,
    expires_at        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
-- The invitations that concern a user (by email), newest first.
CREATE INDEX organization_invitations_email ON organization_invitations (email_norm, created_at, seq);
CREATE INDEX organization_invitations_org ON organization_invitations (organization_seq, created_at, seq);
