//! Integration tests of the `/v1/users` API over HTTP, on SQLite and on PostgreSQL.

mod support;

mod billing;
mod cancellation;
mod count;
mod create;
mod credentials;
mod dashboard;
mod email_addresses;
mod health;
mod identities;
mod images;
mod keys;
mod limits;
mod list;
mod lockout;
mod metadata;
mod oauth;
mod organizations;
mod phone_numbers;
mod sessions;
mod transfer;
mod update_delete;
mod upgrade;
mod webhooks;
mod wire;
