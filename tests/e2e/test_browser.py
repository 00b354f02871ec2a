"""A real browser (Debian's Chromium through Playwright) on the local platform's pages."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.conftest import Platform

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def test_acme_portal_opens_on_its_own_subdomain(platform: Platform, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"http://acme.localhost:{platform.port}/")
    assert page.locator("h1").inner_text() == "Acme support"
    assert page.locator("html").get_attribute("lang") == "en"
    page.close()


def test_spanish_visitor_of_an_unknown_portal_is_told_in_spanish(platform: Platform, browser: Browser) -> None:
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    response = page.goto(f"http://nadie.localhost:{platform.port}/")
    assert response is not None
    assert response.status == 404
    assert "No hay ningún portal" in page.locator("main").inner_text()
    context.close()
