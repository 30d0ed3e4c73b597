//! The model's two promises: required keys are always written, and reading never fails on
//! what a newer Clerk might send.

use clerk_model::{User, Verification, VerificationStatus};
use serde_json::{json, Value};

#[test]
fn serializing_writes_required_nullable_keys_as_null() {
    let v = serde_json::to_value(User::default()).unwrap();
    for key in [
        "external_id",
        "primary_email_address_id",
        "username",
        "first_name",
        "mfa_enabled_at",
        "last_sign_in_at",
        "lockout_expires_in_seconds",
        "verification_attempts_remaining",
        "last_active_at",
        "legal_accepted_at",
    ] {
        assert_eq!(
            v.get(key),
            Some(&Value::Null),
            "{key} must be present as null"
        );
    }
    assert!(
        v.get("organization_memberships").is_none(),
        "optional keys are left out"
    );
}

#[test]
fn unknown_keys_and_enum_values_are_tolerated() {
    let user: User = serde_json::from_value(json!({
        "id": "user_1",
        "object": "user",
        "a_field_from_the_future": {"x": 1},
        "email_addresses": [{
            "id": "idn_1",
            "email_address": "a@b.com",
            "verification": {"status": "quantum", "strategy": "carrier_pigeon", "new_key": 1}
        }]
    }))
    .unwrap();
    let verification = user.email_addresses[0].verification.as_ref().unwrap();
    assert_eq!(
        verification.status,
        VerificationStatus::Unknown("quantum".into())
    );
    // An unknown value survives a round trip unchanged.
    let back = serde_json::to_value(verification).unwrap();
    assert_eq!(back["status"], "quantum");
    assert_eq!(back["strategy"], "carrier_pigeon");
    assert_eq!(Verification::admin().status.as_str(), "verified");
}
