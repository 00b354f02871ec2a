"""The knowledge base answering a ticket before it is submitted, on `deskless dev` in a real browser
(Debian's Chromium through Playwright): a technician publishes an article through the API; it is
found by the portal's search within seconds (the stream, the index's new generation, a reader's
next look at it); a contact typing in the portal's ticket form is suggested it while typing, opens
it in place, closes it, finds the form as they typed it and submits it; the deflection figures
count the form once, the opening once, and the ticket as submitted after an article was opened.

Waits are Playwright's own (expect) and the polling of wait_for: nothing sleeps for a set time."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from deskless.deflection import FIGURES, week_of
from deskless.table import kb_deflection_key, kb_draft_key
from tests.e2e.callers import PORTAL_HOST, portal_contact, sign_in_on_portal
from tests.e2e.conftest import Platform, bearer, browser_page, unique, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]

SUGGESTIONS = "/api/portal/knowledge/suggestions"


def item(platform: Platform, key: dict[str, str]) -> dict[str, Any]:
    """One item of the platform's table, as DynamoDB's JSON ({} when there is none)."""
    found = platform.aws("dynamodb").get_item(
        TableName=platform.names.table, Key={name: {"S": value} for name, value in key.items()}, ConsistentRead=True
    )
    return dict(found.get("Item", {}))


def figures(platform: Platform, week: str) -> dict[str, int]:
    """One week's deflection figures (what deskless.deflection.recent_weeks reads)."""
    stored = item(platform, kb_deflection_key(week))
    return {name: int(stored[name]["N"]) if name in stored else 0 for name in FIGURES}


def test_an_article_published_is_suggested_while_a_ticket_is_typed_opened_in_place_and_counted(
    platform: Platform, admin_token: str, technician_token: str, api: httpx.Client, browser: Browser
) -> None:
    # Given a technician who publishes an article through the API
    model = f"LX{uuid.uuid4().hex[:8]}"  # a printer model no other test names
    title = f"Toner smudges on the {model} printer"
    category = api.post("/api/knowledge/categories", json={"name": unique("Printing")})
    assert category.status_code == 201, category.text
    week = week_of(time.time())
    before = figures(platform, week)
    with platform.http() as client:
        published_at = time.monotonic()
        made = client.post(
            "/api/articles",
            headers=bearer(technician_token),
            json={
                "category_id": category.json()["id"],
                "variants": {
                    "en": {"title": title, "body": "Take the drum out and wipe it.", "state": "published"},
                },
            },
        )
    assert made.status_code == 201, made.text
    article_id = made.json()["id"]

    # Then it is found by the portal's search within seconds
    with platform.http(PORTAL_HOST) as portal_client:
        wait_for(lambda: article_id in portal_client.get("/help/articles", params={"q": model}).text, timeout=30)
    print(f"\npublished -> found by the portal's search: {time.monotonic() - published_at:.2f} s")

    # And a contact of Acme, signed in on its portal
    address = portal_contact(platform, admin_token, f"Sue {unique('s')}")
    with browser_page(browser) as page:
        asked: list[Request] = []
        page.on("request", lambda request: asked.append(request) if request.url.endswith(SUGGESTIONS) else None)
        portal = sign_in_on_portal(page, platform, address)
        page.goto(f"{portal}/help/tickets/new")

        # When they type the ticket's title
        typed = f"Toner smudges {model}"
        page.get_by_label("Title").press_sequentially(typed, delay=20)

        # Then the article is suggested while they type, its matching words marked
        suggestions = page.get_by_role("complementary", name="Articles that may help")
        link = suggestions.get_by_role("link", name=title)
        expect(link).to_be_visible()
        expect(link.locator("mark").first).to_be_visible()
        expect(page.locator("#suggestions-count")).to_contain_text("may help")

        # When they open it
        link.click()

        # Then it opens in place, on the form's page
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name=title)).to_be_visible()
        expect(dialog).to_contain_text("Take the drum out and wipe it.")
        assert page.url == f"{portal}/help/tickets/new"

        # And closing it (Escape) gives the focus back to the link, with the title as it was typed
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(link).to_be_focused()
        expect(page.get_by_label("Title")).to_have_value(typed)

        drafts = {json.loads(request.post_data or "{}")["draft"] for request in asked}
        assert len(drafts) == 1  # one form, one draft id, however many questions
        (draft,) = drafts

        # When they submit the ticket all the same
        page.get_by_label("Describe what happened").fill("Every page has grey smudges.")
        page.get_by_role("button", name="Submit ticket").click()
        expect(page.get_by_text("We received your ticket")).to_be_visible()

    # And the figures count one form shown suggestions and one article opened from them
    opened = wait_for(lambda: item(platform, kb_draft_key(draft)).get("opened"), timeout=15)
    assert opened == {"SS": [article_id]}
    after = figures(platform, week)
    assert after["forms"] - before["forms"] == 1
    assert after["opened"] - before["opened"] == 1
    assert after["forms_opened"] - before["forms_opened"] == 1
    # And the ticket came with the form's draft: submitted after an article was opened
    assert "ticket_number" in item(platform, kb_draft_key(draft))
    assert after["submitted_after_opening"] - before["submitted_after_opening"] == 1
