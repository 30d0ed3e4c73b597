//! Our server's extension routes under `/v1/_ext/` (see `docs/import-export.md`): bulk import
//! and full export of users with their secrets. Clerk itself does not serve them; there they
//! fail with a 404 ([`crate::Error::is_not_found`]), which is how a caller tells the two apart.
//! The webhook routes, under `/v1/_ext/webhooks`, have their own module: [`crate::webhooks`].
//!
//! Records travel as raw JSON ([`serde_json::Value`]): an export record is a Clerk user object
//! plus fields Clerk never returns, and the whole point of an export is to lose none of them.
//!
//! ```no_run
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let page = client.ext().export_users().limit(500).send().await?;
//! let result = client.ext().import_users(page.data).send().await?;
//! println!("{} created, {} already there", result.created, result.existing);
//! # Ok(()) }
//! ```

use clerk_model::ClerkError;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::request::{operation, HttpRequest};
use crate::{Client, Error, RequestOptions, Result};

/// Most records one `POST /_ext/import/users` takes.
pub const MAX_IMPORT_BATCH: usize = 500;

impl Client {
    /// The extension routes of our server.
    pub fn ext(&self) -> ExtApi {
        ExtApi {
            client: self.clone(),
        }
    }
}

/// Get one with [`Client::ext`].
#[derive(Debug, Clone)]
pub struct ExtApi {
    client: Client,
}

impl ExtApi {
    /// `POST /_ext/import/users`: 1 to [`MAX_IMPORT_BATCH`] records, each created whole or not
    /// at all; records that already exist are reported, not changed.
    pub fn import_users(&self, records: Vec<Value>) -> ImportUsers {
        ImportUsers {
            client: self.client.clone(),
            options: RequestOptions::default(),
            records,
        }
    }

    /// `GET /_ext/export/users`: one page of full records, in the store's creation order.
    pub fn export_users(&self) -> ExportUsers {
        ExportUsers {
            client: self.client.clone(),
            options: RequestOptions::default(),
            limit: None,
            starting_after: None,
        }
    }
}

/// `POST /_ext/import/users`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ImportUsers {
    client: Client,
    options: RequestOptions,
    records: Vec<Value>,
}

#[derive(Serialize)]
struct ImportBody<'a> {
    users: &'a [Value],
}

impl ImportUsers {
    fn build(self) -> Result<HttpRequest> {
        if self.client.validates() && !(1..=MAX_IMPORT_BATCH).contains(&self.records.len()) {
            return Err(Error::validation(
                "users",
                format!("1 to {MAX_IMPORT_BATCH} records per request"),
            ));
        }
        // Safe to repeat: a record that was created by a lost attempt comes back as `exists`.
        HttpRequest::new("import_users", Method::POST, &["_ext", "import", "users"])
            .idempotent(true)
            .json(&ImportBody {
                users: &self.records,
            })
    }
}

operation!(ImportUsers -> ImportResult);

/// The answer to one import request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImportResult {
    /// `import_result`.
    pub object: String,
    /// Records that made a new user.
    pub created: u64,
    /// Records whose user was already there (same id or external id), left unchanged.
    pub existing: u64,
    /// Records refused; their errors are in [`ImportResult::results`].
    pub failed: u64,
    /// One per record, in the order sent.
    pub results: Vec<ImportRecordResult>,
}

/// What happened to one record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImportRecordResult {
    /// Position of the record in the request.
    pub index: usize,
    /// `created`, `exists` or `failed` (kept as sent, so a new status never fails decoding).
    pub status: String,
    /// The user's id, when the record made or matched one.
    pub id: Option<String>,
    /// Clerk's error objects, for a failed record.
    pub errors: Vec<ClerkError>,
}

/// `GET /_ext/export/users`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ExportUsers {
    client: Client,
    options: RequestOptions,
    limit: Option<u32>,
    starting_after: Option<String>,
}

impl ExportUsers {
    /// Page size, 1..=500 (the server's default: 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The id of the last user of the previous page.
    pub fn starting_after(mut self, user_id: impl Into<String>) -> Self {
        self.starting_after = Some(user_id.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        crate::validation::limit(self.client.validates(), self.limit)?;
        Ok(
            HttpRequest::new("export_users", Method::GET, &["_ext", "export", "users"])
                .query_opt("limit", self.limit)
                .query_opt("starting_after", self.starting_after.as_deref()),
        )
    }
}

operation!(ExportUsers -> ExportPage);

/// One page of the export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ExportPage {
    /// Users in the import format, oldest first.
    pub data: Vec<Value>,
    /// Whether another page follows (ask with `starting_after` = the last user's id).
    pub has_more: bool,
}
