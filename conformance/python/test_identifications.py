"""The official Python SDK (`clerk-backend-api`) against `clerk serve`: `sdk.email_addresses` and
`sdk.phone_numbers` (create, get, update, delete). Every response is also checked against Clerk's
published spec (conftest.Recorder).

Errors: the spec documents 422 for the creates only, so for a refused update the SDK raises a
plain SDKError; its body is still Clerk's envelope (the oracle checks it).
"""

from __future__ import annotations

import json
import uuid

import pytest
from clerk_backend_api import models

from conftest import dump, unique

route = pytest.mark.route


def email() -> str:
    return f"{unique('e')}@example.com"


def phone() -> str:
    return "+1415555" + str(uuid.uuid4().int % 10_000).zfill(4)


def error_of(exc_info, status: int):
    """The first error of a ClerkErrors / SDKError with this status, as (code, param_name)."""
    err = exc_info.value
    assert isinstance(err, (models.ClerkErrors, models.SDKError)), f"{type(err)}: {err}"
    assert err.status_code == status, f"status {err.status_code}, body {err.body}"
    first = json.loads(err.body)["errors"][0]
    return first["code"], (first.get("meta") or {}).get("param_name")


def verified(ident) -> bool:
    return ident.verification is not None and ident.verification.status == "verified"


@route("POST", "/email_addresses")
def test_email_address_lifecycle(sdk, new_user):
    u = new_user()
    first = u.email_addresses[0]
    addr = email()

    e = sdk.email_addresses.create(request={"user_id": u.id, "email_address": addr})
    assert e.object == "email_address" and e.id.startswith("idn_"), dump(e)
    assert e.email_address == addr and not verified(e), dump(e)
    assert sdk.email_addresses.get(email_address_id=e.id).id == e.id

    e = sdk.email_addresses.update(email_address_id=e.id, verified=True, primary=True)
    assert verified(e) and e.verification.strategy == "admin", dump(e)
    fetched = sdk.users.get(user_id=u.id)
    assert fetched.primary_email_address_id == e.id
    assert [x.id for x in fetched.email_addresses] == [first.id, e.id]
    listed = sdk.users.list(request={"email_address": [addr]})
    assert [x.id for x in listed] == [u.id]

    deleted = sdk.email_addresses.delete(email_address_id=e.id)
    assert deleted.deleted is True and deleted.id == e.id and deleted.object == "email_address"
    assert sdk.users.get(user_id=u.id).primary_email_address_id == first.id
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.email_addresses.get(email_address_id=e.id)
    assert error_of(ei, 404)[0] == "resource_not_found"


@route("POST", "/email_addresses")
def test_email_address_errors(sdk, new_user):
    u = new_user()
    taken = new_user().email_addresses[0].email_address
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.email_addresses.create(request={"user_id": u.id, "email_address": taken.upper()})
    assert error_of(ei, 422) == ("form_identifier_exists", "email_address")
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.email_addresses.create(request={"user_id": u.id, "email_address": "not-an-address"})
    assert error_of(ei, 422) == ("form_param_format_invalid", "email_address")
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.email_addresses.create(request={"user_id": "user_missing", "email_address": email()})
    assert error_of(ei, 404)[0] == "resource_not_found"

    # A primary address must be verified.
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.email_addresses.create(request={"user_id": u.id, "email_address": email(), "primary": True})
    assert error_of(ei, 422) == ("form_param_value_invalid", "primary")
    with pytest.raises((models.ClerkErrors, models.SDKError)) as ei:
        sdk.email_addresses.update(email_address_id=u.email_addresses[0].id, verified=False)
    assert error_of(ei, 422) == ("form_param_value_invalid", "verified")

    for call in (
        lambda: sdk.email_addresses.get(email_address_id="idn_missing"),
        lambda: sdk.email_addresses.update(email_address_id="idn_missing", verified=True),
        lambda: sdk.email_addresses.delete(email_address_id="idn_missing"),
    ):
        with pytest.raises(models.ClerkErrors) as ei:
            call()
        assert error_of(ei, 404)[0] == "resource_not_found"


@route("POST", "/phone_numbers")
def test_phone_number_lifecycle(sdk, new_user):
    u = new_user()
    number = phone()
    p = sdk.phone_numbers.create(request={"user_id": u.id, "phone_number": number, "verified": True})
    assert p.object == "phone_number" and p.phone_number == number, dump(p)
    assert verified(p) and p.reserved_for_second_factor is False and p.default_second_factor is False
    assert sdk.users.get(user_id=u.id).primary_phone_number_id == p.id, "the first verified number"
    assert sdk.phone_numbers.get(phone_number_id=p.id).id == p.id

    p = sdk.phone_numbers.update(phone_number_id=p.id, reserved_for_second_factor=True)
    assert p.reserved_for_second_factor is True and p.default_second_factor is True, dump(p)
    assert sdk.users.get(user_id=u.id).two_factor_enabled is True

    second = sdk.phone_numbers.create(request={
        "user_id": u.id, "phone_number": phone(), "verified": True,
        "reserved_for_second_factor": True, "primary": True,
    })
    assert second.default_second_factor is False, dump(second)
    fetched = sdk.users.get(user_id=u.id)
    assert fetched.primary_phone_number_id == second.id

    # The default second factor moves on with the number that held it.
    deleted = sdk.phone_numbers.delete(phone_number_id=p.id)
    assert deleted.deleted is True and deleted.object == "phone_number"
    assert sdk.phone_numbers.get(phone_number_id=second.id).default_second_factor is True
    sdk.phone_numbers.update(phone_number_id=second.id, reserved_for_second_factor=False)
    assert sdk.users.get(user_id=u.id).two_factor_enabled is False


@route("POST", "/phone_numbers")
def test_phone_number_errors(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.phone_numbers.create(request={"user_id": u.id, "phone_number": "555-0100"})
    assert error_of(ei, 422) == ("form_param_format_invalid", "phone_number")
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.phone_numbers.create(request={
            "user_id": u.id, "phone_number": phone(), "reserved_for_second_factor": True,
        })
    assert error_of(ei, 422) == ("form_param_value_invalid", "reserved_for_second_factor")
    number = phone()
    sdk.phone_numbers.create(request={"user_id": u.id, "phone_number": number})
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.phone_numbers.create(request={"user_id": new_user().id, "phone_number": number})
    assert error_of(ei, 422) == ("form_identifier_exists", "phone_number")
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.phone_numbers.delete(phone_number_id="idn_missing")
    assert error_of(ei, 404)[0] == "resource_not_found"
