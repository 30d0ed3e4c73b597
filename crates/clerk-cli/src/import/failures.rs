//! The failures file: one JSON line per record that was not imported, with where it came from,
//! why, Clerk's errors, and the original input (the raw text of a malformed line), so that it
//! can be fixed and imported again (`clerk import FILE.failed.jsonl` reads these lines).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clerk_http_client::model::ClerkError;
use serde::Serialize;
use serde_json::Value;

use super::input::Input;

pub struct FailureLog {
    path: PathBuf,
    /// Created at the first failure: a clean import leaves no empty file behind.
    file: Option<BufWriter<File>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    /// Line of a JSON Lines file, or position (1-based) in a JSON array.
    line: usize,
    reason: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ClerkError],
    record: &'a Value,
}

impl FailureLog {
    pub fn new(path: PathBuf) -> anyhow::Result<Self> {
        // A failures file from an earlier run is stale: this run retries every record and
        // writes again the ones that still fail.
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the old {}", path.display()))?;
        }
        Ok(Self { path, file: None })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(
        &mut self,
        input: &Input,
        reason: &str,
        errors: &[ClerkError],
    ) -> anyhow::Result<()> {
        if self.file.is_none() {
            let file = File::create(&self.path)
                .with_context(|| format!("cannot create {}", self.path.display()))?;
            self.file = Some(BufWriter::new(file));
        }
        let out = self.file.as_mut().expect("just opened");
        let entry = Entry {
            line: input.line,
            reason,
            errors,
            record: &input.original,
        };
        serde_json::to_writer(&mut *out, &entry)?;
        out.write_all(b"\n")?;
        Ok(())
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        if let Some(file) = &mut self.file {
            file.flush()
                .with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        Ok(())
    }
}
