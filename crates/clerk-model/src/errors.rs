use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of every non-2xx response (`ClerkErrors`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClerkErrors {
    pub errors: Vec<ClerkError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clerk_trace_id: Option<String>,
}

/// One error of a [`ClerkErrors`] envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClerkError {
    pub message: String,
    pub long_message: String,
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
