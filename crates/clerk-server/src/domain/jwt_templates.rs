//! JWT templates: named claim sets (with shortcodes) that `POST /sessions/{id}/tokens/{name}`
//! mints tokens from, optionally signed with a key of the template's own.

use clerk_model::{DeletedObject, JwtTemplate, JwtTemplateRequest, Paginated};
use serde_json::{Map, Value};

use super::list::Page;
use super::metadata::from_stored;
use super::view;
use super::write::{retry_on_unique_violation, OpError};
use crate::crypto::jwt::{SigningKey, CUSTOM_ALGORITHMS, INSTANCE_ALGORITHM};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::jwt_templates::{self as sql, JwtTemplateRow};
use crate::store::now_ms;
use crate::AppState;

/// Claims every template token gets from the server; a template may not set them.
pub const RESERVED_CLAIMS: [&str; 7] = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub"];
/// A template's default token lifetime and clock skew (seconds), as Clerk's.
const DEFAULT_LIFETIME_S: i64 = 60;
const DEFAULT_CLOCK_SKEW_S: i64 = 5;
const MAX_CLOCK_SKEW_S: i64 = 300;
/// Lifetime bounds, as for `expires_in_seconds`.
const MIN_LIFETIME_S: i64 = 30;
const MAX_LIFETIME_S: i64 = 315_360_000;
/// The claims' JSON text may not exceed this: they go into every token.
pub const MAX_CLAIMS_BYTES: usize = 16 * 1024;
const MAX_NAME_CHARS: usize = 256;

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No JWT template was found with id {id}"),
    )
}

fn view(row: &JwtTemplateRow) -> JwtTemplate {
    let claims = match from_stored(&row.claims) {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    JwtTemplate {
        object: "jwt_template".into(),
        id: row.id.clone(),
        name: row.name.clone(),
        claims,
        lifetime: row.lifetime,
        allowed_clock_skew: row.allowed_clock_skew,
        custom_signing_key: row.custom_signing_key,
        signing_algorithm: row.signing_algorithm.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn in_range(param: &str, value: Option<i64>, min: i64, max: i64) -> ApiResult<Option<i64>> {
    match value {
        Some(v) if !(min..=max).contains(&v) => Err(ApiError::value_invalid(
            param,
            format!("{param} must be between {min} and {max}."),
        )),
        other => Ok(other),
    }
}

fn checked_name(name: Option<String>) -> ApiResult<String> {
    let name = name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::param_missing("name"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::value_invalid(
            "name",
            format!("name must be at most {MAX_NAME_CHARS} characters long."),
        ));
    }
    Ok(name)
}

/// The claims as stored: an object, none of them reserved, within the size cap.
fn checked_claims(claims: Option<Map<String, Value>>) -> ApiResult<String> {
    let claims = claims.ok_or_else(|| ApiError::param_missing("claims"))?;
    if let Some(reserved) = RESERVED_CLAIMS.iter().find(|c| claims.contains_key(**c)) {
        return Err(ApiError::form(
            "jwt_template_reserved_claim",
            "claims",
            "reserved claim used",
            format!(
                "You can't use the reserved claim: '{reserved}'. The server sets {} itself.",
                RESERVED_CLAIMS.join(", ")
            ),
        ));
    }
    let text = serde_json::to_string(&claims).expect("claims serialize");
    if text.len() > MAX_CLAIMS_BYTES {
        return Err(ApiError::form(
            "form_param_exceeds_allowed_size",
            "claims",
            "exceeds allowed size",
            format!("claims must be at most {MAX_CLAIMS_BYTES} bytes of JSON."),
        ));
    }
    Ok(text)
}

/// The template's own key, sealed, after checking it signs with the algorithm asked for.
fn checked_custom_key(
    app: &AppState,
    template_id: &str,
    algorithm: Option<&str>,
    key: Option<&str>,
) -> ApiResult<(String, String)> {
    let algorithm = algorithm.ok_or_else(|| ApiError::param_missing("signing_algorithm"))?;
    let key = key.ok_or_else(|| ApiError::param_missing("signing_key"))?;
    if !CUSTOM_ALGORITHMS.contains(&algorithm) {
        return Err(ApiError::value_invalid(
            "signing_algorithm",
            format!(
                "signing_algorithm must be one of {}.",
                CUSTOM_ALGORITHMS.join(", ")
            ),
        ));
    }
    SigningKey::custom(algorithm, key).map_err(|_| {
        ApiError::value_invalid(
            "signing_key",
            format!(
                "signing_key must be a shared secret (HS*) or a PEM private key of the kind \
                 {algorithm} signs with."
            ),
        )
    })?;
    Ok((
        algorithm.to_owned(),
        app.encryption_key.seal_str(key, template_id.as_bytes()),
    ))
}

/// Applies `req` to `row` (a new template's defaults, or the stored one).
fn apply(app: &AppState, row: &mut JwtTemplateRow, req: JwtTemplateRequest) -> ApiResult<()> {
    row.name = checked_name(req.name)?;
    row.claims = checked_claims(req.claims)?;
    if let Some(lifetime) = in_range("lifetime", req.lifetime, MIN_LIFETIME_S, MAX_LIFETIME_S)? {
        row.lifetime = lifetime;
    }
    if let Some(skew) = in_range(
        "allowed_clock_skew",
        req.allowed_clock_skew,
        0,
        MAX_CLOCK_SKEW_S,
    )? {
        row.allowed_clock_skew = skew;
    }
    match req.custom_signing_key {
        Some(true) => {
            let (algorithm, sealed) = checked_custom_key(
                app,
                &row.id,
                req.signing_algorithm.as_deref(),
                req.signing_key.as_deref(),
            )?;
            row.custom_signing_key = true;
            row.signing_algorithm = algorithm;
            row.signing_key = Some(sealed);
        }
        Some(false) => {
            row.custom_signing_key = false;
            row.signing_algorithm = INSTANCE_ALGORITHM.into();
            row.signing_key = None;
        }
        None => {}
    }
    Ok(())
}

fn name_taken() -> ApiError {
    ApiError::identifier_exists("name", "JWT template name")
}

/// Writes the template `change` makes of the stored one with `id` (`None`: a new template),
/// once no other template has its name. The stored one is read, locked, inside the transaction:
/// two updates at once apply one after the other, neither losing the other's fields.
async fn save(
    app: &AppState,
    id: Option<&str>,
    change: impl Fn(Option<JwtTemplateRow>) -> ApiResult<JwtTemplateRow>,
) -> ApiResult<JwtTemplateRow> {
    retry_on_unique_violation(|| async {
        let mut tx = app.store.begin_write().await?;
        let stored = match id {
            Some(id) => Some(
                sql::find_for_update(tx.conn(), id)
                    .await?
                    .ok_or_else(|| not_found(id))?,
            ),
            None => None,
        };
        let row = change(stored)?;
        if let Some(other) = sql::find_by_name(tx.conn(), &row.name).await? {
            if other.id != row.id {
                return Err(OpError::Api(name_taken()));
            }
        }
        if id.is_some() {
            sql::update(tx.conn(), &row).await?;
        } else {
            sql::insert(tx.conn(), &row).await?;
        }
        tx.commit().await?;
        Ok(row)
    })
    .await
    .map_err(|e| {
        if e.code == "form_identifier_exists" {
            name_taken()
        } else {
            e
        }
    })
}

/// `POST /jwt_templates`.
pub async fn create(app: &AppState, req: JwtTemplateRequest) -> ApiResult<JwtTemplate> {
    let now = now_ms();
    let mut row = JwtTemplateRow {
        id: ids::new_id("jtmp"),
        name: String::new(),
        claims: String::new(),
        lifetime: DEFAULT_LIFETIME_S,
        allowed_clock_skew: DEFAULT_CLOCK_SKEW_S,
        custom_signing_key: false,
        signing_algorithm: INSTANCE_ALGORITHM.into(),
        signing_key: None,
        created_at: now,
        updated_at: now,
    };
    apply(app, &mut row, req)?;
    let row = save(app, None, |_| Ok(row.clone())).await?;
    Ok(view(&row))
}

/// `PATCH /jwt_templates/{id}`: `name` and `claims` as given (both required, as Clerk's PATCH
/// takes the whole template); absent optional fields keep their values.
pub async fn update(app: &AppState, id: &str, req: JwtTemplateRequest) -> ApiResult<JwtTemplate> {
    let row = save(app, Some(id), |stored| {
        let mut row = stored.expect("an update reads the stored template");
        apply(app, &mut row, req.clone())?;
        row.updated_at = now_ms();
        Ok(row)
    })
    .await?;
    Ok(view(&row))
}

pub async fn get(app: &AppState, id: &str) -> ApiResult<JwtTemplate> {
    let mut conn = app.store.read().await?;
    let row = sql::find(&mut conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(view(&row))
}

/// `GET /jwt_templates`: oldest first; the total only when `with_total` (`paginated=true`).
pub async fn list(
    app: &AppState,
    page: Page,
    with_total: bool,
) -> ApiResult<Paginated<JwtTemplate>> {
    let mut conn = app.store.read().await?;
    let rows = sql::list(&mut conn, page.limit, page.offset).await?;
    let total_count = if with_total {
        sql::count(&mut conn).await?
    } else {
        0
    };
    Ok(Paginated {
        data: rows.iter().map(view).collect(),
        total_count,
    })
}

pub async fn delete(app: &AppState, id: &str) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    if !sql::delete(tx.conn(), id).await? {
        return Err(not_found(id));
    }
    tx.commit().await?;
    Ok(view::deleted("jwt_template", id))
}
