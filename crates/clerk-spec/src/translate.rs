//! OpenAPI 3.0 schemas translated to self-contained JSON Schema (draft 2020-12), as the crate
//! documentation describes.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::Spec;

impl Spec {
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
