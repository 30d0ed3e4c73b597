-- Failed second-factor checks (TOTP codes, backup codes), counted apart from failed password
-- checks (failed_verification_attempts): a correct password must not clear them, or knowing
-- the password would give unlimited guesses at the second factor. Either count reaching the
-- instance's limit locks the user.
ALTER TABLE users ADD COLUMN failed_second_factor_attempts BIGINT NOT NULL DEFAULT 0;
