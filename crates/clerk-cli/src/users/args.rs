//! The arguments of `clerk users …`: one clap struct per subcommand, and the filter and
//! metadata flags several of them share.

use clap::{Args, Subcommand};

use crate::connection::ConnectionArgs;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk users list --query ada --limit 20\n  \
    clerk users list --all --json > users.jsonl\n  \
    clerk users create --email ada@example.com --first-name Ada --password 'correct horse battery'\n  \
    clerk users update user_2x… --last-name Lovelace --public-metadata '{\"plan\":\"pro\"}'\n  \
    clerk users update user_2x… --private-metadata @private.json\n  \
    clerk users ban user_2x…")]
pub struct UsersArgs {
    #[command(flatten)]
    pub(super) connection: ConnectionArgs,
    #[command(subcommand)]
    pub(super) command: UsersCommand,
}

#[derive(Subcommand, Debug)]
pub(super) enum UsersCommand {
    /// List users (newest first), filtered and ordered; --all walks every page.
    List(ListArgs),
    /// Count the users matching the filters.
    Count(CountArgs),
    /// Show one user.
    Get(UserId),
    /// Create a user.
    Create(CreateArgs),
    /// Change a user's fields; metadata flags deep-merge (or replace, with --replace-metadata).
    Update(UpdateArgs),
    /// Delete users.
    Delete(UserIds),
    /// Ban users: they are signed out and cannot sign in.
    Ban(UserIds),
    /// Lift a ban.
    Unban(UserIds),
    /// Lock users (as after too many failed sign-in attempts).
    Lock(UserIds),
    /// Unlock users.
    Unlock(UserIds),
    /// Check a password against a user's; exits 1 when it does not match.
    VerifyPassword(VerifyPasswordArgs),
    /// Check a TOTP or backup code; exits 1 when it does not match.
    VerifyTotp(VerifyTotpArgs),
    /// Turn off every second factor of a user.
    DisableMfa(UserId),
    /// Remove a user's password.
    RemovePassword(UserId),
}

#[derive(Args, Debug)]
pub(super) struct UserId {
    /// The user's id (user_…).
    pub(super) user_id: String,
    /// Print JSON (one object per line) instead of text.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Args, Debug)]
pub(super) struct UserIds {
    /// One or more user ids (user_…).
    #[arg(required = true)]
    pub(super) user_ids: Vec<String>,
    /// Print JSON (one object per line) instead of a table.
    #[arg(long)]
    pub(super) json: bool,
}

/// The filters `GET /users` and `GET /users/count` share.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Filters")]
pub(super) struct Filters {
    /// Partial match over emails, phones, usernames, wallets, ids and names.
    #[arg(long, short)]
    pub(super) query: Option<String>,
    /// Exact email address (repeat for any of several).
    #[arg(long)]
    pub(super) email: Vec<String>,
    /// Exact phone number (repeat for any of several).
    #[arg(long)]
    pub(super) phone: Vec<String>,
    /// Exact username (repeat).
    #[arg(long)]
    pub(super) username: Vec<String>,
    /// External id (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    pub(super) external_id: Vec<String>,
    /// User id (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    pub(super) user_id: Vec<String>,
    /// Web3 wallet address (repeat).
    #[arg(long)]
    pub(super) web3_wallet: Vec<String>,
    /// Member of this organization (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    pub(super) organization_id: Vec<String>,
    /// Substring of an email address.
    #[arg(long)]
    pub(super) email_query: Option<String>,
    /// Substring of a phone number.
    #[arg(long)]
    pub(super) phone_query: Option<String>,
    /// Substring of a username.
    #[arg(long)]
    pub(super) username_query: Option<String>,
    /// Substring of a first or last name.
    #[arg(long)]
    pub(super) name_query: Option<String>,
    /// Only banned (true) or only non-banned (false) users.
    #[arg(long)]
    pub(super) banned: Option<bool>,
    /// Created before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) created_before: Option<i64>,
    /// Created after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) created_after: Option<i64>,
    /// Last active before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) last_active_before: Option<i64>,
    /// Last active after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) last_active_after: Option<i64>,
    /// Last signed in before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) last_sign_in_before: Option<i64>,
    /// Last signed in after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    pub(super) last_sign_in_after: Option<i64>,
    /// OAuth provider (e.g. oauth_google), with --provider-user-id.
    #[arg(long)]
    pub(super) provider: Option<String>,
    /// User id at the OAuth provider (repeat).
    #[arg(long)]
    pub(super) provider_user_id: Vec<String>,
}

#[derive(Args, Debug)]
pub(super) struct ListArgs {
    /// Users per page, 1–500 (Clerk's default: 10).
    #[arg(long, short = 'n')]
    pub(super) limit: Option<u32>,
    /// Users to skip.
    #[arg(long)]
    pub(super) offset: Option<u32>,
    /// Sort field with optional +/- prefix: created_at, updated_at, email_address, web3wallet,
    /// first_name, last_name, phone_number, username, last_active_at, last_sign_in_at.
    #[arg(long, allow_hyphen_values = true)]
    pub(super) order_by: Option<String>,
    /// Walk every page (--limit sets the page size).
    #[arg(long)]
    pub(super) all: bool,
    /// Print JSON (one user per line) instead of a table.
    #[arg(long)]
    pub(super) json: bool,
    // Last: the heading it sets applies to the flags after it.
    #[command(flatten)]
    pub(super) filters: Filters,
}

#[derive(Args, Debug)]
pub(super) struct CountArgs {
    /// Print {"object":"total_count","total_count":N} instead of the number.
    #[arg(long)]
    pub(super) json: bool,
    #[command(flatten)]
    pub(super) filters: Filters,
}

#[derive(Args, Debug)]
pub(super) struct CreateArgs {
    /// Email address (repeat for several; the first is primary).
    #[arg(long)]
    pub(super) email: Vec<String>,
    /// Phone number in E.164 (repeat).
    #[arg(long)]
    pub(super) phone: Vec<String>,
    /// Web3 wallet address (repeat).
    #[arg(long)]
    pub(super) web3_wallet: Vec<String>,
    /// Username.
    #[arg(long)]
    pub(super) username: Option<String>,
    /// First name.
    #[arg(long)]
    pub(super) first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    pub(super) last_name: Option<String>,
    /// Your own id for the user.
    #[arg(long)]
    pub(super) external_id: Option<String>,
    /// Locale (e.g. en-GB).
    #[arg(long)]
    pub(super) locale: Option<String>,
    /// Plain password (hashed by the server).
    #[arg(long, conflicts_with = "password_digest")]
    pub(super) password: Option<String>,
    /// An existing digest, with --password-hasher (bcrypt, argon2id, pbkdf2_sha256, …).
    #[arg(long, requires = "password_hasher")]
    pub(super) password_digest: Option<String>,
    /// Hasher of --password-digest (bcrypt, argon2id, pbkdf2_sha256, scrypt_firebase, …).
    #[arg(long)]
    pub(super) password_hasher: Option<String>,
    /// Skip password strength and breach checks.
    #[arg(long)]
    pub(super) skip_password_checks: bool,
    /// Allow a user without a password even if the instance requires one.
    #[arg(long)]
    pub(super) skip_password_requirement: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(super) json: bool,
    #[command(flatten)]
    pub(super) metadata: MetadataArgs,
}

/// Metadata flags: inline JSON or `@file.json`.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Metadata")]
pub(super) struct MetadataArgs {
    /// Public metadata: a JSON object, or @FILE to read one.
    #[arg(long, value_name = "JSON|@FILE")]
    pub(super) public_metadata: Option<String>,
    /// Private metadata (never sent to the frontend): a JSON object, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    pub(super) private_metadata: Option<String>,
    /// Unsafe metadata (the user can change it): a JSON object, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    pub(super) unsafe_metadata: Option<String>,
}

#[derive(Args, Debug)]
pub(super) struct UpdateArgs {
    /// The user's id (user_…).
    pub(super) user_id: String,
    /// First name.
    #[arg(long)]
    pub(super) first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    pub(super) last_name: Option<String>,
    /// Username.
    #[arg(long)]
    pub(super) username: Option<String>,
    /// Your own id for the user.
    #[arg(long)]
    pub(super) external_id: Option<String>,
    /// Locale (e.g. en-GB).
    #[arg(long)]
    pub(super) locale: Option<String>,
    /// Id of one of the user's email addresses (idn_…) to make primary.
    #[arg(long)]
    pub(super) primary_email_address_id: Option<String>,
    /// Id of one of the user's phone numbers to make primary.
    #[arg(long)]
    pub(super) primary_phone_number_id: Option<String>,
    /// New plain password.
    #[arg(long, conflicts_with = "password_digest")]
    pub(super) password: Option<String>,
    /// New password digest, with --password-hasher.
    #[arg(long, requires = "password_hasher")]
    pub(super) password_digest: Option<String>,
    /// Hasher of --password-digest (bcrypt, argon2id, pbkdf2_sha256, scrypt_firebase, …).
    #[arg(long)]
    pub(super) password_hasher: Option<String>,
    /// Skip password strength and breach checks.
    #[arg(long)]
    pub(super) skip_password_checks: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(super) json: bool,
    /// Replace each given metadata field whole instead of deep-merging into it.
    #[arg(long)]
    pub(super) replace_metadata: bool,
    #[command(flatten)]
    pub(super) metadata: MetadataArgs,
}

#[derive(Args, Debug)]
pub(super) struct VerifyPasswordArgs {
    /// The user's id (user_…).
    pub(super) user_id: String,
    /// The password to check (prefer --password-stdin: arguments show up in `ps`).
    #[arg(required_unless_present = "password_stdin")]
    pub(super) password: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub(super) password_stdin: bool,
}

#[derive(Args, Debug)]
pub(super) struct VerifyTotpArgs {
    /// The user's id (user_…).
    pub(super) user_id: String,
    /// A 6-digit TOTP code or a backup code.
    pub(super) code: String,
}
