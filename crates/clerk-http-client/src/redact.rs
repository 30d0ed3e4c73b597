//! What a body looks like in a debug log: the JSON as sent or received, with every secret
//! replaced by `[redacted]`.
//!
//! `Configuration::debugging(true)` logs bodies so that a caller can see what went over the
//! wire; passwords, TOTP codes, backup codes and tokens must not end up in log files with it.
//! Secrets are found by their key anywhere in the document (an import request nests them in
//! each user), plus `otpauth://` URIs, which carry a TOTP secret whatever the key.

use serde_json::Value;

use crate::config::REDACTED;

/// Keys whose value is a secret in a request or a response body.
const SECRET_KEYS: &[&str] = &[
    "password",
    "password_digest",
    "totp_secret",
    "backup_codes",
    // The backup codes `POST /users/{id}/backup_code` answers with.
    "codes",
    // A TOTP secret in a response, a webhook endpoint's signing secret.
    "secret",
    // A JWT template's custom signing key.
    "signing_key",
    // OAuth access tokens, session tokens, refresh input.
    "token",
    "token_secret",
    "id_token",
    "access_token",
    "refresh_token",
    "expired_token",
    "jwt",
    "client_secret",
];

/// Keys that are secrets only in a request: `code` is the TOTP or backup code of
/// `verify_totp`, while in a response it is Clerk's error code, which a log must show.
const REQUEST_SECRET_KEYS: &[&str] = &["code"];

/// Which side of the exchange a body is, for [`for_log`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Request,
    Response,
}

/// The body as a log line: redacted JSON, or the text as it is when it is not JSON (an HTML
/// error page from a proxy has no field to hide).
pub(crate) fn for_log(body: &[u8], direction: Direction) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            redact(&mut json, direction);
            json.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

fn redact(value: &mut Value, direction: Direction) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if is_secret_key(key, direction) && !field.is_null() {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact(field, direction);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(item, direction)),
        Value::String(text) if text.starts_with("otpauth://") => *text = REDACTED.to_owned(),
        _ => {}
    }
}

fn is_secret_key(key: &str, direction: Direction) -> bool {
    SECRET_KEYS.contains(&key)
        || (direction == Direction::Request && REQUEST_SECRET_KEYS.contains(&key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn logged(body: Value, direction: Direction) -> Value {
        serde_json::from_str(&for_log(body.to_string().as_bytes(), direction)).unwrap()
    }

    #[test]
    fn request_secrets_are_hidden_and_the_rest_is_kept() {
        let body = json!({
            "email_address": ["ada@example.com"],
            "password": "correct horse battery staple",
            "totp_secret": "JBSWY3DPEHPK3PXP",
            "backup_codes": ["abcd-1234", "efgh-5678"],
            "public_metadata": {"plan": "pro"},
            "code": "123456",
        });
        assert_eq!(
            logged(body, Direction::Request),
            json!({
                "email_address": ["ada@example.com"],
                "password": "[redacted]",
                "totp_secret": "[redacted]",
                "backup_codes": "[redacted]",
                "public_metadata": {"plan": "pro"},
                "code": "[redacted]",
            })
        );
    }

    #[test]
    fn nested_secrets_in_an_import_are_hidden() {
        let body = json!({"users": [{"external_id": "u1", "password_digest": "$2a$10$abc"}]});
        assert_eq!(
            logged(body, Direction::Request),
            json!({"users": [{"external_id": "u1", "password_digest": "[redacted]"}]})
        );
    }

    #[test]
    fn response_secrets_are_hidden_but_error_codes_are_not() {
        let totp = json!({"object": "totp", "id": "totp_1", "secret": "JBSWY3DPEHPK3PXP",
            "uri": "otpauth://totp/app:ada?secret=JBSWY3DPEHPK3PXP", "verified": false,
            "backup_codes": null});
        assert_eq!(
            logged(totp, Direction::Response),
            json!({"object": "totp", "id": "totp_1", "secret": "[redacted]",
                "uri": "[redacted]", "verified": false, "backup_codes": null})
        );
        let error = json!({"errors": [{"code": "form_password_incorrect", "message": "no"}]});
        assert_eq!(logged(error.clone(), Direction::Response), error);
        let token = json!({"object": "token", "jwt": "eyJhbGciOi..."});
        assert_eq!(
            logged(token, Direction::Response),
            json!({"object": "token", "jwt": "[redacted]"})
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_logged_as_text() {
        assert_eq!(
            for_log(b"<html>bad gateway</html>", Direction::Response),
            "<html>bad gateway</html>"
        );
    }
}
