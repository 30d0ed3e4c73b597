//! `clerk import FILE`: create the users of an export or migration file, resumably.
//!
//! The file is read in batches as it is imported (memory stays flat); each batch goes to
//! - our server's bulk route `POST /_ext/import/users` (`bulk`): ids, identities, digests,
//!   secrets and timestamps kept; a record already there comes back `exists`;
//! - or, on Clerk and any endpoint without that route (`api`), `create_user` per record with
//!   bounded concurrency, after looking the batch's external ids and emails up so that a re-run
//!   skips the users it already created.
//!
//! Every record ends as created, already there, or failed; failed ones (malformed lines
//! included) go to the failures file with the reason and the original input, so nothing is lost
//! and the file can be fixed and imported again.

mod api;
mod bulk;
mod failures;
mod input;
mod records;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use clerk_http_client::model::ClerkError;
use clerk_http_client::{Client, Error};
use futures::stream::{self, StreamExt};

use crate::connection::ConnectionArgs;
use crate::progress;
use failures::FailureLog;
use input::{Input, InputReader};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk import users.jsonl                      # an export of `clerk export`\n  \
    clerk import migration.json                   # Clerk's migration JSON (an array)\n  \
    clerk import users.jsonl --target api         # create_user only, as on Clerk\n  \
    clerk import users.jsonl.failed.jsonl         # retry failures after fixing them\n\n\
    Re-running an import is safe: users already there (same id, external id or email) are \
    skipped, not duplicated. Exits 1 when any record failed.")]
pub struct ImportArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// JSON Lines (one user per line) or a JSON array; `-` for stdin.
    file: PathBuf,
    /// Where to write the records that failed, with the reason [default: FILE.failed.jsonl].
    #[arg(long, value_name = "PATH")]
    failures: Option<PathBuf>,
    /// `bulk` (our server's import route: keeps ids, secrets, timestamps), `api` (create_user,
    /// any Clerk endpoint), or `auto` (bulk where the server has it).
    #[arg(long, value_enum, default_value_t = Target::Auto)]
    target: Target,
    /// Records per bulk request (1–500), or per look-up batch with --target api.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=500))]
    batch_size: Option<u32>,
    /// create_user calls in flight at once (api target); 429s are waited out as Retry-After says.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=64))]
    concurrency: u32,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
    Auto,
    Bulk,
    Api,
}

/// What became of one record.
#[derive(Debug)]
pub enum Outcome {
    Created,
    Exists,
    Failed {
        reason: String,
        errors: Vec<ClerkError>,
    },
}

impl Outcome {
    fn failed(reason: impl Into<String>) -> Self {
        Outcome::Failed {
            reason: reason.into(),
            errors: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    created: u64,
    existing: u64,
    failed: u64,
}

impl Tally {
    fn report(&self, how: &str) {
        eprintln!(
            "{} records ({how}): {} created, {} already there, {} failed",
            self.created + self.existing + self.failed,
            self.created,
            self.existing,
            self.failed
        );
    }
}

/// Failures are reported on stderr up to this many; all of them go to the failures file.
const MAX_REPORTED_FAILURES: u64 = 20;

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    // The probe fails fast (a wrong URL or key is a typo, not an outage); the import itself
    // rides out rate limits and blips.
    let client = args.connection.batch_client()?;
    let target = match args.target {
        Target::Auto => detect_target(&args.connection.client()?).await?,
        chosen => chosen,
    };
    let failures_path = args
        .failures
        .clone()
        .unwrap_or_else(|| default_failures_path(&args.file));
    // The failures file is replaced on each run: it must never be the input itself.
    if failures_path == args.file {
        anyhow::bail!("--failures must name another file than the input");
    }
    let mut failures = FailureLog::new(failures_path)?;

    let reader = InputReader::open(&args.file)?;
    let bar = progress::users_bar(reader.total(), !args.no_progress, "importing");

    let (batch_size, in_flight) = match target {
        Target::Bulk => (args.batch_size.unwrap_or(500), 2),
        // Batches only bound the look-ups; the creates inside run `concurrency` at a time.
        _ => (args.batch_size.unwrap_or(100), 1),
    };
    let concurrency = args.concurrency as usize;
    let client_ref = &client;
    let mut results = stream::iter(reader.batches(batch_size as usize))
        .map(|batch| async move {
            let batch = batch?;
            let outcomes = import_batch(client_ref, target, concurrency, &batch).await?;
            anyhow::Ok((batch, outcomes))
        })
        .buffered(in_flight);

    let mut tally = Tally::default();
    while let Some(result) = results.next().await {
        let (batch, outcomes) = match result {
            Ok(done) => done,
            Err(error) => {
                // What was imported stays; a re-run skips it and carries on from there.
                bar.finish_and_clear();
                failures.flush()?;
                tally.report("so far");
                return Err(error.context("import stopped (run the same command again to resume)"));
            }
        };
        for (input, outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Outcome::Created => tally.created += 1,
                Outcome::Exists => tally.existing += 1,
                Outcome::Failed { reason, errors } => {
                    tally.failed += 1;
                    if tally.failed <= MAX_REPORTED_FAILURES {
                        // `suspend`, not `println`: a hidden bar (no terminal) prints nothing.
                        bar.suspend(|| eprintln!("{}: {reason}", input.location()));
                    } else if tally.failed == MAX_REPORTED_FAILURES + 1 {
                        bar.suspend(|| {
                            eprintln!("more failures: see {}", failures.path().display())
                        });
                    }
                    failures.write(input, &reason, &errors)?;
                }
            }
            bar.inc(1);
        }
        // After each batch, so an interrupted import has lost no failure it reported.
        failures.flush()?;
    }
    bar.finish_and_clear();

    tally.report(match target {
        Target::Bulk => "bulk import",
        _ => "create_user",
    });
    if tally.failed > 0 {
        eprintln!(
            "failed records and their reasons are in {}",
            failures.path().display()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends the well-formed records of a batch; malformed ones fail without a request. An error
/// that is not about the records (the server unreachable or failing, the key refused) stops the
/// import instead of failing every record that follows.
async fn import_batch(
    client: &Client,
    target: Target,
    concurrency: usize,
    batch: &[Input],
) -> anyhow::Result<Vec<Outcome>> {
    let records: Vec<_> = batch
        .iter()
        .filter_map(|input| input.record.as_ref().ok())
        .collect();
    let mut sent = match target {
        Target::Bulk => bulk::import(client, &records).await?,
        _ => api::import(client, &records, concurrency).await?,
    }
    .into_iter();
    Ok(batch
        .iter()
        .map(|input| match &input.record {
            Ok(_) => sent
                .next()
                .unwrap_or_else(|| Outcome::failed("no result for this record")),
            Err(reason) => Outcome::failed(reason.clone()),
        })
        .collect())
}

/// Whether a failed request says nothing about its records: then retrying them later is the
/// remedy, not a failures file. Client-side validation and 4xx answers (422 invalid field, 400)
/// are about the record.
fn stops_the_import(error: &Error) -> bool {
    match error {
        Error::Validation { .. } => false,
        Error::Api(api) => {
            api.status.is_server_error() || matches!(api.status.as_u16(), 401 | 403 | 404 | 429)
        }
        _ => true,
    }
}

/// `bulk` when the server has the extension routes, `api` when it answers 404 (Clerk). The
/// probe is the export route's GET: it changes nothing, unlike a trial import. Our server
/// opens the export to admin keys only; its 403 `admin_key_required` to a plain secret key still
/// says the extension routes are there (the import route takes any key).
async fn detect_target(client: &Client) -> anyhow::Result<Target> {
    match client.ext().export_users().limit(1).send().await {
        Ok(_) => Ok(Target::Bulk),
        Err(e) if e.code() == Some("admin_key_required") => Ok(Target::Bulk),
        Err(e) if e.is_not_found() => Ok(Target::Api),
        Err(e) => Err(anyhow::Error::from(e).context("probing GET /_ext/export/users")),
    }
}

fn default_failures_path(file: &Path) -> PathBuf {
    if file.as_os_str() == "-" {
        return PathBuf::from("import.failed.jsonl");
    }
    let mut name = file.as_os_str().to_owned();
    name.push(".failed.jsonl");
    PathBuf::from(name)
}
