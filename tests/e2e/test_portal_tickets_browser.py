"""A contact's tickets on the demo portal in a real browser (Debian's Chromium through Playwright)
on `deskless dev`: they sign in, open the ticket form, pick a category, type, change their mind
and come back to it (nothing typed is lost), submit it, land on the receipt, find the ticket in My
activities (its lists follow the table's stream: the page is reloaded until it shows), reply and
close it. A required field's refusal and a file are the walk's (test_ticket_walk_browser.py).

Waits are Playwright's own (expect) and the polling of wait_for: nothing sleeps for a set time."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.callers import portal_contact, sign_in_on_portal
from tests.e2e.conftest import Platform, browser_page, unique, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]


def a_category(api: httpx.Client) -> dict[str, Any]:
    """An active category of the test's own whose form asks for a printer model (required)."""
    made = api.post(
        "/api/ticket-categories",
        json={
            "name": unique("Printing"),
            "fields": [
                {
                    "key": "model",
                    "kind": "single_choice",
                    "labels": {"en": "Printer model"},
                    "required": True,
                    "choices": [{"key": "hp", "labels": {"en": "HP"}}, {"key": "canon", "labels": {"en": "Canon"}}],
                },
                {"key": "serial", "kind": "short_text", "labels": {"en": "Serial number"}},
            ],
        },
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def shows_ticket(page: Page, number: int) -> bool:
    """My activities, reloaded: whether the ticket is listed yet."""
    page.reload()
    return page.locator(f'tr[data-number="{number}"]').count() == 1


def test_a_contact_submits_a_ticket_follows_it_replies_and_closes_it(
    platform: Platform, admin_token: str, api: httpx.Client, browser: Browser
) -> None:
    category = a_category(api)
    email = portal_contact(platform, admin_token, f"Tessa {unique('t')}")

    with browser_page(browser) as contact:
        # Given a contact signed in on their portal
        sign_in_on_portal(contact, platform, email)

        # When they open the form, pick the category and type, then change their mind and back
        contact.get_by_role("link", name="Submit a ticket").click()
        expect(contact.get_by_role("heading", name="Submit a ticket")).to_be_visible()
        contact.get_by_label("Category").select_option(label=category["name"])
        model = contact.get_by_label("Printer model")
        expect(model).to_be_visible()
        contact.get_by_label("Serial number").fill("SN-42")
        contact.get_by_label("Category").select_option(label="Other (no category)")
        expect(model).to_be_hidden()
        contact.get_by_label("Category").select_option(label=category["name"])
        expect(contact.get_by_label("Serial number")).to_have_value("SN-42")  # nothing typed was lost
        # And send it with the model chosen (the walk, test_ticket_walk_browser.py, sends one without)
        model.select_option(label="Canon")
        contact.get_by_label("Title").fill("Printer jams on page two")
        contact.get_by_label("Describe what happened").fill("Every second page jams.")
        contact.get_by_role("button", name="Submit ticket").click()

        # Then they land on the receipt, which shows what they sent
        received = contact.get_by_role("status").filter(has_text="We received your ticket #")
        expect(received).to_be_visible()
        number = int(re.findall(r"#(\d+)", received.inner_text())[0])
        expect(contact.get_by_role("heading", name="Printer jams on page two")).to_be_visible()
        expect(contact.locator(".details")).to_contain_text("Canon")
        expect(contact.locator(".details")).to_contain_text("SN-42")

        # And the ticket shows in My activities once its list has it
        contact.get_by_role("link", name="Back to My activities").click()
        wait_for(lambda: shows_ticket(contact, number), timeout=15, interval=0.3)
        row = contact.locator(f'tr[data-number="{number}"]')
        expect(row).to_contain_text("Printer jams on page two")
        expect(row).to_contain_text("New")

        # When they open it and reply
        row.get_by_role("link", name=f"#{number}").click()
        contact.get_by_label("Your reply").fill("It happens on the A3 tray too.")
        contact.get_by_role("button", name="Send reply").click()

        # Then their reply is in the timeline
        expect(contact.locator("#notice")).to_have_text("Your reply was sent.")
        expect(contact.locator("#timeline")).to_contain_text("It happens on the A3 tray too.")

        # When they close it
        contact.get_by_role("button", name="Close my ticket").click()

        # Then it is closed, and offers no reply any more
        expect(contact.locator("#notice")).to_have_text("Your ticket is closed.")
        expect(contact.locator("#ticket-status")).to_have_text("Closed")
        expect(contact.get_by_label("Your reply")).to_have_count(0)


# What the form's Submit button was (disabled or not) each time that changed, kept in the tab's
# sessionStorage: the page after it (the receipt) can tell what the form's did before it left.
SUBMIT_STATES = """
document.addEventListener("DOMContentLoaded", () => {
  const submit = document.getElementById("submit-ticket");
  if (!submit) return;
  new MutationObserver(() => {
    const states = JSON.parse(sessionStorage.getItem("submit-states") || "[]");
    sessionStorage.setItem("submit-states", JSON.stringify([...states, submit.disabled]));
  }).observe(submit, { attributes: true, attributeFilter: ["disabled"] });
});
"""


def test_a_ticket_sent_cannot_be_sent_again_while_its_receipt_loads(
    platform: Platform, admin_token: str, browser: Browser
) -> None:
    email = portal_contact(platform, admin_token, f"Dora {unique('d')}")
    title = f"Scanner beeps {unique('t')}"

    with browser_page(browser) as contact:
        contact.add_init_script(SUBMIT_STATES)

        # Given a contact on the ticket form
        sign_in_on_portal(contact, platform, email)
        contact.get_by_role("link", name="Submit a ticket").click()
        contact.get_by_label("Title").fill(title)
        contact.get_by_label("Describe what happened").fill("It beeps three times.")

        # When they send it, and land on its receipt
        contact.get_by_role("button", name="Submit ticket").click()
        expect(contact.get_by_role("status").filter(has_text="We received your ticket #")).to_be_visible()
        expect(contact.get_by_role("heading", name=title)).to_be_visible()

        # Then the form's button was disabled while it was sent, and stayed so until the form left
        assert contact.evaluate("JSON.parse(sessionStorage.getItem('submit-states'))") == [True]
