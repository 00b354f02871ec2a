"""Email templates and quick replies in the console, in a real browser (Debian's Chromium through
Playwright) on `deskless dev`: the admin edits a built-in email template with its live preview
(with sample values, then as a mail to a real contact), sees an unknown snippet refused next to
the field before saving, saves a German variant and resets the template; a technician writes a
quick reply of their own with a snippet from the picker, and sees the admins' shared one without
being able to change it."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from deskless.template_defaults import WELCOME
from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, bearer, hire
from tests.e2e.console import confirm, open_console, sign_in

pytestmark = pytest.mark.browser

ADMIN = DEMO_STAFF[0]


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def preview(page: Page) -> FrameLocator:
    return dialog(page).frame_locator("iframe.preview-frame")


def row(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_an_admin_edits_a_built_in_email_template_with_a_live_preview_then_resets_it(
    platform: Platform, console: Page, api: httpx.Client
) -> None:
    api.post(f"/api/email-templates/{WELCOME}/reset", json={})
    open_console(console, platform, ADMIN.email, ADMIN.password, "email-templates")
    welcome = row(console, "Welcome with portal access")
    expect(welcome).to_contain_text("Built-in")

    # When the admin opens it, the preview shows it with sample values, in a frame that runs nothing
    welcome.get_by_role("button", name="Edit Welcome with portal access").click()
    expect(preview(console).locator("body")).to_contain_text("Hello Carla,")
    expect(preview(console).locator("body")).to_contain_text("carla@acme.example.com")
    expect(dialog(console).locator("iframe.preview-frame")).to_have_attribute("sandbox", "")
    expect(dialog(console).locator(".preview-line")).to_have_text("Subject: Your access to the support portal")

    # A snippet that does not exist is refused next to the subject, naming the known ones
    subject = dialog(console).get_by_label("Subject")
    subject.fill("Welcome, {[Contact Nmae]}")
    problem = dialog(console).locator('[data-error-for="subject"]')
    expect(problem).to_contain_text("Unknown snippet {[Contact Nmae]}")
    expect(problem).to_contain_text("{[Contact Name]}")
    expect(subject).to_have_attribute("aria-invalid", "true")

    # Corrected, the preview follows
    subject.fill("Welcome, {[Contact Name]}")
    expect(problem).to_be_hidden()
    expect(dialog(console).locator(".preview-line")).to_have_text("Subject: Welcome, Carla Contact")

    # Previewed as a mail to a real contact (the demo's Carla Díaz), her values fill it; Enter saves nothing
    dialog(console).get_by_label("Preview as contact").fill("CARLA@acme.example.com")
    dialog(console).get_by_label("Preview as contact").press("Enter")
    expect(dialog(console).locator(".preview-line")).to_have_text("Subject: Welcome, Carla Díaz")
    expect(dialog(console).locator(".preview-status")).to_have_text("English, as a mail to Carla Díaz")
    expect(preview(console).locator("body")).to_contain_text("http://acme.localhost:")  # where she signs in
    dialog(console).get_by_label("Preview as contact").fill("nobody@example.com")
    dialog(console).get_by_label("Preview as contact").press("Enter")
    expect(dialog(console).locator(".preview-status")).to_contain_text("no contact has that address")
    expect(dialog(console).locator(".preview-line")).to_have_text("Subject: Welcome, Carla Contact")

    # In German, a body with a snippet from the picker; markup a contact might send stays text
    dialog(console).get_by_label("Language").select_option(label="Deutsch")
    body = dialog(console).get_by_label("Body")
    expect(body).to_have_value(re.compile(r"^Guten Tag \{\[Contact First Name\]\},"))
    body.fill("Hallo <b>Team</b>, ")
    dialog(console).get_by_label("Insert a snippet").select_option("{[Company Name]}")
    expect(body).to_have_value("Hallo <b>Team</b>, {[Company Name]}")
    expect(preview(console).locator("body")).to_contain_text("Hallo <b>Team</b>, Acme")
    expect(preview(console).locator("b")).to_have_count(0)
    dialog(console).get_by_role("button", name="Save template").click()

    # Then it is listed as edited, and the API holds the German body
    expect(dialog(console)).to_have_count(0)
    expect(welcome).to_contain_text("Built-in, edited")
    stored = api.get(f"/api/email-templates/{WELCOME}").json()
    assert stored["variants"]["de"]["body"] == "Hallo <b>Team</b>, {[Company Name]}"
    assert stored["variants"]["en"]["subject"] == "Welcome, {[Contact Name]}"

    # When they reset it, the default is back
    welcome.get_by_role("button", name="Reset Welcome with portal access to its default").click()
    confirm(console, "Reset to default")
    expect(welcome).not_to_contain_text("edited")
    assert api.get(f"/api/email-templates/{WELCOME}").json()["customized"] is False


def test_a_technician_keeps_a_quick_reply_of_their_own_beside_the_shared_ones(
    platform: Platform, admin_token: str, console: Page, api: httpx.Client
) -> None:
    label = uuid.uuid4().hex[:6]
    shared = api.post(
        "/api/quick-replies",
        json={"shared": True, "variants": {"en": {"title": f"Shared {label}", "body": "From the team"}}},
    )
    assert shared.status_code == 201, shared.text
    technician = hire(platform, admin_token, f"Rita {label}")
    sign_in(console, platform, technician)
    console.goto(console.url.split("#")[0] + "#/quick-replies")

    # The admins' shared reply is there, to read, not to change
    shared_row = row(console, f"Shared {label}")
    expect(shared_row).to_contain_text("Shared")
    expect(shared_row.get_by_role("button", name=f"Delete Shared {label}")).to_have_count(0)

    # When they write one of their own, the preview follows as they type
    console.get_by_role("button", name="New quick reply").click()
    dialog(console).get_by_label("Title").fill(f"Restart {label}: {{[Ticket Title]}}")
    body = dialog(console).get_by_label("Body")
    body.fill("Hello ")
    dialog(console).get_by_label("Insert a snippet").select_option("{[Contact First Name]}")
    expect(dialog(console).locator(".preview-line")).to_have_text(f"Title: Restart {label}: The VPN does not connect")
    expect(preview(console).locator("body")).to_contain_text("Hello Carla")
    dialog(console).get_by_role("button", name="Create quick reply").click()

    # Then it is listed as theirs, and nobody else sees it
    mine = row(console, f"Restart {label}: {{[Ticket Title]}}")
    expect(mine).to_contain_text("Yours")
    own = [r for r in api.get("/api/quick-replies").json() if r["variants"]["en"]["title"].startswith("Restart")]
    assert own == []
    with platform.http() as client:
        listed = client.get("/api/quick-replies", headers=bearer(technician.token)).json()
    assert [r["variants"]["en"]["body"] for r in listed if not r["shared"]] == ["Hello {[Contact First Name]}"]
    api.delete(f"/api/quick-replies/{shared.json()['id']}")
