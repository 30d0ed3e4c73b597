//! Async client for Clerk's Backend API `/users` operations.
