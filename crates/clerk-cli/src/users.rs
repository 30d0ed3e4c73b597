//! `clerk users …`: one subcommand per Users operation, built on clerk-http-client's builders.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use clerk_http_client::model::User;
use clerk_http_client::users::{GetUserList, GetUsersCount};
use clerk_http_client::Client;
use futures::TryStreamExt;
use serde_json::Value;

use crate::connection::ConnectionArgs;
use crate::output;

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
    connection: ConnectionArgs,
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
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
struct UserId {
    /// The user's id (user_…).
    user_id: String,
    /// Print JSON (one object per line) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct UserIds {
    /// One or more user ids (user_…).
    #[arg(required = true)]
    user_ids: Vec<String>,
    /// Print JSON (one object per line) instead of a table.
    #[arg(long)]
    json: bool,
}

/// The filters `GET /users` and `GET /users/count` share.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Filters")]
struct Filters {
    /// Partial match over emails, phones, usernames, wallets, ids and names.
    #[arg(long, short)]
    query: Option<String>,
    /// Exact email address (repeat for any of several).
    #[arg(long)]
    email: Vec<String>,
    /// Exact phone number (repeat for any of several).
    #[arg(long)]
    phone: Vec<String>,
    /// Exact username (repeat).
    #[arg(long)]
    username: Vec<String>,
    /// External id (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    external_id: Vec<String>,
    /// User id (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    user_id: Vec<String>,
    /// Web3 wallet address (repeat).
    #[arg(long)]
    web3_wallet: Vec<String>,
    /// Member of this organization (repeat; prefix +/- to include/exclude).
    #[arg(long)]
    organization_id: Vec<String>,
    /// Substring of an email address.
    #[arg(long)]
    email_query: Option<String>,
    /// Substring of a phone number.
    #[arg(long)]
    phone_query: Option<String>,
    /// Substring of a username.
    #[arg(long)]
    username_query: Option<String>,
    /// Substring of a first or last name.
    #[arg(long)]
    name_query: Option<String>,
    /// Only banned (true) or only non-banned (false) users.
    #[arg(long)]
    banned: Option<bool>,
    /// Created before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    created_before: Option<i64>,
    /// Created after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    created_after: Option<i64>,
    /// Last active before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    last_active_before: Option<i64>,
    /// Last active after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    last_active_after: Option<i64>,
    /// Last signed in before this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    last_sign_in_before: Option<i64>,
    /// Last signed in after this time (Unix ms).
    #[arg(long, value_name = "UNIX_MS")]
    last_sign_in_after: Option<i64>,
    /// OAuth provider (e.g. oauth_google), with --provider-user-id.
    #[arg(long)]
    provider: Option<String>,
    /// User id at the OAuth provider (repeat).
    #[arg(long)]
    provider_user_id: Vec<String>,
}

/// Applies [`Filters`] to either builder: both have the same setters, generated by the client's
/// macro, but no shared trait.
macro_rules! apply_filters {
    ($filters:expr, $builder:expr) => {{
        let f = $filters;
        let mut b = $builder;
        if let Some(v) = &f.query {
            b = b.query(v);
        }
        if !f.email.is_empty() {
            b = b.email_address(f.email.clone());
        }
        if !f.phone.is_empty() {
            b = b.phone_number(f.phone.clone());
        }
        if !f.username.is_empty() {
            b = b.username(f.username.clone());
        }
        if !f.external_id.is_empty() {
            b = b.external_id(f.external_id.clone());
        }
        if !f.user_id.is_empty() {
            b = b.user_id(f.user_id.clone());
        }
        if !f.web3_wallet.is_empty() {
            b = b.web3_wallet(f.web3_wallet.clone());
        }
        if !f.organization_id.is_empty() {
            b = b.organization_id(f.organization_id.clone());
        }
        if !f.provider_user_id.is_empty() {
            b = b.provider_user_id(f.provider_user_id.clone());
        }
        if let Some(v) = &f.email_query {
            b = b.email_address_query(v);
        }
        if let Some(v) = &f.phone_query {
            b = b.phone_number_query(v);
        }
        if let Some(v) = &f.username_query {
            b = b.username_query(v);
        }
        if let Some(v) = &f.name_query {
            b = b.name_query(v);
        }
        if let Some(v) = &f.provider {
            b = b.provider(v);
        }
        if let Some(v) = f.banned {
            b = b.banned(v);
        }
        if let Some(v) = f.created_before {
            b = b.created_at_before(v);
        }
        if let Some(v) = f.created_after {
            b = b.created_at_after(v);
        }
        if let Some(v) = f.last_active_before {
            b = b.last_active_at_before(v);
        }
        if let Some(v) = f.last_active_after {
            b = b.last_active_at_after(v);
        }
        if let Some(v) = f.last_sign_in_before {
            b = b.last_sign_in_at_before(v);
        }
        if let Some(v) = f.last_sign_in_after {
            b = b.last_sign_in_at_after(v);
        }
        b
    }};
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Users per page, 1–500 (Clerk's default: 10).
    #[arg(long, short = 'n')]
    limit: Option<u32>,
    /// Users to skip.
    #[arg(long)]
    offset: Option<u32>,
    /// Sort field with optional +/- prefix: created_at, updated_at, email_address, web3wallet,
    /// first_name, last_name, phone_number, username, last_active_at, last_sign_in_at.
    #[arg(long, allow_hyphen_values = true)]
    order_by: Option<String>,
    /// Walk every page (--limit sets the page size).
    #[arg(long)]
    all: bool,
    /// Print JSON (one user per line) instead of a table.
    #[arg(long)]
    json: bool,
    // Last: the heading it sets applies to the flags after it.
    #[command(flatten)]
    filters: Filters,
}

#[derive(Args, Debug)]
struct CountArgs {
    /// Print {"object":"total_count","total_count":N} instead of the number.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    filters: Filters,
}

#[derive(Args, Debug)]
struct CreateArgs {
    /// Email address (repeat for several; the first is primary).
    #[arg(long)]
    email: Vec<String>,
    /// Phone number in E.164 (repeat).
    #[arg(long)]
    phone: Vec<String>,
    /// Web3 wallet address (repeat).
    #[arg(long)]
    web3_wallet: Vec<String>,
    /// Username.
    #[arg(long)]
    username: Option<String>,
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
    /// Your own id for the user.
    #[arg(long)]
    external_id: Option<String>,
    /// Locale (e.g. en-GB).
    #[arg(long)]
    locale: Option<String>,
    /// Plain password (hashed by the server).
    #[arg(long, conflicts_with = "password_digest")]
    password: Option<String>,
    /// An existing digest, with --password-hasher (bcrypt, argon2id, pbkdf2_sha256, …).
    #[arg(long, requires = "password_hasher")]
    password_digest: Option<String>,
    /// Hasher of --password-digest (bcrypt, argon2id, pbkdf2_sha256, scrypt_firebase, …).
    #[arg(long)]
    password_hasher: Option<String>,
    /// Skip password strength and breach checks.
    #[arg(long)]
    skip_password_checks: bool,
    /// Allow a user without a password even if the instance requires one.
    #[arg(long)]
    skip_password_requirement: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// Metadata flags: inline JSON or `@file.json`.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Metadata")]
struct MetadataArgs {
    /// Public metadata: a JSON object, or @FILE to read one.
    #[arg(long, value_name = "JSON|@FILE")]
    public_metadata: Option<String>,
    /// Private metadata (never sent to the frontend): a JSON object, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    private_metadata: Option<String>,
    /// Unsafe metadata (the user can change it): a JSON object, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    unsafe_metadata: Option<String>,
}

impl MetadataArgs {
    fn parsed(&self) -> anyhow::Result<[Option<Value>; 3]> {
        Ok([
            parse_json_object("--public-metadata", self.public_metadata.as_deref())?,
            parse_json_object("--private-metadata", self.private_metadata.as_deref())?,
            parse_json_object("--unsafe-metadata", self.unsafe_metadata.as_deref())?,
        ])
    }
}

#[derive(Args, Debug)]
struct UpdateArgs {
    /// The user's id (user_…).
    user_id: String,
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
    /// Username.
    #[arg(long)]
    username: Option<String>,
    /// Your own id for the user.
    #[arg(long)]
    external_id: Option<String>,
    /// Locale (e.g. en-GB).
    #[arg(long)]
    locale: Option<String>,
    /// Id of one of the user's email addresses (idn_…) to make primary.
    #[arg(long)]
    primary_email_address_id: Option<String>,
    /// Id of one of the user's phone numbers to make primary.
    #[arg(long)]
    primary_phone_number_id: Option<String>,
    /// New plain password.
    #[arg(long, conflicts_with = "password_digest")]
    password: Option<String>,
    /// New password digest, with --password-hasher.
    #[arg(long, requires = "password_hasher")]
    password_digest: Option<String>,
    /// Hasher of --password-digest (bcrypt, argon2id, pbkdf2_sha256, scrypt_firebase, …).
    #[arg(long)]
    password_hasher: Option<String>,
    /// Skip password strength and breach checks.
    #[arg(long)]
    skip_password_checks: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Replace each given metadata field whole instead of deep-merging into it.
    #[arg(long)]
    replace_metadata: bool,
    #[command(flatten)]
    metadata: MetadataArgs,
}

#[derive(Args, Debug)]
struct VerifyPasswordArgs {
    /// The user's id (user_…).
    user_id: String,
    /// The password to check (prefer --password-stdin: arguments show up in `ps`).
    #[arg(required_unless_present = "password_stdin")]
    password: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args, Debug)]
struct VerifyTotpArgs {
    /// The user's id (user_…).
    user_id: String,
    /// A 6-digit TOTP code or a backup code.
    code: String,
}

pub async fn run(args: UsersArgs) -> anyhow::Result<ExitCode> {
    let client = args.connection.client()?;
    let users = client.users();
    match args.command {
        UsersCommand::List(list) => run_list(&client, list).await?,
        UsersCommand::Count(count) => {
            let builder: GetUsersCount = apply_filters!(&count.filters, users.get_users_count());
            let total = builder.send().await?;
            if count.json {
                output::json_line(&mut std::io::stdout(), &total)?;
            } else {
                println!("{}", total.total_count);
            }
        }
        UsersCommand::Get(id) => {
            let user = users.get_user(&id.user_id).send().await?;
            output::print_user(&user, id.json)?;
        }
        UsersCommand::Create(create) => {
            let user = create_user(&client, create.clone_request()?).await?;
            output::print_user(&user, create.json)?;
        }
        UsersCommand::Update(update) => {
            let user = update_user(&client, &update).await?;
            output::print_user(&user, update.json)?;
        }
        UsersCommand::Delete(ids) => {
            for id in &ids.user_ids {
                let deleted = users.delete_user(id).send().await?;
                if ids.json {
                    output::json_line(&mut std::io::stdout(), &deleted)?;
                } else {
                    println!("deleted {}", deleted.id.as_deref().unwrap_or(id));
                }
            }
        }
        UsersCommand::Ban(ids) => {
            each_user(&ids, |id| users.ban_user(id).send()).await?;
        }
        UsersCommand::Unban(ids) => {
            each_user(&ids, |id| users.unban_user(id).send()).await?;
        }
        UsersCommand::Lock(ids) => {
            each_user(&ids, |id| users.lock_user(id).send()).await?;
        }
        UsersCommand::Unlock(ids) => {
            each_user(&ids, |id| users.unlock_user(id).send()).await?;
        }
        UsersCommand::VerifyPassword(verify) => {
            let password = match (verify.password, verify.password_stdin) {
                (_, true) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
                (Some(password), false) => password,
                (None, false) => bail!("give a password or --password-stdin"),
            };
            return match users
                .verify_password(&verify.user_id, password)
                .send()
                .await
            {
                Ok(result) if result.verified => {
                    println!("verified");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) => {
                    println!("not verified");
                    Ok(ExitCode::FAILURE)
                }
                // Clerk answers a wrong password with 422 incorrect_password: an answer, not a
                // failure of the command.
                Err(e) if e.code() == Some("incorrect_password") => {
                    println!("incorrect password");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            };
        }
        UsersCommand::VerifyTotp(verify) => {
            return match users
                .verify_totp(&verify.user_id, &verify.code)
                .send()
                .await
            {
                Ok(result) if result.verified => {
                    println!("verified ({})", result.code_type);
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) => {
                    println!("not verified");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) if e.code() == Some("totp_incorrect_code") => {
                    println!("incorrect code");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            };
        }
        UsersCommand::DisableMfa(id) => {
            let result = users.disable_mfa(&id.user_id).send().await?;
            if id.json {
                output::json_line(&mut std::io::stdout(), &result)?;
            } else {
                println!("second factors disabled for {}", id.user_id);
            }
        }
        UsersCommand::RemovePassword(id) => {
            let user = users.remove_user_password(&id.user_id).send().await?;
            output::print_user(&user, id.json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_list(client: &Client, list: ListArgs) -> anyhow::Result<()> {
    let mut builder: GetUserList = apply_filters!(&list.filters, client.users().get_user_list());
    if let Some(limit) = list.limit {
        builder = builder.limit(limit);
    }
    if let Some(offset) = list.offset {
        builder = builder.offset(offset);
    }
    if let Some(order_by) = &list.order_by {
        builder = builder.order_by(order_by);
    }
    if !list.all {
        let users = builder.send().await?;
        output::print_users(&users, list.json)?;
        return Ok(());
    }
    if list.json {
        // Streamed: one page in memory at a time, whatever the number of users.
        let mut pages = builder.into_pages();
        let mut out = std::io::stdout().lock();
        while let Some(page) = pages.try_next().await? {
            for user in &page {
                output::json_line(&mut out, user)?;
            }
            out.flush()?;
        }
    } else {
        // A table needs every row to size its columns.
        let users: Vec<User> = builder.into_stream().try_collect().await?;
        output::print_users(&users, false)?;
    }
    Ok(())
}

/// Runs one call per id and prints the users it returns as a table (or JSON lines). Stops at
/// the first failure, having printed what succeeded.
async fn each_user<F, Fut>(ids: &UserIds, call: F) -> anyhow::Result<()>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = clerk_http_client::Result<User>>,
{
    let mut done = Vec::new();
    for id in &ids.user_ids {
        match call(id.clone()).await {
            Ok(user) => done.push(user),
            Err(e) => {
                output::print_users(&done, ids.json)?;
                return Err(anyhow::Error::from(e).context(format!("user {id}")));
            }
        }
    }
    output::print_users(&done, ids.json)?;
    Ok(())
}

impl CreateArgs {
    fn clone_request(&self) -> anyhow::Result<clerk_http_client::model::CreateUserRequest> {
        let [public, private, unsafe_] = self.metadata.parsed()?;
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        Ok(clerk_http_client::model::CreateUserRequest {
            email_address: non_empty(&self.email),
            phone_number: non_empty(&self.phone),
            web3_wallet: non_empty(&self.web3_wallet),
            username: self.username.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            external_id: self.external_id.clone(),
            locale: self.locale.clone(),
            password: self.password.clone(),
            password_digest: self.password_digest.clone(),
            password_hasher: self.password_hasher.clone(),
            skip_password_checks: self.skip_password_checks.then_some(true),
            skip_password_requirement: self.skip_password_requirement.then_some(true),
            public_metadata: public,
            private_metadata: private,
            unsafe_metadata: unsafe_,
            ..Default::default()
        })
    }
}

async fn create_user(
    client: &Client,
    request: clerk_http_client::model::CreateUserRequest,
) -> anyhow::Result<User> {
    Ok(client.users().create_user().request(request).send().await?)
}

/// `PATCH /users/{id}` for the profile fields, then the metadata endpoint for metadata: from API
/// version 2026-05-12 Clerk refuses metadata in the update itself.
async fn update_user(client: &Client, args: &UpdateArgs) -> anyhow::Result<User> {
    let users = client.users();
    let [public, private, unsafe_] = args.metadata.parsed()?;
    let request = clerk_http_client::model::UpdateUserRequest {
        first_name: args.first_name.clone().map(Some),
        last_name: args.last_name.clone().map(Some),
        username: args.username.clone().map(Some),
        external_id: args.external_id.clone().map(Some),
        locale: args.locale.clone().map(Some),
        primary_email_address_id: args.primary_email_address_id.clone(),
        primary_phone_number_id: args.primary_phone_number_id.clone(),
        password: args.password.clone(),
        password_digest: args.password_digest.clone(),
        password_hasher: args.password_hasher.clone(),
        skip_password_checks: args.skip_password_checks.then_some(true),
        ..Default::default()
    };
    let has_metadata = public.is_some() || private.is_some() || unsafe_.is_some();
    let changes_profile = request != Default::default();
    if !has_metadata && !changes_profile {
        bail!("nothing to update: give at least one field (see `clerk users update --help`)");
    }
    let mut user = None;
    if changes_profile {
        user = Some(
            users
                .update_user(&args.user_id)
                .request(request)
                .send()
                .await?,
        );
    }
    if has_metadata {
        user = Some(if args.replace_metadata {
            let mut call = users.replace_user_metadata(&args.user_id);
            if let Some(v) = public {
                call = call.public_metadata(v);
            }
            if let Some(v) = private {
                call = call.private_metadata(v);
            }
            if let Some(v) = unsafe_ {
                call = call.unsafe_metadata(v);
            }
            call.send().await?
        } else {
            let mut call = users.update_user_metadata(&args.user_id);
            if let Some(v) = public {
                call = call.public_metadata(v);
            }
            if let Some(v) = private {
                call = call.private_metadata(v);
            }
            if let Some(v) = unsafe_ {
                call = call.unsafe_metadata(v);
            }
            call.send().await?
        });
    }
    Ok(user.expect("one of the two calls ran"))
}

/// A metadata flag's value: inline JSON, or `@path` to read it from a file. Must be an object,
/// as Clerk's metadata fields are.
fn parse_json_object(flag: &str, arg: Option<&str>) -> anyhow::Result<Option<Value>> {
    let Some(arg) = arg else { return Ok(None) };
    let (text, source) = match arg.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("{flag}: cannot read {path}"))?,
            path.to_owned(),
        ),
        None => (arg.to_owned(), "the argument".to_owned()),
    };
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("{flag}: {source} is not valid JSON"))?;
    if !value.is_object() {
        bail!("{flag}: expected a JSON object like {{\"plan\":\"pro\"}}");
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_comes_inline_or_from_a_file() {
        let inline = parse_json_object("--public-metadata", Some(r#"{"plan":"pro"}"#)).unwrap();
        assert_eq!(inline, Some(serde_json::json!({"plan": "pro"})));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.json");
        std::fs::write(&path, r#"{"a":{"b":1}}"#).unwrap();
        let from_file =
            parse_json_object("--public-metadata", Some(&format!("@{}", path.display()))).unwrap();
        assert_eq!(from_file, Some(serde_json::json!({"a": {"b": 1}})));

        assert!(parse_json_object("--public-metadata", Some("[1]")).is_err());
        assert!(parse_json_object("--public-metadata", Some("{nope")).is_err());
        assert_eq!(parse_json_object("--public-metadata", None).unwrap(), None);
    }
}
