#!/usr/bin/env bash
# Every test of the project: the Rust workspace (unit, integration on SQLite and PostgreSQL,
# doc-tests), then the conformance suite (Clerk's official Python SDK + Clerk's spec as oracles).
#
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres
# (override with CLERK_TEST_POSTGRES_URL / CONFORMANCE_PG_URL); `.ci/run` starts one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# One build of every target with the features the tests use; it also leaves the `clerk`
# binary the conformance suite runs, so nothing is compiled twice with other features.
cargo build --workspace --all-targets
cargo test --workspace --all-targets
cargo test --workspace --doc
# The client and its model stay publishable: documented throughout (missing docs and broken
# doc links fail), and packaged and built as crates.io would (needs the registry index).
RUSTDOCFLAGS="-D warnings" cargo doc -p clerk-model -p clerk-http-client --no-deps
# Cargo treats the model it has just packaged like any registry crate: it keeps it unpacked in
# its source cache and compiled in the target directory, and reuses both when the version is
# the same, so a second run would verify the client against the first run's model. Each run
# therefore starts from an empty cache entry and a target directory of its own.
rm -rf target/package target/package-verify "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/clerk-model-*
CARGO_TARGET_DIR=target/package-verify cargo package -p clerk-model -p clerk-http-client --allow-dirty
CLERK_BIN="$PWD/target/debug/clerk" bash conformance/run.sh
CLERK_BIN="$PWD/target/debug/clerk" bash browser/run.sh
