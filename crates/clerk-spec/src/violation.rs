//! What a failed check reports: every error, each with the JSON pointer of the offending value.

use std::fmt;

/// Why a response does not conform to the spec. `Display` lists every error, one per line, each
/// with the JSON pointer of the offending value (`""` is the whole body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecViolation {
    /// `METHOD path status`, as given to the validator.
    pub request: String,
    /// The spec location whose schema was applied, e.g. `GET /users/{user_id} 200`.
    pub operation: Option<String>,
    pub errors: Vec<ViolationError>,
}

/// One error: where in the body (JSON pointer) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SpecViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response to {} violates Clerk's spec", self.request)?;
        if let Some(op) = &self.operation {
            write!(f, " (schema of {op})")?;
        }
        writeln!(f, ":")?;
        for e in &self.errors {
            let pointer = if e.pointer.is_empty() {
                "(body)"
            } else {
                &e.pointer
            };
            writeln!(f, "  at {pointer}: {}", e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecViolation {}

pub(crate) fn err(pointer: &str, message: impl Into<String>) -> ViolationError {
    ViolationError {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}
