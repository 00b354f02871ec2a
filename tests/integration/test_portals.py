"""The portals function: what a visitor to <subdomain>.<support domain> sees, in the
portal's language; and deskless.companies' rules (one portal per company, unique subdomains).
Locally the support domain is `localhost`, so portals live at <subdomain>.localhost:<port>."""

from __future__ import annotations

import pytest

from deskless.companies import Company, PortalStatus, create_company, create_portal, portal_by_subdomain
from deskless.data import table
from deskless.errors import PortalExists, SubdomainTaken
from deskless.table import portal_key
from tests.conftest import LocalAws
from tests.helpers import HttpResult, call_http, http_event


def visit(aws: LocalAws, host: str, accept_language: str = "en-GB,en;q=0.9") -> HttpResult:
    event = http_event(
        "http_portal_home",
        origin_secret=aws.origin_secret,
        headers={"x-deskless-host": host, "accept-language": accept_language},
    )
    return call_http("portals", event)


@pytest.fixture
def acme(aws: LocalAws) -> Company:
    return create_company("Acme")


def test_a_portal_page_greets_the_visitor_with_the_company_name(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme")

    page = visit(aws, "acme.localhost:8000")

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Acme support</title>" in page.body
    assert "Welcome to Acme support." in page.body


def test_the_subdomain_is_matched_whatever_its_case(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "Acme")

    assert visit(aws, "ACME.localhost:8000").status == 200


def test_an_unknown_subdomain_is_a_404_page(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme")

    page = visit(aws, "globex.localhost:8000")

    assert page.status == 404
    assert "There is no support portal at this address." in page.body
    assert "Acme" not in page.body


@pytest.mark.parametrize("host", ["localhost:8000", "acme.example.org", "deep.acme.localhost:8000", ""])
def test_a_host_that_names_no_portal_is_a_404_page(aws: LocalAws, acme: Company, host: str) -> None:
    create_portal(acme, "acme")

    assert visit(aws, host).status == 404


def test_the_404_page_speaks_the_visitors_language(aws: LocalAws) -> None:
    page = visit(aws, "nobody.localhost:8000", accept_language="de-DE,de;q=0.9,en;q=0.8")

    assert page.status == 404
    assert "Unter dieser Adresse gibt es kein Support-Portal." in page.body
    assert '<html lang="de">' in page.body


def test_an_inactive_portal_says_support_is_not_available(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme", status=PortalStatus.INACTIVE)

    page = visit(aws, "acme.localhost:8000")

    assert page.status == 200
    assert "Support for Acme is not available right now." in page.body
    assert "Welcome" not in page.body


def test_a_spanish_portal_speaks_spanish_whatever_the_browser_asks(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme", language="es")

    page = visit(aws, "acme.localhost:8000", accept_language="en-US,en;q=0.9")

    assert "Bienvenido al soporte de Acme." in page.body
    assert "<title>Soporte de Acme</title>" in page.body
    assert '<html lang="es">' in page.body


def test_the_company_name_is_escaped_in_the_page(aws: LocalAws) -> None:
    company = create_company('<script>alert("x")</script> & Co')
    create_portal(company, "xss")

    page = visit(aws, "xss.localhost:8000")

    assert "<script>" not in page.body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page.body


def test_a_company_has_at_most_one_portal(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme")

    with pytest.raises(PortalExists):
        create_portal(acme, "acme-two")

    assert portal_by_subdomain("acme-two") is None
    stored = table().get(portal_key(acme.id))
    assert stored is not None
    assert stored["subdomain"] == "acme"


def test_a_subdomain_belongs_to_one_company_only(aws: LocalAws, acme: Company) -> None:
    create_portal(acme, "acme")
    impostor = create_company("Acme Impostors")

    with pytest.raises(SubdomainTaken):
        create_portal(impostor, "ACME")

    assert table().get(portal_key(impostor.id)) is None
    portal = portal_by_subdomain("acme")
    assert portal is not None
    assert portal.company_id == acme.id
