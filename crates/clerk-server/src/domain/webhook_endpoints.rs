//! Webhook endpoints (our extension, `/v1/_ext/webhooks`): their rules, their secrets (sealed at
//! rest, rotated with an overlap), their attempts, and resending a message.

use std::time::Duration;

use clerk_model::{
    CreateWebhookEndpointRequest, DeletedObject, ResentWebhookMessage, RotateWebhookSecretRequest,
    UpdateWebhookEndpointRequest, WebhookAttempt, WebhookAttemptList, WebhookEndpoint,
    WebhookEndpointList,
};

use super::view;
use crate::crypto::webhook_signing::WebhookSecret;
use crate::crypto::SecretKey;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::webhooks::deliveries::{self, AttemptRow};
use crate::store::webhooks::endpoints::{self as sql, EndpointRow};
use crate::store::{now_ms, WriteTx};
use crate::{ids, AppState};

/// How long a rotated-out secret keeps signing beside the new one (Svix's overlap).
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);
const MAX_URL_CHARS: usize = 2048;
const MAX_DESCRIPTION_CHARS: usize = 1024;
const MAX_FILTER_TYPES: usize = 100;
const MAX_EVENT_TYPE_CHARS: usize = 100;
/// A secret of one's own: Svix accepts 24 to 75 key bytes.
const SECRET_KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=75;

/// What sealed secrets of endpoint `id` are bound to: a sealed value moved to another row
/// does not open.
fn secret_context(id: &str) -> Vec<u8> {
    format!("webhook_endpoint:{id}").into_bytes()
}

fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No webhook endpoint was found with id {id}"),
    )
}

fn check_url(url: &str) -> ApiResult<String> {
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
fn check_filter_types(types: Vec<String>) -> ApiResult<Vec<String>> {
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

fn check_description(description: String) -> ApiResult<String> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::value_invalid(
            "description",
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    Ok(description)
}

fn parse_secret(param: &str, text: &str) -> ApiResult<WebhookSecret> {
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

fn seal(key: &SecretKey, id: &str, secret: &WebhookSecret) -> String {
    key.seal_str(&secret.to_text(), &secret_context(id))
}

fn open(key: &SecretKey, id: &str, sealed: &str) -> ApiResult<WebhookSecret> {
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

fn endpoint_view(app: &AppState, row: &EndpointRow) -> ApiResult<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        object: "webhook_endpoint".into(),
        id: row.id.clone(),
        url: row.url.clone(),
        description: row.description.clone(),
        filter_types: row.filter_types.clone(),
        disabled: row.disabled,
        secret: open(&app.encryption_key, &row.id, &row.secret)?.to_text(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub async fn create_endpoint(
    app: &AppState,
    req: CreateWebhookEndpointRequest,
) -> ApiResult<WebhookEndpoint> {
    let url = check_url(&req.url.ok_or_else(|| ApiError::param_missing("url"))?)?;
    let filter_types = req.filter_types.map(check_filter_types).transpose()?;
    let description = check_description(req.description.unwrap_or_default())?;
    let secret = match &req.secret {
        Some(text) => parse_secret("secret", text)?,
        None => WebhookSecret::generate(),
    };
    let now = now_ms();
    let id = ids::new_id("ep");
    let row = EndpointRow {
        secret: seal(&app.encryption_key, &id, &secret),
        id,
        url,
        description,
        filter_types,
        disabled: req.disabled.unwrap_or(false),
        previous_secret: None,
        previous_secret_expires_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.store.begin_write().await?;
    sql::insert(tx.conn(), &row).await?;
    tx.commit().await?;
    endpoint_view(app, &row)
}

pub async fn get_endpoint(app: &AppState, id: &str) -> ApiResult<WebhookEndpoint> {
    let mut conn = app.store.read().await?;
    let row = sql::find(&mut conn, id, false)
        .await?
        .ok_or_else(|| endpoint_not_found(id))?;
    endpoint_view(app, &row)
}

pub async fn list_endpoints(
    app: &AppState,
    limit: i64,
    offset: i64,
) -> ApiResult<WebhookEndpointList> {
    let mut conn = app.store.read().await?;
    let rows = sql::list(&mut conn, limit, offset).await?;
    let total_count = sql::count(&mut conn).await?;
    Ok(WebhookEndpointList {
        data: rows
            .iter()
            .map(|row| endpoint_view(app, row))
            .collect::<ApiResult<_>>()?,
        total_count,
    })
}

/// Runs `change` on the endpoint's row in a write transaction (the row locked on PostgreSQL)
/// and writes it back.
async fn change_endpoint(
    app: &AppState,
    id: &str,
    change: impl FnOnce(&mut EndpointRow, i64) -> ApiResult<()>,
) -> ApiResult<WebhookEndpoint> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let mut row = sql::find(tx.conn(), id, true)
        .await?
        .ok_or_else(|| endpoint_not_found(id))?;
    let was_disabled = row.disabled;
    change(&mut row, now)?;
    row.updated_at = now;
    sql::update(tx.conn(), &row).await?;
    if was_disabled && !row.disabled {
        // Its pending deliveries are due again.
        tx.wake_delivery_on_commit().await?;
    }
    tx.commit().await?;
    endpoint_view(app, &row)
}

pub async fn update_endpoint(
    app: &AppState,
    id: &str,
    req: UpdateWebhookEndpointRequest,
) -> ApiResult<WebhookEndpoint> {
    let url = req.url.as_deref().map(check_url).transpose()?;
    let filter_types = req
        .filter_types
        .map(|types| types.map(check_filter_types).transpose())
        .transpose()?;
    let description = req.description.map(check_description).transpose()?;
    change_endpoint(app, id, |row, _| {
        if let Some(url) = url {
            row.url = url;
        }
        if let Some(filter_types) = filter_types {
            row.filter_types = filter_types;
        }
        if let Some(description) = description {
            row.description = description;
        }
        if let Some(disabled) = req.disabled {
            row.disabled = disabled;
        }
        Ok(())
    })
    .await
}

/// A new secret signs from now on; the one it replaces signs beside it for
/// [`ROTATION_OVERLAP`], so receivers can switch without losing a message.
pub async fn rotate_secret(
    app: &AppState,
    id: &str,
    req: RotateWebhookSecretRequest,
) -> ApiResult<WebhookEndpoint> {
    let secret = match &req.key {
        Some(text) => parse_secret("key", text)?,
        None => WebhookSecret::generate(),
    };
    change_endpoint(app, id, |row, now| {
        row.previous_secret = Some(std::mem::replace(
            &mut row.secret,
            seal(&app.encryption_key, id, &secret),
        ));
        row.previous_secret_expires_at = Some(now + ROTATION_OVERLAP.as_millis() as i64);
        Ok(())
    })
    .await
}

/// Deletes the endpoint, with its pending deliveries and its attempts.
pub async fn delete_endpoint(app: &AppState, id: &str) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    if !sql::delete(tx.conn(), id).await? {
        return Err(endpoint_not_found(id));
    }
    tx.commit().await?;
    Ok(view::deleted("webhook_endpoint", id))
}

fn attempt_view(row: AttemptRow) -> WebhookAttempt {
    WebhookAttempt {
        object: "webhook_attempt".into(),
        message_id: row.message_id,
        event_type: row.event_type,
        status: if row.succeeded { "succeeded" } else { "failed" }.into(),
        response_status_code: row.response_status,
        response: row.response_body,
        started_at: row.started_at,
        finished_at: row.finished_at,
        next_attempt_at: (row.delivery_status == "pending")
            .then_some(row.next_attempt_at)
            .flatten(),
        delivery_status: row.delivery_status,
    }
}

/// The endpoint's attempts, newest first.
pub async fn list_attempts(
    app: &AppState,
    id: &str,
    limit: i64,
    offset: i64,
) -> ApiResult<WebhookAttemptList> {
    let mut conn = app.store.read().await?;
    if sql::find(&mut conn, id, false).await?.is_none() {
        return Err(endpoint_not_found(id));
    }
    let (rows, total_count) =
        deliveries::attempts_of_endpoint(&mut conn, id, limit, offset).await?;
    Ok(WebhookAttemptList {
        data: rows.into_iter().map(attempt_view).collect(),
        total_count,
    })
}

/// Sends a message again, now, to every endpoint it went to, with a fresh retry schedule
/// (after its last attempt failed, or to replay it).
pub async fn resend_message(app: &AppState, message_id: &str) -> ApiResult<ResentWebhookMessage> {
    let mut tx = app.store.begin_write().await?;
    let event_type = deliveries::message_event_type(tx.conn(), message_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                "resource_not_found",
                "not found",
                format!("No webhook message was found with id {message_id}"),
            )
        })?;
    let resent = deliveries::resend(&mut tx, message_id, now_ms()).await?;
    tx.commit().await?;
    Ok(ResentWebhookMessage {
        object: "webhook_message".into(),
        id: message_id.to_owned(),
        event_type,
        deliveries: resent as i64,
    })
}

/// An endpoint `clerk serve --webhook URL[,secret=…][,events=…]` sets up at start.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub url: String,
    pub secret: Option<String>,
    pub filter_types: Option<Vec<String>>,
}

impl std::fmt::Debug for EndpointSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointSpec")
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("filter_types", &self.filter_types)
            .finish()
    }
}

impl std::str::FromStr for EndpointSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(',');
        let url = parts.next().unwrap_or_default().trim().to_owned();
        check_url(&url).map_err(|e| e.long_message)?;
        let mut spec = EndpointSpec {
            url,
            secret: None,
            filter_types: None,
        };
        for part in parts {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            match name.trim() {
                "secret" => {
                    let secret = value.trim();
                    parse_secret("secret", secret).map_err(|_| {
                        format!(
                            "secret= must be whsec_ followed by the base64 of {} to {} bytes",
                            SECRET_KEY_BYTES.start(),
                            SECRET_KEY_BYTES.end()
                        )
                    })?;
                    spec.secret = Some(secret.to_owned());
                }
                "events" => {
                    let types = value.split('|').map(|t| t.trim().to_owned()).collect();
                    spec.filter_types = Some(check_filter_types(types).map_err(|_| {
                        "events= must list event types separated by | (user.created|user.deleted)"
                            .to_owned()
                    })?);
                }
                // Only the name: the value may be a mistyped secret.
                other => {
                    return Err(format!(
                        "unknown part {other:?}: expected URL[,secret=whsec_…][,events=a|b]"
                    ))
                }
            }
        }
        Ok(spec)
    }
}

/// Makes sure an endpoint exists for each spec: the endpoint with that URL gets the spec's events
/// (and secret, if it names one) where they differ, else one is created. Runs at start, so a
/// restart with the same flags changes nothing; an endpoint disabled through the API stays
/// disabled.
pub async fn ensure_endpoints(app: &AppState, specs: &[EndpointSpec]) -> ApiResult<()> {
    for spec in specs {
        let now = now_ms();
        let mut tx: WriteTx = app.store.begin_write().await?;
        // Nodes starting at once with the same flags make one endpoint, not one each.
        sql::lock_for_setup(&mut tx).await?;
        let existing = sql::find_by_url(tx.conn(), &spec.url).await?;
        let secret = spec
            .secret
            .as_deref()
            .map(|text| parse_secret("secret", text))
            .transpose()?;
        match existing {
            Some(mut row) => {
                let mut changed = row.filter_types != spec.filter_types;
                row.filter_types = spec.filter_types.clone();
                if let Some(secret) = &secret {
                    if open(&app.encryption_key, &row.id, &row.secret)? != *secret {
                        row.secret = seal(&app.encryption_key, &row.id, secret);
                        changed = true;
                    }
                }
                if changed {
                    row.updated_at = now;
                    sql::update(tx.conn(), &row).await?;
                }
                tracing::info!(endpoint = %row.id, url = %row.url, changed, "webhook endpoint from --webhook");
            }
            None => {
                let id = ids::new_id("ep");
                let secret = secret.unwrap_or_else(WebhookSecret::generate);
                let row = EndpointRow {
                    secret: seal(&app.encryption_key, &id, &secret),
                    id,
                    url: spec.url.clone(),
                    description: "clerk serve --webhook".into(),
                    filter_types: spec.filter_types.clone(),
                    disabled: false,
                    previous_secret: None,
                    previous_secret_expires_at: None,
                    created_at: now,
                    updated_at: now,
                };
                sql::insert(tx.conn(), &row).await?;
                tracing::info!(
                    endpoint = %row.id,
                    url = %row.url,
                    "webhook endpoint created from --webhook; its secret: clerk webhooks list"
                );
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::EndpointSpec;

    #[test]
    fn webhook_flags_read_with_spaces_and_never_echo_a_secret() {
        let spec: EndpointSpec =
            "http://localhost:3000/hook, secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw , events=user.created|user.deleted"
                .parse()
                .unwrap();
        assert_eq!(spec.url, "http://localhost:3000/hook");
        assert_eq!(
            spec.secret.as_deref(),
            Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        assert_eq!(
            spec.filter_types,
            Some(vec!["user.created".to_owned(), "user.deleted".to_owned()])
        );
        let typo = "http://h/x,secrt=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(typo.contains("secrt") && !typo.contains("MfKQ"), "{typo}");
        let short = "http://h/x,secret=whsec_c2hvcnQ="
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(!short.contains("c2hvcnQ"), "{short}");
        let events = "http://h/x,events=user created"
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(events.starts_with("events="), "{events}");
        assert!("ftp://h/x".parse::<EndpointSpec>().is_err());
        assert!(!format!("{spec:?}").contains("MfKQ"));
    }
}
