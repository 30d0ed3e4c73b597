"""The users page (search, filters, order, paging) and a user's page (identities, metadata
editor, no secrets)."""

import json
import re

import pytest
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, TOTP_SECRET, primary_email


def numbers_in(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text.replace(",", ""))]


# ---------------------------------------------------------------------------------------------
# users page


def test_the_users_page_lists_the_newest_20_with_the_total(server, seeded, signed_in):
    b = signed_in
    assert b.css("form#user-search").get_attribute("method").lower() == "get"
    for field in ("query", "email_address", "phone_number", "username", "external_id",
                  "organization_id"):
        assert b.has(f"form#user-search input#{field}"), f"no input#{field} in the search form"
    assert b.css("input#query").get_attribute("name") == "query"
    assert [o.get_attribute("value") for o in Select(b.css("select#banned")).options] == \
        ["", "true", "false"]
    orders = [o.get_attribute("value") for o in Select(b.css("select#order_by")).options]
    for order in ("-created_at", "+first_name", "-last_sign_in_at"):
        assert order in orders, f"order_by lacks {order}: {orders}"
    assert b.has("button#search-submit")

    assert numbers_in(b.text("#total-count")) == [seeded.total], b.text("#total-count")
    # Newest first, as the API lists them.
    assert b.row_ids() == server.user_ids(limit=20, order_by="-created_at")
    for row in b.user_rows():
        user_id = row.get_attribute("data-user-id")
        link = row.find_element("css selector", "a.user-link")
        assert link.get_attribute("href").endswith(f"/dashboard/users/{user_id}")
    # Each row shows the primary email, and badges where they apply (and only there).
    by_id = {u["id"]: u for u in seeded.users}
    for row in b.user_rows():
        user = by_id[row.get_attribute("data-user-id")]
        assert primary_email(user) in row.text
        badges = {cls: bool(row.find_elements("css selector", f".badge-{cls}"))
                  for cls in ("banned", "locked", "mfa")}
        assert badges == {"banned": user["banned"], "locked": user["locked"],
                          "mfa": user["two_factor_enabled"]}, f"{user['id']}: {badges}"


def test_paging(server, seeded, signed_in):
    b = signed_in
    first = b.row_ids()
    assert len(first) == 20
    b.click_and_wait("a#next-page")
    assert b.status == 200
    second = b.row_ids()
    assert len(second) == seeded.total - 20
    assert not set(first) & set(second), "a user on both pages"
    assert set(first) | set(second) == {u["id"] for u in seeded.users}
    assert not b.has("a#next-page"), "a next page after the last one"
    # A smaller page size.
    b.go("/dashboard/?limit=10")
    assert len(b.row_ids()) == 10
    assert b.has("a#next-page")
    assert numbers_in(b.text("#total-count")) == [seeded.total]


def test_search_by_email_finds_one_user(seeded, signed_in):
    b = signed_in
    user = seeded.users[13]
    email = primary_email(user)
    b.fill("input#query", email)
    b.click_and_wait("button#search-submit")
    assert b.status == 200
    assert b.path == "/dashboard/" and "query=" in b.query
    assert b.row_ids() == [user["id"]]
    assert email in b.user_rows()[0].text
    assert numbers_in(b.text("#total-count")) == [1]
    assert b.value("input#query") == email, "the search box lost what was searched"
    assert not b.has("a#next-page")


def test_search_by_name_and_for_nobody(seeded, signed_in):
    b = signed_in
    b.fill("input#query", "Lamport")
    b.click_and_wait("button#search-submit")
    assert b.row_ids() == [seeded.by_email("leslie.lamport@seed.example.com")["id"]]
    b.fill("input#query", "nobody-is-called-this")
    b.click_and_wait("button#search-submit")
    assert b.status == 200
    assert b.row_ids() == []
    assert numbers_in(b.text("#total-count")) == [0]


def test_filter_banned(server, seeded, signed_in):
    b = signed_in
    Select(b.css("select#banned")).select_by_value("true")
    b.click_and_wait("button#search-submit")
    assert "banned=true" in b.query
    assert b.row_ids() == [seeded.banned["id"]]
    assert b.user_rows()[0].find_elements("css selector", ".badge-banned")
    assert numbers_in(b.text("#total-count")) == [1]
    assert Select(b.css("select#banned")).first_selected_option.get_attribute("value") == "true"

    Select(b.css("select#banned")).select_by_value("false")
    b.click_and_wait("button#search-submit")
    assert numbers_in(b.text("#total-count")) == [seeded.total - 1]
    assert seeded.banned["id"] not in b.row_ids()
    assert not b.has("table#users .badge-banned")


def test_filter_by_external_id_and_organization(seeded, signed_in):
    b = signed_in
    user = seeded.users[7]
    b.fill("input#external_id", user["external_id"])
    b.click_and_wait("button#search-submit")
    assert b.row_ids() == [user["id"]]

    b.go("/dashboard/")
    b.fill("input#organization_id", seeded.org["id"])
    b.click_and_wait("button#search-submit")
    assert sorted(b.row_ids()) == sorted([seeded.org_creator["id"], seeded.org_member["id"]])


def test_order_by_first_name(server, seeded, signed_in):
    b = signed_in
    Select(b.css("select#order_by")).select_by_value("+first_name")
    b.click_and_wait("button#search-submit")
    assert b.status == 200
    shown = b.row_ids()
    assert shown == server.user_ids(limit=20, order_by="+first_name")
    firsts = {u["id"]: u["first_name"] for u in seeded.users}
    names = [firsts[i] for i in shown]
    assert names == sorted(names, key=str.lower), names
    assert shown != server.user_ids(limit=20, order_by="-created_at")
    assert Select(b.css("select#order_by")).first_selected_option.get_attribute("value") == \
        "+first_name"


# ---------------------------------------------------------------------------------------------
# a user's page


def test_open_a_user(seeded, signed_in):
    b = signed_in
    user = seeded.with_metadata
    b.fill("input#query", primary_email(user))
    b.click_and_wait("button#search-submit")
    b.click_and_wait(f'tr[data-user-id="{user["id"]}"] a.user-link')
    assert b.path == f"/dashboard/users/{user['id']}"
    assert b.status == 200
    assert b.text("h1") == f"{user['first_name']} {user['last_name']}"
    assert primary_email(user) in b.text("section#identities")
    form = b.css("form#metadata-form")
    assert form.get_attribute("method").lower() == "post"
    assert b.all("form#metadata-form input[type=hidden][name=csrf]")
    for bag in ("public_metadata", "private_metadata", "unsafe_metadata"):
        assert b.css(f"textarea#{bag}").get_attribute("name") == bag
    assert json.loads(b.value("textarea#public_metadata")) == {"plan": "pro", "seats": 5}
    assert json.loads(b.value("textarea#private_metadata")) == {"crm_id": "crm-1815"}
    assert json.loads(b.value("textarea#unsafe_metadata")) == {"theme": "dark"}
    # Only the actions that apply: not banned, so ban and no unban; no password, so no
    # password actions.
    actions = {a.get_attribute("data-action") for a in b.all("section#actions a[data-action]")}
    assert {"ban", "lock", "delete"} <= actions, actions
    assert not actions & {"unban", "unlock", "remove-password", "disable-mfa"}, actions
    for a in b.all("section#actions a[data-action]"):
        assert a.get_attribute("href").endswith(
            f"/dashboard/users/{user['id']}/confirm/{a.get_attribute('data-action')}")


def test_a_user_without_a_name_is_titled_by_something_else(make_user, signed_in):
    user = make_user()
    signed_in.go(f"/dashboard/users/{user['id']}")
    assert signed_in.status == 200
    assert signed_in.text("h1").strip(), "an empty title"


def test_an_unknown_user_is_a_404_page(signed_in):
    signed_in.go("/dashboard/users/user_doesnotexist0000000000")
    assert signed_in.status == 404
    assert signed_in.has("#not-found")


def test_edit_metadata(server, make_user, signed_in):
    b = signed_in
    user = make_user(first_name="Meta", last_name="Data")
    b.go(f"/dashboard/users/{user['id']}")
    b.fill("textarea#public_metadata", '{"plan": "enterprise", "seats": 12}')
    b.fill("textarea#private_metadata", '{"notes": ["vip", "early"]}')
    b.fill("textarea#unsafe_metadata", "{}")
    b.click_and_wait("button#metadata-save")
    assert b.redirects and 300 <= b.redirects[0][1] < 400, "saving should redirect back"
    assert b.path == f"/dashboard/users/{user['id']}"
    assert b.status == 200
    assert "Metadata saved." in b.text("#flash")
    assert not b.has("#metadata-errors")
    stored = server.get_user(user["id"])
    assert stored["public_metadata"] == {"plan": "enterprise", "seats": 12}
    assert stored["private_metadata"] == {"notes": ["vip", "early"]}
    assert stored["unsafe_metadata"] == {}
    assert json.loads(b.value("textarea#public_metadata")) == stored["public_metadata"]
    # The flash is for that one redirect, not for every later visit.
    b.go(f"/dashboard/users/{user['id']}")
    assert not b.has("#flash")


BAD_METADATA = {
    "not-json": "{not json",
    "not-an-object": '["an", "array"]',
    "over-8kb": json.dumps({"blob": "x" * 9000}),
}


@pytest.mark.parametrize("bag", ["public_metadata", "private_metadata"])
@pytest.mark.parametrize("case", list(BAD_METADATA))
def test_invalid_metadata_is_refused_inline(server, make_user, signed_in, case, bag):
    b = signed_in
    before = {"plan": "free"}
    user = make_user(public_metadata=before, private_metadata=before)
    b.go(f"/dashboard/users/{user['id']}")
    bad = BAD_METADATA[case]
    if len(bad) > 200:
        b.set_value(f"textarea#{bag}", bad)
    else:
        b.fill(f"textarea#{bag}", bad)
    b.click_and_wait("button#metadata-save")
    assert b.status == 422
    assert b.path == f"/dashboard/users/{user['id']}/metadata" or \
        b.path == f"/dashboard/users/{user['id']}"
    errors = b.css("#metadata-errors")
    assert errors.get_attribute("role") == "alert"
    assert errors.text.strip(), "the error says nothing"
    assert b.value(f"textarea#{bag}").strip() == bad, "what was typed is lost"
    assert b.css(f"textarea#{bag}").get_attribute("aria-invalid") == "true"
    other = "private_metadata" if bag == "public_metadata" else "public_metadata"
    assert b.css(f"textarea#{other}").get_attribute("aria-invalid") != "true", \
        f"{other} marked invalid too"
    assert not b.has("#flash") or "saved" not in b.text("#flash").lower()
    stored = server.get_user(user["id"])
    assert stored["public_metadata"] == before and stored["private_metadata"] == before, \
        "refused metadata was saved anyway"


# ---------------------------------------------------------------------------------------------
# secrets


def test_no_secrets_on_pages(server, seeded, signed_in):
    b = signed_in
    user = seeded.with_secrets
    assert server.get_user(user["id"])["totp_enabled"], "the TOTP secret was not seeded"
    pages = [f"/dashboard/users/{user['id']}", f"/dashboard/?query={primary_email(user)}", "/dashboard/"]
    for page in pages:
        b.go(page)
        assert b.status == 200, page
        html = b.driver.page_source
        assert "$2" not in html, f"{page} shows something like a bcrypt digest"
        assert TOTP_SECRET not in html and TOTP_SECRET.lower() not in html, \
            f"{page} shows the TOTP secret"
        assert PASSWORD not in html, f"{page} shows the password"
        assert server.secret_key not in html and server.admin_key not in html, \
            f"{page} shows a key"
    # The raw HTML too (page_source is the DOM after parsing).
    raw = b.http().get(server.url(f"/dashboard/users/{user['id']}"), timeout=30).text
    assert "$2" not in raw and TOTP_SECRET not in raw and PASSWORD not in raw
    # The user page does tell that MFA and a password are set, without the secrets.
    b.go(f"/dashboard/users/{user['id']}")
    assert b.has(".badge-mfa")
    assert {"remove-password", "disable-mfa"} <= \
        {a.get_attribute("data-action") for a in b.all("section#actions a[data-action]")}
