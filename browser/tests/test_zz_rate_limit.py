"""Wrong keys are limited per address: the sixth try within 15 minutes is refused, the right
key included. Runs last, on a server of its own: it locks 127.0.0.1 out of sign-in."""

import re

import pytest

from conftest import Server

MAX_FAILURES = 5


@pytest.fixture(scope="module")
def locked_server():
    srv = Server("rate-limit")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def rl_browser(locked_server, browser_factory):
    b = browser_factory()
    b.server = locked_server
    return b


def try_key(b, key: str):
    b.go("/dashboard/sign-in")
    b.fill("input#key", key)
    b.click_and_wait("button#sign-in-submit")


def test_sign_in_is_rate_limited_per_address(locked_server, rl_browser, browser_factory):
    b = rl_browser
    for attempt in range(1, MAX_FAILURES + 1):
        try_key(b, f"sk_test_wrong_{attempt:02d}_" + "0" * 40)
        assert b.status == 401, f"wrong key {attempt}: {b.status}"
        assert b.has("#form-error")

    try_key(b, "sk_test_wrong_06_" + "0" * 40)
    assert b.status == 429, f"wrong key {MAX_FAILURES + 1}: {b.status}"
    error = b.css("#form-error")
    assert error.get_attribute("role") == "alert"
    assert re.search(r"wait|try again|minute|later", error.text, re.I), \
        f"the 429 does not say to wait: {error.text!r}"

    # The right key gets the same answer: guessing learns nothing from it.
    try_key(b, locked_server.secret_key)
    assert b.status == 429, f"the right key while locked out: {b.status}"
    assert b.has("#form-error")
    assert b.path == "/dashboard/sign-in"
    assert b.session_cookie() is None, "a session while locked out"
    b.go("/dashboard/")
    assert b.path == "/dashboard/sign-in"

    # The admin key too, from a fresh browser (no cookies): the limit is the address's.
    fresh = browser_factory()
    fresh.server = locked_server
    try_key(fresh, locked_server.admin_key)
    assert fresh.status == 429
    assert fresh.session_cookie() is None
