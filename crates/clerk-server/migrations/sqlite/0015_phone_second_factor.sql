-- Phone numbers reserved as a second factor (`reserved_for_second_factor`), and which of them
-- is the user's default second factor (at most one per user; the API keeps it so). Both are
-- false for email addresses and web3 wallets. Booleans are INTEGER 0/1, as elsewhere.
ALTER TABLE identifications ADD COLUMN reserved_for_second_factor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identifications ADD COLUMN default_second_factor INTEGER NOT NULL DEFAULT 0;
