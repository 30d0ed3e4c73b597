//! A user's billing over HTTP: the credit ledger and the (absent) subscription.

use serde_json::json;

use crate::support::TestServer;

async fn credit_ledger(s: TestServer) {
    let user = s.create_user(json!({})).await;
    let id = user["id"].as_str().unwrap();
    let credits = format!("/users/{id}/billing/credits");

    let empty = s.get(&credits).await.ok();
    assert_eq!(
        empty,
        json!({"object": "commerce_credit_balance", "balance": null})
    );

    let grant = s
        .post(
            &credits,
            json!({"amount": 4999, "action": "increase", "idempotency_key": "grant-1", "note": "welcome"}),
        )
        .await
        .ok();
    assert_eq!(grant["object"], "commerce_credit_ledger");
    assert_eq!(grant["amount"]["amount"], 4999);
    assert_eq!(grant["amount"]["amount_formatted"], "$49.99");
    assert_eq!(grant["amount"]["currency"], "USD");
    assert_eq!(grant["note"], "welcome");
    assert_eq!(grant["source_type"], "grant");
    let payer = grant["payer_id"].as_str().unwrap();
    assert!(payer.starts_with("cpayer_"), "{payer}");
    assert!(grant["created_at"].as_str().unwrap().ends_with('Z'));

    // A retry with the same key returns the original entry and credits nothing more.
    let retry = s
        .post(
            &credits,
            json!({"amount": 4999, "action": "increase", "idempotency_key": "grant-1"}),
        )
        .await
        .ok();
    assert_eq!(retry["id"], grant["id"]);
    // The same key for another adjustment is a conflict.
    s.post(
        &credits,
        json!({"amount": 1, "action": "increase", "idempotency_key": "grant-1"}),
    )
    .await
    .err(409, "idempotency_key_conflict");

    let spend = s
        .post(
            &credits,
            json!({"amount": 999, "action": "decrease", "idempotency_key": "spend-1"}),
        )
        .await
        .ok();
    assert_eq!(spend["amount"]["amount"], -999);
    assert_eq!(spend["amount"]["amount_formatted"], "-$9.99");
    assert_eq!(spend["payer_id"], payer);

    let balance = s.get(&credits).await.ok();
    assert_eq!(balance["balance"]["amount"], 4000);
    assert_eq!(balance["balance"]["currency_symbol"], "$");

    // The balance never goes below zero, and keeps one currency.
    s.post(
        &credits,
        json!({"amount": 4001, "action": "decrease", "idempotency_key": "spend-2"}),
    )
    .await
    .form_err("form_param_value_invalid", "amount");
    s.post(
        &credits,
        json!({"amount": 5, "action": "increase", "currency": "EUR", "idempotency_key": "eur"}),
    )
    .await
    .form_err("form_param_value_invalid", "currency");
    assert_eq!(s.get(&credits).await.ok()["balance"]["amount"], 4000);

    // Another user's ledger is their own.
    let other = s.create_user(json!({})).await;
    let other_credits = format!("/users/{}/billing/credits", other["id"].as_str().unwrap());
    assert_eq!(s.get(&other_credits).await.ok()["balance"], json!(null));
    let eur = s
        .post(
            &other_credits,
            json!({"amount": 500, "action": "increase", "currency": "eur", "idempotency_key": "grant-1"}),
        )
        .await
        .ok();
    assert_eq!(eur["amount"]["amount_formatted"], "€5.00");
    assert_ne!(eur["id"], grant["id"]);
}

async fn credit_errors(s: TestServer) {
    let user = s.create_user(json!({})).await;
    let credits = format!("/users/{}/billing/credits", user["id"].as_str().unwrap());
    s.post(
        &credits,
        json!({"action": "increase", "idempotency_key": "k"}),
    )
    .await
    .form_err("form_param_missing", "amount");
    s.post(&credits, json!({"amount": 5, "idempotency_key": "k"}))
        .await
        .form_err("form_param_missing", "action");
    s.post(&credits, json!({"amount": 5, "action": "increase"}))
        .await
        .form_err("form_param_missing", "idempotency_key");
    s.post(
        &credits,
        json!({"amount": 0, "action": "increase", "idempotency_key": "k"}),
    )
    .await
    .form_err("form_param_value_invalid", "amount");
    s.post(
        &credits,
        json!({"amount": 5, "action": "double", "idempotency_key": "k"}),
    )
    .await
    .form_err("form_param_value_invalid", "action");
    s.post(
        &credits,
        json!({"amount": 5, "action": "increase", "idempotency_key": "k", "currency": "dollars"}),
    )
    .await
    .form_err("form_param_value_invalid", "currency");
    s.post(
        &credits,
        json!({"amount": 5, "action": "increase", "idempotency_key": "k", "bonus": true}),
    )
    .await
    .form_err("form_param_unknown", "bonus");
    assert_eq!(s.get(&credits).await.ok()["balance"], json!(null));

    s.get("/users/user_missing/billing/credits")
        .await
        .err(404, "resource_not_found");
    s.post(
        "/users/user_missing/billing/credits",
        json!({"amount": 5, "action": "increase", "idempotency_key": "k"}),
    )
    .await
    .err(404, "resource_not_found");
}

/// No plans are sold here: no user has a subscription.
async fn no_subscription(s: TestServer) {
    let user = s.create_user(json!({})).await;
    s.get(&format!(
        "/users/{}/billing/subscription",
        user["id"].as_str().unwrap()
    ))
    .await
    .err(404, "resource_not_found");
    s.get("/users/user_missing/billing/subscription")
        .await
        .err(404, "resource_not_found");
}

crate::on_both_stores!(credit_ledger, credit_errors, no_subscription);
