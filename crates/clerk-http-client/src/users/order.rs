//! The sort order of `GET /users` (`order_by`): a field and a direction, typed, while a string
//! still works for a field Clerk adds later.

use std::fmt;

clerk_model::string_enum! {
    /// A field `GET /users` sorts by. A field this version does not know can be given as a
    /// string ([`UserOrderField::Unknown`], or `"-new_field".into()` for a [`UserOrderBy`]).
    UserOrderField {
        /// When the user was created (Clerk's default, newest first). The only ordering the
        /// `starting_after` cursor works with.
        CreatedAt = "created_at",
        /// When the user was last updated.
        UpdatedAt = "updated_at",
        /// The primary email address.
        EmailAddress = "email_address",
        /// The primary web3 wallet (Clerk spells it `web3wallet`).
        Web3Wallet = "web3wallet",
        /// The first name.
        FirstName = "first_name",
        /// The last name.
        LastName = "last_name",
        /// The primary phone number.
        PhoneNumber = "phone_number",
        /// The username.
        Username = "username",
        /// When the user was last active.
        LastActiveAt = "last_active_at",
        /// When the user last signed in.
        LastSignInAt = "last_sign_in_at",
    }
}

/// Which way a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortDirection {
    /// Smallest first (`+`); what Clerk implies when no sign is given.
    #[default]
    Ascending,
    /// Largest first (`-`).
    Descending,
}

/// `order_by` of `GET /users`: a field and a direction, sent as `+field` or `-field`.
///
/// ```
/// use clerk_http_client::users::{SortDirection, UserOrderBy, UserOrderField};
///
/// let newest_sign_ins = UserOrderBy::desc(UserOrderField::LastSignInAt);
/// assert_eq!(newest_sign_ins.to_string(), "-last_sign_in_at");
///
/// // Clerk's string form is accepted too, for fields added after this version.
/// let parsed = UserOrderBy::from("-created_at");
/// assert_eq!(parsed, UserOrderBy::desc(UserOrderField::CreatedAt));
/// let later = UserOrderBy::from("+a_new_field");
/// assert_eq!(later.field, UserOrderField::Unknown("a_new_field".into()));
/// assert_eq!(later.direction, SortDirection::Ascending);
///
/// // A bare field sorts ascending, as on Clerk.
/// assert_eq!(UserOrderBy::from(UserOrderField::Username).to_string(), "+username");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UserOrderBy {
    /// The field to sort by.
    pub field: UserOrderField,
    /// Ascending or descending.
    pub direction: SortDirection,
}

impl UserOrderBy {
    /// Sorts by `field` in `direction`.
    pub fn new(field: UserOrderField, direction: SortDirection) -> Self {
        Self { field, direction }
    }

    /// Sorts by `field`, smallest first.
    pub fn asc(field: UserOrderField) -> Self {
        Self::new(field, SortDirection::Ascending)
    }

    /// Sorts by `field`, largest (or newest) first.
    pub fn desc(field: UserOrderField) -> Self {
        Self::new(field, SortDirection::Descending)
    }
}

impl From<UserOrderField> for UserOrderBy {
    fn from(field: UserOrderField) -> Self {
        Self::asc(field)
    }
}

/// Clerk's string form: `-field`, `+field`, or a bare `field` (ascending).
impl From<&str> for UserOrderBy {
    fn from(value: &str) -> Self {
        let (direction, field) = match value.as_bytes().first() {
            Some(b'-') => (SortDirection::Descending, &value[1..]),
            Some(b'+') => (SortDirection::Ascending, &value[1..]),
            _ => (SortDirection::Ascending, value),
        };
        Self::new(UserOrderField::from(field), direction)
    }
}

impl From<String> for UserOrderBy {
    fn from(value: String) -> Self {
        Self::from(value.as_str())
    }
}

impl fmt::Display for UserOrderBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.direction {
            SortDirection::Ascending => '+',
            SortDirection::Descending => '-',
        };
        write!(f, "{sign}{}", self.field)
    }
}
