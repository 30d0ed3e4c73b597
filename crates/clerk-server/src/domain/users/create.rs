//! `POST /users`: a new user from a create request.

use clerk_model::{CreateUserRequest, IdentificationStatus, User};

use crate::domain::events::{self, EventType};
use crate::domain::input::{optional_text, second_factors, stored_metadata};
use crate::domain::passwords;
use crate::domain::validate;
use crate::domain::view;
use crate::domain::write::{insert_new_user, reload, retry_on_unique_violation};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::{now_ms, IdentKind, IdentStatus, NewIdentification, UserRow};
use crate::AppState;

/// Builds the identifications of a create request: validated, deduplicated, with status.
fn new_identifications(
    kind: IdentKind,
    values: &[String],
    statuses: Option<&[IdentificationStatus]>,
    status_param: &str,
    now: i64,
) -> ApiResult<Vec<NewIdentification>> {
    let param = kind.as_str();
    let statuses = statuses.unwrap_or_default();
    if !statuses.is_empty() && statuses.len() != values.len() {
        return Err(ApiError::value_invalid(
            status_param,
            format!("{status_param} must have exactly one entry per {param}."),
        ));
    }
    let mut out: Vec<NewIdentification> = Vec::with_capacity(values.len());
    for (i, raw) in values.iter().enumerate() {
        let value = kind.validate(param, raw)?;
        let ident =
            NewIdentification::new(ids::new_id("idn"), kind, value, IdentStatus::Verified, now);
        if out.iter().any(|o| o.norm == ident.norm) {
            return Err(ApiError::form(
                "form_param_duplicate",
                param,
                "is duplicated",
                format!("{param} contains {} more than once.", ident.value),
            ));
        }
        let status = match statuses.get(i) {
            None => IdentStatus::Verified,
            Some(wire) => match IdentStatus::from_wire(wire) {
                Some(status @ (IdentStatus::Verified | IdentStatus::Reserved)) => status,
                _ => {
                    return Err(ApiError::value_invalid(
                        status_param,
                        format!(
                            "{status_param} items must be `verified` or `reserved`, not `{wire}`."
                        ),
                    ))
                }
            },
        };
        out.push(NewIdentification { status, ..ident });
    }
    Ok(out)
}

pub async fn create_user(app: &AppState, req: CreateUserRequest) -> ApiResult<User> {
    let now = now_ms();
    let user_id = ids::new_id("user");
    let factors = second_factors(
        app,
        &user_id,
        req.totp_secret.as_deref(),
        req.backup_codes.as_deref(),
    )?;
    let identifications = |kind, values: &Option<Vec<String>>, statuses, status_param| {
        let values = values.as_deref().unwrap_or_default();
        new_identifications(kind, values, statuses, status_param, now)
    };
    let emails = identifications(
        IdentKind::Email,
        &req.email_address,
        req.email_address_identification_status.as_deref(),
        "email_address_identification_status",
    )?;
    let phones = identifications(
        IdentKind::Phone,
        &req.phone_number,
        req.phone_number_identification_status.as_deref(),
        "phone_number_identification_status",
    )?;
    let wallets = identifications(IdentKind::Web3, &req.web3_wallet, None, "web3_wallet")?;
    let username = req
        .username
        .as_deref()
        .map(validate::username)
        .transpose()?;
    let external_id = optional_text("external_id", req.external_id.clone())?;
    let locale = req.locale.as_deref().map(validate::locale).transpose()?;
    let created_at = match &req.created_at {
        Some(t) => validate::rfc3339_ms("created_at", t)?,
        None => now,
    };
    let legal_accepted_at = req
        .legal_accepted_at
        .as_deref()
        .map(|t| validate::rfc3339_ms("legal_accepted_at", t))
        .transpose()?;
    let create_organizations_limit = req
        .create_organizations_limit
        .map(|v| validate::non_negative("create_organizations_limit", v))
        .transpose()?;
    let mut user = UserRow {
        seq: 0,
        id: user_id,
        external_id,
        username,
        first_name: optional_text("first_name", req.first_name.clone())?,
        last_name: optional_text("last_name", req.last_name.clone())?,
        locale,
        primary_email_address_id: emails.first().map(|i| i.id.clone()),
        primary_phone_number_id: phones.first().map(|i| i.id.clone()),
        primary_web3_wallet_id: wallets.first().map(|i| i.id.clone()),
        public_metadata: stored_metadata("public_metadata", req.public_metadata.as_ref())?,
        private_metadata: stored_metadata("private_metadata", req.private_metadata.as_ref())?,
        unsafe_metadata: stored_metadata("unsafe_metadata", req.unsafe_metadata.as_ref())?,
        banned: req.banned.unwrap_or(false),
        delete_self_enabled: req.delete_self_enabled.unwrap_or(true),
        create_organization_enabled: req.create_organization_enabled.unwrap_or(true),
        create_organizations_limit,
        bypass_client_trust: req.bypass_client_trust.unwrap_or(false),
        legal_accepted_at,
        created_at,
        updated_at: now,
        ..UserRow::default()
    };
    if req.locked.unwrap_or(false) {
        user.lock(now, Some(app.settings.lockout_expires_at(now)));
    }
    let credentials = passwords::from_request(
        app,
        req.password,
        req.password_digest,
        req.password_hasher,
        req.skip_password_checks.unwrap_or(false),
    )
    .await?;
    // Clerk needs a way to identify the user: at least one identifier.
    if emails.is_empty() && phones.is_empty() && wallets.is_empty() && user.username.is_none() {
        return Err(ApiError::form(
            "form_data_missing",
            "email_address",
            "is missing",
            "At least one identifier is required: email_address, phone_number, web3_wallet or \
             username."
                .into(),
        ));
    }
    if let Some(credentials) = credentials {
        credentials.apply(&mut user, now);
    }
    factors.apply(&mut user, now);

    let idents: Vec<&NewIdentification> = emails.iter().chain(&phones).chain(&wallets).collect();
    retry_on_unique_violation(|| async {
        let mut tx = app.store.begin_write().await?;
        insert_new_user(&mut tx, &user, &idents).await?;
        let record = reload(&mut tx, &user.id).await?;
        events::user_event(&mut tx, app, EventType::UserCreated, &record).await?;
        tx.commit().await?;
        Ok(view::user(&record, &app.settings, now_ms()))
    })
    .await
}
