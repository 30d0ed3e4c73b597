//! The user's billing subscription and credit balance.

use clerk_model::{
    AdjustCreditBalanceRequest, CommerceCreditBalanceResponse, CommerceCreditLedgerResponse,
    CommerceSubscription, CreditAdjustmentAction,
};
use reqwest::Method;

use super::macros::path_operation;
use crate::request::{operation, HttpRequest};
use crate::validation;
use crate::{Client, Error, RequestOptions, Result};

path_operation! {
    /// `GET /users/{user_id}/billing/subscription`.
    GetUserBillingSubscription(user_id) -> CommerceSubscription {
        operation: "get_user_billing_subscription",
        method: GET,
        path: |s| ["users", s.user_id.as_str(), "billing", "subscription"],
        idempotent: true,
    }
}

path_operation! {
    /// `GET /users/{user_id}/billing/credits`: the balance (`null` if the user never had credits).
    GetUserBillingCreditBalance(user_id) -> CommerceCreditBalanceResponse {
        operation: "get_user_billing_credit_balance",
        method: GET,
        path: |s| ["users", s.user_id.as_str(), "billing", "credits"],
        idempotent: true,
    }
}

/// `POST /users/{user_id}/billing/credits`: adds a ledger entry that increases or decreases the
/// balance. The idempotency key makes a repeat return the original entry, so it is retried like
/// an idempotent request.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct AdjustUserBillingCreditBalance {
    client: Client,
    options: RequestOptions,
    user_id: String,
    body: AdjustCreditBalanceRequest,
}

impl AdjustUserBillingCreditBalance {
    pub(crate) fn new(
        client: Client,
        user_id: String,
        amount: i64,
        action: CreditAdjustmentAction,
        idempotency_key: String,
    ) -> Self {
        let body = AdjustCreditBalanceRequest {
            amount,
            action,
            idempotency_key,
            ..Default::default()
        };
        Self {
            client,
            options: RequestOptions::default(),
            user_id,
            body,
        }
    }

    /// Currency code; Clerk defaults to USD.
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.body.currency = Some(currency.into());
        self
    }

    /// A note kept with the ledger entry.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.body.note = Some(note.into());
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::path_param("user_id", &self.user_id)?;
        if self.client.validates() {
            if self.body.amount <= 0 {
                return Err(Error::validation(
                    "amount",
                    "must be greater than zero (cents)",
                ));
            }
            if self.body.idempotency_key.is_empty() {
                return Err(Error::validation("idempotency_key", "is required"));
            }
        }
        HttpRequest::new(
            "adjust_user_billing_credit_balance",
            Method::POST,
            &["users", &self.user_id, "billing", "credits"],
        )
        .idempotent(true)
        .json(&self.body)
    }
}

operation!(AdjustUserBillingCreditBalance -> CommerceCreditLedgerResponse);
