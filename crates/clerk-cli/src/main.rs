//! `clerk`: run a Clerk-compatible Users API server, manage users on any Clerk-compatible
//! endpoint (Clerk itself or `clerk serve`), and move users between them with export / import.

mod connection;
mod export;
mod import;
mod output;
mod progress;
mod serve;
mod sessions;
mod users;
mod webhooks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "clerk",
    version,
    about = "Clerk's Users API: serve it, manage users, import and export",
    long_about = "Clerk's Users API: serve it, manage users, import and export.\n\n\
        The users, sessions, jwks, export and import commands talk to any Clerk-compatible \
        Backend API: Clerk itself (the default, https://api.clerk.com/v1) or a `clerk serve` \
        (--api-url http://127.0.0.1:8080/v1). Set the secret key with --secret-key or CLERK_SECRET_KEY.",
    after_help = "Examples:\n  \
        clerk serve\n  \
        export CLERK_API_URL=http://127.0.0.1:8080/v1 CLERK_SECRET_KEY=sk_test_...\n  \
        clerk users create --email ada@example.com --first-name Ada\n  \
        clerk users list --query ada\n  \
        clerk webhooks add https://example.com/clerk-webhooks --events user.created\n  \
        clerk sessions create --user user_2x...\n  \
        clerk sessions token sess_2x...\n  \
        clerk export users.jsonl\n  \
        clerk import users.jsonl"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Users API server (Clerk's /v1/users wire protocol) on SQLite or PostgreSQL.
    Serve(serve::ServeArgs),
    /// List, search, create, update, delete, ban and lock users.
    // Boxed: the users flags dwarf the other commands'.
    Users(Box<users::UsersArgs>),
    /// Webhook endpoints of a `clerk serve`: list, add, remove, see attempts, resend.
    Webhooks(webhooks::WebhooksArgs),
    /// Sessions: list, create, revoke, and mint session tokens.
    Sessions(sessions::SessionsArgs),
    /// Print the JSON Web Key Set that verifies session tokens (--rotate: a new signing key).
    Jwks(sessions::JwksArgs),
    /// Write every user to a JSON Lines file, page by page.
    Export(export::ExportArgs),
    /// Create users from a JSON Lines export or Clerk migration file; safe to re-run.
    Import(import::ImportArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Users(args) => users::run(*args).await,
        Command::Webhooks(args) => webhooks::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Sessions(args) => sessions::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Jwks(args) => sessions::run_jwks(args).await.map(|()| ExitCode::SUCCESS),
        Command::Export(args) => export::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Import(args) => import::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", connection::describe(&error));
            ExitCode::FAILURE
        }
    }
}
