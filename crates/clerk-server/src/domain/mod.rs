//! The rules of the Users API, independent of HTTP and SQL.

pub mod account;
pub mod billing;
pub mod credentials;
pub mod export;
pub mod identities;
pub mod images;
pub mod import;
pub mod list;
pub mod metadata;
pub mod oauth;
pub mod organizations;
pub mod passwords;
pub mod users;
pub mod validate;
pub mod view;
