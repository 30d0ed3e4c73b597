//! What `clerk import` reads and how it becomes an import record.
//!
//! Accepted, one object per line (JSON Lines) or as one JSON array:
//! - our export records and Clerk user objects (`GET /users`): kept as they are, since the bulk
//!   import route takes exactly that shape (docs/import-export.md);
//! - Clerk's migration format, snake_case (`external_id`, `email`, `first_name`, `last_name`,
//!   `password_digest` + `password_hasher`, `public_metadata`, …) or the camelCase of Clerk's
//!   migration script (`userId`, `email`, `firstName`, `lastName`, `password` + `passwordHasher`,
//!   `totpSecret`, `backupCodes`, `publicMetadata`, …): converted to an import record;
//! - lines of a failures file (`{"line", "reason", "record"}`) written by an earlier import, so
//!   fixed failures can be imported again.

use chrono::{DateTime, SecondsFormat};
use clerk_http_client::model::CreateUserRequest;
use serde_json::{Map, Value};

/// An import record: a Clerk user object plus its secrets.
pub type Record = Map<String, Value>;

/// Turns one parsed input object into an import record.
pub fn normalize(value: Value) -> Result<Record, String> {
    let Value::Object(mut object) = value else {
        return Err(format!("expected a JSON object, found {}", kind(&value)));
    };
    // A line of a failures file: import the record it kept.
    if object.contains_key("reason") {
        if let Some(Value::Object(_)) = object.get("record") {
            return normalize(object.remove("record").expect("checked"));
        }
    }
    if is_user_object(&object) {
        return Ok(object);
    }
    from_migration(object)
}

/// Export records and Clerk user objects carry identities as objects, and usually `object`.
fn is_user_object(object: &Record) -> bool {
    object.get("object").and_then(Value::as_str) == Some("user")
        || ["email_addresses", "phone_numbers", "web3_wallets"]
            .iter()
            .any(|k| object.get(*k).is_some_and(Value::is_array))
}

/// Clerk's migration fields, both spellings, to the import record.
fn from_migration(input: Record) -> Result<Record, String> {
    let mut record = Record::new();
    let mut plain_password = None;
    let mut password_digest = None;
    let mut hasher = None;
    for (key, value) in input {
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "userId" | "user_id" | "externalId" | "external_id" => {
                record.insert("external_id".into(), as_id_string(value));
            }
            "email" | "emails" | "emailAddress" | "emailAddresses" | "email_address" => {
                record.insert(
                    "email_addresses".into(),
                    identities(value, "email_address")?,
                );
            }
            "phone" | "phones" | "phoneNumber" | "phoneNumbers" | "phone_number" => {
                record.insert("phone_numbers".into(), identities(value, "phone_number")?);
            }
            "web3Wallet" | "web3Wallets" | "web3_wallet" => {
                record.insert("web3_wallets".into(), identities(value, "web3_wallet")?);
            }
            "firstName" => {
                record.insert("first_name".into(), value);
            }
            "lastName" => {
                record.insert("last_name".into(), value);
            }
            // The migration script calls the digest `password` when a hasher comes with it.
            "password" => plain_password = Some(value),
            "passwordDigest" | "password_digest" => password_digest = Some(value),
            "passwordHasher" | "password_hasher" => hasher = Some(value),
            "totpSecret" => {
                record.insert("totp_secret".into(), value);
            }
            "backupCodes" => {
                record.insert("backup_codes".into(), value);
            }
            "publicMetadata" => {
                record.insert("public_metadata".into(), value);
            }
            "privateMetadata" => {
                record.insert("private_metadata".into(), value);
            }
            "unsafeMetadata" => {
                record.insert("unsafe_metadata".into(), value);
            }
            "createdAt" | "created_at" => {
                record.insert("created_at".into(), unix_ms(value)?);
            }
            "legalAcceptedAt" | "legal_accepted_at" => {
                record.insert("legal_accepted_at".into(), unix_ms(value)?);
            }
            // The rest are either import record fields already (username, locale, banned, …)
            // or informational (mfaEnabled, backupCodesEnabled), which the import ignores.
            _ => {
                record.insert(key, value);
            }
        }
    }
    match (password_digest, plain_password, hasher) {
        (Some(digest), _, Some(hasher)) | (None, Some(digest), Some(hasher)) => {
            record.insert("password_digest".into(), digest);
            record.insert("password_hasher".into(), hasher);
        }
        (Some(_), _, None) => return Err("password_digest without password_hasher".into()),
        (None, Some(password), None) => {
            record.insert("password".into(), password);
        }
        (None, None, _) => {}
    }
    Ok(record)
}

/// A string, or an array of strings, as identity objects (`{"email_address": "…"}`).
fn identities(value: Value, field: &str) -> Result<Value, String> {
    let values = match value {
        Value::String(s) => vec![Value::String(s)],
        Value::Array(items) => items,
        other => {
            return Err(format!(
                "`{field}`: expected a string or an array, found {}",
                kind(&other)
            ))
        }
    };
    let mut out = Vec::new();
    for item in values {
        match item {
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => {
                let mut identity = Map::new();
                identity.insert(field.into(), Value::String(s.trim().to_owned()));
                out.push(Value::Object(identity));
            }
            // Already an identity object.
            Value::Object(o) => out.push(Value::Object(o)),
            other => {
                return Err(format!(
                    "`{field}`: expected strings, found {}",
                    kind(&other)
                ))
            }
        }
    }
    Ok(Value::Array(out))
}

/// Ids are sometimes numbers in the source system.
fn as_id_string(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        other => other,
    }
}

/// Unix ms, from ms or an RFC 3339 string.
fn unix_ms(value: Value) -> Result<Value, String> {
    match value {
        Value::Number(_) => Ok(value),
        Value::String(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| Value::from(t.timestamp_millis()))
            .map_err(|e| format!("timestamp {s:?}: {e}")),
        other => Err(format!(
            "timestamp: expected ms or RFC 3339, found {}",
            kind(&other)
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The record's identifiers a re-run recognises it by on any Clerk endpoint.
pub fn external_id(record: &Record) -> Option<&str> {
    record.get("external_id").and_then(Value::as_str)
}

pub fn emails(record: &Record) -> Vec<String> {
    identity_values(record, "email_addresses", "email_address")
}

fn identity_values(record: &Record, list: &str, field: &str) -> Vec<String> {
    let Some(Value::Array(items)) = record.get(list) else {
        return Vec::new();
    };
    // The primary one first: Clerk's create_user makes the first address primary.
    let primary = record
        .get(&format!("primary_{field}_id"))
        .and_then(Value::as_str);
    let mut values: Vec<(bool, String)> = items
        .iter()
        .filter_map(|item| {
            let value = item.get(field)?.as_str()?.to_owned();
            let is_primary = primary.is_some() && item.get("id").and_then(Value::as_str) == primary;
            Some((!is_primary, value))
        })
        .collect();
    values.sort_by_key(|(not_primary, _)| *not_primary);
    values.into_iter().map(|(_, v)| v).collect()
}

/// The `create_user` request for a record, for endpoints without bulk import (Clerk). What
/// create_user cannot carry (ids, external accounts, passkeys, OAuth tokens, backup code
/// digests, timestamps other than `created_at`) is lost there; Clerk has no way to take it.
pub fn to_create_user(record: &Record) -> Result<CreateUserRequest, String> {
    let string = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_owned);
    let boolean = |key: &str| record.get(key).and_then(Value::as_bool);
    let object = |key: &str| record.get(key).filter(|v| v.is_object()).cloned();
    let list = |values: Vec<String>| (!values.is_empty()).then_some(values);
    let backup_codes = match record.get("backup_codes") {
        Some(Value::Array(codes)) => Some(
            codes
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_owned)
                        .ok_or("backup_codes: expected strings")
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    };
    let has_password = record.contains_key("password") || record.contains_key("password_digest");
    Ok(CreateUserRequest {
        external_id: string("external_id"),
        first_name: string("first_name"),
        last_name: string("last_name"),
        username: string("username"),
        locale: string("locale"),
        email_address: list(emails(record)),
        phone_number: list(identity_values(record, "phone_numbers", "phone_number")),
        web3_wallet: list(identity_values(record, "web3_wallets", "web3_wallet")),
        password: string("password"),
        password_digest: string("password_digest"),
        password_hasher: string("password_hasher"),
        // Imported passwords were accepted by the old system; users without one must import.
        skip_password_checks: has_password.then_some(true),
        skip_password_requirement: Some(true),
        skip_legal_checks: Some(true),
        totp_secret: string("totp_secret"),
        backup_codes,
        public_metadata: object("public_metadata"),
        private_metadata: object("private_metadata"),
        unsafe_metadata: object("unsafe_metadata"),
        created_at: rfc3339(record.get("created_at"))?,
        legal_accepted_at: rfc3339(record.get("legal_accepted_at"))?,
        delete_self_enabled: boolean("delete_self_enabled"),
        create_organization_enabled: boolean("create_organization_enabled"),
        create_organizations_limit: record
            .get("create_organizations_limit")
            .and_then(Value::as_i64),
        bypass_client_trust: boolean("bypass_client_trust").filter(|b| *b),
        banned: boolean("banned").filter(|b| *b),
        locked: boolean("locked").filter(|b| *b),
        ..Default::default()
    })
}

/// Records hold Unix ms; create_user takes RFC 3339.
fn rfc3339(value: Option<&Value>) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => {
            let ms = n
                .as_i64()
                .ok_or_else(|| format!("timestamp {n} out of range"))?;
            let time = DateTime::from_timestamp_millis(ms)
                .ok_or_else(|| format!("timestamp {ms} out of range"))?;
            Ok(Some(time.to_rfc3339_opts(SecondsFormat::Millis, true)))
        }
        Some(other) => Err(format!("timestamp: expected ms, found {}", kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn migration_script_camel_case_becomes_an_import_record() {
        let record = normalize(json!({
            "userId": 42, "email": "ada@example.com", "firstName": "Ada", "lastName": "L",
            "password": "$2a$10$abc", "passwordHasher": "bcrypt",
            "publicMetadata": {"plan": "pro"}, "totpSecret": "JBSWY3DPEHPK3PXP",
            "createdAt": "2024-01-02T03:04:05Z"
        }))
        .unwrap();
        assert_eq!(
            Value::Object(record),
            json!({
                "external_id": "42",
                "email_addresses": [{"email_address": "ada@example.com"}],
                "first_name": "Ada", "last_name": "L",
                "password_digest": "$2a$10$abc", "password_hasher": "bcrypt",
                "public_metadata": {"plan": "pro"}, "totp_secret": "JBSWY3DPEHPK3PXP",
                "created_at": 1704164645000i64
            })
        );
    }

    #[test]
    fn clerk_snake_case_migration_json_is_understood() {
        let record = normalize(json!({
            "external_id": "u1", "email": ["a@x.io", "b@x.io"], "first_name": "A",
            "password_digest": "$argon2id$…", "password_hasher": "argon2id",
            "private_metadata": {"k": 1}
        }))
        .unwrap();
        assert_eq!(emails(&record), ["a@x.io", "b@x.io"]);
        assert_eq!(external_id(&record), Some("u1"));
        let create = to_create_user(&record).unwrap();
        assert_eq!(create.password_hasher.as_deref(), Some("argon2id"));
        assert_eq!(create.email_address.unwrap(), ["a@x.io", "b@x.io"]);
        assert_eq!(create.private_metadata, Some(json!({"k": 1})));
    }

    #[test]
    fn export_records_pass_through_and_primary_email_comes_first() {
        let export = json!({
            "id": "user_1", "object": "user", "primary_email_address_id": "idn_b",
            "email_addresses": [
                {"id": "idn_a", "email_address": "a@x.io"},
                {"id": "idn_b", "email_address": "b@x.io"}
            ],
            "created_at": 0, "password_digest": "$2b$10$x", "password_hasher": "bcrypt"
        });
        let record = normalize(export.clone()).unwrap();
        assert_eq!(Value::Object(record.clone()), export);
        let create = to_create_user(&record).unwrap();
        assert_eq!(create.email_address.unwrap(), ["b@x.io", "a@x.io"]);
        assert_eq!(
            create.created_at.as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn a_failures_file_line_yields_its_record_and_bad_input_is_explained() {
        let line = json!({"line": 3, "reason": "x", "record": {"external_id": "e"}});
        assert_eq!(external_id(&normalize(line).unwrap()), Some("e"));
        assert!(normalize(json!([1])).unwrap_err().contains("an array"));
        assert!(normalize(json!({"password_digest": "x"})).is_err());
    }
}
