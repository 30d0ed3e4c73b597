-- Key check values: proof of which key the instance's sealed values were made with, so that a
-- server started with another key refuses to start instead of answering 500 on every TOTP check.
-- `check_value` is a fixed plaintext sealed (AES-256-GCM) under the key; it opens only under the
-- same key and reveals nothing about it. Written once, on the first start.
CREATE TABLE instance_keys (
    name         TEXT PRIMARY KEY,
    check_value  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
