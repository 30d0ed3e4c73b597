//! `clerk users …`: one subcommand per Users operation, built on clerk-http-client's builders.
//!
//! - `args`: the clap arguments of every subcommand;
//! - `builders`: those arguments turned into clerk-http-client builders and request bodies;
//! - `dispatch`: running each subcommand and printing its answer.

mod args;
mod builders;
mod dispatch;

pub use args::UsersArgs;
pub use dispatch::run;
