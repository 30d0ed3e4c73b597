"""Signing in and out: redirects, the form, both key kinds, a wrong key, the session cookie's
flags, the header's sign-out on every page."""

import time

import pytest
import requests

from dashboard import SESSION_COOKIE


def location_of(server, path: str) -> tuple[int, str]:
    resp = requests.get(server.url(path), allow_redirects=False, timeout=30)
    return resp.status_code, resp.headers.get("location", "")


def test_root_and_dashboard_redirect_to_sign_in_without_a_session(server, browser):
    status, location = location_of(server, "/")
    assert 300 <= status < 400, f"GET / answered {status}"
    assert location.endswith("/dashboard/"), f"GET / redirects to {location!r}"
    status, location = location_of(server, "/dashboard/")
    assert 300 <= status < 400, f"GET /dashboard/ without a session answered {status}"
    assert location.endswith("/dashboard/sign-in"), f"GET /dashboard/ redirects to {location!r}"

    browser.go("/")
    assert browser.path == "/dashboard/sign-in"
    assert browser.status == 200
    assert browser.has("form#sign-in")
    assert not browser.has("table#users")


def test_sign_in_form(browser):
    browser.go("/dashboard/sign-in")
    form = browser.css("form#sign-in")
    assert form.get_attribute("method").lower() == "post"
    key = browser.css("form#sign-in input#key")
    assert key.get_attribute("name") == "key"
    assert key.get_attribute("type") == "password"
    csrf = browser.all("form#sign-in input[type=hidden][name=csrf]")
    assert len(csrf) == 1 and len(csrf[0].get_attribute("value")) >= 16, "no CSRF token in the form"
    assert browser.css("form#sign-in button#sign-in-submit").is_displayed()
    assert not browser.has("#form-error"), "an error before anything was tried"
    # Two loads, two tokens: the token is not a constant.
    first = csrf[0].get_attribute("value")
    browser.go("/dashboard/sign-in")
    assert browser.css("input[name=csrf]").get_attribute("value") != first


@pytest.mark.parametrize("kind", ["secret", "admin"])
def test_sign_in_with_a_key_opens_the_users_page(server, seeded, browser, kind):
    key = server.secret_key if kind == "secret" else server.admin_key
    browser.sign_in(key)
    assert browser.path == "/dashboard/", f"after sign-in: {browser.driver.current_url}"
    assert browser.status == 200
    assert browser.redirects and 300 <= browser.redirects[0][1] < 400, \
        "sign-in should answer with a redirect (post/redirect/get)"
    assert browser.has("table#users")
    assert len(browser.user_rows()) == 20
    assert browser.session_cookie() is not None
    # The key itself is nowhere on the page.
    assert key not in browser.driver.page_source
    # Signed in, / leads to the users page.
    browser.go("/")
    assert browser.path == "/dashboard/"


def test_a_wrong_key_is_refused_with_401(server, seeded, browser):
    browser.go("/dashboard/sign-in")
    wrong = "sk_test_" + "0" * 48
    browser.fill("input#key", wrong)
    browser.click_and_wait("button#sign-in-submit")
    assert browser.status == 401
    assert browser.has("form#sign-in"), "the form is not shown again"
    error = browser.css("#form-error")
    assert error.get_attribute("role") == "alert"
    assert error.is_displayed() and error.text.strip(), "the error says nothing"
    assert browser.session_cookie() is None
    assert wrong not in browser.driver.page_source, "the wrong key is echoed back into the page"
    # Nothing opened.
    browser.go("/dashboard/")
    assert browser.path == "/dashboard/sign-in"
    # The right key still works after one mistake.
    browser.sign_in(server.secret_key)
    assert browser.path == "/dashboard/"


def test_the_session_cookie_flags(signed_in):
    cookie = signed_in.session_cookie()
    assert cookie is not None, f"no {SESSION_COOKIE} cookie after sign-in"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False, "Secure on plain http: the browser would never send it"
    assert cookie["path"] == "/dashboard"
    assert "expiry" in cookie, "a session cookie without an expiry lives as long as the browser"
    now = time.time()
    assert now + 300 < cookie["expiry"] <= now + 31 * 86400, \
        f"expiry {cookie['expiry']} is {cookie['expiry'] - now:.0f}s from now"
    # HttpOnly in effect: scripts cannot read it.
    assert SESSION_COOKIE not in signed_in.driver.execute_script("return document.cookie")
    # It is the session: without it, the dashboard is closed again.
    signed_in.driver.delete_cookie(SESSION_COOKIE)
    signed_in.go("/dashboard/")
    assert signed_in.path == "/dashboard/sign-in"


def test_a_forged_session_cookie_is_refused(signed_in):
    cookie = signed_in.session_cookie()
    value = cookie["value"]
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    signed_in.driver.delete_cookie(SESSION_COOKIE)
    signed_in.driver.add_cookie({"name": SESSION_COOKIE, "value": forged, "path": "/dashboard"})
    signed_in.go("/dashboard/")
    assert signed_in.path == "/dashboard/sign-in"


def test_every_page_has_the_sign_out_form(server, seeded, signed_in):
    user = seeded.with_metadata
    pages = [
        "/dashboard/",
        f"/dashboard/users/{user['id']}",
        f"/dashboard/users/{user['id']}/confirm/ban",
        "/dashboard/organizations",
        f"/dashboard/organizations/{seeded.org['id']}",
    ]
    for page in pages:
        signed_in.go(page)
        assert signed_in.status == 200, f"{page}: {signed_in.status}"
        form = signed_in.css("header form#sign-out")
        assert form.get_attribute("method").lower() == "post", page
        assert form.get_attribute("action").endswith("/dashboard/sign-out"), page
        csrf = signed_in.all("form#sign-out input[type=hidden][name=csrf]")
        assert len(csrf) == 1 and csrf[0].get_attribute("value"), f"{page}: sign-out without CSRF"
        assert signed_in.css("form#sign-out button#sign-out-submit").is_displayed(), page


def test_sign_out(signed_in):
    signed_in.click_and_wait("button#sign-out-submit")
    assert signed_in.path == "/dashboard/sign-in"
    assert signed_in.session_cookie() is None, "the session cookie outlived sign-out"
    signed_in.go("/dashboard/")
    assert signed_in.path == "/dashboard/sign-in"
    assert not signed_in.has("table#users")
