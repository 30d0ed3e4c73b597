//! Clerk's error envelope (`ClerkErrors`), the body of every response that is not a success.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of every non-2xx response (`ClerkErrors`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClerkErrors {
    /// The errors of the request; usually exactly one.
    pub errors: Vec<ClerkError>,
    /// Extra data about the failure as a whole (any JSON object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    /// An id that traces the request in the server's logs, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clerk_trace_id: Option<String>,
}

/// One error of a [`ClerkErrors`] envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClerkError {
    /// A short, human-readable summary (`not found`, `is invalid`, …).
    pub message: String,
    /// A fuller, human-readable explanation of the error.
    pub long_message: String,
    /// A stable, machine-readable code (`resource_not_found`, `form_param_value_invalid`, …).
    pub code: String,
    /// `param_name` names the request parameter at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

impl ClerkError {
    /// `meta.param_name`, when the error names a parameter.
    pub fn param_name(&self) -> Option<&str> {
        self.meta.as_ref()?.get("param_name")?.as_str()
    }
}

impl ClerkErrors {
    /// The code of the first error, which is the one Clerk's SDKs report.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }
}
