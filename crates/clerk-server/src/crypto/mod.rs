//! Password hashers, TOTP and secrets at rest.
