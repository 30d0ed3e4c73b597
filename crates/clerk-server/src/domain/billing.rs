//! A user's billing: the credit ledger (`GET|POST /users/{id}/billing/credits`) and the
//! subscription (`GET /users/{id}/billing/subscription`).
//!
//! This server sells no plans, so no user has a subscription: that route answers 404 as Clerk
//! does for a user without one. Credits are a real ledger: each adjustment is an entry, the
//! balance is their sum, and an idempotency key makes a retried adjustment return the original.

use crate::store::Conn;
use clerk_model::{CommerceCreditBalanceResponse, CommerceCreditLedgerResponse, CommerceMoney};
use serde::Deserialize;

use super::validate;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids;
use crate::store::billing::{self as sql, LedgerRow};
use crate::store::{now_ms, users as user_sql, Dialect};
use crate::AppState;

/// `AdjustCreditBalanceRequest`, with every field optional so a missing one gets Clerk's
/// `form_param_missing` rather than a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustCredits {
    amount: Option<i64>,
    action: Option<String>,
    currency: Option<String>,
    idempotency_key: Option<String>,
    note: Option<String>,
}

const DEFAULT_CURRENCY: &str = "USD";

/// Clerk names the payer of a user's billing; here each user is its own payer.
fn payer_id(user_id: &str) -> String {
    format!(
        "cpayer_{}",
        user_id.strip_prefix("user_").unwrap_or(user_id)
    )
}

pub async fn credit_balance(
    app: &AppState,
    user_id: &str,
) -> ApiResult<CommerceCreditBalanceResponse> {
    let mut conn = app.store.read().await?;
    let seq = user_seq(&mut conn, app.store.dialect(), user_id, false).await?;
    let balance = sql::balance(&mut conn, seq).await?;
    Ok(CommerceCreditBalanceResponse {
        object: "commerce_credit_balance".into(),
        balance: balance.map(|(cents, currency)| money(cents, &currency)),
    })
}

pub async fn adjust_credits(
    app: &AppState,
    user_id: &str,
    req: AdjustCredits,
) -> ApiResult<CommerceCreditLedgerResponse> {
    let amount = req
        .amount
        .ok_or_else(|| ApiError::param_missing("amount"))?;
    if amount <= 0 {
        return Err(ApiError::value_invalid(
            "amount",
            "amount must be a positive number of cents.",
        ));
    }
    let action = req
        .action
        .ok_or_else(|| ApiError::param_missing("action"))?;
    let signed = match action.as_str() {
        "increase" => amount,
        "decrease" => -amount,
        _ => {
            return Err(ApiError::value_invalid(
                "action",
                "action must be `increase` or `decrease`.",
            ))
        }
    };
    let key = req
        .idempotency_key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::param_missing("idempotency_key"))?;
    validate::max_len("idempotency_key", &key, validate::MAX_TEXT_LEN)?;
    let currency = req.currency.unwrap_or_else(|| DEFAULT_CURRENCY.into());
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(ApiError::value_invalid(
            "currency",
            "currency must be a three-letter ISO 4217 code, such as USD.",
        ));
    }
    let currency = currency.to_ascii_uppercase();
    if let Some(note) = &req.note {
        validate::max_len("note", note, validate::MAX_TEXT_LEN)?;
    }

    let mut tx = app.store.begin_write().await?;
    let dialect = tx.dialect;
    // Locks the user's row on PostgreSQL: adjustments of one user run one at a time, so the
    // balance checked is the balance written against.
    let seq = user_seq(tx.conn(), dialect, user_id, true).await?;
    if let Some(original) = sql::find_by_idempotency_key(tx.conn(), seq, &key).await? {
        if original.amount != signed || original.currency != currency {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "idempotency_key_conflict",
                "Idempotency key already used",
                format!(
                    "idempotency_key {key} was already used for a different adjustment; use a \
                     new key for a new adjustment."
                ),
            )
            .param("idempotency_key"));
        }
        return Ok(ledger_response(user_id, &original));
    }
    let balance = sql::balance(tx.conn(), seq).await?;
    if let Some((_, existing)) = &balance {
        if *existing != currency {
            return Err(ApiError::value_invalid(
                "currency",
                format!("This user's credit balance is in {existing}."),
            ));
        }
    }
    let cents = balance.map_or(0, |(cents, _)| cents);
    if cents + signed < 0 {
        return Err(ApiError::value_invalid(
            "amount",
            format!("The credit balance ({cents} cents) is smaller than the decrease."),
        ));
    }
    let entry = LedgerRow {
        id: ids::new_id("cledger"),
        user_seq: seq,
        amount: signed,
        currency,
        source_type: if signed > 0 { "grant" } else { "deduction" }.into(),
        idempotency_key: key,
        note: req.note,
        created_at: now_ms(),
    };
    sql::insert(tx.conn(), &entry).await?;
    tx.commit().await?;
    Ok(ledger_response(user_id, &entry))
}

/// No plans are sold here, so no user has a subscription: the answer is always an error,
/// 404 for a user without one (every user) as for a user that does not exist.
pub async fn subscription(app: &AppState, user_id: &str) -> ApiError {
    let found = async {
        let mut conn = app.store.read().await?;
        user_seq(&mut conn, app.store.dialect(), user_id, false).await
    };
    match found.await {
        Ok(_) => ApiError::new(
            ErrorKind::NotFound,
            "resource_not_found",
            "not found",
            format!("The user {user_id} has no billing subscription."),
        ),
        Err(e) => e,
    }
}

async fn user_seq(
    conn: &mut Conn,
    dialect: Dialect,
    user_id: &str,
    for_update: bool,
) -> ApiResult<i64> {
    user_sql::seq_for_id(conn, dialect, user_id, for_update)
        .await?
        .ok_or_else(|| ApiError::user_not_found(user_id))
}

fn ledger_response(user_id: &str, entry: &LedgerRow) -> CommerceCreditLedgerResponse {
    CommerceCreditLedgerResponse {
        object: "commerce_credit_ledger".into(),
        id: entry.id.clone(),
        payer_id: payer_id(user_id),
        amount: money(entry.amount, &entry.currency),
        source_type: entry.source_type.clone(),
        source_id: entry.idempotency_key.clone(),
        note: entry.note.clone(),
        created_at: chrono::DateTime::from_timestamp_millis(entry.created_at)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}

/// `CommerceMoneyResponse`: cents, and how a person reads them (`$49.99`, `-€5.00`).
fn money(cents: i64, currency: &str) -> CommerceMoney {
    let symbol = match currency {
        "USD" | "CAD" | "AUD" | "NZD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        _ => "",
    };
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let number = format!("{}.{:02}", abs / 100, abs % 100);
    let amount_formatted = if symbol.is_empty() {
        format!("{sign}{number} {currency}")
    } else {
        format!("{sign}{symbol}{number}")
    };
    CommerceMoney {
        amount: cents,
        amount_formatted,
        currency: currency.into(),
        currency_symbol: if symbol.is_empty() { currency } else { symbol }.into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_reads_like_clerks() {
        let m = super::money(4999, "USD");
        assert_eq!(
            (m.amount_formatted.as_str(), m.currency_symbol.as_str()),
            ("$49.99", "$")
        );
        assert_eq!(super::money(-500, "EUR").amount_formatted, "-€5.00");
        assert_eq!(super::money(7, "CHF").amount_formatted, "0.07 CHF");
    }
}
