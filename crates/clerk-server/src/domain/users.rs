//! The user operations: create, read, update, delete and metadata.
//! Each validates input, then runs in one write transaction so nothing is half-written.

use clerk_model::{
    CreateUserRequest, DeletedObject, IdentificationStatus, UpdateUserMetadataRequest,
    UpdateUserRequest, User,
};
use serde_json::Value;

use super::metadata::{self, MetadataMode};
use super::{passwords, validate, view};
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::users::{self as sql, UniqueColumn};
use crate::store::{is_unique_violation, now_ms, NewIdentification, UserRecord, UserRow, WriteTx};
use crate::AppState;

/// Identification kinds and how their values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentKind {
    Email,
    Phone,
    Web3,
}

impl IdentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email_address",
            Self::Phone => "phone_number",
            Self::Web3 => "web3_wallet",
        }
    }

    /// Emails and wallet addresses are case-insensitive.
    pub fn normalize(self, value: &str) -> String {
        match self {
            Self::Email | Self::Web3 => value.trim().to_lowercase(),
            Self::Phone => value.trim().to_owned(),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Email => "email address",
            Self::Phone => "phone number",
            Self::Web3 => "web3 wallet",
        }
    }

    pub fn validate(self, param: &str, value: &str) -> ApiResult<String> {
        match self {
            Self::Email => validate::email(param, value),
            Self::Phone => validate::phone(param, value),
            Self::Web3 => validate::web3_wallet(param, value),
        }
    }
}

pub async fn get_user(app: &AppState, user_id: &str) -> ApiResult<User> {
    let mut conn = app.store.read().await?;
    let record = sql::find_user(&mut conn, app.store.dialect(), user_id, false)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    Ok(view::user(&record, &app.settings, now_ms()))
}

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
        let norm = kind.normalize(&value);
        if out.iter().any(|o| o.norm == norm) {
            return Err(ApiError::form(
                "form_param_duplicate",
                param,
                "is duplicated",
                format!("{param} contains {value} more than once."),
            ));
        }
        let status = match statuses.get(i) {
            None | Some(IdentificationStatus::Verified) => "verified",
            Some(IdentificationStatus::Reserved) => "reserved",
            Some(other) => {
                return Err(ApiError::value_invalid(
                    status_param,
                    format!(
                        "{status_param} items must be `verified` or `reserved`, not `{other}`."
                    ),
                ))
            }
        };
        out.push(NewIdentification {
            id: ids::new_id("idn"),
            kind: kind.as_str(),
            value,
            norm,
            status: status.into(),
            strategy: (status == "verified").then(|| "admin".into()),
            created_at: now,
        });
    }
    Ok(out)
}

pub(crate) fn optional_text(param: &str, value: Option<String>) -> ApiResult<Option<String>> {
    match value {
        Some(v) => {
            validate::max_len(param, &v, validate::MAX_TEXT_LEN)?;
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

pub(crate) fn stored_metadata(param: &str, value: Option<&Value>) -> ApiResult<String> {
    match value {
        Some(v) => metadata::to_stored(param, v),
        None => Ok("{}".into()),
    }
}

/// The credentials a request sets: a new password (hashed) or an imported digest.
async fn password_from_request(
    app: &AppState,
    password: Option<String>,
    digest: Option<String>,
    hasher: Option<String>,
    skip_checks: bool,
) -> ApiResult<Option<(String, String)>> {
    match (password, digest) {
        (Some(_), Some(_)) => Err(ApiError::form(
            "form_conditional_param_disallowed",
            "password_digest",
            "is not allowed",
            "password_digest cannot be combined with password.".into(),
        )),
        (Some(password), None) => {
            passwords::check_new_password(&password, skip_checks)?;
            let digest = passwords::hash_password(app, password).await?;
            Ok(Some((digest, "bcrypt".into())))
        }
        (None, Some(digest)) => {
            let hasher = hasher.ok_or_else(|| {
                ApiError::form(
                    "form_conditional_param_missing",
                    "password_hasher",
                    "is missing",
                    "password_hasher is required with password_digest.".into(),
                )
            })?;
            let hasher = passwords::check_digest(&hasher, &digest)?;
            Ok(Some((digest, hasher.as_str().to_owned())))
        }
        (None, None) => Ok(None),
    }
}

/// Second factors a request sets: a sealed TOTP secret and hashed backup codes (JSON).
#[derive(Clone)]
pub(crate) struct SecondFactors {
    pub totp_secret: Option<String>,
    pub backup_codes: Option<String>,
}

pub(crate) fn second_factors(
    app: &AppState,
    user_id: &str,
    totp_secret: Option<&str>,
    backup_codes: Option<&[String]>,
) -> ApiResult<SecondFactors> {
    let totp_secret = totp_secret
        .map(|secret| {
            crypto::totp::validate_secret(secret).map_err(|_| {
                ApiError::form(
                    "invalid_totp_secret_code",
                    "totp_secret",
                    "Invalid TOTP secret",
                    "The TOTP secret must be a valid base32 string.".into(),
                )
            })?;
            Ok::<_, ApiError>(app.encryption_key.seal_str(secret, &totp_context(user_id)))
        })
        .transpose()?;
    let backup_codes = backup_codes
        .map(|codes| {
            let hashed = crypto::check_backup_codes(codes)
                .map_err(|e| backup_codes_error("backup_codes", e))?;
            Ok::<_, ApiError>(serde_json::to_string(&hashed).expect("strings serialize"))
        })
        .transpose()?;
    Ok(SecondFactors {
        totp_secret,
        backup_codes,
    })
}

/// A refused list of backup codes: too many (`form_param_array_size_exceeded`), or one code
/// too short or a bcrypt digest too costly (`form_param_value_invalid`, naming the item).
fn backup_codes_error(param: &str, error: crypto::BackupCodesError) -> ApiError {
    match error {
        crypto::BackupCodesError::TooMany(_) => ApiError::form(
            "form_param_array_size_exceeded",
            param,
            "has too many values",
            format!(
                "{param} accepts at most {} backup codes.",
                crypto::MAX_BACKUP_CODES
            ),
        ),
        crypto::BackupCodesError::Code { index, error } => {
            ApiError::value_invalid(param, format!("{param}[{index}]: {error}."))
        }
    }
}

/// Associated data binding a sealed TOTP secret to its purpose and its user: a sealed value
/// copied onto another user's row does not open.
pub fn totp_context(user_id: &str) -> Vec<u8> {
    format!("clerk totp secret:{user_id}").into_bytes()
}

/// Whether the user has any second factor.
pub fn has_mfa(user: &UserRow) -> bool {
    user.totp_secret.is_some() || user.backup_codes.is_some()
}

/// Stamps `mfa_enabled_at` / `mfa_disabled_at` when a change turns MFA on or off. Neither
/// stamp is ever cleared (Clerk keeps both).
pub fn stamp_mfa_change(user: &mut UserRow, had_mfa: bool, now: i64) {
    match (had_mfa, has_mfa(user)) {
        (false, true) => user.mfa_enabled_at = Some(now),
        (true, false) => user.mfa_disabled_at = Some(now),
        _ => {}
    }
}

fn apply_second_factors(user: &mut UserRow, factors: SecondFactors, now: i64) {
    let had_mfa = has_mfa(user);
    if let Some(secret) = factors.totp_secret {
        user.totp_secret = Some(secret);
        user.totp_created_at = Some(now);
        user.totp_last_step = None;
    }
    if let Some(codes) = factors.backup_codes {
        user.backup_codes = (codes != "[]").then_some(codes);
    }
    stamp_mfa_change(user, had_mfa, now);
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
    let emails = new_identifications(
        IdentKind::Email,
        req.email_address.as_deref().unwrap_or_default(),
        req.email_address_identification_status.as_deref(),
        "email_address_identification_status",
        now,
    )?;
    let phones = new_identifications(
        IdentKind::Phone,
        req.phone_number.as_deref().unwrap_or_default(),
        req.phone_number_identification_status.as_deref(),
        "phone_number_identification_status",
        now,
    )?;
    let wallets = new_identifications(
        IdentKind::Web3,
        req.web3_wallet.as_deref().unwrap_or_default(),
        None,
        "web3_wallet",
        now,
    )?;
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
    let user = UserRow {
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
        locked_at: req.locked.unwrap_or(false).then_some(now),
        lockout_expires_at: req
            .locked
            .unwrap_or(false)
            .then(|| now + app.settings.lockout_duration.as_millis() as i64),
        delete_self_enabled: req.delete_self_enabled.unwrap_or(true),
        create_organization_enabled: req.create_organization_enabled.unwrap_or(true),
        create_organizations_limit,
        bypass_client_trust: req.bypass_client_trust.unwrap_or(false),
        legal_accepted_at,
        created_at,
        updated_at: now,
        ..UserRow::default()
    };
    let credentials = password_from_request(
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
    let mut user = user;
    if let Some((digest, hasher)) = credentials {
        user.password_digest = Some(digest);
        user.password_hasher = Some(hasher);
        user.password_last_updated_at = Some(now);
    }
    apply_second_factors(&mut user, factors, now);

    let idents: Vec<&NewIdentification> = emails.iter().chain(&phones).chain(&wallets).collect();
    retry_on_unique_violation(|| async {
        let mut tx = app.store.begin_write().await?;
        ensure_unique(&mut tx, &user, &idents, None).await?;
        let seq = sql::insert_user(tx.conn(), &user).await?;
        for ident in &idents {
            sql::insert_identification(tx.conn(), seq, ident).await?;
        }
        let dialect = tx.dialect;
        sql::refresh_derived(tx.conn(), dialect, seq).await?;
        let record = reload(&mut tx, &user.id).await?;
        tx.commit().await?;
        Ok(view::user(&record, &app.settings, now_ms()))
    })
    .await
}

/// Two requests can pass the uniqueness checks at once on PostgreSQL; the unique index
/// stops the second. Running it again reports the clash with the right parameter.
pub(crate) async fn retry_on_unique_violation<T, F, Fut>(op: F) -> ApiResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, OpError>>,
{
    for _ in 0..2 {
        match op().await {
            Ok(v) => return Ok(v),
            Err(OpError::Api(e)) => return Err(e),
            Err(OpError::Db(e)) if is_unique_violation(&e) => continue,
            Err(OpError::Db(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::form(
        "form_identifier_exists",
        "identifier",
        "That identifier is taken. Please try another.",
        "That identifier is taken. Please try another.".into(),
    ))
}

/// An operation's failure: the caller's fault, or the database's.
pub enum OpError {
    Api(ApiError),
    Db(sqlx::Error),
}

impl From<ApiError> for OpError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}
impl From<sqlx::Error> for OpError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

async fn reload(tx: &mut WriteTx, user_id: &str) -> Result<UserRecord, OpError> {
    let dialect = tx.dialect;
    sql::find_user(tx.conn(), dialect, user_id, false)
        .await?
        .ok_or_else(|| OpError::Api(ApiError::user_not_found(user_id)))
}

/// Fails with `form_identifier_exists` if another user has one of these identifiers.
pub(crate) async fn ensure_unique(
    tx: &mut WriteTx,
    user: &UserRow,
    idents: &[&NewIdentification],
    except: Option<i64>,
) -> Result<(), OpError> {
    for kind in [IdentKind::Email, IdentKind::Phone, IdentKind::Web3] {
        let norms: Vec<String> = idents
            .iter()
            .filter(|i| i.kind == kind.as_str())
            .map(|i| i.norm.clone())
            .collect();
        if !sql::taken_identifiers(tx.conn(), kind.as_str(), &norms, except)
            .await?
            .is_empty()
        {
            return Err(ApiError::identifier_exists(kind.as_str(), kind.describe()).into());
        }
    }
    if let Some(username) = &user.username {
        if sql::column_taken(tx.conn(), UniqueColumn::Username, username, except).await? {
            return Err(ApiError::identifier_exists("username", "username").into());
        }
    }
    if let Some(external_id) = &user.external_id {
        if sql::column_taken(tx.conn(), UniqueColumn::ExternalId, external_id, except).await? {
            return Err(ApiError::identifier_exists("external_id", "external ID").into());
        }
    }
    Ok(())
}

pub async fn update_user(
    app: &AppState,
    user_id: &str,
    req: UpdateUserRequest,
    api_version: Option<&str>,
) -> ApiResult<User> {
    metadata::reject_in_update_for_version(
        api_version,
        &[
            ("public_metadata", req.public_metadata.is_some()),
            ("private_metadata", req.private_metadata.is_some()),
            ("unsafe_metadata", req.unsafe_metadata.is_some()),
        ],
        "/users/{user_id}/metadata",
    )?;
    let factors = second_factors(
        app,
        user_id,
        req.totp_secret.as_deref(),
        req.backup_codes.as_deref(),
    )?;
    if let Some(image_id) = &req.profile_image_id {
        return Err(ApiError::form(
            "form_resource_not_found",
            "profile_image_id",
            "not found",
            format!("No uploaded image was found with id {image_id}."),
        ));
    }
    let credentials = password_from_request(
        app,
        req.password.clone(),
        req.password_digest.clone(),
        req.password_hasher.clone(),
        req.skip_password_checks.unwrap_or(false),
    )
    .await?;

    retry_on_unique_violation(|| async {
        let now = now_ms();
        let mut tx = app.store.begin_write().await?;
        let dialect = tx.dialect;
        let record = sql::find_user(tx.conn(), dialect, user_id, true)
            .await?
            .ok_or_else(|| ApiError::user_not_found(user_id))?;
        let mut user = record.user.clone();
        apply_update(&mut user, &record, &req)?;
        if let Some((digest, hasher)) = &credentials {
            user.password_digest = Some(digest.clone());
            user.password_hasher = Some(hasher.clone());
            user.password_last_updated_at = Some(now);
            user.password_compromised_at = None;
        }
        apply_second_factors(&mut user, factors.clone(), now);
        ensure_unique(&mut tx, &user, &[], Some(user.seq)).await?;
        user.updated_at = now;
        sql::update_user(tx.conn(), &user).await?;
        sql::refresh_derived(tx.conn(), dialect, user.seq).await?;
        let record = reload(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(view::user(&record, &app.settings, now_ms()))
    })
    .await
}

/// The row's three metadata bags (JSON text) by parameter name, in the order
/// public, private, unsafe.
fn metadata_bags(user: &mut UserRow) -> [(&'static str, &mut String); 3] {
    [
        ("public_metadata", &mut user.public_metadata),
        ("private_metadata", &mut user.private_metadata),
        ("unsafe_metadata", &mut user.unsafe_metadata),
    ]
}

/// Applies the plain fields of an update to the row (no I/O).
fn apply_update(user: &mut UserRow, record: &UserRecord, req: &UpdateUserRequest) -> ApiResult<()> {
    if let Some(v) = &req.external_id {
        user.external_id = optional_text("external_id", v.clone().filter(|s| !s.is_empty()))?;
    }
    if let Some(v) = &req.first_name {
        user.first_name = optional_text("first_name", v.clone())?;
    }
    if let Some(v) = &req.last_name {
        user.last_name = optional_text("last_name", v.clone())?;
    }
    if let Some(v) = &req.locale {
        user.locale = v.as_deref().map(validate::locale).transpose()?;
    }
    if let Some(v) = &req.username {
        user.username = match v.as_deref() {
            None | Some("") => None,
            Some(name) => Some(validate::username(name)?),
        };
    }
    for (param, kind, wanted, target) in [
        (
            "primary_email_address_id",
            IdentKind::Email,
            &req.primary_email_address_id,
            &mut user.primary_email_address_id,
        ),
        (
            "primary_phone_number_id",
            IdentKind::Phone,
            &req.primary_phone_number_id,
            &mut user.primary_phone_number_id,
        ),
        (
            "primary_web3_wallet_id",
            IdentKind::Web3,
            &req.primary_web3_wallet_id,
            &mut user.primary_web3_wallet_id,
        ),
    ] {
        let Some(wanted) = wanted else { continue };
        let ident = record
            .identifications
            .iter()
            .find(|i| &i.id == wanted && i.kind == kind.as_str())
            .ok_or_else(|| {
                ApiError::form(
                    "form_resource_not_found",
                    param,
                    "not found",
                    format!(
                        "No {} with id {wanted} belongs to this user.",
                        kind.describe()
                    ),
                )
            })?;
        if ident.status != "verified" {
            return Err(ApiError::value_invalid(
                param,
                format!(
                    "The {} {wanted} is not verified and cannot be primary.",
                    kind.describe()
                ),
            ));
        }
        *target = Some(wanted.clone());
    }
    let supplied = [
        &req.public_metadata,
        &req.private_metadata,
        &req.unsafe_metadata,
    ];
    for ((param, target), value) in metadata_bags(user).into_iter().zip(supplied) {
        if let Some(v) = value {
            // Before 2026-05-12, metadata in an update replaced the bag.
            *target = metadata::to_stored(param, v)?;
        }
    }
    if let Some(v) = req.delete_self_enabled {
        user.delete_self_enabled = v;
    }
    if let Some(v) = req.create_organization_enabled {
        user.create_organization_enabled = v;
    }
    if let Some(v) = &req.legal_accepted_at {
        user.legal_accepted_at = v
            .as_deref()
            .map(|t| validate::rfc3339_ms("legal_accepted_at", t))
            .transpose()?;
    }
    if let Some(v) = req.create_organizations_limit {
        user.create_organizations_limit = v
            .map(|n| validate::non_negative("create_organizations_limit", n))
            .transpose()?;
    }
    if let Some(t) = &req.created_at {
        user.created_at = validate::rfc3339_ms("created_at", t)?;
    }
    if let Some(v) = req.bypass_client_trust {
        user.bypass_client_trust = v;
    }
    Ok(())
}

pub async fn delete_user(app: &AppState, user_id: &str) -> ApiResult<DeletedObject> {
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let record = sql::find_user(tx.conn(), dialect, user_id, true)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    sql::delete_user(tx.conn(), dialect, record.user.seq).await?;
    tx.commit().await?;
    // The row was read locked, so this is the key of the last upload that committed; an
    // upload still under way finds the user gone and deletes its own object.
    if let Some(key) = &record.user.image_key {
        super::images::discard_image(app, key).await;
    }
    Ok(DeletedObject {
        object: "user".into(),
        id: Some(record.user.id),
        deleted: true,
        ..DeletedObject::default()
    })
}

/// Runs `change` on the user's row inside a write transaction (the row locked on PostgreSQL),
/// writes the row back if it changed, and returns what `change` returned with the user as
/// stored afterwards. `change` does no I/O; an error from it writes nothing.
pub async fn mutate_user<T>(
    app: &AppState,
    user_id: &str,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<T>,
) -> ApiResult<(T, UserRecord)> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    let record = sql::find_user(tx.conn(), dialect, user_id, true)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    let mut user = record.user.clone();
    let out = change(&mut user, &record, now)?;
    if user == record.user {
        return Ok((out, record));
    }
    user.updated_at = now;
    sql::update_user(tx.conn(), &user).await?;
    let record = sql::find_user(tx.conn(), dialect, user_id, false)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    tx.commit().await?;
    Ok((out, record))
}

/// [`mutate_user`] for operations that answer with the user.
pub async fn mutate_user_view(
    app: &AppState,
    user_id: &str,
    change: impl FnOnce(&mut UserRow, &UserRecord, i64) -> ApiResult<()>,
) -> ApiResult<User> {
    let ((), record) = mutate_user(app, user_id, change).await?;
    Ok(view::user(&record, &app.settings, now_ms()))
}

pub async fn update_metadata(
    app: &AppState,
    user_id: &str,
    req: UpdateUserMetadataRequest,
    mode: MetadataMode,
) -> ApiResult<User> {
    mutate_user_view(app, user_id, |user, _, _| {
        let supplied = [
            &req.public_metadata,
            &req.private_metadata,
            &req.unsafe_metadata,
        ];
        for ((param, target), value) in metadata_bags(user).into_iter().zip(supplied) {
            metadata::update_bag(param, target, value, mode)?;
        }
        Ok(())
    })
    .await
}
