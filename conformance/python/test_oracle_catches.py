"""The suite must fail when the server is wrong on the wire. Each test puts a proxy that breaks
one thing between the SDK and the real server, and checks that the oracles notice."""

import pytest
from clerk_backend_api import models

import mutating_proxy
import spec_oracle
from conftest import Recorder, Server, make_sdk, unique


@pytest.fixture
def broken(server):
    """broken(name) -> (sdk through a proxy applying mutation `name`, its recorder)."""
    proxies = []

    def make(name):
        proxy = mutating_proxy.MutatingProxy(server.base_url, mutating_proxy.MUTATIONS[name])
        proxies.append(proxy)
        rec = Recorder()
        return make_sdk(Server(proxy.base_url, server.proc, server.log_path), rec), rec

    yield make
    for p in proxies:
        p.close()


def _create(sdk):
    return sdk.users.create(email_address=[f"{unique()}@example.com"], skip_password_requirement=True)


@pytest.mark.parametrize("name", ["drop_banned", "drop_created_at", "drop_email_addresses"])
def test_missing_required_user_key_fails(sdk, broken, name):
    user = _create(sdk)
    bad_sdk, rec = broken(name)
    with pytest.raises(spec_oracle.SpecViolation) as ei:
        bad_sdk.users.get(user_id=user.id)
    assert name.removeprefix("drop_") in str(ei.value)
    with pytest.raises(spec_oracle.SpecViolation):
        bad_sdk.users.list(request={"user_id": [user.id]})
    assert rec.violations


def test_charset_in_content_type_fails(sdk, broken):
    user = _create(sdk)
    bad_sdk, rec = broken("charset")
    with pytest.raises(spec_oracle.SpecViolation, match="Content-Type"):
        bad_sdk.users.get(user_id=user.id)
    with pytest.raises(spec_oracle.SpecViolation, match="Content-Type"):
        bad_sdk.users.get(user_id="user_2zzzzzzzzzzzzzzzzzzzzzzzzzz")


def test_missing_user_answered_with_500_fails(broken):
    bad_sdk, rec = broken("404_to_500")
    # What test_get_missing_user_is_404_resource_not_found expects:
    with pytest.raises(Exception) as ei:
        bad_sdk.users.get(user_id="user_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert not (isinstance(ei.value, models.ClerkErrors) and ei.value.status_code == 404), ei.value
    assert ei.value.status_code == 500
