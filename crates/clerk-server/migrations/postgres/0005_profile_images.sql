-- The user's profile image: a key in the image store (object_store: a local directory or
-- S3-compatible storage). NULL when the user has none.
ALTER TABLE users ADD COLUMN image_key TEXT;
