-- How many users there are, kept by a trigger in the same transaction as every insert and
-- delete of a user (whatever writes it: the API, an import, a COPY), so that `GET /users/count`
-- without filters reads 16 rows instead of counting the table. The count is spread over 16
-- slots (by `seq`) so that concurrent creates, on one node or several, do not all wait for
-- the lock of one row; the total is the sum of the slots.

-- Writers (older nodes still running during an upgrade) wait until the trigger exists, so that
-- no user is created between the initial count and the first counted insert.
LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE user_count (
    slot   SMALLINT PRIMARY KEY,
    total  BIGINT NOT NULL
);

INSERT INTO user_count (slot, total) SELECT s, 0 FROM generate_series(0, 15) AS s;
UPDATE user_count SET total = (SELECT COUNT(*) FROM users) WHERE slot = 0;

CREATE FUNCTION users_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE user_count SET total = total + 1 WHERE slot = NEW.seq % 16;
    ELSE
        UPDATE user_count SET total = total - 1 WHERE slot = OLD.seq % 16;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_counted AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_count_change();
