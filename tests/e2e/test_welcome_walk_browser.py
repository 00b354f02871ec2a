"""From a first email to a signed-in customer, in a real browser (Debian's Chromium through
Playwright) on `deskless dev`: someone Deskless does not know writes to the support address over
SMTP from Acme's domain; the welcome email reaches them; its link opens the page where they choose
a password (a common one is refused next to the field); they sign in on Acme's portal and see who
they are; the link works no more. The platform is shared by the suite: the address is the test's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Platform, browser_page, mail_to, send_mail, unique, wait_for

pytestmark = pytest.mark.browser


def test_an_email_brings_a_welcome_whose_link_sets_the_password_they_sign_in_with(
    platform: Platform, browser: Browser
) -> None:
    # Given someone at Acme (which holds *.acme.example.com) who writes to support for the first time
    address = f"{unique('erin')}@eu.acme.example.com"
    send_mail(platform, f"Erin Example <{address}>", unique("Printer offline"), "Floor 3 again.")

    # Then one welcome email reaches them (beside the receipt of the ticket the mail opened), with a
    # link to choose a password on Acme's portal
    (welcome,) = wait_for(
        lambda: [m for m in mail_to(platform, address) if "/help/set-password" in m["html"]], timeout=20
    )
    link = re.search(rf"http://acme\.localhost:{platform.port}/help/set-password\?token=[\w.-]+", welcome["html"])
    assert link is not None, welcome["html"]

    with browser_page(browser) as customer:
        # When they follow it, a common password is refused next to the field, their own is taken
        customer.goto(link[0])
        expect(customer.get_by_role("heading", name="Choose your password")).to_be_visible()
        customer.get_by_label("New password").fill("qwertyuiop")
        customer.get_by_role("button", name="Save password").click()
        expect(customer.locator("#password-problem")).to_contain_text("most common")
        customer.get_by_label("New password").fill("erin's printer passphrase")
        customer.get_by_role("button", name="Save password").click()

        # Then they are asked to sign in, and do, on Acme's portal
        expect(customer.get_by_text("Your password is saved. Sign in with it.")).to_be_visible()
        customer.get_by_label("Email").fill(address)
        customer.get_by_label("Password").fill("erin's printer passphrase")
        customer.get_by_role("button", name="Sign in").click()

        # And they see who they are, on Acme's portal
        expect(customer.get_by_role("heading", name="Your account")).to_be_visible()
        expect(customer.locator("#who")).to_contain_text(f"Erin Example ({address})")
        assert customer.url.startswith(f"http://acme.localhost:{platform.port}/help")

        # And the welcome's link works no more
        customer.goto(link[0])
        expect(customer.get_by_role("alert")).to_contain_text("This link does not work any more")
