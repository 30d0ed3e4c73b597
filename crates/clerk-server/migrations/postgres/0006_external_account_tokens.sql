-- What an external account shows besides its provider ids (filled by bulk import), and its
-- OAuth tokens. Tokens are sealed (AES-256-GCM) under the server's encryption key, which is
-- kept outside the database; expiry is Unix ms, NULL for a token that never expires.
ALTER TABLE external_accounts ADD COLUMN email_address TEXT NOT NULL DEFAULT '';
ALTER TABLE external_accounts ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE external_accounts ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE external_accounts ADD COLUMN username TEXT;
ALTER TABLE external_accounts ADD COLUMN phone_number TEXT;
ALTER TABLE external_accounts ADD COLUMN avatar_url TEXT;
ALTER TABLE external_accounts ADD COLUMN approved_scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE external_accounts ADD COLUMN public_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE external_accounts ADD COLUMN label TEXT;
ALTER TABLE external_accounts ADD COLUMN access_token TEXT;
ALTER TABLE external_accounts ADD COLUMN refresh_token TEXT;
ALTER TABLE external_accounts ADD COLUMN id_token TEXT;
ALTER TABLE external_accounts ADD COLUMN token_secret TEXT;
ALTER TABLE external_accounts ADD COLUMN token_expires_at BIGINT;
-- Space-separated, as OAuth 2.0 writes scopes.
ALTER TABLE external_accounts ADD COLUMN token_scopes TEXT;
