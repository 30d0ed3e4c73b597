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

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

const SPEC_YAML: &str = include_str!("../clerk-bapi-openapi.yml");

/// The path prefix of the spec's only server URL (`https://api.clerk.com/v1`).
const SERVER_PREFIX: &str = "/v1";

/// The one content type a JSON response may carry: no `charset` (the official JS SDK parses
/// nothing else).
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// Clerk's published Backend API spec, parsed once per process.
pub struct Spec {
    doc: Value,
    templates: Vec<PathTemplate>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

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

struct PathTemplate {
    /// As written in the spec, e.g. `/users/{user_id}`.
    template: String,
    /// `None` for a `{param}` segment.
    segments: Vec<Option<String>>,
}

impl PathTemplate {
    fn parse(template: &str) -> Self {
        let segments = split_path(template)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    None
                } else {
                    Some(s.to_string())
                }
            })
            .collect();
        PathTemplate {
            template: template.to_string(),
            segments,
        }
    }

    fn matches(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| match t {
                Some(lit) => lit == s,
                None => !s.is_empty(),
            })
    }

    /// Literal segments win over parameters, earlier ones first: `/users/count` beats
    /// `/users/{user_id}`.
    fn specificity(&self) -> Vec<bool> {
        self.segments.iter().map(Option::is_some).collect()
    }
}

fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
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

    /// A self-contained JSON Schema for an OpenAPI schema node: the translated node plus the
    /// translated component schemas it reaches, under `$defs`.
    pub fn json_schema(&self, openapi_schema: &Value) -> Value {
        let mut translator = Translator {
            spec: self,
            reached: BTreeSet::new(),
        };
        let mut root = translator.translate(openapi_schema);
        let mut defs = Map::new();
        let mut done = BTreeSet::new();
        while let Some(name) = translator.reached.difference(&done).next().cloned() {
            done.insert(name.clone());
            let raw = self.doc["components"]["schemas"]
                .get(&name)
                .cloned()
                .unwrap_or(json!({}));
            let translated = translator.translate(&raw);
            defs.insert(name, translated);
        }
        if !defs.is_empty() {
            if let Value::Object(map) = &mut root {
                map.insert("$defs".into(), Value::Object(defs));
            } else {
                root = json!({ "allOf": [root], "$defs": defs });
            }
        }
        root
    }

    /// The JSON Schema for a named component schema (e.g. `User`), for tests that check a value
    /// directly.
    pub fn component_json_schema(&self, name: &str) -> Option<Value> {
        self.doc["components"]["schemas"].get(name)?;
        Some(self.json_schema(&json!({ "$ref": format!("#/components/schemas/{name}") })))
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

fn err(pointer: &str, message: impl Into<String>) -> ViolationError {
    ViolationError {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// `http://host:1/v1/users?x=1` and `/v1/users?x=1` both give `/v1/users`.
fn request_path(path: &str) -> &str {
    let path = match path.find("://") {
        Some(i) => {
            let rest = &path[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => path,
    };
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// Keywords that carry no validation in our use.
const ANNOTATIONS: &[&str] = &[
    "description",
    "example",
    "examples",
    "title",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "discriminator",
    "nullable",
];

struct Translator<'a> {
    spec: &'a Spec,
    /// Component schema names referenced by translated output.
    reached: BTreeSet<String>,
}

impl Translator<'_> {
    fn translate(&mut self, node: &Value) -> Value {
        let Value::Object(map) = node else {
            return node.clone(); // `true` / `false` schemas
        };
        let nullable = map
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let map = if map.contains_key("allOf") {
            self.flatten_all_of(map)
        } else {
            map.clone()
        };

        let mut out = Map::new();
        for (key, value) in &map {
            if ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-") {
                continue;
            }
            match key.as_str() {
                "$ref" => {
                    let r = value.as_str().unwrap_or_default();
                    match r.strip_prefix(COMPONENT_PREFIX) {
                        Some(name) => {
                            self.reached.insert(name.to_string());
                            out.insert("$ref".into(), json!(format!("#/$defs/{name}")));
                        }
                        None => {
                            // Not a component schema: inline it.
                            let target = self.spec.lookup(r).cloned().unwrap_or(json!({}));
                            return self.translate(&target);
                        }
                    }
                }
                "properties" | "patternProperties" => {
                    let props = value
                        .as_object()
                        .map(|p| {
                            p.iter()
                                .map(|(k, v)| (k.clone(), self.translate(v)))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" | "not" => {
                    out.insert(key.clone(), self.translate(value));
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let parts = value
                        .as_array()
                        .map(|a| a.iter().map(|v| self.translate(v)).collect())
                        .unwrap_or_default();
                    out.insert(key.clone(), Value::Array(parts));
                }
                "format" => {
                    if value == "date-time" {
                        out.insert(key.clone(), value.clone());
                    }
                }
                "exclusiveMinimum" | "exclusiveMaximum" => {
                    // OpenAPI 3.0: a boolean modifying minimum/maximum.
                    if value.as_bool() == Some(true) {
                        let bound = if key == "exclusiveMinimum" {
                            "minimum"
                        } else {
                            "maximum"
                        };
                        if let Some(b) = map.get(bound) {
                            out.insert(key.clone(), b.clone());
                        }
                    } else if value.is_number() {
                        out.insert(key.clone(), value.clone());
                    }
                }
                "minimum" | "maximum" => {
                    let exclusive = if key == "minimum" {
                        "exclusiveMinimum"
                    } else {
                        "exclusiveMaximum"
                    };
                    if map.get(exclusive).and_then(Value::as_bool) != Some(true) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }

        // The Python SDK chooses a `oneOf` variant by the discriminator property and fails
        // without it, so the property is required on the wire.
        if let Some(prop) = map
            .get("discriminator")
            .and_then(|d| d["propertyName"].as_str())
        {
            let required = out.entry("required").or_insert_with(|| json!([]));
            if let Value::Array(list) = required {
                if !list.iter().any(|v| v == prop) {
                    list.push(json!(prop));
                }
            }
        }

        if nullable {
            make_nullable(out)
        } else {
            Value::Object(out)
        }
    }

    /// Merges `allOf` parts (references followed, nested `allOf` flattened) into the schema
    /// itself, so that `additionalProperties: false` sees every part's properties. A part that
    /// cannot be merged (a conflicting keyword) stays in a residual `allOf`.
    fn flatten_all_of(&self, map: &Map<String, Value>) -> Map<String, Value> {
        let mut merged: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| k.as_str() != "allOf")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut residual = Vec::new();
        let parts = map
            .get("allOf")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for part in parts {
            let resolved = self.spec.deref(&part);
            let Value::Object(part_map) = resolved else {
                residual.push(part.clone());
                continue;
            };
            let part_map = if part_map.contains_key("allOf") {
                self.flatten_all_of(part_map)
            } else {
                part_map.clone()
            };
            let mut leftover = Map::new();
            for (key, value) in part_map {
                match key.as_str() {
                    "properties" => {
                        let target = merged.entry("properties").or_insert_with(|| json!({}));
                        if let (Value::Object(target), Value::Object(props)) = (target, value) {
                            for (name, schema) in props {
                                match target.get(&name) {
                                    Some(existing) if *existing != schema => {
                                        let both = json!({ "allOf": [existing.clone(), schema] });
                                        target.insert(name, both);
                                    }
                                    _ => {
                                        target.insert(name, schema);
                                    }
                                }
                            }
                        }
                    }
                    "required" => {
                        let target = merged.entry("required").or_insert_with(|| json!([]));
                        if let (Value::Array(target), Value::Array(names)) = (target, value) {
                            for n in names {
                                if !target.contains(&n) {
                                    target.push(n);
                                }
                            }
                        }
                    }
                    "additionalProperties" => {
                        let strict = value == Value::Bool(false)
                            || merged.get("additionalProperties") == Some(&Value::Bool(false));
                        if strict {
                            merged.insert(key, Value::Bool(false));
                        } else {
                            merged.entry(key).or_insert(value);
                        }
                    }
                    // The outer schema decides nullability; annotations do not matter.
                    k if k == "nullable" || ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
                    _ => match merged.get(&key) {
                        None => {
                            merged.insert(key, value);
                        }
                        Some(existing) if *existing == value => {}
                        Some(_) => {
                            leftover.insert(key, value);
                        }
                    },
                }
            }
            if !leftover.is_empty() {
                residual.push(Value::Object(leftover));
            }
        }
        if !residual.is_empty() {
            merged.insert("allOf".into(), Value::Array(residual));
        }
        merged
    }
}

/// Lets `null` through a translated schema: in `type`/`enum` for a plain schema, else by an
/// `anyOf` with `{"type": "null"}` (a `$ref` or `oneOf` would reject `null` on its own).
fn make_nullable(mut out: Map<String, Value>) -> Value {
    let composite = ["$ref", "allOf", "oneOf", "anyOf", "not"]
        .iter()
        .any(|k| out.contains_key(*k));
    if !composite {
        if let Some(ty) = out.get_mut("type") {
            match ty {
                Value::String(s) => *ty = json!([s.clone(), "null"]),
                Value::Array(list) if !list.contains(&json!("null")) => list.push(json!("null")),
                _ => {}
            }
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            return Value::Object(out);
        }
    }
    json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] })
}

#[cfg(test)]
mod tests;
