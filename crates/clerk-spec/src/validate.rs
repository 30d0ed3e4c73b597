//! Checking a response against the spec: the operation by method and path, the schema by
//! status, then the content type and the body.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::path::{request_path, split_path};
use crate::violation::{err, SpecViolation, ViolationError};
use crate::{Spec, JSON_CONTENT_TYPE};

/// The path prefix of the spec's only server URL (`https://api.clerk.com/v1`).
const SERVER_PREFIX: &str = "/v1";

impl Spec {
    /// Checks one response against the spec.
    ///
    /// `path` is the request path as sent (`/v1/users/user_2x…`, a query string and a scheme +
    /// host are tolerated and ignored). The operation is found by method and path template;
    /// the schema by status (exact, then `4XX`-style, then `default`). A non-2xx status with
    /// no documented schema must carry a `ClerkErrors` envelope, and so must any non-2xx answer
    /// to a path the spec does not know (an unknown route gets Clerk's error envelope too). A
    /// 2xx answer to a path or method the spec does not know is a violation; see
    /// [`Spec::validate_response_allowing_extensions`] for our own documented extensions.
    ///
    /// A JSON body needs `content_type == Some("application/json")` exactly.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &Value,
    ) -> Result<(), SpecViolation> {
        self.validate_response_allowing_extensions(&[], method, path, status, content_type, body)
    }

    /// Like [`Spec::validate_response`], but a path under one of `extension_prefixes` (as sent,
    /// e.g. `/v1/_ext/`) that the spec does not define is accepted without any check.
    pub fn validate_response_allowing_extensions(
        &self,
        extension_prefixes: &[&str],
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &Value,
    ) -> Result<(), SpecViolation> {
        let path = request_path(path);
        let request = format!("{} {} {}", method.to_ascii_uppercase(), path, status);
        let violation = |operation: Option<String>, errors: Vec<ViolationError>| SpecViolation {
            request: request.clone(),
            operation,
            errors,
        };
        let Some(rel) = path
            .strip_prefix(SERVER_PREFIX)
            .filter(|r| r.is_empty() || r.starts_with('/'))
        else {
            if is_extension(extension_prefixes, path) {
                return Ok(());
            }
            return Err(violation(
                None,
                vec![err(
                    "",
                    format!("path is not under the server prefix {SERVER_PREFIX}"),
                )],
            ));
        };
        let method_lc = method.to_ascii_lowercase();
        let operation = self.find_operation(&method_lc, rel);

        let (location, schema_node) = match operation {
            Some((template, op)) => {
                let location = format!("{} {}", method.to_ascii_uppercase(), template);
                match self.response_for_status(op, status) {
                    Some((key, response)) => {
                        let response = self.deref(response);
                        let location = format!("{location} {key}");
                        match response.get("content") {
                            Some(content) => match content.get(JSON_CONTENT_TYPE) {
                                Some(media) => (location, media.get("schema").cloned()),
                                None => {
                                    // Not a JSON response (none in /users); nothing to check.
                                    return Ok(());
                                }
                            },
                            None if is_success(status) => {
                                if body.is_null() {
                                    return Ok(());
                                }
                                return Err(violation(
                                    Some(location),
                                    vec![err("", "the spec documents no body for this status")],
                                ));
                            }
                            None => (
                                format!("{location} (ClerkErrors)"),
                                Some(clerk_errors_ref()),
                            ),
                        }
                    }
                    None if is_success(status) => {
                        return Err(violation(
                            Some(location),
                            vec![err("", format!("status {status} is not documented"))],
                        ));
                    }
                    None => (
                        format!("{location} (ClerkErrors)"),
                        Some(clerk_errors_ref()),
                    ),
                }
            }
            None => {
                if is_extension(extension_prefixes, path) {
                    return Ok(());
                }
                if is_success(status) {
                    return Err(violation(
                        None,
                        vec![err(
                            "",
                            format!(
                                "no operation {} {rel} in the spec",
                                method.to_ascii_uppercase()
                            ),
                        )],
                    ));
                }
                (
                    "unknown route (ClerkErrors)".to_string(),
                    Some(clerk_errors_ref()),
                )
            }
        };

        let mut errors = Vec::new();
        if content_type != Some(JSON_CONTENT_TYPE) {
            errors.push(err(
                "",
                format!(
                    "Content-Type must be exactly {JSON_CONTENT_TYPE:?}, got {}",
                    content_type.map_or("none".to_string(), |c| format!("{c:?}"))
                ),
            ));
        }
        if let Some(schema) = schema_node {
            match self.validator(&location, &schema) {
                Ok(validator) => {
                    for e in validator.iter_errors(body) {
                        errors.push(err(e.instance_path().as_str(), e.to_string()));
                    }
                }
                Err(message) => {
                    errors.push(err("", format!("spec schema does not compile: {message}")))
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(violation(Some(location), errors))
        }
    }

    /// [`Spec::validate_response`] for tests: panics with every error listed.
    #[track_caller]
    pub fn assert_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &Value,
    ) {
        if let Err(violation) = self.validate_response(method, path, status, content_type, body) {
            panic!("{violation}");
        }
    }

    /// Parses `body` as JSON (an empty body is `null`) and validates it; a body that is not
    /// JSON is a violation.
    pub fn validate_raw_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), SpecViolation> {
        let value = if body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return Err(SpecViolation {
                        request: format!(
                            "{} {} {}",
                            method.to_ascii_uppercase(),
                            request_path(path),
                            status
                        ),
                        operation: None,
                        errors: vec![err("", format!("body is not JSON: {e}"))],
                    })
                }
            }
        };
        self.validate_response(method, path, status, content_type, &value)
    }

    /// The operation for `method` (lower case) at `rel` (path without `/v1`): the most specific
    /// template that matches the path and defines the method.
    fn find_operation(&self, method: &str, rel: &str) -> Option<(&str, &Value)> {
        let segments: Vec<&str> = split_path(rel).collect();
        self.templates
            .iter()
            .filter(|t| t.matches(&segments))
            .filter_map(|t| {
                let op = self.doc["paths"][&t.template].get(method)?;
                Some((t, op))
            })
            .max_by_key(|(t, _)| t.specificity())
            .map(|(t, op)| (t.template.as_str(), op))
    }

    fn response_for_status<'a>(&self, op: &'a Value, status: u16) -> Option<(String, &'a Value)> {
        let responses = op.get("responses")?.as_object()?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact, range, "default".to_string()]
            .into_iter()
            .find_map(|key| responses.get(&key).map(|r| (key, r)))
    }

    fn validator(&self, key: &str, schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(v) = self.validators.lock().expect("validator cache").get(key) {
            return Ok(v.clone());
        }
        let root = self.json_schema(schema);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .expect("validator cache")
            .insert(key.to_string(), validator.clone());
        Ok(validator)
    }
}

fn clerk_errors_ref() -> Value {
    json!({ "$ref": "#/components/schemas/ClerkErrors" })
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn is_extension(prefixes: &[&str], path: &str) -> bool {
    prefixes
        .iter()
        .any(|p| !p.is_empty() && path.starts_with(p))
}
