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
        /// Add credits to the balance.
        #[default]
        Increase = "increase",
        /// Remove credits from the balance.
        Decrease = "decrease",
    }
);

/// `CommerceMoneyResponse`: an amount in cents with its formatting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceMoney {
    /// The amount in cents.
    pub amount: i64,
    /// The amount formatted for display, e.g. `$49.99`.
    pub amount_formatted: String,
    /// The currency code, e.g. `USD`.
    pub currency: String,
    /// The currency symbol, e.g. `$`.
    pub currency_symbol: String,
}

/// `CommerceSubscriptionNextPayment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscriptionNextPayment {
    /// Date of the next payment, Unix timestamp in milliseconds.
    pub date: i64,
    /// The base plan fee of the next payment, without per-unit charges (see `totals`).
    pub amount: CommerceMoney,
    /// Per-unit breakdown (for example seats) of the next payment, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_unit_totals: Option<Vec<Value>>,
    /// Breakdown of the recurring amount billed at renewal (base fee plus per-unit charges; tax
    /// and credits not previewed), kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<Value>,
}

/// `CommerceSubscriptionItem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscriptionItem {
    /// Always `commerce_subscription_item`.
    pub object: String,
    /// Unique identifier of the subscription item.
    pub id: String,
    /// ID of the Clerk instance.
    pub instance_id: String,
    /// `active`, `canceled`, `expired`, `ended`, `past_due`, `upcoming`, `incomplete`, `abandoned`.
    pub status: String,
    /// ID of the associated plan, if any.
    pub plan_id: Option<String>,
    /// ID of the associated price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_id: Option<String>,
    /// `CommercePlan`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Value>,
    /// `month` or `annual`.
    pub plan_period: String,
    /// ID of the payer.
    pub payer_id: String,
    /// Whether the item includes a free trial.
    pub is_free_trial: bool,
    /// Start of the current period, Unix timestamp in milliseconds.
    pub period_start: i64,
    /// End of the current period, Unix timestamp in milliseconds, if any.
    pub period_end: Option<i64>,
    /// When the item was canceled, Unix timestamp in milliseconds, if it was.
    pub canceled_at: Option<i64>,
    /// When the item became past due, Unix timestamp in milliseconds, if it did.
    pub past_due_at: Option<i64>,
    /// When the item ended, Unix timestamp in milliseconds, if it did.
    pub ended_at: Option<i64>,
    /// Total amount paid over the item's lifetime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_paid: Option<CommerceMoney>,
    /// The item's next payment (`CommerceSubscriptionItemNextPaymentResponse`), kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_payment: Option<Value>,
    /// Creation time, Unix timestamp in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Last update time, Unix timestamp in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

/// `CommerceSubscription`: the user's billing subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceSubscription {
    /// Always `commerce_subscription`.
    pub object: String,
    /// Unique identifier of the subscription.
    pub id: String,
    /// ID of the instance the subscription belongs to.
    pub instance_id: String,
    /// `active`, `past_due`, `canceled`, `ended`, `abandoned`, `incomplete`.
    pub status: String,
    /// ID of the subscription's payer.
    pub payer_id: String,
    /// Creation time, Unix timestamp in milliseconds.
    pub created_at: i64,
    /// Last update time, Unix timestamp in milliseconds.
    pub updated_at: i64,
    /// When the subscription became active, Unix timestamp in milliseconds, if it did.
    pub active_at: Option<i64>,
    /// When the subscription became past due, Unix timestamp in milliseconds, if it did.
    pub past_due_at: Option<i64>,
    /// The items of the subscription.
    pub subscription_items: Vec<CommerceSubscriptionItem>,
    /// The next scheduled payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_payment: Option<CommerceSubscriptionNextPayment>,
    /// Whether the payer is eligible for a free trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_for_free_trial: Option<bool>,
}

/// `CommerceCreditBalanceResponse`; `balance` is `null` when the payer never had credits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceCreditBalanceResponse {
    /// Always `commerce_credit_balance`.
    pub object: String,
    /// The current credit balance; `null` when the payer never had credits.
    pub balance: Option<CommerceMoney>,
}

/// `AdjustCreditBalanceRequest` (`POST /users/{user_id}/billing/credits`). Repeating a request
/// with the same `idempotency_key` returns the original ledger entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdjustCreditBalanceRequest {
    /// In cents; greater than zero.
    pub amount: i64,
    /// Whether to increase or decrease the balance; required.
    pub action: CreditAdjustmentAction,
    /// The currency code, e.g. `USD`; defaults to USD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// A unique key that makes the adjustment apply only once; required.
    pub idempotency_key: String,
    /// A note to attach to the ledger entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `CommerceCreditLedgerResponse`: one ledger entry; `created_at` is an RFC 3339 string here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommerceCreditLedgerResponse {
    /// Always `commerce_credit_ledger`.
    pub object: String,
    /// Unique identifier of the ledger entry.
    pub id: String,
    /// ID of the payer whose balance was adjusted.
    pub payer_id: String,
    /// The adjustment: positive for an increase, negative for a decrease.
    pub amount: CommerceMoney,
    /// The kind of source of the adjustment, e.g. `grant`.
    pub source_type: String,
    /// ID of the source of the adjustment.
    pub source_id: String,
    /// The note attached to the entry, if any.
    pub note: Option<String>,
    /// Creation time, an RFC 3339 date-time.
    pub created_at: String,
}
