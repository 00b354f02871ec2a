"""The admin's pages of the console in a real browser (Debian's Chromium through Playwright) on
`deskless dev`: the demo admin signs in and manages companies and their portals (copying the
embed code), staff users, the settings and API keys, and what they do takes effect for the
people and programs it concerns (a portal answers, a deactivated user cannot sign in, a revoked
key is refused).

Each test makes its own company, portal, technician or key on unique names; the settings test
puts the settings back as it found them (they are global to the test platform). The clipboard
is read back from the page (navigator.clipboard.readText(), in a context granted the clipboard
permissions)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, hire, unique
from tests.e2e.console import clipboard, confirm, open_console

pytestmark = pytest.mark.browser

ADMIN = DEMO_STAFF[0]


# --- what the admin does in the console -----------------------------------------------------------


def sign_in(page: Page, platform: Platform, view: str) -> None:
    open_console(page, platform, ADMIN.email, ADMIN.password, view)


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def error_next_to(scope: Page | Locator, field: str) -> Locator:
    """The words a form shows next to the field the API named."""
    return scope.locator(f'[data-error-for="{field}"]')


def company_row(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def make_company(api: httpx.Client, name: str, technician_ids: list[str] | None = None) -> dict[str, Any]:
    made = api.post("/api/companies", json={"name": name, "technician_ids": technician_ids or []})
    assert made.status_code == 201, made.text
    company: dict[str, Any] = made.json()
    return company


def login_answer(platform: Platform, email: str, password: str) -> httpx.Response:
    with platform.http() as client:
        return client.post("/api/auth/login", json={"email": email, "password": password})


# --- companies and portals -----------------------------------------------------------------------


def test_an_admin_creates_a_company_with_a_portal_and_copies_its_widget_code(
    platform: Platform, admin_token: str, console: Page
) -> None:
    label = unique("t")
    company = f"Initech {label}"
    technician = hire(platform, admin_token, f"Tess {label}")
    sign_in(console, platform, "companies")

    # When the admin creates a company served by the new technician
    console.get_by_role("button", name="New company").click()
    dialog(console).get_by_label("Company name").fill(company)
    dialog(console).get_by_label(technician.name).check()
    dialog(console).get_by_role("button", name="Create company").click()

    # Then it is listed, with who serves it and no portal yet
    row = company_row(console, company)
    expect(row).to_contain_text(technician.name)
    expect(row).to_contain_text("No portal")

    # When they give it a portal on its own subdomain, in Spanish, embeddable on one website
    row.get_by_role("button", name=f"Create a portal for {company}").click()
    dialog(console).get_by_label("Subdomain").fill(label)
    dialog(console).get_by_label("Language").select_option(label="Español")
    dialog(console).get_by_label("Websites allowed to embed the chat widget").fill("https://shop.example.com\n")
    dialog(console).get_by_role("button", name="Create portal").click()

    # Then the list shows it active on that subdomain
    expect(row).to_contain_text("Active")
    expect(row.get_by_role("link", name=label)).to_have_attribute("href", f"http://{label}.localhost:{platform.port}/")

    # When they open "Show URLs and code" and copy the widget's script tag
    row.get_by_role("button", name=f"Show URLs and code of {company}").click()
    widget = dialog(console).locator(".copy-block").filter(has_text="Chat widget")
    expect(widget.locator("pre")).to_contain_text("widget.js")
    widget.get_by_role("button", name="Copy").click()

    # Then the clipboard holds the one script tag for that subdomain
    expect(widget.get_by_role("status")).to_have_text("Chat widget copied.")
    url = f"http://{label}.localhost:{platform.port}"
    assert clipboard(console) == f'<script src="{url}/widget.js" async></script>'
    expect(dialog(console).locator(".copy-block").filter(has_text="Standalone URL").locator("pre")).to_have_text(url)
    expect(dialog(console)).to_contain_text("https://shop.example.com")

    # and the portal answers on its subdomain, in its language
    with platform.http(host=f"{label}.localhost") as visitor:
        home = visitor.get("/")
    assert home.status_code == 200
    assert company in home.text
    assert 'lang="es"' in home.text


def test_a_taken_or_reserved_subdomain_is_refused_next_to_the_field(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    company = f"Hooli {unique('t')}"
    make_company(api, company)
    sign_in(console, platform, "companies")
    company_row(console, company).get_by_role("button", name=f"Create a portal for {company}").click()
    subdomain = dialog(console).get_by_label("Subdomain")

    # A reserved name is refused, saying so next to the subdomain
    subdomain.fill("www")
    dialog(console).get_by_role("button", name="Create portal").click()
    expect(error_next_to(dialog(console), "subdomain")).to_have_text("The subdomain www is reserved.")
    expect(subdomain).to_have_attribute("aria-invalid", "true")

    # So is one another company's portal has
    subdomain.fill(DEMO_SUBDOMAIN)
    dialog(console).get_by_role("button", name="Create portal").click()
    expect(error_next_to(dialog(console), "subdomain")).to_have_text(
        f"The subdomain {DEMO_SUBDOMAIN} is taken; choose another."
    )

    # And the company still has no portal
    console.keyboard.press("Escape")
    expect(company_row(console, company)).to_contain_text("No portal")


# --- staff ---------------------------------------------------------------------------------------


def staff_row(page: Page, email: str) -> Locator:
    return page.locator(f'tr[data-email="{email}"]')


def test_an_admin_adds_a_technician_changes_them_and_deactivates_them(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    name = f"Nina {unique('n')}"
    email = f"{unique('nina')}@example.com"
    password = "a-first-password-1"
    default_limit = api.get("/api/settings").json()["code_limit"]
    sign_in(console, platform, "staff")
    form = console.locator("form").filter(has=console.get_by_role("heading", name="Add staff user"))

    # A first password too short is refused next to its field
    form.get_by_label("Name").fill(name)
    form.get_by_role("textbox", name="Email").fill(email)
    form.get_by_label("First password").fill("short")
    form.get_by_role("button", name="Add staff user").click()
    expect(error_next_to(form, "password")).to_contain_text("at least 12 characters")

    # When the admin adds a technician on chat and phone only
    form.get_by_label("First password").fill(password)
    form.get_by_role("checkbox", name="Email").uncheck()
    form.get_by_role("button", name="Add staff user").click()

    # Then they are listed: technician, those channels, the default code limit, active
    row = staff_row(console, email)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("Technician")
    expect(row).to_contain_text("Chat, Phone")
    expect(row).to_contain_text(f"default ({default_limit})")
    expect(row.locator(".badge")).to_have_text("Active")
    assert login_answer(platform, email, password).status_code == 200

    # When the admin makes them an administrator with their own code limit of 3
    row.get_by_role("button", name=f"Edit {name}").click()
    dialog(console).get_by_label("Role").select_option("admin")
    dialog(console).get_by_role("checkbox", name=re.compile("^Use the default")).uncheck()
    dialog(console).get_by_label("Code limit").fill("3")
    dialog(console).get_by_role("button", name="Save").click()

    # Then the list says so, and so does the API; the focus is back on the row's Edit button
    expect(row).to_contain_text("Administrator")
    expect(row.get_by_role("button", name=f"Edit {name}")).to_be_focused()
    expect(row.locator("td").nth(4)).to_have_text("3")
    user = next(u for u in api.get("/api/staff").json() if u["email"] == email)
    assert (user["role"], user["code_limit"], user["channels"]) == ("admin", 3, ["chat", "phone"])

    # When the admin deactivates them (and confirms)
    row.get_by_role("button", name=f"Deactivate {name}").click()
    confirm(console, "Deactivate")

    # Then they are marked deactivated and cannot sign in
    expect(row.locator(".badge")).to_have_text("Deactivated")
    refused = login_answer(platform, email, password)
    assert (refused.status_code, refused.json()["error"]) == (403, "account_deactivated")

    # When the admin reactivates them, they can sign in again
    row.get_by_role("button", name=f"Reactivate {name}").click()
    confirm(console, "Reactivate")
    expect(row.locator(".badge")).to_have_text("Active")
    assert login_answer(platform, email, password).status_code == 200


def test_an_admin_cannot_deactivate_themselves_from_the_list(platform: Platform, console: Page) -> None:
    sign_in(console, platform, "staff")
    row = staff_row(console, ADMIN.email)
    expect(row).to_contain_text("(you)")
    expect(row.get_by_role("button", name=re.compile("^Deactivate"))).to_have_count(0)


# --- settings ------------------------------------------------------------------------------------


@pytest.fixture
def settings_restored(api: httpx.Client) -> Iterator[dict[str, Any]]:
    """The settings as they were; put back afterwards (they are global to the test platform)."""
    before: dict[str, Any] = api.get("/api/settings").json()
    yield before
    restored = api.patch("/api/settings", json=before)
    assert restored.status_code == 200, restored.text


def test_settings_are_changed_kept_and_an_invalid_value_is_refused_by_name(
    platform: Platform, api: httpx.Client, console: Page, settings_restored: dict[str, Any]
) -> None:
    before = settings_restored
    sign_in(console, platform, "settings")
    expect(console.get_by_label("Chat limit")).to_have_value(str(before["chat_limit"]))

    # When the admin raises the chat limit, drops the first away reason and adds one
    new_limit = before["chat_limit"] % 20 + 1
    console.get_by_label("Chat limit").fill(str(new_limit))
    console.get_by_role("button", name="Remove away reasons, item 1").click()
    console.get_by_role("button", name="Add a reason").click()
    reasons = console.get_by_role("textbox", name=re.compile("^Away reasons, item"))
    reasons.last.fill("Training")
    console.get_by_role("button", name="Save settings").click()

    # Then they are saved, and a reload shows them kept
    expected_reasons = [*before["away_reasons"][1:], "Training"]
    expect(console.locator(".toast", has_text="Settings saved.")).to_be_visible()
    saved = api.get("/api/settings").json()
    assert (saved["chat_limit"], saved["away_reasons"]) == (new_limit, expected_reasons)
    assert {k: v for k, v in saved.items() if k not in ("chat_limit", "away_reasons")} == {
        k: v for k, v in before.items() if k not in ("chat_limit", "away_reasons")
    }
    console.reload()
    expect(console.get_by_label("Chat limit")).to_have_value(str(new_limit))
    expect(reasons).to_have_count(len(expected_reasons))
    assert [reasons.nth(i).input_value() for i in range(len(expected_reasons))] == expected_reasons

    # When the admin asks for an impossible chat limit, it is refused next to that field
    console.get_by_label("Chat limit").fill("0")
    console.get_by_role("button", name="Save settings").click()
    expect(error_next_to(console, "chat_limit")).to_contain_text("greater than or equal to 1")
    expect(console.get_by_label("Chat limit")).to_have_attribute("aria-invalid", "true")
    assert api.get("/api/settings").json()["chat_limit"] == new_limit


# --- API keys ------------------------------------------------------------------------------------


def invitation_with_key(platform: Platform, key: str) -> httpx.Response:
    with platform.http() as client:
        return client.post("/api/v1/invitations", headers={"x-api-key": key}, json={"operator_email": ADMIN.email})


def test_an_api_key_is_shown_once_then_revoked(platform: Platform, console: Page) -> None:
    name = f"Shop integration {unique('k')}"
    sign_in(console, platform, "api-keys")

    # When the admin creates a key
    console.get_by_label("Name").fill(name)
    console.get_by_role("button", name="Create key").click()

    # Then it is shown once, with a warning, and copies
    issued = console.locator(".issued-key")
    expect(issued).to_contain_text("only time the key is shown")
    key = issued.locator("pre").inner_text()
    assert re.fullmatch(r"dsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    issued.get_by_role("button", name="Copy").click()
    expect(issued.get_by_role("status")).to_have_text("API key copied.")
    assert clipboard(console) == key
    assert invitation_with_key(platform, key).status_code == 201
    issued.get_by_role("button", name="I have stored it").click()
    expect(issued).to_have_count(0)
    expect(console.locator("main")).not_to_contain_text(key)

    # and it is listed as active
    row = console.locator("tr").filter(has_text=name)
    expect(row.locator(".badge")).to_have_text("Active")

    # When it is revoked (and confirmed), it is listed as revoked and refused
    row.get_by_role("button", name=f"Revoke {name}").click()
    confirm(console, "Revoke")
    expect(row.locator(".badge")).to_contain_text("Revoked")
    expect(row.get_by_role("button", name=f"Revoke {name}")).to_have_count(0)
    refused = invitation_with_key(platform, key)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_api_key")
