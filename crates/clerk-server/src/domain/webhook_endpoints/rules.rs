//! The rules of an endpoint's fields, and its secrets: sealed at rest under the encryption key,
//! opened to sign.

use std::time::Duration;

use crate::crypto::webhook_signing::WebhookSecret;
use crate::crypto::SecretKey;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::webhooks::endpoints::EndpointRow;

/// How long a rotated-out secret keeps signing beside the new one (Svix's overlap).
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);
const MAX_URL_CHARS: usize = 2048;
const MAX_DESCRIPTION_CHARS: usize = 1024;
const MAX_FILTER_TYPES: usize = 100;
const MAX_EVENT_TYPE_CHARS: usize = 100;
/// A secret of one's own: Svix accepts 24 to 75 key bytes.
pub(super) const SECRET_KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=75;

/// What sealed secrets of endpoint `id` are bound to: a sealed value moved to another row
/// does not open.
fn secret_context(id: &str) -> Vec<u8> {
    format!("webhook_endpoint:{id}").into_bytes()
}

pub(super) fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No webhook endpoint was found with id {id}"),
    )
}

pub(super) fn check_url(url: &str) -> ApiResult<String> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url).map_err(|_| ApiError::format_invalid("url", "URL"))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none()
        || url.chars().count() > MAX_URL_CHARS
    {
        return Err(ApiError::value_invalid(
            "url",
            format!("url must be an http or https URL of at most {MAX_URL_CHARS} characters."),
        ));
    }
    Ok(url.to_owned())
}

/// An event type is dotted words (`user.created`, `organizationMembership.deleted`): any such
/// name is accepted, so that an endpoint can already list the types this server does not
/// emit yet. Only letters, digits and `_` appear, which the outbox's matching relies on.
pub(super) fn check_filter_types(types: Vec<String>) -> ApiResult<Vec<String>> {
    let valid = |t: &str| {
        t.len() <= MAX_EVENT_TYPE_CHARS
            && t.split('.').count() >= 2
            && t.split('.').all(|word| {
                !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    };
    if types.is_empty() || types.len() > MAX_FILTER_TYPES || !types.iter().all(|t| valid(t)) {
        return Err(ApiError::value_invalid(
            "filter_types",
            format!(
                "filter_types must list 1 to {MAX_FILTER_TYPES} event types such as \
                 user.created, or be null for every type."
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    Ok(types
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect())
}

pub(super) fn check_description(description: String) -> ApiResult<String> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::value_invalid(
            "description",
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    Ok(description)
}

pub(super) fn parse_secret(param: &str, text: &str) -> ApiResult<WebhookSecret> {
    match WebhookSecret::parse(text.trim()) {
        Ok(secret) if SECRET_KEY_BYTES.contains(&secret.key_len()) => Ok(secret),
        _ => Err(ApiError::value_invalid(
            param,
            format!(
                "{param} must be whsec_ followed by the base64 of {} to {} bytes.",
                SECRET_KEY_BYTES.start(),
                SECRET_KEY_BYTES.end()
            ),
        )),
    }
}

/// A new endpoint's row, its secret (a generated one without `secret`) sealed.
pub(super) fn new_endpoint(
    key: &SecretKey,
    url: String,
    description: String,
    filter_types: Option<Vec<String>>,
    disabled: bool,
    secret: Option<WebhookSecret>,
    now: i64,
) -> EndpointRow {
    let id = ids::new_id("ep");
    let secret = secret.unwrap_or_else(WebhookSecret::generate);
    EndpointRow {
        secret: seal(key, &id, &secret),
        id,
        url,
        description,
        filter_types,
        disabled,
        previous_secret: None,
        previous_secret_expires_at: None,
        created_at: now,
        updated_at: now,
    }
}

pub(super) fn seal(key: &SecretKey, id: &str, secret: &WebhookSecret) -> String {
    key.seal_str(&secret.to_text(), &secret_context(id))
}

pub(super) fn open(key: &SecretKey, id: &str, sealed: &str) -> ApiResult<WebhookSecret> {
    key.open_str(sealed, &secret_context(id))
        .ok()
        .and_then(|text| WebhookSecret::parse(&text).ok())
        .ok_or_else(|| {
            ApiError::internal_because(format_args!(
                "the secret of webhook endpoint {id} does not open with the configured key"
            ))
        })
}

/// The secrets a message to this endpoint is signed with now: the current one, and the
/// previous one until its overlap ends.
pub fn signing_secrets(
    key: &SecretKey,
    row: &EndpointRow,
    now: i64,
) -> ApiResult<Vec<WebhookSecret>> {
    let mut secrets = vec![open(key, &row.id, &row.secret)?];
    if let (Some(previous), Some(until)) = (&row.previous_secret, row.previous_secret_expires_at) {
        if now < until {
            secrets.push(open(key, &row.id, previous)?);
        }
    }
    Ok(secrets)
}
