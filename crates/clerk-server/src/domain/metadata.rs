//! The three metadata bags: deep merge (`PATCH …/metadata`), replace (`PUT …/metadata`) and
//! their rules (a JSON object, at most 8 KB).

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// Clerk's documented cap on each metadata bag, in bytes of JSON.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

/// Checks that `value` is a JSON object within the size cap and returns its JSON text.
pub fn to_stored(param: &str, value: &Value) -> ApiResult<String> {
    if !value.is_object() {
        return Err(ApiError::value_invalid(
            param,
            format!("{param} must be a JSON object."),
        ));
    }
    let text = value.to_string();
    if text.len() > MAX_METADATA_BYTES {
        return Err(ApiError::form(
            "form_param_exceeds_allowed_size",
            param,
            "exceeds the allowed size",
            format!("{param} must be at most {MAX_METADATA_BYTES} bytes of JSON."),
        ));
    }
    Ok(text)
}

/// Metadata in `PATCH /users/{id}` and `PATCH /organizations/{id}` is accepted only by API
/// versions before 2026-05-12; later versions answer as for any unknown parameter.
/// `supplied` lists each metadata parameter with whether the request carries it.
pub fn reject_in_update_for_version(
    api_version: Option<&str>,
    supplied: &[(&str, bool)],
    metadata_path: &str,
) -> ApiResult<()> {
    let accepted = api_version.is_none_or(|v| v < "2026-05-12");
    match supplied.iter().find(|(_, present)| *present) {
        Some((param, _)) if !accepted => Err(ApiError::form(
            "form_param_unknown",
            param,
            "is unknown",
            format!(
                "{param} is not a valid parameter for this request in API version {}; \
                 use PATCH {metadata_path}.",
                api_version.unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// Parses stored JSON text; a stored bag is always an object.
pub fn from_stored(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::Object(Map::new()))
}

/// How `…/metadata` combines the supplied bags with the stored ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataMode {
    /// `PATCH`: deep merge; `null` deletes a key at any depth.
    Merge,
    /// `PUT`: each supplied bag replaces the stored one.
    Replace,
}

/// Applies what a `…/metadata` request supplied for one bag (users' and organizations' alike)
/// to its stored text. `Some(None)` is an explicit `null`: it resets the bag to `{}` in both
/// modes (the bag must stay an object). An object merges or replaces as `mode` says; any other
/// value is refused. `None` (absent) leaves the bag alone.
pub fn update_bag(
    param: &str,
    stored: &mut String,
    supplied: &Option<Option<Value>>,
    mode: MetadataMode,
) -> ApiResult<()> {
    let Some(value) = supplied else {
        return Ok(());
    };
    let patch = match value {
        None => Map::new(),
        Some(Value::Object(patch)) => patch.clone(),
        Some(_) => {
            return Err(ApiError::value_invalid(
                param,
                format!("{param} must be a JSON object."),
            ))
        }
    };
    let next = match mode {
        MetadataMode::Merge if value.is_some() => {
            let mut current = match from_stored(stored) {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            deep_merge(&mut current, &patch);
            current
        }
        _ => patch,
    };
    *stored = to_stored(param, &Value::Object(next))?;
    Ok(())
}

/// Merges `patch` into `target`: nested objects merge key by key at every depth, `null`
/// deletes the key, anything else replaces the value.
pub fn deep_merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(patch_obj) => match target.get_mut(key) {
                Some(Value::Object(target_obj)) => deep_merge(target_obj, patch_obj),
                _ => {
                    let mut fresh = Map::new();
                    deep_merge(&mut fresh, patch_obj);
                    target.insert(key.clone(), Value::Object(fresh));
                }
            },
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(target: Value, patch: Value) -> Value {
        let mut t = target.as_object().unwrap().clone();
        deep_merge(&mut t, patch.as_object().unwrap());
        Value::Object(t)
    }

    #[test]
    fn merges_nested_and_deletes_null_at_any_depth() {
        let out = merged(
            json!({"a": 1, "b": {"c": 2, "d": {"e": 3, "f": 4}}, "g": [1]}),
            json!({"a": null, "b": {"d": {"e": null, "x": 5}}, "g": [2], "h": {"i": null, "j": 1}}),
        );
        assert_eq!(
            out,
            json!({"b": {"c": 2, "d": {"f": 4, "x": 5}}, "g": [2], "h": {"j": 1}})
        );
    }

    #[test]
    fn rejects_non_objects_and_oversized() {
        assert_eq!(
            to_stored("public_metadata", &json!([1])).unwrap_err().code,
            "form_param_value_invalid"
        );
        let big = json!({"k": "x".repeat(MAX_METADATA_BYTES)});
        assert_eq!(
            to_stored("public_metadata", &big).unwrap_err().code,
            "form_param_exceeds_allowed_size"
        );
    }
}
