""" "Send welcome again" on the console's Contacts page, in a real browser on `deskless dev`: a
technician sends a contact's welcome email again after confirming, the console says where it went
and the outbox holds it; a deactivated contact offers no such button. The platform is shared by
the suite: the contact is made for the test."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, mail_to, unique, wait_for
from tests.e2e.console import confirm, open_console

pytestmark = pytest.mark.browser

ALICE = DEMO_STAFF[1]


def test_a_technician_sends_the_welcome_again_from_the_contacts_page(
    platform: Platform, api: httpx.Client, console: Page
) -> None:
    # Given a contact added in the console, who got the welcome email once
    name = f"Wanda {unique('w')}"
    address = f"{unique('wanda')}@gmail.com"
    made = api.post("/api/contacts", json={"name": name, "emails": [address]})
    assert made.status_code == 201, made.text
    wait_for(lambda: mail_to(platform, address))

    # When a technician sends it again, after confirming
    open_console(console, platform, ALICE.email, ALICE.password, "contacts")
    console.get_by_label("Search").fill(address)
    console.get_by_role("button", name=f"Send welcome again to {name}").click()
    confirm(console, "Send welcome")

    # Then the console says where it went, and the outbox holds a second welcome email
    expect(console.locator(".toast", has_text=f"Welcome email sent to {address}.")).to_be_visible()
    assert len(mail_to(platform, address)) == 2

    # And a deactivated contact offers no such button
    assert api.post(f"/api/contacts/{made.json()['id']}/deactivate").status_code == 200
    console.reload()
    console.get_by_label("Search").fill(address)
    expect(console.get_by_role("button", name=f"Reactivate {name}")).to_be_visible()
    expect(console.get_by_role("button", name=f"Send welcome again to {name}")).to_have_count(0)
