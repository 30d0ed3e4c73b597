//! The rules of the Users API, independent of HTTP and SQL.
//!
//! The modules build on each other without cycles:
//! - rules that need no I/O: `validate`, `metadata`, `passwords`, `user_rules` (on the stored
//!   user types) and `input` (request checks shared by create, update and import);
//! - `view`: stored records to wire objects;
//! - `write`: reading a user for an operation and the transactions that change one;
//! - `session_state`: a session as the API shows it, and ending a user's sessions inside the
//!   transaction of the change that ends them;
//! - the operations: `users`, `account`, `lockout`, `credentials`, `identities`,
//!   `identifications`, `images`, `import`, `export`, `list`, `oauth`, `billing`,
//!   `organizations`, `webhook_endpoints`, `sessions`, `tokens` (session tokens, template
//!   tokens, signing keys), `jwt_templates`;
//! - `events`: what the operations write to the webhook outbox in their transactions.

pub mod account;
pub mod billing;
pub mod credentials;
pub mod events;
pub mod export;
pub mod identifications;
pub mod identities;
pub mod images;
pub mod import;
pub mod input;
pub mod jwt_templates;
pub mod list;
pub mod lockout;
pub mod metadata;
pub mod oauth;
pub mod organizations;
pub mod passwords;
pub mod session_state;
pub mod sessions;
pub mod tokens;
pub mod user_rules;
pub mod users;
pub mod validate;
pub mod view;
pub mod webhook_endpoints;
pub mod write;
