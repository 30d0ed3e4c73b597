//! `clerk-bench`: the tooling behind `bench/run.sh`.
//!
//! - `load`: writes a deterministic data set of users (emails, phones, usernames, external
//!   ids, metadata, passwords, some banned or locked) and organizations with memberships
//!   straight into a database whose schema `clerk serve` created, and the samples the wrk
//!   scripts draw from;
//! - `bcrypt`, `db-ceiling`: the hashing and database ceilings;
//! - `webhooks`: the webhook scenario against a running server, with its own receiver: the
//!   write path with and without an endpoint, and delivery throughput and latency;
//! - `report`: the run's result lines as Markdown, each scenario as a ratio to its ceiling.

mod ceilings;
mod gen;
mod load;
mod report;
mod webhooks;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(name = "clerk-bench", about = "Benchmark tooling for clerk serve")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the data set into a database migrated by `clerk serve`, and write samples.
    Load {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        users: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// bcrypt cost of the stored password digest (the server's `--bcrypt-cost`).
        #[arg(long, default_value_t = 10)]
        bcrypt_cost: u32,
        /// Directory for the samples (users, emails, search needles) the wrk scripts use.
        #[arg(long)]
        samples: PathBuf,
        #[arg(long, default_value_t = 2000)]
        sample_count: u64,
    },
    /// Write the samples of a data set without loading it.
    Samples {
        #[arg(long)]
        users: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        samples: PathBuf,
        #[arg(long, default_value_t = 2000)]
        sample_count: u64,
    },
    /// Hashing ceiling: bcrypt hashes/s at the cost, one thread per core. Prints JSON.
    Bcrypt {
        #[arg(long, default_value_t = 10)]
        cost: u32,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// Database ceiling: point lookups/s by user id through the server's store. Prints JSON.
    DbCeiling {
        #[arg(long)]
        database_url: String,
        /// The `users.txt` sample file of the loaded data set.
        #[arg(long)]
        ids: PathBuf,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// Webhooks against a running `clerk serve` (no endpoint registered): POST /users and
    /// PATCH metadata without and with one endpoint, then `--events` users created and their
    /// `user.created` events awaited at a receiver in this process. Prints JSON lines; exits
    /// non-zero if some event never arrived.
    Webhooks(webhooks::Options),
    /// Render result lines (JSON) as Markdown.
    Report {
        results: PathBuf,
        /// Exit non-zero if a scenario got a non-2xx response or made no request (never on
        /// times): the benchmark itself must keep working.
        #[arg(long)]
        check: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load {
            database_url,
            users,
            seed,
            bcrypt_cost,
            samples,
            sample_count,
        } => {
            let set = gen::DataSet { seed, users };
            let seconds = load::load(&database_url, set, bcrypt_cost).await?;
            load::write_samples(&samples, set, sample_count)?;
            println!("{}", json!({"scenario": "load", "seconds": seconds}));
        }
        Command::Samples {
            users,
            seed,
            samples,
            sample_count,
        } => load::write_samples(&samples, gen::DataSet { seed, users }, sample_count)?,
        Command::Bcrypt { cost, seconds } => {
            let (rps, threads) =
                tokio::task::spawn_blocking(move || ceilings::bcrypt_per_second(cost, seconds))
                    .await?;
            println!(
                "{}",
                json!({"store": "all", "scenario": "ceiling_bcrypt", "rps": rps, "cost": cost, "threads": threads})
            );
        }
        Command::DbCeiling {
            database_url,
            ids,
            concurrency,
            seconds,
        } => {
            let ids: Vec<String> = std::fs::read_to_string(&ids)?
                .lines()
                .map(str::to_owned)
                .collect();
            anyhow::ensure!(!ids.is_empty(), "no ids in the sample file");
            let rps =
                ceilings::db_lookups_per_second(&database_url, ids, concurrency, seconds).await?;
            println!("{}", json!({"scenario": "ceiling_db", "rps": rps}));
        }
        Command::Webhooks(options) => webhooks::run(options).await?,
        Command::Report { results, check } => {
            let lines = std::fs::read_to_string(results)?;
            print!("{}", report::render(&lines)?);
            if check {
                let broken = report::broken_scenarios(&lines)?;
                anyhow::ensure!(
                    broken.is_empty(),
                    "scenarios that failed (non-2xx responses or no requests): {}",
                    broken.join(", ")
                );
            }
        }
    }
    Ok(())
}
