"""The portals function: what a visitor to <subdomain>.<support domain>/ sees. Someone available:
a chat request form; nobody available: a message form; inactive: "Service unavailable" with 503
(whoever is available); no such portal: 404. In the portal's language or the visitor's, every
value from outside escaped, locked down by its Content-Security-Policy. And deskless.companies'
rules (one portal per company, unique subdomains). Locally the support domain is `localhost`.

Requests are the sample portal event (as CloudFront and the HTTP API pass it) run through the
function's Lambda handler against local AWS."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any

import pytest

from deskless.companies import Company, PortalStatus, create_company, create_portal, portal_by_subdomain
from deskless.data import table
from deskless.errors import PortalExists, SubdomainTaken
from deskless.presence import Status, console_closed, heartbeat, update_presence
from deskless.table import portal_key
from deskless.users import Channel, StaffUser
from tests.conftest import LocalAws
from tests.helpers import HttpResult
from tests.integration.conftest import Visitor, language_of, page_data, technician


def inline_script_is_allowed(page: HttpResult) -> bool:
    """The page has one inline script and one style sheet, each allowed by its hash, and nothing else."""
    policy = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.body, flags=re.S)
    styles = re.findall(r"<style>(.*?)</style>", page.body, flags=re.S)
    assert len(scripts) == 1
    assert len(styles) == 1
    for source, directive in ((scripts[0], "script-src"), (styles[0], "style-src")):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}';" in policy
    return True


@pytest.fixture
def acme(aws: LocalAws, tina: StaffUser) -> Company:
    company = create_company("Acme", [tina.id])
    create_portal(company, "acme")
    return company


# --- the three states ------------------------------------------------------------------------


def test_with_a_technician_available_the_visitor_is_offered_a_chat(
    visitor: Visitor, acme: Company, tina: StaffUser
) -> None:
    heartbeat(tina.id)  # Tina's console is open

    page = visitor.home()

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Chat with a technician \N{EN DASH} Acme support</title>" in page.body
    assert '<h1 id="contact-heading" tabindex="-1">Chat with a technician</h1>' in page.body
    for field, label in (("name", "Your name"), ("email", "Your email"), ("question", "How can we help?")):
        assert f'<label for="{field}">{label}</label>' in page.body
    assert 'type="email" autocomplete="email"' in page.body
    assert ">Start chat</button>" in page.body
    assert '<section id="waiting" aria-labelledby="waiting-heading" hidden>' in page.body
    assert '<a href="/join">Have a session code from a technician? Join the session here.</a>' in page.body
    data = page_data(page)
    assert (data["state"], data["via"], data["widget"], data["lang"]) == ("available", "portal", None, "en")
    assert data["api"] == {
        "portal": "/api/portal",
        "chat_requests": "/api/portal/chat-requests",
        "messages": "/api/portal/messages",
        "transcript": "/api/sessions/{session_id}/messages",
    }


def test_with_nobody_available_the_visitor_is_offered_a_message_form(visitor: Visitor, acme: Company) -> None:
    page = visitor.home()  # Tina's console has never connected

    assert page.status == 200
    assert '<h1 id="contact-heading" tabindex="-1">No technician is available right now</h1>' in page.body
    assert "Leave us a message and we will answer by email." in page.body
    assert ">Send message</button>" in page.body
    assert ">Start chat</button>" not in page.body
    assert '<label for="email">Your email</label>' in page.body
    assert page_data(page)["state"] == "unavailable"


@pytest.mark.parametrize(
    "goes_away",
    [
        pytest.param(lambda user_id: console_closed(user_id), id="console closed"),
        pytest.param(lambda user_id: heartbeat(user_id, now=time.time() - 121), id="heartbeat over 2 minutes old"),
        pytest.param(lambda user_id: update_presence(user_id, status=Status.AWAY, reason="Lunch"), id="away"),
        pytest.param(lambda user_id: update_presence(user_id, channels={Channel.CHAT: False}), id="chat off"),
    ],
)
def test_the_page_stops_promising_a_chat_when_the_last_technician_goes(
    visitor: Visitor, acme: Company, tina: StaffUser, goes_away: Any
) -> None:
    heartbeat(tina.id)
    assert page_data(visitor.home())["state"] == "available"

    goes_away(tina.id)

    assert page_data(visitor.home())["state"] == "unavailable"


def test_a_technician_who_does_not_serve_the_company_does_not_count(visitor: Visitor, acme: Company) -> None:
    stranger = technician("Sam Stranger")
    heartbeat(stranger.id)

    assert page_data(visitor.home())["state"] == "unavailable"


def test_an_inactive_portal_is_unavailable_with_503_even_with_technicians_available(
    visitor: Visitor, aws: LocalAws, tina: StaffUser
) -> None:
    create_portal(create_company("Acme", [tina.id]), "acme", status=PortalStatus.INACTIVE)
    heartbeat(tina.id)

    page = visitor.home()

    assert page.status == 503
    assert "<title>Acme support</title>" in page.body
    assert "<p>Service unavailable. We apologise for the inconvenience.</p>" in page.body
    assert "<form" not in page.body
    assert "<script" not in page.body
    assert "script-src 'none'" in page.headers["content-security-policy"]


def test_an_unknown_subdomain_is_a_404_page(visitor: Visitor, acme: Company) -> None:
    visitor.host = "globex.localhost:8000"

    page = visitor.home()

    assert page.status == 404
    assert "There is no support portal at this address." in page.body
    assert "Acme" not in page.body
    assert "<script" not in page.body


@pytest.mark.parametrize("host", ["acme.example.org", "deep.acme.localhost:8000", "localhost:9000", ""])
def test_a_host_that_names_no_portal_is_a_404_page(visitor: Visitor, acme: Company, host: str) -> None:
    visitor.host = host

    assert visitor.home().status == 404


def test_the_subdomain_is_matched_whatever_its_case(visitor: Visitor, aws: LocalAws) -> None:
    create_portal(create_company("Acme"), "Acme")
    visitor.host = "ACME.localhost:8000"

    assert visitor.home().status == 200


# --- languages -------------------------------------------------------------------------------


def test_the_404_page_speaks_the_visitors_language(visitor: Visitor) -> None:
    visitor.host, visitor.accept_language = "nobody.localhost:8000", "de-DE,de;q=0.9,en;q=0.8"

    page = visitor.home()

    assert page.status == 404
    assert "Unter dieser Adresse gibt es kein Support-Portal." in page.body
    assert language_of(page) == "de"


@pytest.mark.parametrize(
    ("language", "heading", "button", "inactive"),
    [
        ("es", "Chatear con un técnico", "Iniciar chat", "Servicio no disponible. Le pedimos disculpas"),
        ("de", "Mit einem Techniker chatten", "Chat starten", "Dienst nicht verfügbar. Wir bitten um Entschuldigung"),
        ("cs", "Chat s technikem", "Zahájit chat", "Služba není dostupná. Omlouváme se"),
    ],
)
def test_the_page_speaks_the_language_asked_for_by_parameter_or_browser(
    visitor: Visitor, acme: Company, tina: StaffUser, language: str, heading: str, button: str, inactive: str
) -> None:
    heartbeat(tina.id)
    by_parameter = visitor.home(lang=language)
    visitor.accept_language = f"{language}-XX,{language};q=0.9,en;q=0.5"
    by_browser = visitor.home()

    for page in (by_parameter, by_browser):
        assert page.status == 200
        assert language_of(page) == language
        assert page.headers["content-language"] == language
        assert f">{heading}</h1>" in page.body
        assert f">{button}</button>" in page.body
        data = page_data(page)
        assert data["lang"] == language
        assert data["text"]["inactive"].startswith(inactive)  # what the script says if the portal closes


def test_a_portal_speaks_its_own_language_when_the_browser_asks_for_none_deskless_speaks(
    visitor: Visitor, aws: LocalAws
) -> None:
    create_portal(create_company("Bodega"), "bodega", language="es")
    visitor.host, visitor.accept_language = "bodega.localhost:8000", "fr-FR,fr;q=0.9"

    page = visitor.home()

    assert language_of(page) == "es"
    assert "Ahora mismo no hay ningún técnico disponible" in page.body
    assert "<title>Ahora mismo no hay ningún técnico disponible \N{EN DASH} Soporte de Bodega</title>" in page.body


def test_the_inactive_page_speaks_the_visitors_language(visitor: Visitor, aws: LocalAws) -> None:
    create_portal(create_company("Acme"), "acme", status=PortalStatus.INACTIVE)

    page = visitor.home(lang="cs")

    assert page.status == 503
    assert "Služba není dostupná. Omlouváme se za nepříjemnosti." in page.body


def test_every_language_can_be_switched_to_from_the_page(visitor: Visitor, acme: Company) -> None:
    page = visitor.home(lang="de")

    for code, name in (("en", "English"), ("es", "Español"), ("de", "Deutsch"), ("cs", "Čeština")):
        assert f'href="?lang={code}" hreflang="{code}" lang="{code}"' in page.body
        assert f">{name}</a>" in page.body


# --- what the page is made of ----------------------------------------------------------------


def test_everything_from_outside_is_escaped(visitor: Visitor, aws: LocalAws) -> None:
    create_portal(create_company('</script><script>alert("x")</script> & Co'), "xss")
    visitor.host = "xss.localhost:8000"

    page = visitor.home(lang='"><b>')

    assert page.status == 200
    assert "<b>" not in page.body
    assert page.body.count("<script") == 2  # the data block and the page's own script, nothing injected
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page.body


def test_the_page_allows_its_own_script_and_style_only_and_may_not_be_framed(
    visitor: Visitor, acme: Company, tina: StaffUser
) -> None:
    heartbeat(tina.id)

    page = visitor.home()

    assert inline_script_is_allowed(page)
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self' ws://localhost:8000" in policy  # the WebSocket API (DESKLESS_WEBSOCKET_URL)
    assert policy.endswith("frame-ancestors 'none'")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.body


def test_the_join_page_is_still_on_the_portal(visitor: Visitor, acme: Company) -> None:
    page = visitor.request("GET /join")

    assert page.status == 200
    assert '<p class="brand">Acme</p>' in page.body
    assert "<title>Join a support session \N{EN DASH} Acme support</title>" in page.body


# --- companies and portals -------------------------------------------------------------------


def test_a_company_has_at_most_one_portal(aws: LocalAws, acme: Company) -> None:
    with pytest.raises(PortalExists):
        create_portal(acme, "acme-two")

    assert portal_by_subdomain("acme-two") is None
    stored = table().get(portal_key(acme.id))
    assert stored is not None
    assert stored["subdomain"] == "acme"


def test_a_subdomain_belongs_to_one_company_only(aws: LocalAws, acme: Company) -> None:
    impostor = create_company("Acme Impostors")

    with pytest.raises(SubdomainTaken):
        create_portal(impostor, "ACME")

    assert table().get(portal_key(impostor.id)) is None
    portal = portal_by_subdomain("acme")
    assert portal is not None
    assert portal.company_id == acme.id
