"""The knowledge base in a real browser (Debian's Chromium through Playwright) on `deskless dev`: a
technician writes an article in the console, watching the portal's rendering in the preview as
they type, publishes the English variant and leaves the Czech one a draft; a signed-out reader
opens it on the demo portal and votes, and the Czech address is the 404 page; the vote is counted
for staff.

Waits are Playwright's own (expect): nothing sleeps for a set time."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.callers import PORTAL_HOST
from tests.e2e.conftest import Platform, browser_page, hire, unique
from tests.e2e.console import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("untouched_budget")]


def test_a_technician_publishes_english_leaves_czech_a_draft_and_a_signed_out_reader_votes(
    platform: Platform, admin_token: str, api: httpx.Client, console: Page, browser: Browser
) -> None:
    label = unique("kb")
    category = api.post("/api/knowledge/categories", json={"name": f"Printing {label}"})
    assert category.status_code == 201, category.text
    technician = hire(platform, admin_token, f"Kim {label}")
    title = f"Printing from a laptop {label}"

    # Given a technician writing a new article in the console
    sign_in(console, platform, technician)
    console.get_by_role("link", name="Knowledge base").click()
    console.get_by_role("link", name="New article").click()
    console.get_by_label("Category").select_option(label=f"Printing {label}")
    english = console.locator("#kb-panel-en")
    english.get_by_label("Title").fill(title)
    english.get_by_label("Body (Markdown)").fill("# Steps\n\nOpen **Settings**.\n\n<script>alert(1)</script>")

    # Then the preview shows the body as the portal will, the script as text
    expect(english.locator(".kb-preview h2")).to_have_text("Steps")
    expect(english.locator(".kb-preview strong")).to_have_text("Settings")
    expect(english.locator(".kb-preview")).to_contain_text("<script>alert(1)</script>")

    # When they write the Czech variant too, and publish the English one only
    console.get_by_role("tab", name="Čeština").click()
    czech = console.locator("#kb-panel-cs")
    czech.get_by_label("Title").fill(f"Tisk z notebooku {label}")
    czech.get_by_label("Body (Markdown)").fill("Koncept.")
    console.get_by_role("tab", name="English").click()
    english.get_by_role("button", name="Publish", exact=True).click()

    # Then the article is stored, English published and Czech a draft
    expect(console.get_by_role("heading", name=title)).to_be_visible()
    article_id = re.sub(r".*#/knowledge/", "", console.url)
    expect(english.get_by_text("Published", exact=True)).to_be_visible()
    stored = api.get(f"/api/articles/{article_id}").json()
    assert {language: variant["state"] for language, variant in stored["variants"].items()} == {
        "en": "published",
        "cs": "draft",
    }

    portal = f"http://{PORTAL_HOST}:{platform.port}"
    with browser_page(browser) as reader:
        # When a signed-out reader opens it on the portal
        reader.goto(f"{portal}/help/articles")
        reader.get_by_role("link", name=title).click()
        expect(reader.get_by_role("heading", level=1, name=title)).to_be_visible()
        expect(reader.locator(".article-body strong")).to_have_text("Settings")

        # And votes
        reader.get_by_role("button", name="Yes", exact=True).click()
        expect(reader.get_by_role("status")).to_have_text("Thank you for your feedback.")

        # Then the Czech draft is not there for them
        answer = reader.goto(f"{portal}/help/articles/{article_id}/cs")
        assert answer is not None
        assert answer.status == 404
        expect(reader.get_by_role("heading", name="Takový článek neexistuje.")).to_be_visible()

    # And staff see the vote
    assert api.get(f"/api/articles/{article_id}").json()["votes"] == {"helpful": 1, "unhelpful": 0}
    console.reload()
    expect(console.locator("#kb-votes")).to_have_text("Was this helpful? 1 yes, 0 no.")
