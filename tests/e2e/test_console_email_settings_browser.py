"""The console's Email settings page in a real browser (Debian's Chromium through Playwright) on
`deskless dev`: the admin changes the support addresses, the new-contact and welcome switches and
the welcome template, and a reload shows them kept; an address off the mail domain and a template
deleted meanwhile are refused next to their field. The settings are put back afterwards (they are
global to the test platform)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Platform, unique
from tests.e2e.test_console_admin_browser import error_next_to, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_restored(api: httpx.Client) -> Iterator[dict[str, Any]]:
    before: dict[str, Any] = api.get("/api/settings").json()
    yield before
    restored = api.patch("/api/settings", json=before)
    assert restored.status_code == 200, restored.text


def welcome_template(api: httpx.Client, name: str) -> str:
    made = api.post(
        "/api/email-templates",
        json={
            "name": name,
            "purpose": "welcome",
            "variants": {"en": {"subject": "Welcome, {[Contact First Name]}", "body": "{[Portal Password Link]}"}},
        },
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_email_settings_are_saved_kept_and_invalid_ones_refused_by_field(
    platform: Platform, api: httpx.Client, console: Page, settings_restored: dict[str, Any]
) -> None:
    before = settings_restored
    ours = unique("Our welcome")
    ours_id = welcome_template(api, ours)
    doomed = unique("Doomed welcome")
    doomed_id = welcome_template(api, doomed)
    sign_in(console, platform, "email-settings")
    addresses = console.get_by_label("Support addresses")
    expect(addresses).to_have_value("\n".join(before["support_addresses"]))
    create = console.get_by_role("switch", name="Create a contact when an email arrives from an unknown address")
    expect(create).to_be_checked()
    # the page says which credential is the safer choice
    expect(console.get_by_text("single-use link to set a password")).to_be_visible()

    # When the admin adds a support address, stops making contacts from email and picks their template
    domain = platform.names.mail_domain
    addresses.fill(f"support@{domain}\nBilling@{domain}")
    create.uncheck()
    console.get_by_label("Welcome email template").select_option(label=ours)
    console.get_by_role("button", name="Save email settings").click()

    # Then they are saved, and a reload shows them kept
    expect(console.locator(".toast", has_text="Email settings saved.")).to_be_visible()
    saved = api.get("/api/settings").json()
    assert saved["support_addresses"] == [f"support@{domain}", f"billing@{domain}"]
    assert (saved["create_contacts_from_email"], saved["welcome_template_id"]) == (False, ours_id)
    assert saved["welcome_new_contacts"] == before["welcome_new_contacts"]
    console.reload()
    expect(console.get_by_label("Support addresses")).to_have_value(f"support@{domain}\nbilling@{domain}")
    expect(create).not_to_be_checked()
    expect(console.get_by_label("Welcome email template")).to_have_value(ours_id)

    # When an address is not at the mail domain, it is refused next to the field
    addresses.fill("help@elsewhere.example.com")
    console.get_by_role("button", name="Save email settings").click()
    expect(error_next_to(console, "support_addresses")).to_contain_text(f"not at the mail domain {domain}")
    expect(addresses).to_have_attribute("aria-invalid", "true")

    # When the template chosen was deleted meanwhile, it is refused next to its field
    addresses.fill(f"support@{domain}")
    console.get_by_label("Welcome email template").select_option(label=doomed)
    assert api.delete(f"/api/email-templates/{doomed_id}").status_code == 204
    console.get_by_role("button", name="Save email settings").click()
    expect(error_next_to(console, "welcome_template_id")).to_contain_text("there is no email template")
    assert api.get("/api/settings").json()["welcome_template_id"] == ours_id
