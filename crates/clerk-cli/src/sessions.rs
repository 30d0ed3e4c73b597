//! `clerk sessions …` and `clerk jwks`: a user's sessions, creating one (Clerk's testing
//! endpoint), revoking them, minting a session token or a JWT template's token, and the keys
//! that verify those tokens. Sent with clerk-http-client's
//! [`SessionsApi`](clerk_http_client::SessionsApi) and [`JwksApi`](clerk_http_client::JwksApi),
//! so they fail as every other command does.

use std::io::Write;

use anyhow::Context;
use clap::{ArgGroup, Args, Subcommand};
use clerk_http_client::model::{Session, SessionStatus};

use crate::connection::{self, ConnectionArgs};
use crate::output::{self, Table};

/// The statuses `GET /sessions` filters by (Clerk's spec).
const STATUSES: [&str; 7] = [
    "abandoned",
    "active",
    "ended",
    "expired",
    "removed",
    "replaced",
    "revoked",
];

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk sessions create --user user_2x…\n  \
    clerk sessions list --user user_2x… --status active\n  \
    curl -H \"Authorization: Bearer $(clerk sessions token sess_2x…)\" https://app.example.com/api\n  \
    clerk sessions token sess_2x… --template my-api --expires-in 3600\n  \
    clerk sessions revoke sess_2x…\n  \
    clerk jwks > jwks.json\n\n\
    Tokens are RS256 JWTs; verify them with the keys `clerk jwks` prints (the token's header \
    names its key, `kid`).")]
pub struct SessionsArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(subcommand)]
    command: SessionsCommand,
}

#[derive(Subcommand, Debug)]
enum SessionsCommand {
    /// A user's or a client's sessions, newest first.
    List(ListArgs),
    /// Create an active session for a user, as a sign-in would (Clerk offers this for testing
    /// only, not on production instances).
    Create(CreateArgs),
    /// Revoke sessions: the user must sign in again.
    Revoke(RevokeArgs),
    /// Mint a session token (or a JWT template's token) and print the JWT alone.
    Token(TokenArgs),
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("whose").required(true).multiple(true).args(["user", "client"])))]
struct ListArgs {
    /// The user's sessions (user_…).
    #[arg(long, value_name = "USER_ID")]
    user: Option<String>,
    /// The client's sessions (client_…: one browser or device).
    #[arg(long, value_name = "CLIENT_ID")]
    client: Option<String>,
    /// Only sessions in this status.
    #[arg(long, value_parser = STATUSES)]
    status: Option<String>,
    /// Sessions to show, 1–500 (the server's default: 10).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=500))]
    limit: Option<u32>,
    /// Newer sessions to skip.
    #[arg(long)]
    offset: Option<u32>,
    /// Print JSON (one session per line) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CreateArgs {
    /// The user to sign in (user_…).
    #[arg(long, value_name = "USER_ID")]
    user: String,
    /// An organization the user belongs to, made the session's active one (its id, role and
    /// slug go into the session's tokens).
    #[arg(long, value_name = "ORG_ID")]
    org: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RevokeArgs {
    /// One or more session ids (sess_…).
    #[arg(required = true)]
    session_ids: Vec<String>,
    /// Print JSON (one session per line) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct TokenArgs {
    /// The session's id (sess_…); it must be active.
    session_id: String,
    /// Mint with the claims of this JWT template instead of a session token's.
    #[arg(long, value_name = "NAME")]
    template: Option<String>,
    /// The token's lifetime instead of the default (60 s for a session token, the template's
    /// for a template's): 30 to 315360000 seconds.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(i64).range(30..=315_360_000))]
    expires_in: Option<i64>,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk jwks > jwks.json\n  \
    clerk jwks --rotate\n\n\
    The same keys are served without authentication at /.well-known/jwks.json of a `clerk \
    serve`, where a token's issuer (iss) points.")]
pub struct JwksArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// First make a new signing key for the tokens minted from now on (a `clerk serve` only);
    /// the previous key stays in the set while tokens it signed live.
    #[arg(long)]
    rotate: bool,
}

pub async fn run(args: SessionsArgs) -> anyhow::Result<()> {
    let api = args.connection.client()?.sessions();
    match args.command {
        SessionsCommand::List(list) => {
            let mut request = api.list();
            if let Some(user) = list.user {
                request = request.user_id(user);
            }
            if let Some(client) = list.client {
                request = request.client_id(client);
            }
            if let Some(status) = list.status {
                request = request.status(status.parse::<SessionStatus>()?);
            }
            if let Some(limit) = list.limit {
                request = request.limit(limit);
            }
            if let Some(offset) = list.offset {
                request = request.offset(offset);
            }
            let page = request.send_with_total_count().await?;
            let mut out = std::io::stdout().lock();
            if list.json {
                for session in &page.data {
                    output::json_line(&mut out, session)?;
                }
            } else {
                sessions_table(&page.data).write(&mut out)?;
                let shown = u64::from(list.offset.unwrap_or(0)) + page.data.len() as u64;
                if (shown as i64) < page.total_count {
                    out.flush()?;
                    eprintln!(
                        "{} of {} sessions shown (newest first); more with --limit and --offset",
                        page.data.len(),
                        page.total_count
                    );
                }
            }
        }
        SessionsCommand::Create(create) => {
            let mut request = api.create(&create.user);
            if let Some(org) = create.org {
                request = request.active_organization_id(org);
            }
            let session = request.send().await?;
            print_session(&session, create.json)?;
        }
        SessionsCommand::Revoke(revoke) => {
            for id in &revoke.session_ids {
                let session = api
                    .revoke(id)
                    .send()
                    .await
                    .with_context(|| format!("session {id}"))?;
                if revoke.json {
                    output::json_line(&mut std::io::stdout(), &session)?;
                } else {
                    println!("{} {}", session.status, session.id);
                }
            }
        }
        SessionsCommand::Token(token) => {
            let mut request = match &token.template {
                Some(name) => api.create_token_from_template(&token.session_id, name),
                None => api.create_token(&token.session_id),
            };
            if let Some(seconds) = token.expires_in {
                request = request.expires_in_seconds(seconds);
            }
            let minted = request
                .send()
                .await
                .with_context(|| match &token.template {
                    Some(name) => format!("session {} with template {name}", token.session_id),
                    None => format!("session {}", token.session_id),
                })?;
            // The JWT alone, so `$(clerk sessions token …)` is the token.
            println!("{}", minted.jwt);
        }
    }
    Ok(())
}

pub async fn run_jwks(args: JwksArgs) -> anyhow::Result<()> {
    let api = args.connection.client()?.jwks();
    let jwks = if args.rotate {
        api.rotate().send().await.map_err(|e| {
            connection::explain_not_found(
                e.into(),
                "this server has no key rotation route (/v1/_ext/jwks/rotate): \
                 `clerk jwks --rotate` rotates the keys of a `clerk serve`",
            )
        })?
    } else {
        api.get().send().await?
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &jwks)?;
    writeln!(out)?;
    Ok(())
}

fn sessions_table(sessions: &[Session]) -> Table {
    let mut table = Table::new(&[
        "ID",
        "USER",
        "CLIENT",
        "STATUS",
        "ORGANIZATION",
        "LAST ACTIVE",
        "EXPIRES",
    ]);
    for session in sessions {
        table.row(vec![
            session.id.clone(),
            session.user_id.clone(),
            session.client_id.clone(),
            session.status.to_string(),
            organization(session),
            output::timestamp(Some(session.last_active_at)),
            output::timestamp(Some(session.expire_at)),
        ]);
    }
    table
}

fn organization(session: &Session) -> String {
    session
        .last_active_organization_id
        .clone()
        .unwrap_or_else(|| "-".into())
}

/// One session in full: a `key  value` block, or one JSON line.
fn print_session(session: &Session, json: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        return output::json_line(&mut out, session);
    }
    output::write_fields(
        &mut out,
        &[
            ("id", session.id.clone()),
            ("user_id", session.user_id.clone()),
            ("client_id", session.client_id.clone()),
            ("status", session.status.to_string()),
            ("organization", organization(session)),
            ("created_at", output::timestamp(Some(session.created_at))),
            ("expire_at", output::timestamp(Some(session.expire_at))),
            ("abandon_at", output::timestamp(Some(session.abandon_at))),
        ],
    )
}
