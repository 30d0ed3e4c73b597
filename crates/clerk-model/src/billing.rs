//! Billing objects reachable from a user: `GET /users/{user_id}/billing/subscription` and
//! `GET|POST /users/{user_id}/billing/credits`.
//!
//! Clerk's billing schemas are large and still moving; the parts a caller acts on are typed, the
//! rest (plans, payment methods, totals) is kept as raw JSON so a change there never breaks a call.

use serde::{Deserialize, Serialize};
use serde_json::Value;

string_enum!(
    /// `AdjustCreditBalanceRequest.action`.
    #[derive(Default)]
    CreditAdjustmentAction {
        #[default]
        Increase = "increase",
        Decrease = "decrease",
    }
);

/// `CommerceMoneyResponse`: an amount in cents with its formatting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceMoney {
    pub amount: i64,
    pub amount_formatted: String,
    pub currency: String,
    pub currency_symbol: String,
}

/// `CommerceSubscriptionNextPayment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscriptionNextPayment {
    pub date: i64,
    pub amount: CommerceMoney,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_unit_totals: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<Value>,
}

/// `CommerceSubscriptionItem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscriptionItem {
    pub object: String,
    pub id: String,
    pub instance_id: String,
    /// `active`, `canceled`, `expired`, `ended`, `past_due`, `upcoming`, `incomplete`, `abandoned`.
    pub status: String,
    pub plan_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_id: Option<String>,
    /// `CommercePlan`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Value>,
    /// `month` or `annual`.
    pub plan_period: String,
    pub payer_id: String,
    pub is_free_trial: bool,
    pub period_start: i64,
    pub period_end: Option<i64>,
    pub canceled_at: Option<i64>,
    pub past_due_at: Option<i64>,
    pub ended_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_paid: Option<CommerceMoney>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_payment: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

/// `CommerceSubscription`: the user's billing subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscription {
    pub object: String,
    pub id: String,
    pub instance_id: String,
    /// `active`, `past_due`, `canceled`, `ended`, `abandoned`, `incomplete`.
    pub status: String,
    pub payer_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub active_at: Option<i64>,
    pub past_due_at: Option<i64>,
    pub subscription_items: Vec<CommerceSubscriptionItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_payment: Option<CommerceSubscriptionNextPayment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_for_free_trial: Option<bool>,
}

/// `CommerceCreditBalanceResponse`; `balance` is `null` when the payer never had credits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceCreditBalanceResponse {
    pub object: String,
    pub balance: Option<CommerceMoney>,
}

/// `AdjustCreditBalanceRequest` (`POST /users/{user_id}/billing/credits`). Repeating a request
/// with the same `idempotency_key` returns the original ledger entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdjustCreditBalanceRequest {
    /// In cents; greater than zero.
    pub amount: i64,
    pub action: CreditAdjustmentAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub idempotency_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `CommerceCreditLedgerResponse`: one ledger entry; `created_at` is an RFC 3339 string here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceCreditLedgerResponse {
    pub object: String,
    pub id: String,
    pub payer_id: String,
    pub amount: CommerceMoney,
    pub source_type: String,
    pub source_id: String,
    pub note: Option<String>,
    pub created_at: String,
}
