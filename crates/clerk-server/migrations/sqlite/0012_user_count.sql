-- How many users there are, kept by triggers in the same transaction as every insert and delete
-- of a user (whatever writes it: the API, an import, a bulk load), so that `GET /users/count`
-- without filters reads one row instead of counting the table. SQLite has one writer at a
-- time, so one row serves.
CREATE TABLE user_count (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    total  INTEGER NOT NULL
);

INSERT INTO user_count (id, total) SELECT 1, COUNT(*) FROM users;

CREATE TRIGGER users_counted_on_insert AFTER INSERT ON users
BEGIN
    UPDATE user_count SET total = total + 1 WHERE id = 1;
END;

CREATE TRIGGER users_counted_on_delete AFTER DELETE ON users
BEGIN
    UPDATE user_count SET total = total - 1 WHERE id = 1;
END;
