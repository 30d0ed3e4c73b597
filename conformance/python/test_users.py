"""The official Python SDK (`clerk-backend-api`) against `clerk serve`, one test per Users
operation. Every response is also checked against Clerk's published spec (conftest.Recorder).

Tests marked `route(...)` are skipped while the server does not serve that route and run as soon
as it does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
import zlib

import pytest
from clerk_backend_api import models

from conftest import dump, unique

route = pytest.mark.route
MISSING_USER = "user_2zzzzzzzzzzzzzzzzzzzzzzzzzz"
PASSWORD = "correct-horse-battery-staple-8312"
NOW_MS_FLOOR = 1_600_000_000_000  # 2020: timestamps are Unix milliseconds


# ---------------------------------------------------------------------------------------------
# helpers


def clerk_error(exc_info, status: int, code: str | None = None):
    """Asserts a typed ClerkErrors with this status (and first error code); returns the error."""
    err = exc_info.value
    assert isinstance(err, models.ClerkErrors), f"expected typed ClerkErrors, got {type(err)}: {err}"
    assert err.status_code == status, f"status {err.status_code}, body {err.body}"
    assert err.data.errors, "ClerkErrors without errors[]"
    first = err.data.errors[0]
    assert first.message and first.long_message, err.body
    if code is not None:
        assert first.code == code, err.body
    return first


def sdk_error_code(exc_info, status: int) -> str:
    """For statuses the spec documents without a body schema the SDK raises a plain SDKError; the
    body must still be a ClerkErrors envelope (the spec oracle checks it). Returns its code."""
    err = exc_info.value
    assert isinstance(err, (models.SDKError, models.ClerkErrors)), f"{type(err)}: {err}"
    assert err.status_code == status, f"status {err.status_code}, body {err.body}"
    import json

    return json.loads(err.body)["errors"][0]["code"]


def email() -> str:
    return f"{unique('e')}@example.com"


def totp_now(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 TOTP: SHA1, 30 s, 6 digits."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"  # one red pixel, filter byte 0
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def assert_fresh_user(u: models.User):
    assert u.object == models.UserObject.USER or u.object == "user"
    assert u.id.startswith("user_") and len(u.id) == len("user_") + 27, u.id
    assert u.created_at > NOW_MS_FLOOR and u.updated_at >= u.created_at
    assert u.banned is False and u.locked is False
    assert u.two_factor_enabled is False and u.totp_enabled is False and u.backup_code_enabled is False


# ---------------------------------------------------------------------------------------------
# create / get


def test_create_returns_the_user(sdk):
    addr, ext, uname = email(), unique("ext_"), unique("name")
    u = sdk.users.create(
        email_address=[addr], first_name="Ada", last_name="Lovelace", username=uname,
        external_id=ext, password=PASSWORD,
        public_metadata={"plan": "pro", "n": 1}, private_metadata={"secret": [1, 2]},
        unsafe_metadata={"theme": "dark"},
    )
    assert_fresh_user(u)
    assert (u.first_name, u.last_name, u.username, u.external_id) == ("Ada", "Lovelace", uname, ext)
    assert u.password_enabled is True
    assert u.public_metadata == {"plan": "pro", "n": 1}
    assert u.private_metadata == {"secret": [1, 2]}
    assert u.unsafe_metadata == {"theme": "dark"}
    assert len(u.email_addresses) == 1, dump(u)
    e = u.email_addresses[0]
    assert e.email_address == addr and e.id.startswith("idn_")
    assert u.primary_email_address_id == e.id
    assert e.verification is not None and e.verification.status == "verified", dump(e)
    assert e.reserved is False
    assert u.phone_numbers == [] and u.web3_wallets == [] and u.passkeys == []
    assert u.external_accounts == [] and u.saml_accounts == [] and u.enterprise_accounts == []
    assert u.primary_phone_number_id is None and u.primary_web3_wallet_id is None


def test_create_without_password_and_with_phone(sdk):
    phone = "+1415555" + str(uuid.uuid4().int % 10_000).zfill(4)
    u = sdk.users.create(email_address=[email()], phone_number=[phone], skip_password_requirement=True)
    assert_fresh_user(u)
    assert u.password_enabled is False
    assert [p.phone_number for p in u.phone_numbers] == [phone], dump(u)
    assert u.primary_phone_number_id == u.phone_numbers[0].id


def test_get_returns_what_create_returned(sdk, new_user):
    created = new_user(first_name="Grace", public_metadata={"k": "v"})
    got = sdk.users.get(user_id=created.id)
    assert got.id == created.id
    assert got.first_name == "Grace" and got.public_metadata == {"k": "v"}
    assert [e.email_address for e in got.email_addresses] == [e.email_address for e in created.email_addresses]
    assert got.created_at == created.created_at


def test_get_missing_user_is_404_resource_not_found(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.get(user_id=MISSING_USER)
    clerk_error(ei, 404, "resource_not_found")


def test_create_with_taken_email_is_422_form_identifier_exists(sdk):
    addr = email()
    sdk.users.create(email_address=[addr], skip_password_requirement=True)
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=[addr], skip_password_requirement=True)
    first = clerk_error(ei, 422, "form_identifier_exists")
    assert (first.meta or {}).get("param_name") == "email_address", ei.value.body


def test_create_with_taken_username_or_external_id_is_422(sdk):
    uname, ext = unique("name"), unique("ext_")
    sdk.users.create(email_address=[email()], username=uname, external_id=ext, skip_password_requirement=True)
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=[email()], username=uname, skip_password_requirement=True)
    assert (clerk_error(ei, 422, "form_identifier_exists").meta or {}).get("param_name") == "username"
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=[email()], external_id=ext, skip_password_requirement=True)
    assert (clerk_error(ei, 422, "form_identifier_exists").meta or {}).get("param_name") == "external_id"


def test_wrong_key_is_401(sdk_wrong_key):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk_wrong_key.users.list()
    first = clerk_error(ei, 401)
    assert first.code in {"authentication_invalid", "clerk_key_invalid", "authorization_header_format_invalid",
                          "could_not_authenticate_request"}, ei.value.body
    with pytest.raises(models.ClerkErrors) as ei:
        sdk_wrong_key.users.get(user_id=MISSING_USER)
    clerk_error(ei, 401)


# ---------------------------------------------------------------------------------------------
# list / count


@pytest.fixture
def three_users(new_user):
    tag = unique("tag")
    users = []
    for first in ("carol", "alice", "bob"):
        users.append(new_user(first_name=f"{first}-{tag}", email_address=[f"{first}.{tag}@example.com"]))
        time.sleep(0.005)  # distinct created_at (ms)
    return tag, users


def test_list_by_query_newest_first(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    got = sdk.users.list(request={"query": tag})
    assert isinstance(got, list)
    assert [u.id for u in got] == [bob.id, alice.id, carol.id]
    assert all(isinstance(u, models.User) for u in got)


def test_list_order_by(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    asc = sdk.users.list(request={"query": tag, "order_by": "created_at"})
    assert [u.id for u in asc] == [carol.id, alice.id, bob.id]
    desc = sdk.users.list(request={"query": tag, "order_by": "-created_at"})
    assert [u.id for u in desc] == [bob.id, alice.id, carol.id]
    by_name = sdk.users.list(request={"query": tag, "order_by": "+first_name"})
    assert [u.id for u in by_name] == [alice.id, bob.id, carol.id]
    by_name_desc = sdk.users.list(request={"query": tag, "order_by": "-first_name"})
    assert [u.id for u in by_name_desc] == [carol.id, bob.id, alice.id]


def test_list_limit_and_offset(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    page = sdk.users.list(request={"query": tag, "order_by": "created_at", "limit": 2, "offset": 1})
    assert [u.id for u in page] == [alice.id, bob.id]
    page = sdk.users.list(request={"query": tag, "order_by": "created_at", "limit": 1, "offset": 0})
    assert [u.id for u in page] == [carol.id]
    assert sdk.users.list(request={"query": tag, "offset": 3}) == []


def test_list_by_email_address(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    got = sdk.users.list(request={"email_address": [f"carol.{tag}@example.com", f"bob.{tag}@example.com"]})
    assert {u.id for u in got} == {carol.id, bob.id}
    assert sdk.users.list(request={"email_address": [f"nobody.{tag}@example.com"]}) == []


def test_list_by_user_id_and_email_query(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    got = sdk.users.list(request={"user_id": [alice.id, bob.id]})
    assert {u.id for u in got} == {alice.id, bob.id}
    got = sdk.users.list(request={"email_address_query": f"ALICE.{tag}"})
    assert [u.id for u in got] == [alice.id]


def test_count(sdk, three_users):
    tag, (carol, alice, bob) = three_users
    total = sdk.users.count(request={"query": tag})
    assert isinstance(total, models.TotalCount)
    assert total.object == "total_count" and total.total_count == 3
    total = sdk.users.count(request={"email_address": [f"carol.{tag}@example.com", f"alice.{tag}@example.com"]})
    assert total.total_count == 2
    assert sdk.users.count(request={"query": unique("nothing")}).total_count == 0


# ---------------------------------------------------------------------------------------------
# update / metadata / delete


def test_update(sdk, new_user):
    u = new_user(first_name="Old", last_name="Name")
    ext, uname = unique("ext_"), unique("name")
    time.sleep(0.002)
    updated = sdk.users.update(user_id=u.id, first_name="New", last_name=None, external_id=ext, username=uname)
    assert updated.id == u.id
    assert (updated.first_name, updated.last_name, updated.external_id, updated.username) == ("New", None, ext, uname)
    assert updated.updated_at >= u.updated_at and updated.created_at == u.created_at
    got = sdk.users.get(user_id=u.id)
    assert (got.first_name, got.last_name, got.external_id, got.username) == ("New", None, ext, uname)


def test_update_missing_user_is_404(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.update(user_id=MISSING_USER, first_name="x")
    clerk_error(ei, 404, "resource_not_found")


def test_update_metadata_deep_merges(sdk, new_user):
    u = new_user(public_metadata={"a": {"b": 1, "c": 2}, "keep": True, "drop": 1},
                 private_metadata={"p": 1}, unsafe_metadata={"u": 1})
    merged = sdk.users.update_metadata(
        user_id=u.id, public_metadata={"a": {"b": 10, "d": 4}, "drop": None}, private_metadata={"q": 2},
    )
    assert merged.public_metadata == {"a": {"b": 10, "c": 2, "d": 4}, "keep": True}
    assert merged.private_metadata == {"p": 1, "q": 2}
    assert merged.unsafe_metadata == {"u": 1}
    got = sdk.users.get(user_id=u.id)
    assert got.public_metadata == merged.public_metadata and got.private_metadata == merged.private_metadata


def test_update_metadata_missing_user_is_404(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.update_metadata(user_id=MISSING_USER, public_metadata={"a": 1})
    clerk_error(ei, 404, "resource_not_found")


def test_replace_metadata(sdk, new_user):
    u = new_user(public_metadata={"a": {"b": 1}}, private_metadata={"p": 1}, unsafe_metadata={"u": 1})
    replaced = sdk.users.replace_metadata(user_id=u.id, public_metadata={"x": 1}, unsafe_metadata={})
    assert replaced.public_metadata == {"x": 1}
    assert replaced.unsafe_metadata == {}
    assert replaced.private_metadata == {"p": 1}  # omitted: untouched
    assert sdk.users.get(user_id=u.id).public_metadata == {"x": 1}


def test_delete(sdk, new_user):
    u = new_user()
    deleted = sdk.users.delete(user_id=u.id)
    assert isinstance(deleted, models.DeletedObject)
    assert (deleted.object, deleted.id, deleted.deleted) == ("user", u.id, True)
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.get(user_id=u.id)
    clerk_error(ei, 404, "resource_not_found")
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.delete(user_id=u.id)
    clerk_error(ei, 404, "resource_not_found")


def test_deleted_user_frees_its_email(sdk, new_user):
    addr = email()
    u = new_user(email_address=[addr])
    sdk.users.delete(user_id=u.id)
    again = new_user(email_address=[addr])
    assert again.id != u.id


# ---------------------------------------------------------------------------------------------
# ban / lock


@route("POST", "/users/{user_id}/ban")
@route("POST", "/users/{user_id}/unban")
def test_ban_and_unban(sdk, new_user):
    u = new_user()
    banned = sdk.users.ban(user_id=u.id)
    assert banned.id == u.id and banned.banned is True
    assert sdk.users.get(user_id=u.id).banned is True
    assert [x.id for x in sdk.users.list(request={"user_id": [u.id], "banned": True})] == [u.id]
    unbanned = sdk.users.unban(user_id=u.id)
    assert unbanned.banned is False


@route("POST", "/users/{user_id}/ban")
def test_ban_missing_user_is_404(sdk):
    with pytest.raises(models.SDKError) as ei:  # spec documents only 402 here: the SDK raises SDKError
        sdk.users.ban(user_id=MISSING_USER)
    assert sdk_error_code(ei, 404) == "resource_not_found"


@route("POST", "/users/ban")
@route("POST", "/users/unban")
def test_bulk_ban_and_unban(sdk, new_user):
    a, b = new_user(), new_user()
    banned = sdk.users.bulk_ban(user_ids=[a.id, b.id])
    assert isinstance(banned, list) and {u.id for u in banned} == {a.id, b.id}
    assert all(u.banned for u in banned)
    unbanned = sdk.users.bulk_unban(user_ids=[a.id, b.id])
    assert {u.id for u in unbanned} == {a.id, b.id} and not any(u.banned for u in unbanned)


@route("POST", "/users/{user_id}/lock")
@route("POST", "/users/{user_id}/unlock")
def test_lock_and_unlock(sdk, new_user):
    u = new_user()
    locked = sdk.users.lock(user_id=u.id)
    assert locked.id == u.id and locked.locked is True
    assert sdk.users.get(user_id=u.id).locked is True
    unlocked = sdk.users.unlock(user_id=u.id)
    assert unlocked.locked is False
    assert unlocked.lockout_expires_in_seconds is None


# ---------------------------------------------------------------------------------------------
# passwords


@route("POST", "/users/{user_id}/verify_password")
def test_verify_password(sdk, new_user):
    u = new_user(password=PASSWORD)
    ok = sdk.users.verify_password(user_id=u.id, password=PASSWORD)
    assert ok.verified is True
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_password(user_id=u.id, password=PASSWORD + "x")
    assert sdk_error_code(ei, 422) == "incorrect_password"


@route("POST", "/users/{user_id}/verify_password")
def test_verify_password_errors(sdk, new_user):
    nopw = new_user()
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_password(user_id=nopw.id, password=PASSWORD)
    assert sdk_error_code(ei, 400) == "no_password_set"
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_password(user_id=MISSING_USER, password=PASSWORD)
    assert sdk_error_code(ei, 404) == "resource_not_found"


@route("POST", "/users/{user_id}/remove_password")
def test_remove_password(sdk, new_user):
    u = new_user(password=PASSWORD)
    assert u.password_enabled is True
    removed = sdk.users.remove_password(user_id=u.id)
    assert removed.id == u.id and removed.password_enabled is False
    assert sdk.users.get(user_id=u.id).password_enabled is False
    # No password any more: removing again returns the user unchanged.
    assert sdk.users.remove_password(user_id=u.id).password_enabled is False


@route("POST", "/users/{user_id}/password/set_compromised")
@route("POST", "/users/{user_id}/password/unset_compromised")
def test_password_compromised_flags(sdk, new_user):
    u = new_user(password=PASSWORD)
    flagged = sdk.users.set_password_compromised(user_id=u.id)
    assert flagged.id == u.id and flagged.password_enabled is True
    cleared = sdk.users.unset_password_compromised(user_id=u.id)
    assert cleared.id == u.id and cleared.password_enabled is True


# ---------------------------------------------------------------------------------------------
# TOTP, backup codes, MFA

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@route("POST", "/users/{user_id}/verify_totp")
def test_verify_totp(sdk, new_user):
    u = new_user(totp_secret=TOTP_SECRET)
    assert u.totp_enabled is True and u.two_factor_enabled is True
    now = time.time()
    if now % 30 > 27:  # do not straddle a step boundary
        time.sleep(30 - now % 30 + 0.2)
    res = sdk.users.verify_totp(user_id=u.id, code=totp_now(TOTP_SECRET))
    assert res.verified is True and res.code_type == "totp"
    wrong = f"{(int(totp_now(TOTP_SECRET)) + 500_000) % 1_000_000:06d}"
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_totp(user_id=u.id, code=wrong)
    assert sdk_error_code(ei, 422) == "totp_incorrect_code"


@route("POST", "/users/{user_id}/verify_totp")
def test_verify_totp_without_totp_is_400(sdk, new_user):
    u = new_user()
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_totp(user_id=u.id, code="123456")
    assert sdk_error_code(ei, 400) == "totp_disabled"


@route("POST", "/users/{user_id}/verify_totp")
def test_backup_code_verifies_once(sdk, new_user):
    u = new_user(totp_secret=TOTP_SECRET, backup_codes=["abcd1234", "efgh5678"])
    assert u.backup_code_enabled is True
    res = sdk.users.verify_totp(user_id=u.id, code="abcd1234")
    assert res.verified is True and res.code_type == "backup_code"
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_totp(user_id=u.id, code="abcd1234")
    assert ei.value.status_code == 422


@route("DELETE", "/users/{user_id}/totp")
def test_delete_totp(sdk, new_user):
    u = new_user(totp_secret=TOTP_SECRET)
    res = sdk.users.delete_totp(user_id=u.id)
    assert res.user_id == u.id
    assert sdk.users.get(user_id=u.id).totp_enabled is False


@route("DELETE", "/users/{user_id}/backup_code")
def test_delete_backup_codes(sdk, new_user):
    u = new_user(totp_secret=TOTP_SECRET, backup_codes=["ijkl9012"])
    res = sdk.users.delete_backup_codes(user_id=u.id)
    assert res.user_id == u.id
    assert sdk.users.get(user_id=u.id).backup_code_enabled is False


@route("DELETE", "/users/{user_id}/mfa")
def test_disable_mfa(sdk, new_user):
    u = new_user(totp_secret=TOTP_SECRET, backup_codes=["mnop3456"])
    assert u.mfa_enabled_at is not None or u.two_factor_enabled
    res = sdk.users.disable_mfa(user_id=u.id)
    assert res.user_id == u.id
    got = sdk.users.get(user_id=u.id)
    assert (got.two_factor_enabled, got.totp_enabled, got.backup_code_enabled) == (False, False, False)


@route("DELETE", "/users/{user_id}/mfa")
def test_disable_mfa_missing_user_is_404(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.disable_mfa(user_id=MISSING_USER)
    clerk_error(ei, 404, "resource_not_found")


# ---------------------------------------------------------------------------------------------
# profile image


def _upload_avatar(sdk, user_id):
    return sdk.users.set_profile_image(
        user_id=user_id, file={"file_name": "avatar.png", "content": tiny_png(), "content_type": "image/png"},
    )


@route("POST", "/users/{user_id}/profile_image")
def test_profile_image_upload(sdk, new_user):
    u = new_user()
    assert u.has_image is False
    up = _upload_avatar(sdk, u.id)
    assert up.id == u.id and up.has_image is True and up.image_url
    got = sdk.users.get(user_id=u.id)
    assert got.has_image is True and got.image_url == up.image_url


@route("POST", "/users/{user_id}/profile_image")
def test_profile_image_upload_without_file_is_400(raw, new_user):
    u = new_user()
    r = raw.post(f"/users/{u.id}/profile_image", files={"other": ("x.txt", b"hello", "text/plain")})
    assert r.status_code in (400, 422), r.text[:500]


@route("POST", "/users/{user_id}/profile_image")
@route("DELETE", "/users/{user_id}/profile_image")
def test_profile_image_delete(sdk, new_user):
    u = new_user()
    _upload_avatar(sdk, u.id)
    down = sdk.users.delete_profile_image(user_id=u.id)
    assert down.id == u.id and down.has_image is False
    assert sdk.users.get(user_id=u.id).has_image is False


# ---------------------------------------------------------------------------------------------
# identifications


@route("DELETE", "/users/{user_id}/web3_wallets/{web3_wallet_identification_id}")
def test_delete_web3_wallet(sdk, new_user):
    wallet = "0x" + uuid.uuid4().hex + uuid.uuid4().hex[:8]
    u = new_user(email_address=[email()], web3_wallet=[wallet])
    assert [w.web3_wallet for w in u.web3_wallets] == [wallet], dump(u)
    wid = u.web3_wallets[0].id
    res = sdk.users.delete_web3_wallet(user_id=u.id, web3_wallet_identification_id=wid)
    assert (res.object, res.id, res.deleted) == ("web3_wallet", wid, True)
    got = sdk.users.get(user_id=u.id)
    assert got.web3_wallets == [] and got.primary_web3_wallet_id is None


@route("DELETE", "/users/{user_id}/passkeys/{passkey_identification_id}")
def test_delete_missing_passkey_is_404(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.delete_passkey(user_id=u.id, passkey_identification_id="idn_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    clerk_error(ei, 404, "resource_not_found")


@route("DELETE", "/users/{user_id}/external_accounts/{external_account_id}")
def test_delete_missing_external_account_is_404(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.delete_external_account(user_id=u.id, external_account_id="eac_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    clerk_error(ei, 404, "resource_not_found")


@route("PUT", "/users/{user_id}/email_address")
def test_replace_email_address(sdk, new_user):
    u = new_user()
    new = email()
    e = sdk.email_addresses.replace_for_user(user_id=u.id, email_address=new)
    assert isinstance(e, models.EmailAddress)
    assert e.object == "email_address" and e.email_address == new
    assert e.verification is not None and e.verification.status == "verified"
    got = sdk.users.get(user_id=u.id)
    assert [x.email_address for x in got.email_addresses] == [new]
    assert got.primary_email_address_id == e.id


@route("PUT", "/users/{user_id}/phone_number")
def test_replace_phone_number(sdk, new_user):
    u = new_user(phone_number=["+1415555" + str(uuid.uuid4().int % 10_000).zfill(4)], email_address=[email()])
    new = "+1415556" + str(uuid.uuid4().int % 10_000).zfill(4)
    p = sdk.phone_numbers.replace_for_user(user_id=u.id, phone_number=new)
    assert isinstance(p, models.PhoneNumber)
    assert p.object == "phone_number" and p.phone_number == new
    got = sdk.users.get(user_id=u.id)
    assert [x.phone_number for x in got.phone_numbers] == [new]
    assert got.primary_phone_number_id == p.id


# ---------------------------------------------------------------------------------------------
# OAuth tokens, organizations, trusted devices, billing


@route("GET", "/users/{user_id}/oauth_access_tokens/{provider}")
def test_oauth_access_tokens_without_account(sdk, new_user):
    u = new_user()
    try:
        tokens = sdk.users.get_o_auth_access_token(user_id=u.id, provider="oauth_google")
    except models.ClerkErrors as err:
        # Clerk answers a user without such an account with a typed 4xx error.
        assert err.status_code in (400, 404, 422), err.body
        assert err.data.errors[0].code.startswith(("oauth_", "resource_not_found")), err.body
    else:
        assert tokens == []


def _import_with_expired_token(server, provider_user_id: str) -> str:
    """Imports (our extension route, outside Clerk's spec, so not spec-checked) a user with an
    external account whose access token expired an hour ago; returns the user id."""
    import httpx

    from conftest import SECRET_KEY

    record = {
        "email_addresses": [{"email_address": email()}],
        "external_accounts": [{
            "provider": "oauth_google", "provider_user_id": provider_user_id,
            "email_address": email(), "approved_scopes": "email profile",
            "oauth_token": {"access_token": "expired-token", "refresh_token": "refresh-me",
                            "expires_at": int((time.time() - 3600) * 1000), "scopes": ["email"]},
        }],
    }
    r = httpx.post(f"{server.base_url}/_ext/import/users", json={"users": [record]},
                   headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=30)
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "created", r.text
    return result["id"]


@route("GET", "/users/{user_id}/oauth_access_tokens/{provider}")
def test_oauth_access_token_is_refreshed_from_the_provider(sdk, server):
    from conftest import TOKEN_ENDPOINT

    user_id = _import_with_expired_token(server, unique("g-"))
    calls_before = len(TOKEN_ENDPOINT.requests)
    tokens = sdk.users.get_o_auth_access_token(user_id=user_id, provider="oauth_google")
    assert len(tokens) == 1, tokens
    tok = tokens[0]
    assert tok.object == "oauth_access_token" and tok.provider == "oauth_google"
    assert tok.token.startswith("fresh-") and tok.token != "expired-token", tok
    assert tok.expires_at is not None and tok.expires_at > time.time() * 1000
    assert tok.scopes == ["email", "profile"]
    assert len(TOKEN_ENDPOINT.requests) == calls_before + 1
    sent = TOKEN_ENDPOINT.requests[-1]
    assert sent["refresh_token"] == "refresh-me" and sent["grant_type"] == "refresh_token"
    # Stored: asked again, the same token and no new call to the provider.
    again = sdk.users.get_o_auth_access_token(user_id=user_id, provider="oauth_google")
    assert again[0].token == tok.token
    assert len(TOKEN_ENDPOINT.requests) == calls_before + 1


@route("GET", "/users/{user_id}/oauth_access_tokens/{provider}")
def test_oauth_provider_not_enabled_is_404(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.get_o_auth_access_token(user_id=u.id, provider="oauth_facebook")
    clerk_error(ei, 404, "oauth_token_provider_not_enabled")


@route("GET", "/users/{user_id}/organization_memberships")
def test_organization_memberships_empty(sdk, new_user):
    u = new_user()
    res = sdk.users.get_organization_memberships(user_id=u.id, limit=10, offset=0)
    assert isinstance(res, models.OrganizationMemberships)
    assert res.data == [] and res.total_count == 0


@route("GET", "/users/{user_id}/organization_invitations")
def test_organization_invitations_empty(sdk, new_user):
    u = new_user()
    res = sdk.users.get_organization_invitations(user_id=u.id, limit=10, offset=0)
    assert res.data == [] and res.total_count == 0
    res = sdk.users.get_organization_invitations(user_id=u.id, status="pending")
    assert res.data == [] and res.total_count == 0


@route("GET", "/users/{user_id}/trusted_devices")
def test_trusted_devices_empty(sdk, new_user):
    u = new_user()
    res = sdk.users.list_trusted_devices(user_id=u.id)
    assert res.data == [] and res.total_count == 0


@route("DELETE", "/users/{user_id}/trusted_devices/{trusted_device_id}")
def test_revoke_missing_trusted_device_is_404(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.revoke_trusted_device(user_id=u.id, trusted_device_id="tdev_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    clerk_error(ei, 404, "resource_not_found")


@route("GET", "/users/{user_id}/billing/credits")
@route("POST", "/users/{user_id}/billing/credits")
def test_billing_credits(sdk, new_user):
    u = new_user()
    bal = sdk.users.get_billing_credit_balance(user_id=u.id)
    assert bal.object == "commerce_credit_balance" and bal.balance is None
    key = unique("idem")
    entry = sdk.users.adjust_billing_credit_balance(
        user_id=u.id, amount=500, action="increase", idempotency_key=key, note="welcome",
    )
    assert entry.object == "commerce_credit_ledger" and entry.amount.amount == 500
    assert entry.amount.currency == "USD"
    again = sdk.users.adjust_billing_credit_balance(user_id=u.id, amount=500, action="increase", idempotency_key=key)
    assert again.id == entry.id
    bal = sdk.users.get_billing_credit_balance(user_id=u.id)
    assert bal.balance is not None and bal.balance.amount == 500


@route("GET", "/users/{user_id}/billing/subscription")
def test_billing_subscription(sdk, new_user):
    u = new_user()
    try:
        sub = sdk.users.get_billing_subscription(user_id=u.id)
    except models.ClerkErrors as err:
        assert err.status_code == 404, err.body
    else:
        assert sub.object == "commerce_subscription" and sub.payer_id


# ---------------------------------------------------------------------------------------------
# wire details the SDK hides (plain HTTP, spec-checked by the same hook)


def test_unknown_route_answers_the_error_envelope(raw):
    r = raw.get("/no_such_route")
    assert r.status_code == 404
    assert r.json()["errors"][0]["code"] == "resource_not_found"


def test_missing_authorization_is_401_envelope(server, recorder):
    import httpx

    with httpx.Client(base_url=server.base_url, event_hooks={"response": [recorder.hook]}) as c:
        r = c.get("/users")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/json"


def test_bad_query_value_is_a_4xx_envelope_not_500(raw):
    r = raw.get("/users", params={"limit": "abc"})
    assert r.status_code in (400, 422), r.text[:500]
    r = raw.get("/users", params={"limit": "0"})
    assert r.status_code in (400, 422), r.text[:500]
    r = raw.get("/users", params={"order_by": "nonsense"})
    assert r.status_code in (400, 422), r.text[:500]


def test_malformed_json_body_is_a_4xx_envelope(raw):
    r = raw.post("/users", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text[:500]


def test_query_arrays_in_both_styles(raw, sdk, three_users):
    tag, (carol, alice, bob) = three_users
    a, b = f"carol.{tag}@example.com", f"bob.{tag}@example.com"
    r1 = raw.get("/users", params=[("email_address", a), ("email_address", b)])
    r2 = raw.get("/users", params=[("email_address[]", a), ("email_address[]", b)])
    assert r1.status_code == r2.status_code == 200
    assert {u["id"] for u in r1.json()} == {u["id"] for u in r2.json()} == {carol.id, bob.id}


# ---------------------------------------------------------------------------------------------
# more create / list semantics


def test_create_needs_an_identifier(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(first_name="Nobody", skip_password_requirement=True)
    first = clerk_error(ei, 422)
    assert first.code in {"form_data_missing", "form_param_missing"}, ei.value.body


def test_create_with_malformed_email_is_422(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=["not-an-email"], skip_password_requirement=True)
    first = clerk_error(ei, 422, "form_param_format_invalid")
    assert (first.meta or {}).get("param_name") == "email_address", ei.value.body


def test_create_with_short_password_is_422(sdk):
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=[email()], password="short")
    first = clerk_error(ei, 422)
    assert first.code.startswith("form_password"), ei.value.body
    assert (first.meta or {}).get("param_name") == "password", ei.value.body


def test_create_with_unknown_body_param_is_422(raw):
    r = raw.post("/users", json={"email_address": [email()], "skip_password_requirement": True, "bogus": 1})
    assert r.status_code == 422, r.text[:500]
    err = r.json()["errors"][0]
    assert err["code"] == "form_param_unknown" and err.get("meta", {}).get("param_name") == "bogus", r.text[:500]


def test_create_with_several_emails_first_is_primary(sdk):
    a, b = email(), email()
    u = sdk.users.create(email_address=[a, b], email_address_identification_status=["verified", "reserved"],
                         skip_password_requirement=True)
    by_addr = {e.email_address: e for e in u.email_addresses}
    assert set(by_addr) == {a, b}
    assert u.primary_email_address_id == by_addr[a].id
    assert by_addr[a].reserved is False and by_addr[b].reserved is True


def test_create_with_custom_created_at(sdk):
    u = sdk.users.create(email_address=[email()], created_at="2020-01-02T03:04:05.678Z",
                         skip_password_requirement=True)
    assert u.created_at == 1577934245678


def test_update_primary_email_and_remove_username(sdk):
    a, b = email(), email()
    u = sdk.users.create(email_address=[a, b], username=unique("name"), skip_password_requirement=True)
    second = next(e for e in u.email_addresses if e.email_address == b)
    updated = sdk.users.update(user_id=u.id, primary_email_address_id=second.id, username=None)
    assert updated.primary_email_address_id == second.id
    assert updated.username is None


def test_update_with_unknown_primary_email_is_422(sdk, new_user):
    u = new_user()
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.update(user_id=u.id, primary_email_address_id="idn_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert ei.value.status_code in (404, 422), ei.value.body


def test_list_query_matches_id_username_and_last_name(sdk, new_user):
    uname, last = unique("name"), unique("Last")
    u = new_user(username=uname, last_name=last)
    for q in (u.id, uname, last.lower()):
        assert [x.id for x in sdk.users.list(request={"query": q})] == [u.id], q


def test_list_by_external_id_and_username(sdk, new_user):
    ext, uname = unique("ext_"), unique("name")
    u = new_user(external_id=ext, username=uname)
    assert [x.id for x in sdk.users.list(request={"external_id": [ext]})] == [u.id]
    assert [x.id for x in sdk.users.list(request={"username": [uname]})] == [u.id]
    assert sdk.users.count(request={"external_id": [ext]}).total_count == 1


def test_list_starting_after_cursor(raw, three_users):
    tag, (carol, alice, bob) = three_users
    first = raw.get("/users", params={"query": tag, "limit": 1})
    assert [u["id"] for u in first.json()] == [bob.id]
    rest = raw.get("/users", params={"query": tag, "limit": 2, "starting_after": bob.id})
    assert rest.status_code == 200, rest.text[:500]
    assert [u["id"] for u in rest.json()] == [alice.id, carol.id]
    bad = raw.get("/users", params={"query": tag, "starting_after": bob.id, "order_by": "first_name"})
    assert bad.status_code == 422, bad.text[:500]


def test_list_limit_bounds(raw):
    assert raw.get("/users", params={"limit": 500}).status_code == 200
    r = raw.get("/users", params={"limit": 501})
    assert r.status_code in (400, 422), r.text[:500]


def test_update_user_metadata_by_api_version(raw, new_user):
    """The official Python SDK 7.0.0 sends `Clerk-API-Version: 2025-11-10`, under which
    PATCH /users/{id} still takes metadata; 2026-05-12 rejects it."""
    u = new_user()
    old = raw.patch(f"/users/{u.id}", json={"public_metadata": {"a": 1}},
                    headers={"Clerk-API-Version": "2025-11-10"})
    assert old.status_code == 200, old.text[:500]
    assert old.json()["public_metadata"] == {"a": 1}
    new = raw.patch(f"/users/{u.id}", json={"public_metadata": {"b": 2}},
                    headers={"Clerk-API-Version": "2026-05-12"})
    assert new.status_code in (400, 422), new.text[:500]


# ---------------------------------------------------------------------------------------------
# imported password digests (verified with their own hasher)


def _django_pbkdf2(password: str, salt: str = "seasalt", iterations: int = 1000) -> str:
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(dk).decode()}"


@route("POST", "/users/{user_id}/verify_password")
@pytest.mark.parametrize("hasher,digest", [
    ("sha256", hashlib.sha256(PASSWORD.encode()).hexdigest()),
    ("md5", hashlib.md5(PASSWORD.encode()).hexdigest()),
    ("pbkdf2_sha256_django", _django_pbkdf2(PASSWORD)),
])
def test_imported_digest_verifies(sdk, hasher, digest):
    u = sdk.users.create(email_address=[email()], password_digest=digest, password_hasher=hasher)
    assert u.password_enabled is True
    assert sdk.users.verify_password(user_id=u.id, password=PASSWORD).verified is True
    with pytest.raises((models.SDKError, models.ClerkErrors)) as ei:
        sdk.users.verify_password(user_id=u.id, password=PASSWORD + "!")
    assert sdk_error_code(ei, 422) == "incorrect_password"


def test_invalid_api_version_is_a_4xx_envelope(raw):
    r = raw.get("/users", headers={"Clerk-API-Version": "not-a-version"})
    assert r.status_code in (400, 422), r.text[:500]
    ok = raw.get("/users", params={"limit": 1}, headers={"Clerk-API-Version": "2026-05-12"})
    assert ok.status_code == 200, ok.text[:500]


def test_body_with_wrong_content_type_is_a_4xx_envelope(raw):
    r = raw.post("/users", content=b'{"email_address": ["x@example.com"]}', headers={"Content-Type": "text/plain"})
    assert r.status_code in (400, 415, 422), r.text[:500]


# ---------------------------------------------------------------------------------------------
# a user's organization memberships and invitations, with real organizations


@route("POST", "/organizations")
@route("POST", "/organizations/{organization_id}/memberships")
@route("GET", "/users/{user_id}/organization_memberships")
def test_user_organization_memberships(sdk, new_user):
    owner, member = new_user(), new_user()
    org = sdk.organizations.create(request={"name": unique("Acme "), "created_by": owner.id})
    assert org.id.startswith("org_")
    sdk.organization_memberships.create(organization_id=org.id, user_id=member.id, role="org:member")

    res = sdk.users.get_organization_memberships(user_id=member.id, limit=10, offset=0)
    assert res.total_count == 1 and len(res.data) == 1, dump(res)
    m = res.data[0]
    assert m.object == "organization_membership" and m.id.startswith("orgmem_")
    assert m.role == "org:member"
    assert m.organization.id == org.id
    assert m.public_user_data is not None and m.public_user_data.user_id == member.id

    mine = sdk.users.get_organization_memberships(user_id=owner.id)
    assert [(x.organization.id, x.role) for x in mine.data] == [(org.id, "org:admin")], dump(mine)
    assert sdk.users.get_organization_memberships(user_id=member.id, offset=1).data == []


@route("POST", "/organizations")
@route("POST", "/organizations/{organization_id}/invitations")
@route("GET", "/users/{user_id}/organization_invitations")
def test_user_organization_invitations(sdk, new_user):
    owner = new_user()
    addr = email()
    invitee = new_user(email_address=[addr])
    org = sdk.organizations.create(request={"name": unique("Initech "), "created_by": owner.id})
    inv = sdk.organization_invitations.create(organization_id=org.id, email_address=addr, role="org:member",
                                              inviter_user_id=owner.id)
    res = sdk.users.get_organization_invitations(user_id=invitee.id)
    assert res.total_count == 1 and [i.id for i in res.data] == [inv.id], dump(res)
    got = res.data[0]
    assert got.object == "organization_invitation" and got.status == "pending"
    assert got.email_address == addr and got.role == "org:member"
    assert got.public_organization_data is not None and got.public_organization_data.id == org.id
    assert sdk.users.get_organization_invitations(user_id=invitee.id, status="pending").total_count == 1
    assert sdk.users.get_organization_invitations(user_id=invitee.id, status="accepted").total_count == 0
