//! `/email_addresses` and `/phone_numbers`: one identification of a user, addressed by its own
//! id — created, read, changed (verified, primary, reserved for second factor) and deleted.
//!
//! Every write goes the same way: the owner's row is locked, the change is made on a copy of the
//! user's row and of its identifications of that kind (a [`Draft`]), the rules that tie them
//! together are restored ([`Draft::settle`]: a primary, one default second factor, the MFA
//! stamps), and only what differs is written back, with `user.updated`. A change that changes
//! nothing writes nothing and emits nothing.

use clerk_model::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, DeletedObject, EmailAddress, PhoneNumber,
    UpdateEmailAddressRequest, UpdatePhoneNumberRequest,
};

use super::view;
use super::write::{read_user, retry_on_unique_violation, save_identity_change};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::identities::{self as sql_ids, OwnedTable};
use crate::store::users as sql;
use crate::store::{
    now_ms, IdentKind, IdentRow, IdentStatus, NewIdentification, UserRecord, UserRow, WriteTx,
};
use crate::AppState;

/// What a request asks of one identification; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default)]
struct Change {
    verified: Option<bool>,
    primary: Option<bool>,
    reserved_for_second_factor: Option<bool>,
}

/// `POST /email_addresses`. `notify_primary_email_address_changed` is accepted and ignored:
/// this server sends no email.
pub async fn create_email_address(
    app: &AppState,
    req: CreateEmailAddressRequest,
) -> ApiResult<EmailAddress> {
    let change = Change {
        verified: req.verified,
        primary: req.primary,
        reserved_for_second_factor: None,
    };
    let ident = create(
        app,
        IdentKind::Email,
        req.user_id,
        req.email_address,
        change,
    )
    .await?;
    Ok(view::email_address(&ident))
}

/// `GET /email_addresses/{email_address_id}`.
pub async fn get_email_address(app: &AppState, id: &str) -> ApiResult<EmailAddress> {
    let ident = get(app, IdentKind::Email, id).await?;
    Ok(view::email_address(&ident))
}

/// `PATCH /email_addresses/{email_address_id}`.
pub async fn update_email_address(
    app: &AppState,
    id: &str,
    req: UpdateEmailAddressRequest,
) -> ApiResult<EmailAddress> {
    let change = Change {
        verified: req.verified,
        primary: req.primary,
        reserved_for_second_factor: None,
    };
    let ident = update(app, IdentKind::Email, id, change).await?;
    Ok(view::email_address(&ident))
}

/// `DELETE /email_addresses/{email_address_id}`.
pub async fn delete_email_address(app: &AppState, id: &str) -> ApiResult<DeletedObject> {
    delete(app, IdentKind::Email, id).await
}

/// `POST /phone_numbers`.
pub async fn create_phone_number(
    app: &AppState,
    req: CreatePhoneNumberRequest,
) -> ApiResult<PhoneNumber> {
    let change = Change {
        verified: req.verified,
        primary: req.primary,
        reserved_for_second_factor: req.reserved_for_second_factor,
    };
    let ident = create(app, IdentKind::Phone, req.user_id, req.phone_number, change).await?;
    Ok(view::phone_number(&ident))
}

/// `GET /phone_numbers/{phone_number_id}`.
pub async fn get_phone_number(app: &AppState, id: &str) -> ApiResult<PhoneNumber> {
    let ident = get(app, IdentKind::Phone, id).await?;
    Ok(view::phone_number(&ident))
}

/// `PATCH /phone_numbers/{phone_number_id}`.
pub async fn update_phone_number(
    app: &AppState,
    id: &str,
    req: UpdatePhoneNumberRequest,
) -> ApiResult<PhoneNumber> {
    let change = Change {
        verified: req.verified,
        primary: req.primary,
        reserved_for_second_factor: req.reserved_for_second_factor,
    };
    let ident = update(app, IdentKind::Phone, id, change).await?;
    Ok(view::phone_number(&ident))
}

/// `DELETE /phone_numbers/{phone_number_id}`.
pub async fn delete_phone_number(app: &AppState, id: &str) -> ApiResult<DeletedObject> {
    delete(app, IdentKind::Phone, id).await
}

fn not_found(kind: IdentKind, id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "resource_not_found",
        "not found",
        format!("No {} was found with id {id}", kind.describe()),
    )
}

/// A new identification of `kind` for the user. Unverified unless `verified`; primary when
/// asked, or when the user has no primary of the kind yet and it is verified.
async fn create(
    app: &AppState,
    kind: IdentKind,
    user_id: Option<String>,
    value: Option<String>,
    change: Change,
) -> ApiResult<IdentRow> {
    let param = kind.as_str();
    let user_id = user_id.ok_or_else(|| ApiError::param_missing("user_id"))?;
    let value = value.ok_or_else(|| ApiError::param_missing(param))?;
    let value = kind.validate(param, &value)?;
    let status = match change.verified {
        Some(true) => IdentStatus::Verified,
        _ => IdentStatus::Unverified,
    };
    let new = NewIdentification::new(ids::new_id("idn"), kind, value, status, now_ms());
    // A second creator of the same value that passed the check below at the same time (on
    // PostgreSQL) is stopped by the unique index; run again, it gets the check's 422.
    retry_on_unique_violation(|| async {
        let now = now_ms();
        let mut tx = app.store.begin_write().await?;
        let record = lock_user(&mut tx, &user_id)
            .await?
            .ok_or_else(|| ApiError::user_not_found(&user_id))?;
        // Anyone's, this user's included: one value is one identification.
        let norms = std::slice::from_ref(&new.norm);
        if !sql::taken_identifiers(tx.conn(), kind, norms, None)
            .await?
            .is_empty()
        {
            return Err(ApiError::identifier_exists(param, kind.describe()).into());
        }
        let mut draft = Draft::of(&record, kind);
        draft.idents.push(IdentRow {
            id: new.id.clone(),
            user_seq: record.user.seq,
            kind,
            value: new.value.clone(),
            status,
            strategy: status.strategy().map(str::to_owned),
            reserved_for_second_factor: false,
            default_second_factor: false,
            created_at: new.created_at,
            updated_at: new.created_at,
        });
        let change = Change {
            verified: None,
            ..change
        };
        draft.apply(&new.id, change)?;
        draft.settle(&record, now);
        let row = draft
            .idents
            .iter()
            .find(|i| i.id == new.id)
            .expect("the new identification is in the draft");
        let inserted = NewIdentification {
            reserved_for_second_factor: row.reserved_for_second_factor,
            default_second_factor: row.default_second_factor,
            ..new.clone()
        };
        // Outside `write`: a unique violation here must reach the retry as the database's.
        sql::insert_identification(tx.conn(), record.user.seq, &inserted).await?;
        let written = draft.write(app, &mut tx, &record, true, now).await?;
        tx.commit().await?;
        Ok(shown(&written, &new.id))
    })
    .await
}

async fn get(app: &AppState, kind: IdentKind, id: &str) -> ApiResult<IdentRow> {
    let owner = {
        let mut conn = app.store.read().await?;
        sql_ids::identification_owner(&mut conn, kind, id).await?
    };
    let owner = owner.ok_or_else(|| not_found(kind, id))?;
    // The user deleted since: the identification went with it.
    let record = match read_user(app, &owner).await {
        Err(e) if e.kind == ErrorKind::NotFound => return Err(not_found(kind, id)),
        other => other?,
    };
    record
        .identifications
        .into_iter()
        .find(|i| i.id == id && i.kind == kind)
        .ok_or_else(|| not_found(kind, id))
}

async fn update(app: &AppState, kind: IdentKind, id: &str, change: Change) -> ApiResult<IdentRow> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let record = lock_owner(&mut tx, kind, id).await?;
    let mut draft = Draft::of(&record, kind);
    draft.apply(id, change)?;
    draft.settle(&record, now);
    let written = draft.write(app, &mut tx, &record, false, now).await?;
    tx.commit().await?;
    Ok(shown(&written, id))
}

/// A deleted primary hands the primary role to the user's next verified identification of the
/// kind (or none); a deleted default second factor hands that to the next reserved number.
async fn delete(app: &AppState, kind: IdentKind, id: &str) -> ApiResult<DeletedObject> {
    let now = now_ms();
    let mut tx = app.store.begin_write().await?;
    let record = lock_owner(&mut tx, kind, id).await?;
    let mut draft = Draft::of(&record, kind);
    draft.idents.retain(|i| i.id != id);
    draft.settle(&record, now);
    // Deleted by a writer this one waited for: as if it never was.
    if !sql_ids::delete_owned(tx.conn(), OwnedTable::Identifications, record.user.seq, id).await? {
        return Err(not_found(kind, id));
    }
    draft.write(app, &mut tx, &record, true, now).await?;
    tx.commit().await?;
    Ok(view::deleted(kind.as_str(), id))
}

/// The identification as the user record holds it.
fn shown(record: &UserRecord, id: &str) -> IdentRow {
    record
        .identifications
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .expect("the identification is the user's, read in this transaction")
}

/// Locks the user's row (PostgreSQL; SQLite writers are serialized already), then reads the
/// user. Two statements, not one `SELECT … FOR UPDATE`: a statement that waited for the lock
/// would show the identifications as they were before the writer it waited for committed.
async fn lock_user(tx: &mut WriteTx, user_id: &str) -> ApiResult<Option<UserRecord>> {
    let dialect = tx.dialect;
    if sql::seq_for_id(tx.conn(), dialect, user_id, true)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(sql::find_user(tx.conn(), dialect, user_id, false).await?)
}

/// The owner of the identification, locked; 404 if there is no such identification (or it
/// was deleted while this request waited for the lock).
async fn lock_owner(tx: &mut WriteTx, kind: IdentKind, id: &str) -> ApiResult<UserRecord> {
    let owner = sql_ids::identification_owner(tx.conn(), kind, id)
        .await?
        .ok_or_else(|| not_found(kind, id))?;
    lock_user(tx, &owner)
        .await?
        .filter(|r| r.identifications.iter().any(|i| i.id == id))
        .ok_or_else(|| not_found(kind, id))
}

/// A user's row and its identifications of one kind, as a change leaves them.
struct Draft {
    kind: IdentKind,
    user: UserRow,
    idents: Vec<IdentRow>,
}

impl Draft {
    fn of(record: &UserRecord, kind: IdentKind) -> Self {
        Self {
            kind,
            user: record.user.clone(),
            idents: record
                .identifications
                .iter()
                .filter(|i| i.kind == kind)
                .cloned()
                .collect(),
        }
    }

    fn primary(&mut self) -> &mut Option<String> {
        self.user.primary_id_mut(self.kind)
    }

    /// Applies the request to the identification `id`, refusing what it would break. A primary
    /// must be verified, as `PATCH /users/{id}` requires of `primary_email_address_id`, and so
    /// must a number reserved for second factor (Clerk's rule). Only what the request changes
    /// is checked: a reserved (held, never verified) primary made by `POST /users` stays
    /// usable.
    fn apply(&mut self, id: &str, change: Change) -> ApiResult<()> {
        let what = self.kind.describe();
        let index = self
            .idents
            .iter()
            .position(|i| i.id == id)
            .expect("the identification is in the draft");
        let ident = &mut self.idents[index];
        let was_verified = ident.status == IdentStatus::Verified;
        match change.verified {
            Some(true) => ident.status = IdentStatus::Verified,
            // A reserved identification has no verification to take back.
            Some(false) if was_verified => ident.status = IdentStatus::Unverified,
            _ => {}
        }
        if let Some(reserved) = change.reserved_for_second_factor {
            ident.reserved_for_second_factor = reserved;
        }
        let verified = ident.status == IdentStatus::Verified;
        let unverified_now = was_verified && !verified;
        let reserved = ident.reserved_for_second_factor;
        let is_primary = self.primary().as_deref() == Some(id);
        match change.primary {
            Some(true) if !verified => {
                return Err(ApiError::value_invalid(
                    "primary",
                    format!("The {what} {id} is not verified and cannot be primary."),
                ))
            }
            Some(true) => *self.primary() = Some(id.to_owned()),
            Some(false) if is_primary => {
                return Err(ApiError::value_invalid(
                    "primary",
                    format!(
                        "The {what} {id} is the user's primary {what}; make another one \
                         primary instead."
                    ),
                ))
            }
            _ => {}
        }
        if is_primary && unverified_now {
            return Err(ApiError::value_invalid(
                "verified",
                format!(
                    "The {what} {id} is the user's primary {what} and must stay verified; make \
                     another one primary first."
                ),
            ));
        }
        if reserved && !verified {
            // Either the request reserves an unverified number or unverifies a reserved one.
            let param = match change.reserved_for_second_factor {
                Some(true) => "reserved_for_second_factor",
                _ => "verified",
            };
            return Err(ApiError::value_invalid(
                param,
                format!("The {what} {id} must be verified to be reserved for second factor."),
            ));
        }
        Ok(())
    }

    /// Restores the rules that tie the identifications to the user after a change:
    /// - a user with a verified identification of the kind has a primary one: when the primary
    ///   is gone (deleted) or there was none, the first verified one in creation order;
    /// - the numbers reserved for second factor have exactly one default, the current one while
    ///   it stays reserved, else the first reserved;
    /// - `mfa_enabled_at` / `mfa_disabled_at` are stamped when this turns MFA on or off, as
    ///   `UserRow::change_second_factors` does for TOTP and backup codes.
    fn settle(&mut self, before: &UserRecord, now: i64) {
        let current = self.primary().clone();
        if !current.is_some_and(|id| self.idents.iter().any(|i| i.id == id)) {
            *self.primary() = self
                .idents
                .iter()
                .find(|i| i.status == IdentStatus::Verified)
                .map(|i| i.id.clone());
        }

        let default = self
            .idents
            .iter()
            .position(|i| i.reserved_for_second_factor && i.default_second_factor)
            .or_else(|| {
                self.idents
                    .iter()
                    .position(|i| i.reserved_for_second_factor)
            });
        for (index, ident) in self.idents.iter_mut().enumerate() {
            ident.default_second_factor = Some(index) == default;
        }

        let reserved_elsewhere = before
            .identifications
            .iter()
            .any(|i| i.kind != self.kind && i.reserved_for_second_factor);
        let has_mfa = self.user.has_mfa()
            || reserved_elsewhere
            || self.idents.iter().any(|i| i.reserved_for_second_factor);
        match (before.has_mfa(), has_mfa) {
            (false, true) => self.user.mfa_enabled_at = Some(now),
            (true, false) => self.user.mfa_disabled_at = Some(now),
            _ => {}
        }
    }

    /// Writes back the user's row and the identifications that differ from `before` (the caller
    /// inserted or deleted one already when `changed`), and emits `user.updated`: the user as
    /// stored after. When nothing differs nothing is written, and `before` is the answer.
    async fn write(
        mut self,
        app: &AppState,
        tx: &mut WriteTx,
        before: &UserRecord,
        mut changed: bool,
        now: i64,
    ) -> ApiResult<UserRecord> {
        for ident in &mut self.idents {
            let Some(old) = before.identifications.iter().find(|o| o.id == ident.id) else {
                continue;
            };
            if *ident != *old {
                ident.updated_at = now;
                sql::update_identification(tx.conn(), ident).await?;
                changed = true;
            }
        }
        if !changed && self.user == before.user {
            return Ok(before.clone());
        }
        self.user.updated_at = now;
        save_identity_change(app, tx, &self.user).await
    }
}
