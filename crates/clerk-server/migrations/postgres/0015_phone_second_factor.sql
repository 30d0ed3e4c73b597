-- Phone numbers reserved as a second factor (`reserved_for_second_factor`), and which of them
-- is the user's default second factor (at most one per user; the API keeps it so). Both are
-- false for email addresses and web3 wallets. Adding a column with a constant default rewrites
-- no rows.
ALTER TABLE identifications ADD COLUMN reserved_for_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE identifications ADD COLUMN default_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
