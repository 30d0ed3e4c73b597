//! `clerk export FILE`: every user as JSON Lines, one page in memory at a time.
//!
//! Against our server it reads the extension route `GET /_ext/export/users`, whose records carry
//! what Clerk never returns (password digests, TOTP secrets, OAuth tokens, backup code digests);
//! against Clerk, or a server without the route (404), it walks `GET /users` ordered by
//! `+created_at` with the `starting_after` cursor, so users created during the export land on
//! later pages instead of shifting the ones still to read.
//!
//! The full export opens only with an admin key (`--admin-key`, the server's `--admin-key`):
//! with a plain secret key the server answers 403 `admin_key_required`, and the export stops
//! and says so rather than fall back to records without the secrets.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use clerk_http_client::Client;
use futures::TryStreamExt;
use indicatif::ProgressBar;

use crate::connection::ConnectionArgs;
use crate::{output, progress};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk export users.jsonl\n  \
    clerk export - | gzip > users.jsonl.gz\n\n\
    The file is written as FILE.part and renamed when the export is complete, so a FILE that \
    exists is a whole export.")]
pub struct ExportArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Admin key of a `clerk serve` (one of its --admin-key): the full export, with secrets,
    /// needs it. Sent instead of the secret key for every request of the export.
    #[arg(long, env = "CLERK_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
    /// Where to write the users (JSON Lines); `-` for stdout.
    file: PathBuf,
    /// Users per request (1–500).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=500))]
    page_size: u32,
    /// Which API to read: `full` (our server's export route, with secrets), `users` (Clerk's
    /// GET /users, any Clerk endpoint), or `auto` (full where the server has it).
    #[arg(long, value_enum, default_value_t = Source::Auto)]
    source: Source,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Source {
    Auto,
    Full,
    Users,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    // The first calls fail fast (a wrong URL or key is a typo, not an outage); the export
    // itself rides out rate limits and blips.
    let connection = args.connection.with_key(args.admin_key.as_deref());
    let probe = connection.client()?;
    let client = connection.batch_client()?;
    // The count only sizes the progress bar; users created meanwhile are still exported.
    let total = probe.users().get_users_count().send().await?.total_count;
    let source = match args.source {
        Source::Auto => detect_source(&probe).await?,
        chosen => chosen,
    };
    let bar = progress::users_bar(Some(total.max(0) as u64), !args.no_progress, "exporting");

    let to_stdout = args.file.as_os_str() == "-";
    let partial = partial_path(&args.file);
    let mut out: Box<dyn Write> = if to_stdout {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    } else {
        let file = File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        Box::new(BufWriter::new(file))
    };

    let written = match source {
        Source::Full => export_full(&client, args.page_size, &mut out, &bar)
            .await
            .map_err(explain_admin_key),
        _ => export_users_api(&client, args.page_size, &mut out, &bar).await,
    };
    let written = written.and_then(|n| {
        out.flush()?;
        Ok(n)
    });
    drop(out);
    bar.finish_and_clear();
    let written = match written {
        Ok(n) => n,
        Err(e) => {
            if !to_stdout {
                eprintln!(
                    "export stopped; the users read so far are in {}",
                    partial.display()
                );
            }
            return Err(e);
        }
    };
    if !to_stdout {
        std::fs::rename(&partial, &args.file).with_context(|| {
            format!(
                "cannot rename {} to {}",
                partial.display(),
                args.file.display()
            )
        })?;
    }
    let what = match source {
        Source::Full => {
            "full records: ids, identities, password digests, TOTP secrets, OAuth tokens"
        }
        _ => "Clerk user objects: no password digests or secrets, which GET /users does not return",
    };
    let target = if to_stdout {
        "stdout".to_owned()
    } else {
        args.file.display().to_string()
    };
    eprintln!("exported {written} users to {target} ({what})");
    Ok(())
}

/// `full` when the server answers the export route, `users` when it says 404 (Clerk, or a
/// server of ours that predates the route). Any other failure is reported: guessing on a 401
/// would only hide a wrong key.
/// A server of ours that refuses the key (403 `admin_key_required`) is not a reason to fall back
/// either: that export would lose every secret.
async fn detect_source(client: &Client) -> anyhow::Result<Source> {
    match client.ext().export_users().limit(1).send().await {
        Ok(_) => Ok(Source::Full),
        Err(e) if e.is_not_found() => Ok(Source::Users),
        Err(e) => Err(explain_admin_key(
            anyhow::Error::from(e).context("probing GET /_ext/export/users"),
        )),
    }
}

/// Says what to do about a 403 `admin_key_required`.
fn explain_admin_key(error: anyhow::Error) -> anyhow::Error {
    let refused = error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<clerk_http_client::Error>())
        .any(|e| e.code() == Some("admin_key_required"));
    if refused {
        error.context(
            "the full export (with password digests and secrets) needs the server's admin key: \
             pass --admin-key or set CLERK_ADMIN_KEY (or --source users for Clerk's user \
             objects, without secrets)",
        )
    } else {
        error
    }
}

/// Walks the extension export with its `starting_after` cursor.
async fn export_full(
    client: &Client,
    page_size: u32,
    out: &mut impl Write,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let mut written = 0;
    let mut after: Option<String> = None;
    loop {
        let mut request = client.ext().export_users().limit(page_size);
        if let Some(id) = &after {
            request = request.starting_after(id);
        }
        let page = request.send().await?;
        for record in &page.data {
            output::json_line(out, record)?;
        }
        written += page.data.len() as u64;
        bar.inc(page.data.len() as u64);
        let last = page
            .data
            .last()
            .and_then(|r| r.get("id"))
            .and_then(|id| id.as_str())
            .map(str::to_owned);
        // A page without a last id, or the same cursor twice, would loop forever.
        match last {
            Some(last) if page.has_more && after.as_deref() != Some(last.as_str()) => {
                after = Some(last)
            }
            _ => break,
        }
    }
    Ok(written)
}

/// Walks `GET /users` oldest first with the cursor (the client's page stream).
async fn export_users_api(
    client: &Client,
    page_size: u32,
    out: &mut impl Write,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let mut pages = client
        .users()
        .get_user_list()
        .order_by("+created_at")
        .limit(page_size)
        .into_pages();
    let mut written = 0;
    while let Some(page) = pages.try_next().await? {
        for user in &page {
            output::json_line(out, user)?;
        }
        written += page.len() as u64;
        bar.inc(page.len() as u64);
    }
    Ok(written)
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}
