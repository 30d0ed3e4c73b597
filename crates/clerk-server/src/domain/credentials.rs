//! Passwords and second factors: verify_password, TOTP, backup codes, MFA removal,
//! password removal and the compromised flag.

use clerk_model::{
    CodeType, Totp, User, UserIdResponse, VerifyPasswordResponse, VerifyTotpResponse,
};

use super::events::{self, EventType};
use super::lockout::{claim_attempt, settle_failed_attempt, settle_successful_attempt};
use super::passwords;
use super::session_state::SessionEnd;
use super::user_rules::totp_context;
use super::write::{
    mutate_user, mutate_user_view_ending_sessions, read_user, reload, user_for_update,
};
use crate::crypto::{self, PasswordHasher};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::attempts::Factor;
use crate::store::users as sql;
use crate::store::{now_ms, BackupCodes, IdentRow, UserRow};
use crate::AppState;

fn required(param: &str, value: Option<String>) -> ApiResult<String> {
    value.ok_or_else(|| ApiError::param_missing(param))
}

/// The user's row, refused while the user is locked.
async fn unlocked_user(app: &AppState, user_id: &str) -> ApiResult<UserRow> {
    let user = read_user(app, user_id).await?.user;
    let now = now_ms();
    if user.is_locked(now) {
        return Err(user.locked_error(now));
    }
    Ok(user)
}

/// Longest password `verify_password` checks. Imported digests (phpass, sha512 stretching, …)
/// cost time in proportion to the password's length, so the bound comes before any hashing.
pub const MAX_VERIFY_PASSWORD_BYTES: usize = 1024;

pub async fn verify_password(
    app: &AppState,
    user_id: &str,
    password: Option<String>,
) -> ApiResult<VerifyPasswordResponse> {
    let password = required("password", password)?;
    if password.len() > MAX_VERIFY_PASSWORD_BYTES {
        return Err(ApiError::form(
            "form_password_size_in_bytes_exceeded",
            "password",
            "Password too long",
            format!("Passwords may not exceed {MAX_VERIFY_PASSWORD_BYTES} bytes."),
        ));
    }
    let user = unlocked_user(app, user_id).await?;
    let (Some(digest), Some(hasher)) = (user.password_digest.clone(), user.password_hasher.clone())
    else {
        // Same work as a real check, so timing does not tell whether a password exists.
        let cost = app.settings.bcrypt_cost;
        app.hash_pool
            .run(move || crypto::decoy_verify_with_cost(&password, cost))
            .await?;
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "no_password_set",
            "No password set",
            "This user has no password.",
        ));
    };
    let hasher: PasswordHasher = hasher.parse().map_err(|_| ApiError::internal())?;
    claim_attempt(app, user_id, Factor::Password).await?;
    let candidate = password.clone();
    let stored = digest.clone();
    let verified = app
        .hash_pool
        .run(move || crypto::verify(hasher, &stored, &candidate))
        .await?
        .map_err(|e| {
            ApiError::internal_because(format_args!("stored password digest does not parse: {e}"))
        })?;
    if !verified {
        settle_failed_attempt(app, user_id).await?;
        return Err(ApiError::form(
            "incorrect_password",
            "password",
            "Incorrect password",
            "The password is incorrect.".into(),
        ));
    }
    // Imported digests are replaced by bcrypt once the password is known to be right, unless
    // bcrypt would truncate it (over 72 bytes): then the imported digest stays. The re-hash is
    // opportunistic: a full hashing pool leaves the imported digest for the next success rather
    // than turning a verified password into a 429.
    let rehashed = if crypto::needs_rehash(hasher)
        && password.len() <= crypto::passwords::MAX_PASSWORD_BYTES
    {
        passwords::hash_password(app, password).await.ok()
    } else {
        None
    };
    mutate_user(app, user_id, |user, _, now| {
        settle_successful_attempt(user, Factor::Password, now)?;
        if let Some(new_digest) = rehashed {
            // Only if the password did not change meanwhile.
            if user.password_digest.as_deref() == Some(digest.as_str()) {
                user.password_digest = Some(new_digest);
                user.password_hasher = Some(PasswordHasher::Bcrypt.as_str().to_owned());
            }
        }
        Ok(())
    })
    .await?;
    Ok(VerifyPasswordResponse { verified: true })
}

/// The digests of the user's unused backup codes.
fn backup_codes(user: &UserRow) -> Vec<String> {
    user.backup_codes
        .as_ref()
        .map(|codes| codes.digests().to_vec())
        .unwrap_or_default()
}

pub async fn verify_totp(
    app: &AppState,
    user_id: &str,
    code: Option<String>,
) -> ApiResult<VerifyTotpResponse> {
    let code = required("code", code)?.trim().to_owned();
    let user = unlocked_user(app, user_id).await?;
    let codes = backup_codes(&user);
    if user.totp_secret.is_none() && codes.is_empty() {
        return Err(ApiError::new(
            ErrorKind::BadRequest,
            "totp_disabled",
            "TOTP is not enabled",
            "This user has neither TOTP nor backup codes enabled.",
        ));
    }
    let has_backup_codes = !codes.is_empty();
    claim_attempt(app, user_id, Factor::SecondFactor).await?;
    match check_second_factor(app, &user, &code, codes).await? {
        Some(code_type) => Ok(VerifyTotpResponse {
            verified: true,
            code_type,
        }),
        None => {
            settle_failed_attempt(app, user_id).await?;
            Err(
                if !has_backup_codes && code.chars().count() != crypto::totp::DIGITS as usize {
                    ApiError::form(
                        "totp_invalid_length",
                        "code",
                        "Invalid length",
                        format!("TOTP codes have {} digits.", crypto::totp::DIGITS),
                    )
                } else {
                    incorrect_code()
                },
            )
        }
    }
}

/// Runs a claimed second-factor check: a TOTP code (accepted once per time step, on every
/// node), else a backup code (consumed). A success is recorded with
/// [`settle_successful_attempt`]; `None` means the code matched nothing still usable.
async fn check_second_factor(
    app: &AppState,
    user: &UserRow,
    code: &str,
    codes: Vec<String>,
) -> ApiResult<Option<CodeType>> {
    let user_id = user.id.as_str();
    if let Some(sealed) = &user.totp_secret {
        let secret_b32 = app
            .encryption_key
            .open_str(sealed, &totp_context(user_id))
            .map_err(|_| {
                ApiError::internal_because(format_args!(
                    "the TOTP secret of {user_id} does not decrypt with the configured key"
                ))
            })?;
        let secret =
            crypto::totp::validate_secret(&secret_b32).map_err(|_| ApiError::internal())?;
        let last = user.totp_last_step.map(|s| s as u64);
        let now_secs = (now_ms() / 1000) as u64;
        if let Some(step) = crypto::totp::verify_after(&secret, code, now_secs, last) {
            // Accept the step only if no other request took it meanwhile (replay guard).
            let (accepted, _) = mutate_user(app, user_id, |user, _, now| {
                if user.totp_last_step.is_some_and(|l| l as u64 >= step) {
                    return Ok(false);
                }
                settle_successful_attempt(user, Factor::SecondFactor, now)?;
                user.totp_last_step = Some(step as i64);
                Ok(true)
            })
            .await?;
            return Ok(accepted.then_some(CodeType::Totp));
        }
    }
    if codes.is_empty() {
        return Ok(None);
    }
    let candidate = code.to_owned();
    let stored = codes.clone();
    let matched = app
        .hash_pool
        .run(move || {
            stored
                .iter()
                .position(|h| crypto::verify_backup_code(h, &candidate))
        })
        .await?;
    let Some(index) = matched else {
        return Ok(None);
    };
    let used = codes[index].clone();
    // A backup code is consumed: remove it, unless another request already did.
    let (consumed, _) = mutate_user(app, user_id, |user, _, now| {
        let mut current = backup_codes(user);
        let Some(pos) = current.iter().position(|h| *h == used) else {
            return Ok(false);
        };
        settle_successful_attempt(user, Factor::SecondFactor, now)?;
        current.remove(pos);
        user.change_second_factors(now, |user| user.backup_codes = BackupCodes::new(current));
        Ok(true)
    })
    .await?;
    Ok(consumed.then_some(CodeType::BackupCode))
}

fn incorrect_code() -> ApiError {
    ApiError::form(
        "totp_incorrect_code",
        "code",
        "Incorrect code",
        "The code is incorrect.".into(),
    )
}

/// `POST /users/{id}/totp`: a new TOTP secret for the user (replacing any), usable at once.
pub async fn create_totp(app: &AppState, user_id: &str) -> ApiResult<Totp> {
    let secret = crypto::totp::generate_secret();
    let sealed = app.encryption_key.seal_str(&secret, &totp_context(user_id));
    let (account, record) = mutate_user(app, user_id, |user, record, now| {
        user.change_second_factors(now, |user| user.set_totp(sealed, now));
        let primary_email = record
            .identifications
            .iter()
            .find(|i| Some(&i.id) == user.primary_email_address_id.as_ref())
            .map(|i| i.value.clone());
        Ok(primary_email
            .or(user.username.clone())
            .unwrap_or_else(|| user.id.clone()))
    })
    .await?;
    let created = record
        .user
        .totp_created_at
        .unwrap_or(record.user.updated_at);
    Ok(Totp {
        object: "totp".into(),
        id: ids::new_id("totp"),
        uri: Some(crypto::totp::otpauth_uri(&secret, &account, "Clerk")),
        secret: Some(secret),
        verified: true,
        backup_codes: None,
        created_at: created,
        updated_at: created,
    })
}

/// Which second factors a removal clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    BackupCodes,
    All,
}

pub async fn remove_second_factor(
    app: &AppState,
    user_id: &str,
    which: SecondFactor,
) -> ApiResult<UserIdResponse> {
    let clear: fn(&mut UserRow) = match which {
        SecondFactor::Totp => UserRow::clear_totp,
        SecondFactor::BackupCodes => |user| user.backup_codes = None,
        SecondFactor::All => return disable_mfa(app, user_id).await,
    };
    let (_, record) = mutate_user(app, user_id, |user, _, now| {
        user.change_second_factors(now, clear);
        Ok(())
    })
    .await?;
    Ok(UserIdResponse {
        user_id: record.user.id,
    })
}

/// `DELETE /users/{id}/mfa`: every second factor, the phone numbers reserved for second factor
/// included ("OTP sent via SMS", in Clerk's words). Their own transaction, as `mutate_user`
/// writes only the user's row.
async fn disable_mfa(app: &AppState, user_id: &str) -> ApiResult<UserIdResponse> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let record = user_for_update(&mut tx, user_id).await?;
    let mut user = record.user.clone();
    user.clear_totp();
    user.backup_codes = None;
    let phones: Vec<IdentRow> = record
        .identifications
        .iter()
        .filter(|i| i.reserved_for_second_factor)
        .map(|i| IdentRow {
            reserved_for_second_factor: false,
            default_second_factor: false,
            updated_at: now,
            ..i.clone()
        })
        .collect();
    if user == record.user && phones.is_empty() {
        return Ok(UserIdResponse { user_id: user.id });
    }
    if record.has_mfa() {
        user.mfa_disabled_at = Some(now);
    }
    for phone in &phones {
        sql::update_identification(tx.conn(), phone).await?;
    }
    user.updated_at = now;
    sql::update_user(tx.conn(), &user).await?;
    let record = reload(&mut tx, user_id).await?;
    events::user_event(&mut tx, app, EventType::UserUpdated, &record).await?;
    tx.commit().await?;
    Ok(UserIdResponse { user_id: user.id })
}

/// `POST /users/{id}/remove_password`: unchanged if the user has none. With
/// `sign_out_of_other_sessions`, a removed password revokes the user's sessions.
pub async fn remove_password(
    app: &AppState,
    user_id: &str,
    sign_out_of_other_sessions: bool,
) -> ApiResult<User> {
    let end = sign_out_of_other_sessions.then_some(SessionEnd::Revoke);
    mutate_user_view_ending_sessions(app, user_id, end, |user, _, _| {
        user.password_digest = None;
        user.password_hasher = None;
        user.password_compromised_at = None;
        Ok(())
    })
    .await
}

/// `POST /users/{id}/password/set_compromised` (with `revoke_all_sessions`, the user's
/// sessions are revoked) and `unset_compromised`.
pub async fn set_password_compromised(
    app: &AppState,
    user_id: &str,
    compromised: bool,
    revoke_all_sessions: bool,
) -> ApiResult<User> {
    let end = revoke_all_sessions.then_some(SessionEnd::Revoke);
    mutate_user_view_ending_sessions(app, user_id, end, |user, _, now| {
        if user.password_digest.is_none() {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                "no_password_set",
                "No password set",
                "This user has no password.",
            ));
        }
        user.password_compromised_at = compromised.then_some(now);
        Ok(())
    })
    .await
}
