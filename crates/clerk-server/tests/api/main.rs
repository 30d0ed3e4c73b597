//! Integration tests of the `/v1/users` API over HTTP, on SQLite and on PostgreSQL.

mod support;

mod create;
mod credentials;
mod list;
mod metadata;
mod update_delete;
mod wire;
