"""The console's own host (the public URL's: the support domain itself, not a portal's
subdomain) answers `/` with a redirect to the console, which is served under /static/console/;
a portal's host keeps answering `/` with the portal's page."""

from __future__ import annotations

import pytest

from deskless.companies import Company, create_company, create_portal
from tests.conftest import LocalAws
from tests.integration.conftest import Visitor


@pytest.fixture
def acme(aws: LocalAws) -> Company:
    company = create_company("Acme")
    create_portal(company, "acme")
    return company


@pytest.mark.parametrize("host", ["localhost:8000", "LocalHost:8000"])
def test_the_console_host_redirects_to_the_console(visitor: Visitor, acme: Company, host: str) -> None:
    visitor.host = host

    page = visitor.home()

    assert page.status == 302
    assert page.headers["location"] == "/static/console/"
    assert "Acme" not in page.body


def test_the_redirect_ignores_the_language_parameter(visitor: Visitor) -> None:
    visitor.host = "localhost:8000"

    page = visitor.home(lang="de")

    assert (page.status, page.headers["location"]) == (302, "/static/console/")


def test_a_portal_host_still_gets_its_portal_page(visitor: Visitor, acme: Company) -> None:
    page = visitor.home()

    assert page.status == 200
    assert "location" not in page.headers
    assert "Acme" in page.body


@pytest.mark.parametrize("host", ["globex.localhost:8000", "localhost:9000", "support.example.com", ""])
def test_another_host_is_not_the_console_and_still_gets_the_404_page(visitor: Visitor, host: str) -> None:
    visitor.host = host

    page = visitor.home()

    assert page.status == 404
    assert "location" not in page.headers
