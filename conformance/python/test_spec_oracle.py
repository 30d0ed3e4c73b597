"""The Python spec oracle itself (no server needed): it must catch what the suite relies on."""

import copy

import pytest

import spec_oracle
from spec_oracle import SpecViolation

JSON = "application/json"
USER_PATH = "/v1/users/user_2abcdefghijklmnopqrstuvwxyz1"
USER = {
    "id": "user_2abcdefghijklmnopqrstuvwxyz1", "object": "user", "external_id": None,
    "primary_email_address_id": "idn_1", "primary_phone_number_id": None, "primary_web3_wallet_id": None,
    "username": None, "first_name": "Ada", "last_name": None, "locale": None, "image_url": "https://i",
    "has_image": False, "public_metadata": {}, "private_metadata": {}, "unsafe_metadata": {},
    "email_addresses": [{
        "id": "idn_1", "object": "email_address", "email_address": "ada@example.com", "reserved": False,
        "verification": {"object": "verification_admin", "status": "verified", "strategy": "admin",
                         "attempts": None, "expire_at": None},
        "linked_to": [], "created_at": 1700000000000, "updated_at": 1700000000000,
    }],
    "phone_numbers": [], "web3_wallets": [], "passkeys": [], "password_enabled": True,
    "two_factor_enabled": False, "totp_enabled": False, "backup_code_enabled": False,
    "mfa_enabled_at": None, "mfa_disabled_at": None, "external_accounts": [], "saml_accounts": [],
    "enterprise_accounts": [], "last_sign_in_at": None, "banned": False, "locked": False,
    "lockout_expires_in_seconds": None, "verification_attempts_remaining": None,
    "updated_at": 1700000000000, "created_at": 1700000000000, "delete_self_enabled": True,
    "create_organization_enabled": True, "last_active_at": None, "legal_accepted_at": None,
}
ENVELOPE = {"errors": [{"message": "not found", "long_message": "No user", "code": "resource_not_found"}],
            "clerk_trace_id": "abc"}


@pytest.fixture(scope="module")
def spec():
    return spec_oracle.load()


def user(**changes):
    u = copy.deepcopy(USER)
    for k, v in changes.items():
        if v is KeyError:
            del u[k]
        else:
            u[k] = v
    return u


def test_valid_user_passes(spec):
    spec.validate_response("GET", USER_PATH, 200, JSON, user())
    spec.validate_response("GET", "http://127.0.0.1:1/v1/users?limit=1", 200, JSON, [user()])


@pytest.mark.parametrize("key", USER and spec_oracle.load().doc["components"]["schemas"]["User"]["required"])
def test_every_required_user_key_is_enforced(spec, key):
    with pytest.raises(SpecViolation):
        spec.validate_response("GET", USER_PATH, 200, JSON, user(**{key: KeyError}))


@pytest.mark.parametrize("change,pointer", [
    ({"extra": 1}, ""),
    ({"created_at": "x"}, "/created_at"),
    ({"object": "nope"}, "/object"),
    ({"banned": None}, "/banned"),
])
def test_bad_user_fails_at_pointer(spec, change, pointer):
    with pytest.raises(SpecViolation) as ei:
        spec.validate_response("GET", USER_PATH, 200, JSON, user(**change))
    assert [p for p, _ in ei.value.errors] == [pointer], str(ei.value)


def test_nullable_through_all_of(spec):
    spec.validate_response("GET", USER_PATH, 200, JSON, user(scim=None, private_metadata=None))


def test_verification_needs_discriminator(spec):
    u = user()
    del u["email_addresses"][0]["verification"]["object"]
    with pytest.raises(SpecViolation):
        spec.validate_response("GET", USER_PATH, 200, JSON, u)


@pytest.mark.parametrize("ct", ["text/plain", "application/json; charset=utf-8", None])
def test_content_type_exact(spec, ct):
    with pytest.raises(SpecViolation, match="Content-Type"):
        spec.validate_response("GET", USER_PATH, 200, ct, user())


def test_error_envelopes(spec):
    spec.validate_response("GET", USER_PATH, 404, JSON, ENVELOPE)
    spec.validate_response("POST", USER_PATH + "/verify_password", 422, JSON, ENVELOPE)
    spec.validate_response("GET", USER_PATH, 500, JSON, ENVELOPE)
    spec.validate_response("GET", "/v1/nope", 404, JSON, ENVELOPE)
    with pytest.raises(SpecViolation):
        spec.validate_response("GET", USER_PATH, 404, JSON, {"error": "x"})
    with pytest.raises(SpecViolation, match="not JSON"):
        spec.validate_raw("GET", USER_PATH, 500, "text/plain", b"Internal Server Error")


def test_routing(spec):
    spec.validate_response("GET", "/v1/users/count", 200, JSON, {"object": "total_count", "total_count": 1})
    with pytest.raises(SpecViolation):
        spec.validate_response("GET", "/v1/users/count", 200, JSON, user())
    with pytest.raises(SpecViolation):
        spec.validate_response("GET", "/v1/_ext/health", 200, JSON, {})
    spec.validate_response("GET", "/v1/_ext/health", 200, JSON, {}, extension_prefixes=["/v1/_ext/"])
    with pytest.raises(SpecViolation):
        spec.validate_response("POST", "/v1/users", 201, JSON, user())


def test_all_of_merge(spec):
    import jsonschema

    inv = {"object": "organization_invitation", "id": "orginv_x", "email_address": "a@b.c", "role": "r",
           "role_name": "R", "organization_id": "org_x", "inviter_id": None, "public_inviter_data": None,
           "status": "pending", "public_metadata": {}, "url": None, "expires_at": None, "created_at": 1,
           "updated_at": 1, "public_organization_data": {"id": "org_x", "name": "A", "slug": "a",
                                                         "image_url": "https://i", "has_image": False}}
    v = jsonschema.Draft202012Validator(spec.component_json_schema("OrganizationInvitationWithPublicOrganizationData"))
    assert not [e.message for e in v.iter_errors(inv) if "public_organization_data" in e.message]


def test_date_time_format_is_checked(spec):
    import jsonschema

    v = jsonschema.Draft202012Validator(spec.json_schema({"type": "string", "format": "date-time"}),
                                        format_checker=spec_oracle.FORMATS)
    assert v.is_valid("2026-05-12T10:00:00Z") and v.is_valid("2026-05-12T10:00:00.123+02:00")
    assert not v.is_valid("yesterday") and not v.is_valid("2026-13-45T99:00:00Z")
