"""A ticket's whole walk on `deskless dev`, in real browsers (Debian's Chromium through Playwright)
and a real mail program's ways: a contact signs in on their company's portal and submits a ticket
in a category with a required field (refused without it, the problem said next to it) and a file;
their "received" email names it and links to it; a technician with the tickets view open sees it
arrive live, answers with a quick reply (previewed with the contact's values) and sets it pending;
the contact gets the "updated" email with the answer and replies to it by email, quoting it; their
reply joins the ticket without the quote and reopens it; the technician resolves it, and the
contact gets the "resolved" email.

Waits are Playwright's own (expect) and the polling of wait_for: nothing sleeps for a set time. The
contact's address is the test's own: no other test's mail reaches it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from local.seed import DEMO_STAFF
from tests.e2e.callers import portal_contact, sign_in_on_portal
from tests.e2e.conftest import Platform, bearer, browser_page, mail_to, reply_by_mail, unique, wait_for
from tests.e2e.console import open_console

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

# Acme's technicians follow its tickets: the demo technician's console is told of a new one.
TECHNICIAN = DEMO_STAFF[1]


def notice(platform: Platform, address: str, number: int, saying: str) -> dict[str, Any]:
    """The one notice about ticket #number whose subject says `saying`, once it reached `address`."""
    (mail,) = wait_for(
        lambda: [m for m in mail_to(platform, address) if m["subject"].startswith(f"[#{number}] {saying}")],
        timeout=30,
    )
    return dict(mail)


def test_a_ticket_walks_from_the_portal_to_resolved_by_way_of_the_console_and_email(
    platform: Platform, admin_token: str, technician_token: str, api: httpx.Client, browser: Browser, console: Page
) -> None:
    # Given a category whose form requires an asset tag, and a quick reply of the technician's
    label = unique("Laptops")
    tag = {"key": "asset", "kind": "short_text", "labels": {"en": "Asset tag"}, "required": True}
    category = api.post("/api/ticket-categories", json={"name": label, "fields": [tag]})
    assert category.status_code == 201, category.text
    answer = unique("Walk answer")
    body = "Hello {[Contact First Name]}, #{[Ticket Number]} is ours."
    with platform.http() as client:
        quick = client.post(
            "/api/quick-replies",
            headers=bearer(technician_token),
            json={"variants": {"en": {"title": answer, "body": body}}, "shared": False},
        )
    assert quick.status_code == 201, quick.text
    # And a contact of Acme (which has a portal), with an address of their own
    address = portal_contact(platform, admin_token, f"Wren {unique('w')}")
    first_name = address.split("-")[0].capitalize()
    title = unique("Laptop will not boot")

    # And the technician has the tickets view open, on All active
    open_console(console, platform, TECHNICIAN.email, TECHNICIAN.password, "tickets")
    console.get_by_role("navigation", name="Ticket lists").get_by_role("button", name=re.compile("^All active")).click()
    expect(console.get_by_role("heading", name="All active")).to_be_visible()

    with browser_page(browser) as contact:
        # When the contact signs in on the portal, opens the ticket form and picks the category
        portal = sign_in_on_portal(contact, platform, address)
        contact.goto(f"{portal}/help/tickets/new")
        contact.get_by_label("Category").select_option(label=label)
        contact.get_by_label("Title").fill(title)
        contact.get_by_label("Describe what happened").fill("The screen stays black.")
        # And sends it without the asset tag
        contact.get_by_role("button", name="Submit ticket").click()

        # Then the problem is said next to the field, which takes the focus
        asset = contact.get_by_label("Asset tag")
        expect(contact.locator(f"#f-{category.json()['id']}-asset-problem")).to_have_text("This is required.")
        expect(asset).to_be_focused()
        expect(asset).to_have_attribute("aria-invalid", "true")

        # When they fill it in, attach a file and send it again
        asset.fill("LT-0042")
        contact.get_by_label("Files").set_input_files(
            {"name": "boot.txt", "mimeType": "text/plain", "buffer": b"black screen after the logo\n"}
        )
        contact.get_by_role("button", name="Submit ticket").click()

        # Then the receipt names the ticket and shows what they sent, the file too
        received = contact.get_by_role("status").filter(has_text="We received your ticket #")
        expect(received).to_be_visible()
        number = int(re.findall(r"#(\d+)", received.inner_text())[0])
        expect(contact.locator(".details")).to_contain_text("LT-0042")
        expect(contact.get_by_role("link", name="boot.txt")).to_be_visible()

    # And the "received" email reaches them, with the number and a link to the ticket on the portal
    receipt = notice(platform, address, number, "We received your request")
    assert title in receipt["subject"]
    assert f"{portal}/help/tickets/{number}" in receipt["html"]

    # And the ticket appears in the technician's list without a reload
    row = console.get_by_role("table", name="Tickets").get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(f"#{number}")
    expect(row).to_contain_text("New")

    # When the technician opens it and chooses the quick reply
    row.get_by_role("link", name=title).click()
    expect(console.get_by_role("heading", name=f"#{number} {title}")).to_be_visible()
    console.get_by_label("Quick reply", exact=True).select_option(label=answer)

    # Then its preview has the contact's name and the ticket's number; inserted, it is sent, pending
    said = f"Hello {first_name}, #{number} is ours."
    expect(console.get_by_label("Quick reply preview")).to_have_text(said)
    console.get_by_role("button", name="Insert", exact=True).click()
    console.get_by_role("button", name="Send and set pending").click()
    timeline = console.get_by_role("list", name="Timeline")
    expect(timeline.locator("[data-kind=reply]")).to_contain_text(said)
    status = console.get_by_role("complementary", name="Ticket details").get_by_label("Status", exact=True)
    expect(status).to_have_value("pending")

    # And the contact gets the "updated" email with the answer
    updated = notice(platform, address, number, "Your request was updated")
    assert said in updated["text"]

    # When the contact answers that email from their mail program, quoting it below their answer
    reply_by_mail(platform, address, updated, "Found the charger, it boots now.")

    # Then it joins the ticket (told to the technician's page, whose latest shows it), without the quote
    wait_for(lambda: "Found the charger" in api.get(f"/api/tickets/{number}").text, timeout=30)
    console.get_by_role("status").get_by_role("button", name="Show the latest").click()
    by_mail = timeline.locator("[data-kind=reply]").filter(has_text="Customer reply")
    expect(by_mail).to_contain_text("via Email")
    expect(by_mail.locator(".entry-body")).to_have_text("Found the charger, it boots now.")
    # And the answer reopened the ticket
    expect(status).to_have_value("open")

    # When the technician resolves it
    status.select_option("resolved")
    expect(timeline).to_contain_text("changed status from Open to Resolved")

    # Then the contact gets the "resolved" email
    notice(platform, address, number, "Your request was resolved")
