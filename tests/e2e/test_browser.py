"""A real browser (Debian's Chromium through Playwright) on the local platform's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import Platform

pytestmark = pytest.mark.browser


def test_acme_portal_opens_on_its_own_subdomain(platform: Platform, browser: Browser) -> None:
    page = browser.new_page()
    response = page.goto(f"http://acme.localhost:{platform.port}/")
    assert response is not None
    assert response.status == 200
    assert page.locator(".brand").inner_text() == "Acme"
    assert "Acme" in page.title()
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
