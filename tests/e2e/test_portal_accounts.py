"""A contact's account on `deskless dev`, over HTTP and in a real browser (Debian's Chromium
through Playwright): "Forgot your password?" round trip through the local outbox; a technician
makes a temporary password in the console, the contact signs in with it on their portal, must
choose a new password first, sees the signed-in area, and signs out.

Each test makes contacts of its own in the demo company (the platform is shared by the suite)."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from local.seed import DEMO_STAFF
from tests.e2e.callers import PORTAL_HOST, portal_client, portal_contact, session_cookie
from tests.e2e.conftest import Platform, browser_page, mail_to, unique, wait_for
from tests.e2e.console import open_console

ALICE = DEMO_STAFF[1]


def demo_company(api: httpx.Client) -> dict[str, Any]:
    return next(c for c in api.get("/api/companies").json() if (c.get("portal") or {}).get("subdomain") == "acme")


@pytest.mark.usefixtures("untouched_budget")
def test_forgot_password_emails_a_single_use_link_that_sets_a_new_password(
    platform: Platform, admin_token: str
) -> None:
    # Given a contact of the demo company with a password of their own
    email = portal_contact(platform, admin_token, f"Fred {unique('f')}")

    # When they say they forgot it, on their portal
    with portal_client(platform) as portal:
        asked = portal.post("/help/forgot-password", data={"email": email.upper()})
        unknown = portal.post("/help/forgot-password", data={"email": f"{unique('nobody')}@acme.example.com"})

    # Then the answer is the same as for an unknown address, and an email with a link arrives
    assert asked.status_code == unknown.status_code == 200
    assert asked.text == unknown.text
    (mail,) = wait_for(lambda: mail_to(platform, email))
    link = re.search(rf"http://{PORTAL_HOST}:{platform.port}/help/set-password\?token=[\w.-]+", mail["html"])
    assert link, mail["html"]
    path = link.group(0).split(f":{platform.port}", 1)[1]

    # When they follow it and choose a new password
    with portal_client(platform) as portal:
        page = portal.get(path)
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token, page.text
        chosen = portal.post("/help/set-password", data={"token": token.group(1), "password": "my fresh passphrase"})
        again = portal.post("/help/set-password", data={"token": token.group(1), "password": "another passphrase"})
        signed_in = portal.post("/help/sign-in", data={"email": email, "password": "my fresh passphrase"})
        old = portal.post("/help/sign-in", data={"email": email, "password": "a contact's own passphrase"})

    # Then the new password signs them in, the link works no more, and the old password is gone
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/help/sign-in?done=password-set")
    assert again.status_code == 410
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/help")
    assert session_cookie(signed_in)
    assert old.status_code == 401


@pytest.mark.browser
def test_a_technicians_temporary_password_signs_a_contact_in_who_must_choose_a_new_one_first(
    platform: Platform, api: httpx.Client, browser: Browser, console: Page
) -> None:
    # Given a contact of the demo company, without any password yet
    name = f"Tereza {unique('t')}"
    email = f"{name.split()[1].lower()}@acme.example.com"
    made = api.post(  # no welcome email: its link would replace the technician's temporary password
        "/api/contacts", json={"name": name, "emails": [email], "company_id": demo_company(api)["id"], "welcome": False}
    )
    assert made.status_code == 201, made.text

    # When a technician makes a temporary password for them on the Contacts page
    open_console(console, platform, ALICE.email, ALICE.password, "contacts")
    console.get_by_label("Search").fill(email)
    console.get_by_role("button", name=f"Reset the password of {name}").click()
    dialog = console.get_by_role("dialog")
    dialog.get_by_role("button", name="Make a temporary password").click()
    shown = dialog.locator("pre.code")
    expect(shown).to_have_text(re.compile(r"^[a-z2-9]{4}(-[a-z2-9]{4}){3}$"))
    temporary = shown.inner_text()
    expect(dialog).to_contain_text("Shown this once")

    # And the contact signs in with it on their portal
    with browser_page(browser) as contact:
        contact.goto(f"http://{PORTAL_HOST}:{platform.port}/help")
        expect(contact.get_by_role("heading", name="Sign in")).to_be_visible()
        contact.get_by_label("Email").fill(email)
        contact.get_by_label("Password").fill(temporary)
        contact.get_by_role("button", name="Sign in").click()

        # Then they must choose a new password before anything else, and a common one is refused next to the field
        expect(contact.get_by_role("heading", name="Choose a new password")).to_be_visible()
        contact.goto(f"http://{PORTAL_HOST}:{platform.port}/help")
        expect(contact.get_by_role("heading", name="Choose a new password")).to_be_visible()
        contact.get_by_label("New password").fill("password123")
        contact.get_by_role("button", name="Save password").click()
        expect(contact.locator("#password-problem")).to_contain_text("most common")
        expect(contact.get_by_label("New password")).to_be_focused()
        contact.get_by_label("New password").fill("tereza's own passphrase")
        contact.get_by_role("button", name="Save password").click()

        # Then they see who they are and the places for their requests and help articles
        expect(contact.get_by_role("heading", name="Your account")).to_be_visible()
        expect(contact.locator("#who")).to_contain_text(email)
        expect(contact.get_by_role("heading", name="Your requests")).to_be_visible()
        expect(contact.get_by_role("heading", name="Help articles")).to_be_visible()
        # And the session cookie is one no script can read, sent to this portal's host alone
        (cookie,) = [c for c in contact.context.cookies() if c["name"] == "__Host-deskless-session"]
        assert (cookie["domain"], cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (
            "acme.localhost",
            True,
            True,
            "Lax",
        )
        assert cookie["expires"] > time.time() + 3600

        # When they sign out
        contact.get_by_role("button", name="Sign out").click()

        # Then they are on the sign-in page, and the signed-in area asks them to sign in again
        expect(contact.get_by_text("You are signed out.")).to_be_visible()
        contact.goto(f"http://{PORTAL_HOST}:{platform.port}/help")
        expect(contact.get_by_role("heading", name="Sign in")).to_be_visible()

    # And the temporary password works no more
    with portal_client(platform) as portal:
        assert portal.post("/help/sign-in", data={"email": email, "password": temporary}).status_code == 401
