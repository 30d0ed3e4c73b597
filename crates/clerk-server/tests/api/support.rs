//! Test harness: the real server in-process on an ephemeral port, on a fresh SQLite file or a
//! fresh PostgreSQL database, driven over HTTP. Every response is checked against Clerk's
//! published spec (clerk-spec) before a test sees it.

use std::time::Duration;

use clerk_server::{RunningServer, ServerConfig, Settings};
use reqwest::Method;
use serde_json::Value;
use sqlx::Connection;

pub const KEY: &str = "sk_test_primary_key_for_tests_0000000001";
pub const SECOND_KEY: &str = "sk_test_rotated_second_key_000000000002";
/// Opens the full export (`--admin-key`); accepted wherever a secret key is.
pub const ADMIN_KEY: &str = "sk_test_admin_key_for_tests_00000000003";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the PostgreSQL server for tests is (a database is created per test).
fn postgres_base_url() -> String {
    std::env::var("CLERK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestServer {
    server: Option<RunningServer>,
    pub base: String,
    pub database_url: String,
    config: ServerConfig,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    pg_database: Option<String>,
}

/// A response, already validated against the spec.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    /// The body of a 200, failing the test on anything else.
    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.body
        );
        self.body
    }

    /// Asserts the status and first error code; returns `meta.param_name`.
    #[track_caller]
    pub fn err(&self, status: u16, code: &str) -> Option<String> {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["errors"][0]["code"], code, "body: {}", self.body);
        self.body["errors"][0]["meta"]["param_name"]
            .as_str()
            .map(str::to_owned)
    }

    /// Asserts a 422 with `code` naming `param`.
    #[track_caller]
    pub fn form_err(&self, code: &str, param: &str) {
        assert_eq!(
            self.err(422, code).as_deref(),
            Some(param),
            "body: {}",
            self.body
        );
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("clerk.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = format!("clerk_test_{:x}", rand_u64());
                let mut admin = sqlx::PgConnection::connect(&format!(
                    "{}/postgres",
                    postgres_base_url()
                ))
                .await
                .expect(
                    "PostgreSQL must be reachable for the postgres tests (CLERK_TEST_POSTGRES_URL)",
                );
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                (format!("{}/{name}", postgres_base_url()), Some(name))
            }
        };
        let config = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            serving: clerk_server::ServingConfig::default(),
            database_url: database_url.clone(),
            secret_keys: vec![KEY.into(), SECOND_KEY.into()],
            admin_keys: vec![ADMIN_KEY.into()],
            // Low cost keeps the suite quick; the code path is the same at any cost. Five
            // attempts make the lockout reachable in a test.
            settings: Settings {
                bcrypt_cost: 4,
                max_verification_attempts: 5,
                ..Settings::default()
            },
            encryption_key: Some(clerk_server::crypto::SecretKey::generate()),
            image_store: dir.path().join("images").display().to_string(),
            webhooks: clerk_server::webhooks::WebhookConfig::default(),
            dashboard: true,
        };
        let server = clerk_server::start(config.clone())
            .await
            .expect("server starts");
        Self {
            base: server.base_url(),
            server: Some(server),
            database_url,
            config,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            _dir: dir,
            pg_database,
        }
    }

    /// Stops the server and starts it again on the same database and image store (on a new
    /// port), as a restart of `clerk serve` would.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
        // The encryption key must survive the restart too, as `clerk serve` keeps it in a file.
        let server = clerk_server::start(self.config.clone())
            .await
            .expect("server restarts");
        self.base = server.base_url();
        self.server = Some(server);
    }

    /// Starts a second server on this test's database, with the same keys and settings, as a
    /// second node behind a load balancer would run. The caller shuts it down.
    pub async fn start_node(&self) -> RunningServer {
        clerk_server::start(self.config.clone())
            .await
            .expect("second node starts")
    }

    /// The configuration the server runs with (to start another node on the same database).
    pub fn config(&self) -> ServerConfig {
        self.config.clone()
    }

    /// Stops the server (the database stays until the `TestServer` is dropped).
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// Stops the server and starts it with `config` on the same database. On success `config`
    /// is kept for later restarts; on failure the server stays stopped.
    pub async fn restart_with(
        &mut self,
        config: ServerConfig,
    ) -> Result<(), clerk_server::StartError> {
        self.stop().await;
        let server = clerk_server::start(config.clone()).await?;
        self.base = server.base_url();
        self.server = Some(server);
        self.config = config;
        Ok(())
    }

    /// Restarts the server with these OAuth providers enabled.
    pub async fn enable_oauth_providers(
        &mut self,
        providers: Vec<clerk_server::settings::OAuthProvider>,
    ) {
        self.config.settings.oauth_providers = providers;
        self.restart().await;
    }

    /// The directory the server keeps profile images in (one file per stored image).
    pub fn image_store_dir(&self) -> std::path::PathBuf {
        self.config.image_store.clone().into()
    }

    /// The server's root URL (`http://ADDR`), for routes outside `/v1`.
    pub fn root_url(&self) -> String {
        self.base.trim_end_matches("/v1").to_owned()
    }

    /// Restarts the server with its settings changed by `change`.
    pub async fn restart_with_settings(&mut self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.config.settings);
        self.restart().await;
    }

    /// A request with the default key; `path` is relative to `/v1`.
    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(KEY)
    }

    /// A request with no `Authorization` header.
    pub fn req_without_key(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path))
    }

    /// Sends, reads, and validates the response against the spec.
    pub async fn send(&self, builder: reqwest::RequestBuilder) -> Resp {
        self.send_checked(builder, true).await
    }

    /// For operations Clerk's current spec no longer has (`POST /users/{id}/totp`): the body
    /// must still be JSON with the exact Content-Type; the test checks its shape itself.
    pub async fn send_outside_spec(&self, builder: reqwest::RequestBuilder) -> Resp {
        let resp = self.send_checked(builder, false).await;
        assert_eq!(resp.content_type.as_deref(), Some("application/json"));
        resp
    }

    /// Sends a body larger than the server accepts. The server may answer 413 and close the
    /// connection before the client has written everything; then the client sees a broken
    /// pipe instead of the answer. `None` means that happened; a response is checked as usual.
    pub async fn send_oversized(&self, builder: reqwest::RequestBuilder) -> Option<Resp> {
        let request = builder.build().expect("valid request");
        let (method, path) = (
            request.method().to_string(),
            request.url().path().to_owned(),
        );
        // A connection of its own: one cut off mid-body must not go back to the shared pool,
        // where the next request would find it closed.
        let one_off = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        match one_off.execute(request).await {
            Ok(res) => Some(self.read_response(&method, &path, res, true).await),
            Err(e) if e.is_request() && !e.is_timeout() => None,
            Err(e) => panic!("unexpected error sending an oversized body: {e}"),
        }
    }

    async fn send_checked(&self, builder: reqwest::RequestBuilder, check_spec: bool) -> Resp {
        let request = builder.build().expect("valid request");
        let method = request.method().to_string();
        let path = request.url().path().to_owned();
        let res = self.http.execute(request).await.expect("server answers");
        self.read_response(&method, &path, res, check_spec).await
    }

    /// Reads the body as JSON and, with `check_spec`, validates it against Clerk's spec.
    async fn read_response(
        &self,
        method: &str,
        path: &str,
        res: reqwest::Response,
        check_spec: bool,
    ) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = res.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{method} {path} → {status}: body is not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        if !check_spec {
            return Resp {
                status,
                content_type,
                body,
                headers,
            };
        }
        if let Err(violation) = clerk_spec::Spec::load().validate_response(
            method,
            path,
            status,
            content_type.as_deref(),
            &body,
        ) {
            panic!("response does not match Clerk's spec: {violation}\nbody: {body}");
        }
        Resp {
            status,
            content_type,
            body,
            headers,
        }
    }

    /// POST to one of our extension routes (`/_ext/…`, outside Clerk's spec).
    pub async fn post_ext(&self, path: &str, body: Value) -> Resp {
        self.send_outside_spec(self.req(Method::POST, path).json(&body))
            .await
    }

    /// GET one of our extension routes (or a response shape outside Clerk's spec).
    pub async fn get_ext(&self, path: &str) -> Resp {
        self.send_outside_spec(self.req(Method::GET, path)).await
    }

    /// GET the full export (`/_ext/export/users…`) with the admin key it requires.
    pub async fn get_export(&self, path_and_query: &str) -> Resp {
        self.send_outside_spec(
            self.http
                .get(format!("{}{}", self.base, path_and_query))
                .bearer_auth(ADMIN_KEY),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.req(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.req(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(self.req(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(self.req(Method::PATCH, path).json(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(self.req(Method::PUT, path).json(&body)).await
    }

    /// Creates a user, asserting success. Clerk requires an identifier; a body that names
    /// none gets a unique email address, so tests about other fields stay short.
    pub async fn create_user(&self, mut body: Value) -> Value {
        let identifiers = ["email_address", "phone_number", "web3_wallet", "username"];
        if identifiers.iter().all(|k| body.get(k).is_none()) {
            body["email_address"] = serde_json::json!([format!("auto-{:x}@auto.test", rand_u64())]);
        }
        self.post("/users", body).await.ok()
    }

    /// Ids of the users a list query returns, in order.
    pub async fn list_ids(&self, query: &str) -> Vec<String> {
        let body = self.get(&format!("/users?{query}")).await.ok();
        ids(&body)
    }

    pub async fn count(&self, query: &str) -> i64 {
        self.get(&format!("/users/count?{query}")).await.ok()["total_count"]
            .as_i64()
            .unwrap()
    }

    /// Runs SQL on the server's database, for rows no endpoint creates yet.
    pub async fn exec_sql(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    }
}

impl TestServer {
    /// Replaces the stopped server's database with the one `dump` (SQL text) makes.
    pub async fn load_dump(&self, dump: &str) {
        assert!(self.server.is_none(), "stop the server first");
        if self.pg_database.is_some() {
            self.exec_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
                .await;
            self.exec_sql(dump).await;
            return;
        }
        let file = clerk_server::store::sqlite_file_path(&self.database_url).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        let options = std::str::FromStr::from_str(&self.database_url)
            .map(|o: sqlx::sqlite::SqliteConnectOptions| o.create_if_missing(true))
            .unwrap();
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(dump).execute(&mut conn).await.unwrap();
    }

    /// The first column of the first row of `sql`, as text (for state the API does not show).
    pub async fn sql_text(&self, sql: &str) -> Option<String> {
        use sqlx::Row;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .unwrap();
        let row = sqlx::query(sql).fetch_optional(&mut conn).await.unwrap()?;
        row.try_get::<Option<String>, _>(0).unwrap()
    }
}

/// The current time in Unix ms, as the server stamps it.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a bare JSON array")
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let server = self.server.take();
        let database = self.pg_database.take();
        // Async cleanup from Drop: a thread with its own runtime, joined so the database is
        // gone before the next test starts.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Some(server) = server {
                    drop(server);
                }
                if let Some(name) = database {
                    if let Ok(mut admin) =
                        sqlx::PgConnection::connect(&format!("{}/postgres", postgres_base_url()))
                            .await
                    {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut admin)
                                .await;
                    }
                }
            });
        })
        .join()
        .ok();
    }
}

/// Sends every request at once, round robin over the base URLs (nodes); the status and JSON
/// body of each, in order.
pub async fn fire_at(
    bases: &[String],
    requests: Vec<(Method, String, Option<Value>)>,
) -> Vec<(u16, Value)> {
    let http = reqwest::Client::new();
    let sent = requests
        .into_iter()
        .enumerate()
        .map(|(i, (method, path, body))| {
            let mut request = http
                .request(method, format!("{}{path}", bases[i % bases.len()]))
                .bearer_auth(KEY);
            if let Some(body) = body {
                request = request.json(&body);
            }
            async move {
                let res = request.send().await.expect("server answers");
                let status = res.status().as_u16();
                (status, res.json().await.expect("JSON body"))
            }
        });
    futures::future::join_all(sent).await
}

/// Runs each listed `async fn name(server: TestServer)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::TestServer::start($crate::support::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::TestServer::start($crate::support::Backend::Postgres).await).await
                }
            )*
        }
    };
}
