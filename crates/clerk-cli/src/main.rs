//! `clerk`: run a Clerk-compatible Users API server, and (soon) manage users on any
//! Clerk-compatible endpoint.

mod serve;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "clerk",
    version,
    about = "Clerk's Users API: serve it, manage users, import and export"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Users API server (Clerk's /v1/users wire protocol) on SQLite or PostgreSQL.
    Serve(serve::ServeArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
    }
}
