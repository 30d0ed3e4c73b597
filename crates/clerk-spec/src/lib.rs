//! Validates JSON response bodies against Clerk's published OpenAPI spec.
