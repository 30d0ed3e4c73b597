//! SQL for users, their identifications and the search index.
//!
//! - `row`: the stored rows and their column mapping;
//! - `read`: a user by id, with its identifications, external accounts and passkeys;
//! - `write`: inserts, updates and deletes, and what is derived from the identifications;
//! - `search`: the substring-search index;
//! - `list`: the filters and orders of `GET /users`.

mod list;
mod read;
mod row;
pub mod search;
mod values;
mod write;

pub use list::{count_users, cursor_position, list_users};
pub use list::{IncludeExclude, OrderField, TimeRange, UserFilter, UserOrder};
pub(in crate::store) use read::attach_children;
pub use read::{column_taken, find_user, seq_for_id, taken_identifiers, UniqueColumn};
pub(in crate::store) use row::{user_from_row, USER_COLUMNS};
pub use row::{IdentRow, NewIdentification, PasskeyRow, UserRecord, UserRow};
pub use values::{BackupCodes, IdentKind, IdentStatus};
pub use write::{
    delete_identifications, delete_user, insert_identification, insert_user, refresh_derived,
    update_identification, update_user,
};
