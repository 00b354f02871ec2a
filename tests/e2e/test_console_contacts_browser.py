"""Contacts and company domains in the console, in a real browser (Debian's Chromium through
Playwright) on `deskless dev`: an admin gives a company an email domain (a free-mail one is
refused next to the field); a technician adds a contact at that domain, who lands in the company,
searches for them, edits and deactivates them; an admin imports a CSV file after reading its
preview, and a file that is not UTF-8 is refused whole.

Each test uses names and addresses of its own (the platform is shared by the suite)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import APIResponse, Locator, Page, Route, expect

from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, unique
from tests.e2e.console import heard, open_console

pytestmark = pytest.mark.browser

ADMIN, ALICE = DEMO_STAFF[0], DEMO_STAFF[1]


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def row_of(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name))


def test_a_domain_places_a_new_contact_whom_a_technician_then_finds_edits_and_deactivates(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    company = f"Umbrella {unique('c')}"
    domain = f"{unique('u')}.example.com"
    made = api.post("/api/companies", json={"name": company, "technician_ids": []})
    assert made.status_code == 201, made.text

    # Given an admin who gives the company a domain, after a free-mail one is refused
    open_console(console, platform, ADMIN.email, ADMIN.password, "companies")
    row_of(console, company).get_by_role("button", name=f"Email domains of {company}").click()
    dialog(console).get_by_label("Add a domain").fill("gmail.com")
    dialog(console).get_by_role("button", name="Add domain").click()
    expect(dialog(console).locator('[data-error-for="domain"]')).to_contain_text("free-mail")
    dialog(console).get_by_label("Add a domain").fill(f"*.{domain}")
    dialog(console).get_by_role("button", name="Add domain").click()
    expect(dialog(console).get_by_role("button", name=f"Remove *.{domain}")).to_be_visible()
    dialog(console).get_by_role("button", name="Close").click()
    expect(row_of(console, company)).to_contain_text(f"*.{domain}")

    # When a technician adds a contact at a subdomain of it, leaving the company to the domain
    console.get_by_role("button", name="Sign out").click()
    expect(console.get_by_label("Password")).to_be_visible()
    open_console(console, platform, ALICE.email, ALICE.password, "contacts")
    name = f"Hana {unique('h')}"
    console.get_by_role("button", name="New contact").click()
    dialog(console).get_by_label("Name").fill(name)
    dialog(console).get_by_label("Email addresses").fill(f"hana@eu.{domain}")
    dialog(console).get_by_role("button", name="Add contact").click()
    expect(dialog(console)).to_have_count(0)  # saved: the page behind the dialog takes typing again

    # Then the search finds them, in that company
    console.get_by_label("Search").fill(f"hana@eu.{domain}")
    expect(row_of(console, name)).to_contain_text(company)

    # When the technician edits them, and then deactivates them
    row_of(console, name).get_by_role("button", name=f"Edit {name}").click()
    dialog(console).get_by_label("Phone").fill("+420 777 000 111")
    dialog(console).get_by_role("button", name="Save").click()
    expect(dialog(console)).to_have_count(0)
    expect(console.locator("table[aria-busy]")).to_have_count(0)  # the list has drawn the saved contact
    row_of(console, name).get_by_role("button", name=f"Deactivate {name}").click()
    dialog(console).get_by_role("button", name="Deactivate").click()

    # Then the list says so, and the stored contact has both changes
    expect(row_of(console, name)).to_contain_text("Deactivated")
    (stored,) = api.get("/api/contacts", params={"q": f"hana@eu.{domain}"}).json()["contacts"]
    assert (stored["phone"], stored["active"]) == ("+420 777 000 111", False)

    # And a second contact with the same address, in another case, is refused next to the field
    console.get_by_role("button", name="New contact").click()
    dialog(console).get_by_label("Name").fill("Someone Else")
    dialog(console).get_by_label("Email addresses").fill(f"HANA@eu.{domain}")
    dialog(console).get_by_role("button", name="Add contact").click()
    expect(dialog(console).locator('[data-error-for="emails"]')).to_contain_text("already")


def test_the_search_shows_what_was_last_typed_whichever_answer_comes_last(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    domain = f"{unique('s')}.example.com"
    for name in ("Ola", "Olaf"):
        made = api.post("/api/contacts", json={"name": f"{name} {domain}", "emails": [f"{name.lower()}@{domain}"]})
        assert made.status_code == 201, made.text
    held: list[tuple[Route, APIResponse]] = []  # the search for the whole domain, as the server answered

    def hold_the_wide_search(route: Route) -> None:
        if parse_qs(urlsplit(route.request.url).query).get("q") == [domain]:
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route("**/api/contacts?*", hold_the_wide_search)
    open_console(console, platform, ALICE.email, ALICE.password, "contacts")

    # Given a search for the domain, whose answer is slow
    console.get_by_label("Search").fill(domain)
    heard(console, held)

    # When the technician types on to one address, that answer comes, and then the first
    with console.expect_response(lambda response: "olaf" in response.url):
        console.get_by_label("Search").fill(f"olaf@{domain}")
    expect(row_of(console, f"Ola {domain}")).to_have_count(0)
    ((route, answer),) = held
    route.fulfill(response=answer)
    expect(console.locator("table[aria-busy]")).to_have_count(0)  # every load has ended

    # Then the list is what was typed last: Olaf alone
    expect(row_of(console, f"Ola {domain}")).to_have_count(0)
    expect(row_of(console, f"Olaf {domain}")).to_be_visible()


def test_show_more_adds_the_next_page_to_the_list_it_was_asked_for_and_to_no_other(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    company = f"Many {unique('c')}"
    made = api.post("/api/companies", json={"name": company, "technician_ids": []})
    assert made.status_code == 201, made.text
    tag = unique("m")
    for number in range(51):  # a page is 50
        contact = {"name": f"Many {tag} {number:02}", "emails": [f"m{number}.{tag}@example.org"]}
        added = api.post("/api/contacts", json={**contact, "company_id": made.json()["id"]})
        assert added.status_code == 201, added.text
    rows = console.locator("table.contacts-table tbody tr")
    more = console.get_by_role("button", name="Show more")
    held: list[tuple[Route, APIResponse]] = []  # the next pages, as the server answered them

    def hold_next_pages(route: Route) -> None:
        if "after" in parse_qs(urlsplit(route.request.url).query) and not held:
            held.append((route, route.fetch()))
        else:
            route.fallback()

    console.route("**/api/contacts?*", hold_next_pages)
    open_console(console, platform, ALICE.email, ALICE.password, "contacts")

    # Given the company's contacts: one page, and Show more
    console.get_by_label("Company").select_option(label=company)
    expect(rows).to_have_count(50)

    # When the next page is asked for, and the technician searches before it comes
    more.click()
    heard(console, held)
    with console.expect_response(lambda response: "q=" in response.url):
        console.get_by_label("Search").fill(f"m7.{tag}@example.org")
    expect(rows).to_have_count(1)
    ((route, answer),) = held
    route.fulfill(response=answer)
    expect(console.locator("button:text-is('Show more')")).to_be_enabled()  # (hidden) the late page is taken in

    # Then the list is still the search's, and there is no more of it
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"Many {tag} 07")
    expect(more).to_be_hidden()

    # When the search is cleared, Show more adds the one contact the first page left
    console.get_by_label("Search").fill("")
    expect(rows).to_have_count(50)
    more.click()
    expect(rows).to_have_count(51)
    expect(rows.last).to_contain_text(f"Many {tag} 50")
    expect(more).to_be_hidden()


def test_an_admin_imports_contacts_after_reading_the_preview(
    platform: Platform, api: httpx.Client, console: Page, tmp_path: Path
) -> None:
    tag = unique("imp")
    good = tmp_path / "contacts.csv"
    good.write_text(f"name,email,language\nIvo {tag},ivo.{tag}@example.org,cs\nBad {tag},not-an-address,\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(f"name,email\nJosé {tag},jose.{tag}@example.org\n".encode("latin-1"))
    open_console(console, platform, ADMIN.email, ADMIN.password, "contacts")
    console.get_by_role("button", name="Import CSV").click()

    # A file that is not UTF-8 is refused whole, saying how to save it
    dialog(console).get_by_label("CSV file").set_input_files(str(latin1))
    dialog(console).get_by_role("button", name="Preview").click()
    expect(dialog(console).get_by_role("alert")).to_contain_text("CSV UTF-8")

    # The preview of a good file says what each row will do, and why one is refused
    dialog(console).get_by_label("CSV file").set_input_files(str(good))
    dialog(console).get_by_role("button", name="Preview").click()
    expect(dialog(console).get_by_role("status")).to_have_text("1 to create, 0 to update, 1 refused.")
    expect(dialog(console).locator("tr[data-action=refuse]")).to_contain_text("not an email address")
    assert api.get("/api/contacts", params={"q": f"ivo.{tag}"}).json()["contacts"] == []  # nothing written yet

    # Importing writes what the preview said
    dialog(console).get_by_role("button", name="Import 1 contact").click()
    expect(dialog(console).get_by_role("status")).to_have_text("1 created, 0 updated, 1 refused.")
    (ivo,) = api.get("/api/contacts", params={"q": f"ivo.{tag}"}).json()["contacts"]
    assert (ivo["name"], ivo["language"], ivo["created_via"], ivo["welcome_requested"]) == (
        f"Ivo {tag}",
        "cs",
        "import",
        False,
    )
