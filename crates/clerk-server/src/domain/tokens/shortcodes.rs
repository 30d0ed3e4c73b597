//! JWT template claims: shortcodes such as `{{user.id}}` or
//! `{{user.public_metadata.plan || 'free'}}` filled in from the session's user, organization and
//! session when a token is minted.
//!
//! A string that is one shortcode and nothing else takes the shortcode's value with its JSON
//! type (an object for `{{user.public_metadata}}`, a boolean for `{{user.email_verified}}`);
//! a string that mixes text and shortcodes stays a string, each shortcode written in (`null` as
//! nothing). `a || b || 'literal'` takes the first operand that is not `null`. An unknown
//! shortcode is `null`.

use serde_json::{Map, Value};

/// What shortcodes read: `user`, `org`, `org_membership` and `session`, each a JSON object
/// (absent ones are `null`).
pub struct Scope {
    pub roots: Map<String, Value>,
}

impl Scope {
    fn lookup(&self, path: &str) -> Value {
        let mut parts = path.split('.');
        let Some(mut value) = parts.next().and_then(|root| self.roots.get(root)) else {
            return Value::Null;
        };
        for part in parts {
            match value.get(part) {
                Some(next) => value = next,
                None => return Value::Null,
            }
        }
        value.clone()
    }

    /// The value of one shortcode's inside (`user.id || 'x'`).
    fn evaluate(&self, expression: &str) -> Value {
        for operand in expression.split("||").map(str::trim) {
            let value = literal(operand).unwrap_or_else(|| self.lookup(operand));
            if !value.is_null() {
                return value;
            }
        }
        Value::Null
    }
}

/// A quoted string, a number, `true`, `false` or `null`, if `operand` is one.
fn literal(operand: &str) -> Option<Value> {
    for quote in ['\'', '"'] {
        if let Some(inner) = operand
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return Some(Value::String(inner.to_owned()));
        }
    }
    match operand {
        "true" | "false" | "null" => serde_json::from_str(operand).ok(),
        _ if operand.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
            serde_json::from_str::<serde_json::Number>(operand)
                .ok()
                .map(Value::Number)
        }
        _ => None,
    }
}

/// `claims` with every shortcode filled in, recursively through objects and arrays.
pub fn render(claims: &Value, scope: &Scope) -> Value {
    match claims {
        Value::String(text) => render_string(text, scope),
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, scope)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, scope)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn render_string(text: &str, scope: &Scope) -> Value {
    let trimmed = text.trim();
    if let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
    {
        if !inner.contains("{{") && !inner.contains("}}") {
            return scope.evaluate(inner);
        }
    }
    if !text.contains("{{") {
        return Value::String(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        match scope.evaluate(&rest[start + 2..start + 2 + len]) {
            Value::Null => {}
            Value::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Value::String(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let roots = json!({
            "user": {
                "id": "user_1",
                "first_name": "Ada",
                "last_name": null,
                "email_verified": true,
                "public_metadata": {"plan": "pro", "seats": 3},
            },
            "org": null,
        });
        Scope {
            roots: roots.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn a_lone_shortcode_keeps_its_type() {
        let claims = json!({
            "sub": "{{user.id}}",
            "verified": "{{user.email_verified}}",
            "meta": "{{user.public_metadata}}",
            "seats": "{{ user.public_metadata.seats }}",
            "org": "{{org.id}}",
            "unknown": "{{user.nothing.deeper}}",
        });
        assert_eq!(
            render(&claims, &scope()),
            json!({
                "sub": "user_1",
                "verified": true,
                "meta": {"plan": "pro", "seats": 3},
                "seats": 3,
                "org": null,
                "unknown": null,
            })
        );
    }

    #[test]
    fn text_with_shortcodes_is_interpolated() {
        let claims = json!({
            "name": "{{user.first_name}} {{user.last_name}}",
            "who": "id={{user.id}}, seats={{user.public_metadata.seats}}",
            "nested": ["{{user.id}}", {"deep": "x{{user.id}}"}],
            "static": 42,
            "unclosed": "{{user.id",
        });
        assert_eq!(
            render(&claims, &scope()),
            json!({
                "name": "Ada ",
                "who": "id=user_1, seats=3",
                "nested": ["user_1", {"deep": "xuser_1"}],
                "static": 42,
                "unclosed": "{{user.id",
            })
        );
    }

    #[test]
    fn fallbacks_take_the_first_value_that_is_not_null() {
        let claims = json!({
            "role": "{{user.public_metadata.role || 'member'}}",
            "plan": "{{user.public_metadata.plan || 'free'}}",
            "n": "{{org.id || user.last_name || 7}}",
            "none": "{{org.id || null}}",
        });
        assert_eq!(
            render(&claims, &scope()),
            json!({"role": "member", "plan": "pro", "n": 7, "none": null})
        );
    }
}
