//! The rules about a user that need no I/O, on the stored types themselves: second factors,
//! the lockout, the metadata bags, and how identifications compare.

use clerk_model::IdentificationStatus;

use super::validate;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::settings::Settings;
use crate::store::{IdentKind, IdentStatus, NewIdentification, UserRecord, UserRow};

/// Associated data binding a sealed TOTP secret to its purpose and its user: a sealed value
/// copied onto another user's row does not open.
pub fn totp_context(user_id: &str) -> Vec<u8> {
    format!("clerk totp secret:{user_id}").into_bytes()
}

/// Whole seconds from `now` until `until` (ms), rounded up, never negative.
fn seconds_until(until: i64, now: i64) -> i64 {
    ((until - now).max(0) + 999) / 1000
}

impl UserRecord {
    /// Whether the user has any second factor: what [`UserRow::has_mfa`] counts, or a phone
    /// number reserved for second factor (Clerk's `two_factor_enabled` counts SMS codes).
    pub fn has_mfa(&self) -> bool {
        self.user.has_mfa()
            || self
                .identifications
                .iter()
                .any(|i| i.reserved_for_second_factor)
    }
}

impl UserRow {
    /// Whether the user has a second factor kept on its row: a TOTP secret or backup codes.
    pub fn has_mfa(&self) -> bool {
        self.totp_secret.is_some() || self.backup_codes.is_some()
    }

    /// Changes the second factors with `change`, and stamps `mfa_enabled_at` /
    /// `mfa_disabled_at` when that turns MFA on or off. Neither stamp is ever cleared (Clerk
    /// keeps both).
    pub fn change_second_factors<T>(&mut self, now: i64, change: impl FnOnce(&mut Self) -> T) -> T {
        let had_mfa = self.has_mfa();
        let out = change(self);
        match (had_mfa, self.has_mfa()) {
            (false, true) => self.mfa_enabled_at = Some(now),
            (true, false) => self.mfa_disabled_at = Some(now),
            _ => {}
        }
        out
    }

    /// A new TOTP secret (sealed), usable from the next code on.
    pub fn set_totp(&mut self, sealed_secret: String, now: i64) {
        self.totp_secret = Some(sealed_secret);
        self.totp_created_at = Some(now);
        self.totp_last_step = None;
    }

    pub fn clear_totp(&mut self) {
        self.totp_secret = None;
        self.totp_created_at = None;
        self.totp_last_step = None;
    }

    /// Whether the user is locked out at `now` (ms).
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_at.is_some() && self.lockout_expires_at.is_none_or(|until| until > now)
    }

    /// Seconds left of the lock at `now`; `None` when the user is not locked or the lock does
    /// not expire.
    pub fn lockout_expires_in_seconds(&self, now: i64) -> Option<i64> {
        match self.lockout_expires_at {
            Some(until) if self.is_locked(now) => Some(seconds_until(until, now)),
            _ => None,
        }
    }

    /// Checks left before a lock: the passwords' and the second factors' failures are counted
    /// apart and either reaching the limit locks the user, so this is the smaller of the two
    /// allowances. A lock that has expired leaves the full allowance.
    pub fn attempts_remaining(&self, settings: &Settings, now: i64) -> i64 {
        if self.locked_at.is_some() && !self.is_locked(now) {
            return settings.max_verification_attempts;
        }
        let failed = self
            .failed_verification_attempts
            .max(self.failed_second_factor_attempts);
        (settings.max_verification_attempts - failed).max(0)
    }

    /// Locks the user from `now` until `expires_at` (`None`: until unlocked).
    pub fn lock(&mut self, now: i64, expires_at: Option<i64>) {
        self.locked_at = Some(now);
        self.lockout_expires_at = expires_at;
    }

    /// Lifts the lock, with fresh attempt counts.
    pub fn unlock(&mut self) {
        self.locked_at = None;
        self.lockout_expires_at = None;
        self.failed_verification_attempts = 0;
        self.failed_second_factor_attempts = 0;
    }

    /// The refusal of a check while the user is locked: Clerk's 403 `user_locked`, with the
    /// seconds left in `meta.lockout_expires_in_seconds` (`null`: the lock does not expire).
    pub fn locked_error(&self, now: i64) -> ApiError {
        let expires_in = self
            .lockout_expires_at
            .map(|until| seconds_until(until, now));
        let detail = match expires_in {
            Some(seconds) => format!("Try again in {seconds} seconds."),
            None => "The lock does not expire; an administrator must unlock the account.".into(),
        };
        ApiError::new(
            ErrorKind::Forbidden,
            "user_locked",
            "Account locked",
            format!("This account is locked after too many failed verification attempts. {detail}"),
        )
        .meta("lockout_expires_in_seconds", expires_in)
    }

    /// The id of the user's primary identification of `kind`.
    pub fn primary_id_mut(&mut self, kind: IdentKind) -> &mut Option<String> {
        match kind {
            IdentKind::Email => &mut self.primary_email_address_id,
            IdentKind::Phone => &mut self.primary_phone_number_id,
            IdentKind::Web3 => &mut self.primary_web3_wallet_id,
        }
    }

    /// The three metadata bags (JSON text) by parameter name, in the order public, private,
    /// unsafe.
    pub fn metadata_bags(&mut self) -> [(&'static str, &mut String); 3] {
        [
            ("public_metadata", &mut self.public_metadata),
            ("private_metadata", &mut self.private_metadata),
            ("unsafe_metadata", &mut self.unsafe_metadata),
        ]
    }
}

impl IdentKind {
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

impl IdentStatus {
    /// The status a request names; `None` for a value this server does not know.
    pub fn from_wire(status: &IdentificationStatus) -> Option<Self> {
        match status {
            IdentificationStatus::Verified => Some(Self::Verified),
            IdentificationStatus::Unverified => Some(Self::Unverified),
            IdentificationStatus::Reserved => Some(Self::Reserved),
            IdentificationStatus::Unknown(_) => None,
        }
    }
}

impl NewIdentification {
    /// An identification of `kind` with this (validated) value, compared in its normal form.
    pub fn new(
        id: String,
        kind: IdentKind,
        value: String,
        status: IdentStatus,
        created_at: i64,
    ) -> Self {
        Self {
            id,
            kind,
            norm: kind.normalize(&value),
            value,
            status,
            reserved_for_second_factor: false,
            default_second_factor: false,
            created_at,
        }
    }
}
