//! Test oracle: checks HTTP responses against Clerk's published Backend API spec.
//!
//! The spec (`clerk-bapi-openapi.yml`, OpenAPI 3.0.3, version 2026-05-12) is embedded in the
//! crate. Integration tests call [`Spec::validate_response`] on every response they receive, so
//! that a server answer that an official SDK would reject (a missing required key, a wrong type,
//! an extra key where the spec forbids one, a `Content-Type` with a charset, a non-envelope error
//! body) fails the test that received it.
//!
//! ```
//! let spec = clerk_spec::Spec::load();
//! let body = serde_json::json!({"object": "total_count", "total_count": 3});
//! spec.validate_response("GET", "/v1/users/count", 200, Some("application/json"), &body)
//!     .unwrap();
//! ```
//!
//! OpenAPI 3.0 schemas are translated to JSON Schema (draft 2020-12) as follows:
//! - `nullable: true` allows `null` (also through `$ref`, `allOf` and `oneOf`);
//! - `allOf` parts are merged into one schema *before* `additionalProperties: false` applies,
//!   so a property defined in one part is not "additional" for another;
//! - `oneOf` is kept; a `discriminator` makes its property required, because the official Python
//!   SDK picks the variant by that key and fails without it (the spec leaves it optional);
//! - `exclusiveMinimum: true` (3.0 boolean form) becomes the 2020-12 numeric form;
//! - only `format: date-time` is checked; annotations (`description`, `example`, `x-*` …) go.

mod path;
mod translate;
mod validate;
mod violation;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use path::PathTemplate;
pub use violation::{SpecViolation, ViolationError};

const SPEC_YAML: &str = include_str!("../clerk-bapi-openapi.yml");

/// The one content type a JSON response may carry: no `charset` (the official JS SDK parses
/// nothing else).
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// Clerk's published Backend API spec, parsed once per process.
pub struct Spec {
    doc: Value,
    templates: Vec<PathTemplate>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    /// The embedded spec, parsed on first use and shared by every caller in the process.
    pub fn load() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Spec::from_yaml(SPEC_YAML).expect("embedded Clerk spec parses"))
    }

    /// Parses a spec from YAML text (the embedded one is [`Spec::load`]).
    pub fn from_yaml(yaml: &str) -> Result<Spec, String> {
        let doc: Value = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
        let templates = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("spec has no paths")?
            .keys()
            .map(|t| PathTemplate::parse(t))
            .collect();
        Ok(Spec {
            doc,
            templates,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The spec's `info.version`, e.g. `2026-05-12`.
    pub fn version(&self) -> &str {
        self.doc["info"]["version"].as_str().unwrap_or_default()
    }

    /// Follows a `$ref` (local refs only: the spec has no others).
    fn deref<'a>(&'a self, node: &'a Value) -> &'a Value {
        let mut node = node;
        for _ in 0..16 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.lookup(r) {
                    Some(target) => node = target,
                    None => return node,
                },
                None => return node,
            }
        }
        node
    }

    fn lookup(&self, reference: &str) -> Option<&Value> {
        self.doc.pointer(reference.strip_prefix('#')?)
    }
}

#[cfg(test)]
mod tests;
