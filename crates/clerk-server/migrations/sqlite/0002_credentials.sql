-- Second factors and password state.
-- totp_secret is sealed with AES-256-GCM under the server's encryption key, which is kept
-- outside the database (configuration or a key file).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_created_at BIGINT;
-- Last TOTP time step accepted: a code is accepted once per step (no replay), on every node.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- JSON array of hashed backup codes (sha256$… or bcrypt); NULL when the user has none.
ALTER TABLE users ADD COLUMN backup_codes TEXT;
ALTER TABLE users ADD COLUMN password_compromised_at BIGINT;
