-- A user's credit ledger (POST /users/{id}/billing/credits): one row per adjustment, amounts in
-- cents (negative for decreases); the balance is their sum. The idempotency key makes a
-- retried adjustment return the original entry instead of adding a second one.
CREATE TABLE billing_credit_ledger (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    user_seq         INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    source_type      TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    note             TEXT,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX billing_credit_ledger_idempotency ON billing_credit_ledger (user_seq, idempotency_key);
