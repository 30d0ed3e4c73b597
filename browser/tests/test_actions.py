"""Actions on a user, each confirmed on a page of its own, and the CSRF check that guards
them."""

import pytest


def open_confirmation(b, user_id: str, action: str):
    b.go(f"/dashboard/users/{user_id}")
    b.click_and_wait(f'section#actions a[data-action="{action}"]')
    assert b.path == f"/dashboard/users/{user_id}/confirm/{action}"
    assert b.status == 200
    form = b.css("form#confirm-form")
    assert form.get_attribute("method").lower() == "post"
    assert form.get_attribute("action").endswith(f"/dashboard/users/{user_id}/actions/{action}")
    csrf = b.all("form#confirm-form input[type=hidden][name=csrf]")
    assert len(csrf) == 1 and csrf[0].get_attribute("value"), "confirmation without CSRF"
    assert b.has("button#confirm-submit")
    assert b.css("a#confirm-cancel").get_attribute("href").endswith(f"/dashboard/users/{user_id}")


def actions_of(b) -> set:
    return {a.get_attribute("data-action") for a in b.all("section#actions a[data-action]")}


def test_ban_with_confirmation(server, make_user, signed_in):
    b = signed_in
    user = make_user(first_name="Banned", last_name="Soon")
    b.go(f"/dashboard/users/{user['id']}")
    assert "ban" in actions_of(b) and "unban" not in actions_of(b)
    assert not b.has(".badge-banned")

    # Opening the confirmation changes nothing; cancelling goes back.
    open_confirmation(b, user["id"], "ban")
    assert not server.get_user(user["id"])["banned"], "banned before confirming"
    b.click_and_wait("a#confirm-cancel")
    assert b.path == f"/dashboard/users/{user['id']}"
    assert not server.get_user(user["id"])["banned"]

    open_confirmation(b, user["id"], "ban")
    b.click_and_wait("button#confirm-submit")
    assert b.redirects and 300 <= b.redirects[0][1] < 400, "the action should redirect back"
    assert b.path == f"/dashboard/users/{user['id']}"
    assert b.status == 200
    assert b.has("#flash") and b.text("#flash").strip()
    assert b.has(".badge-banned")
    assert server.get_user(user["id"])["banned"] is True
    assert "unban" in actions_of(b) and "ban" not in actions_of(b)

    # And back.
    open_confirmation(b, user["id"], "unban")
    b.click_and_wait("button#confirm-submit")
    assert b.path == f"/dashboard/users/{user['id']}"
    assert not b.has(".badge-banned")
    assert server.get_user(user["id"])["banned"] is False


def test_lock_shows_the_locked_badge(server, make_user, signed_in):
    b = signed_in
    user = make_user()
    open_confirmation(b, user["id"], "lock")
    b.click_and_wait("button#confirm-submit")
    assert b.path == f"/dashboard/users/{user['id']}"
    assert b.has("#flash") and b.has(".badge-locked")
    assert server.get_user(user["id"])["locked"] is True
    assert "unlock" in actions_of(b) and "lock" not in actions_of(b)


def test_delete_with_confirmation(server, make_user, signed_in):
    b = signed_in
    user = make_user(first_name="Deleted", last_name="Soon")
    open_confirmation(b, user["id"], "delete")
    assert server.user_exists(user["id"]), "deleted before confirming"
    b.click_and_wait("button#confirm-submit")
    assert b.path == "/dashboard/", f"after delete: {b.driver.current_url}"
    assert b.status == 200
    assert b.has("#flash") and b.text("#flash").strip()
    assert user["id"] not in b.row_ids()
    assert not server.user_exists(user["id"])
    b.go(f"/dashboard/users/{user['id']}")
    assert b.status == 404
    assert b.has("#not-found")


def test_an_unknown_action_is_not_offered(make_user, signed_in):
    user = make_user()
    signed_in.go(f"/dashboard/users/{user['id']}/confirm/drop-table")
    assert signed_in.status == 404
    assert not signed_in.has("form#confirm-form")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("csrf", [None, "wrong", ""], ids=["missing", "wrong", "empty"])
def test_csrf_refuses_a_ban_without_the_token(server, make_user, signed_in, csrf):
    b = signed_in
    user = make_user()
    http = b.http()
    origin = {"Origin": server.base_url, "Referer": server.url(f"/dashboard/users/{user['id']}")}
    body = "" if csrf is None else f"csrf={csrf}"
    resp = http.post(server.url(f"/dashboard/users/{user['id']}/actions/ban"), data=body,
                     headers={**FORM, **origin}, allow_redirects=False, timeout=30)
    assert resp.status_code == 403, f"ban with csrf={csrf!r}: {resp.status_code}"
    assert server.get_user(user["id"])["banned"] is False, "banned without a valid CSRF token"

    # The same request with the page's token goes through: the token was all that was missing.
    open_confirmation(b, user["id"], "ban")
    token = b.css("form#confirm-form input[name=csrf]").get_attribute("value")
    resp = http.post(server.url(f"/dashboard/users/{user['id']}/actions/ban"),
                     data=f"csrf={token}", headers={**FORM, **origin}, allow_redirects=False,
                     timeout=30)
    assert 300 <= resp.status_code < 400, f"ban with the right token: {resp.status_code}"
    assert server.get_user(user["id"])["banned"] is True


@pytest.mark.parametrize("csrf", [None, "wrong"], ids=["missing", "wrong"])
def test_csrf_refuses_a_sign_out_without_the_token(server, signed_in, csrf):
    b = signed_in
    http = b.http()
    body = "" if csrf is None else f"csrf={csrf}"
    resp = http.post(server.url("/dashboard/sign-out"), data=body,
                     headers={**FORM, "Origin": server.base_url}, allow_redirects=False,
                     timeout=30)
    assert resp.status_code == 403, f"sign-out with csrf={csrf!r}: {resp.status_code}"
    assert "clerk_dashboard=" not in resp.headers.get("set-cookie", ""), \
        "a refused sign-out touched the session cookie"
    # Still signed in, in the browser and with the copied cookie.
    resp = http.get(server.url("/dashboard/"), allow_redirects=False, timeout=30)
    assert resp.status_code == 200
    b.go("/dashboard/")
    assert b.path == "/dashboard/"
    assert b.session_cookie() is not None


def test_a_token_of_another_session_is_refused(server, make_user, signed_in, browser_factory):
    """Each session has its own token: one taken from another operator's page does not work."""
    user = make_user()
    other = browser_factory()
    other.sign_in(server.secret_key)
    other.go(f"/dashboard/users/{user['id']}/confirm/ban")
    foreign = other.css("form#confirm-form input[name=csrf]").get_attribute("value")
    resp = signed_in.http().post(server.url(f"/dashboard/users/{user['id']}/actions/ban"),
                                 data=f"csrf={foreign}", headers=FORM, allow_redirects=False,
                                 timeout=30)
    assert resp.status_code == 403
    assert server.get_user(user["id"])["banned"] is False
