//! Shared by the CLI tests: the real server (`clerk serve`) as a child process on an ephemeral
//! port with its own SQLite file, and a runner for the built `clerk` binary pointed at it.

#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub const SECRET_KEY: &str = "sk_test_cli_tests_0123456789abcdefghijk";
/// The server's `--admin-key`: only it opens the full export.
pub const ADMIN_KEY: &str = "sk_test_cli_tests_admin_key_0123456789ab";

/// `digest` of "correct horse battery" made by Python's `bcrypt.hashpw` (the server's fixture
/// crates/clerk-server/tests/fixtures/passwords/digests.json).
pub const BCRYPT_DIGEST: &str = "$2b$04$y1UJgqR21ouhAf1Gi5PiwOoCWhjxBNmrLBOa.e41krWWDh17d7VMa";
pub const BCRYPT_PASSWORD: &str = "correct horse battery";

pub fn clerk_bin() -> &'static str {
    env!("CARGO_BIN_EXE_clerk")
}

/// A running `clerk serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&[], None)
    }

    /// `clerk serve` with more flags, and under `ulimit -n NOFILE` when `nofile` is given.
    pub fn start_with(args: &[&str], nofile: Option<u32>) -> Self {
        Self::launch(tempfile::tempdir().unwrap(), None, args, nofile, &[])
    }

    /// `clerk serve` in `dir` (one [`Server::stop`] handed back, to restart on the same
    /// database), on `database_url` (default: the SQLite file `x.db` in `dir`), with more flags
    /// and environment variables.
    pub fn start_in(
        dir: tempfile::TempDir,
        database_url: Option<&str>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        Self::launch(dir, database_url, args, None, env)
    }

    fn launch(
        dir: tempfile::TempDir,
        database_url: Option<&str>,
        args: &[&str],
        nofile: Option<u32>,
        env: &[(&str, &str)],
    ) -> Self {
        let database_url = match database_url {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}", dir.path().join("x.db").display()),
        };
        let mut command = match nofile {
            // `exec` keeps the pid: a signal sent to it reaches `clerk` itself.
            Some(limit) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(clerk_bin());
                sh
            }
            None => Command::new(clerk_bin()),
        };
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0", "--bcrypt-cost", "4"])
            .arg("--database-url")
            .arg(database_url)
            .args(["--secret-key", SECRET_KEY, "--admin-key", ADMIN_KEY])
            .args(args)
            // Key files that do not sit beside a SQLite file go in the working directory.
            .current_dir(dir.path())
            .env_remove("CLERK_SECRET_KEY")
            .env_remove("CLERK_ADMIN_KEY")
            .env_remove("CLERK_WEBHOOKS")
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start clerk serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("clerk serve exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url, dir }
    }

    /// Stops `clerk serve` (SIGKILL) and hands back its directory, database and key files
    /// included, for [`Server::start_in`].
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }

    /// The server's address (host and port).
    pub fn addr(&self) -> std::net::SocketAddr {
        let host = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches("/v1");
        host.parse().expect("listening address")
    }

    /// The `clerk serve` process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, if `clerk serve` has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Runs `clerk ARGS` against this server.
    pub fn clerk(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run clerk")
    }

    /// `clerk ARGS` against this server, not started yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(clerk_bin());
        command
            .args(args)
            .env("CLERK_API_URL", &self.url)
            .env("CLERK_SECRET_KEY", SECRET_KEY)
            .env_remove("CLERK_ADMIN_KEY")
            .current_dir(self.dir.path());
        command
    }

    /// Runs `clerk ARGS` and insists that it succeeds; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.clerk(args);
        assert!(
            output.status.success(),
            "clerk {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `POST /_ext/import/users` straight over HTTP: the fast way to seed many users.
    pub fn bulk_import(&self, records: &[Value]) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let http = reqwest::Client::new();
        for chunk in records.chunks(500) {
            let (status, body) = runtime.block_on(async {
                let response = http
                    .post(format!("{}/_ext/import/users", self.url))
                    .bearer_auth(SECRET_KEY)
                    .json(&serde_json::json!({ "users": chunk }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            });
            assert!(status.is_success(), "bulk import: {status} {body}");
            assert_eq!(body["failed"], 0, "bulk import: {body}");
        }
    }

    /// `GET /users/count`.
    pub fn count(&self) -> i64 {
        self.ok(&["users", "count"]).trim().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Lines of a JSON Lines file.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn write_jsonl(path: &Path, records: &[Value]) {
    let mut text = String::new();
    for record in records {
        text.push_str(&record.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A number that differs between test processes (and calls).
pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish()
}

/// Where `clerk serve` keeps its data in a test.
#[derive(Clone, Copy, Debug)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// `clerk serve` on `store` with `args`; with the database it started on (`clerk_cli_{prefix}_…`),
/// when PostgreSQL, to be dropped after the server.
pub fn serve_on(store: Store, prefix: &str, args: &[&str]) -> (Server, Option<PgDatabase>) {
    let dir = tempfile::tempdir().unwrap();
    match store {
        Store::Sqlite => (Server::start_in(dir, None, args, &[]), None),
        Store::Postgres => {
            let database = PgDatabase::create(prefix);
            let server = Server::start_in(dir, Some(&database.url()), args, &[]);
            (server, Some(database))
        }
    }
}

/// A PostgreSQL database of its own (on `CLERK_TEST_POSTGRES_URL`, default
/// `postgres://postgres@127.0.0.1:5432`), dropped with the value.
pub struct PgDatabase {
    base: String,
    name: String,
}

impl PgDatabase {
    /// A new database named `clerk_cli_{prefix}_…`.
    pub fn create(prefix: &str) -> Self {
        let base = std::env::var("CLERK_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!("clerk_cli_{prefix}_{:x}", rand_u64());
        Self::admin(&base, &format!("CREATE DATABASE {name}"));
        PgDatabase { base, name }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    fn admin(base: &str, sql: &str) {
        use sqlx::Connection;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&format!("{base}/postgres"))
                .await
                .expect("PostgreSQL must be reachable (CLERK_TEST_POSTGRES_URL)");
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        });
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        Self::admin(
            &self.base,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}
