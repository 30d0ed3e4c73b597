"""The organizations list and an organization's members."""


def test_organizations_and_members(server, seeded, signed_in):
    b = signed_in
    b.click_and_wait('header a[href="/dashboard/organizations"]')
    assert b.path == "/dashboard/organizations"
    assert b.status == 200
    links = b.all("table#organizations a.org-link")
    assert [a.text for a in links] == [seeded.org["name"]]
    assert links[0].get_attribute("href").endswith(f"/dashboard/organizations/{seeded.org['id']}")

    b.click_and_wait(links[0])
    assert b.path == f"/dashboard/organizations/{seeded.org['id']}"
    assert b.status == 200
    assert seeded.org["name"] in b.text("h1")
    rows = b.all("table#members tbody tr")
    assert len(rows) == 2, [r.text for r in rows]
    text = b.text("table#members")
    for user in (seeded.org_creator, seeded.org_member):
        assert f"{user['first_name']} {user['last_name']}" in text
    assert "org:admin" in text and "org:member" in text

    # A member leads to the user's page, which lists the organization.
    b.click_and_wait(f'table#members a[href="/dashboard/users/{seeded.org_member["id"]}"]')
    assert b.path == f"/dashboard/users/{seeded.org_member['id']}"
    assert seeded.org["name"] in b.driver.page_source


def test_an_unknown_organization_is_a_404_page(signed_in):
    signed_in.go("/dashboard/organizations/org_doesnotexist0000000000")
    assert signed_in.status == 404
    assert signed_in.has("#not-found")
