//! The endpoint operations: create, read, list, update, rotate the secret, delete.

use clerk_model::{
    CreateWebhookEndpointRequest, DeletedObject, RotateWebhookSecretRequest,
    UpdateWebhookEndpointRequest, WebhookEndpoint, WebhookEndpointList,
};

use super::rules::{
    check_description, check_filter_types, check_url, endpoint_not_found, new_endpoint, open,
    parse_secret, seal, ROTATION_OVERLAP,
};
use crate::crypto::webhook_signing::WebhookSecret;
use crate::domain::view;
use crate::error::{ApiError, ApiResult};
use crate::store::now_ms;
use crate::store::webhooks::endpoints::{self as sql, EndpointRow};
use crate::AppState;

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
    let secret = req
        .secret
        .as_deref()
        .map(|text| parse_secret("secret", text))
        .transpose()?;
    let row = new_endpoint(
        &app.encryption_key,
        url,
        description,
        filter_types,
        req.disabled.unwrap_or(false),
        secret,
        now_ms(),
    );
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
