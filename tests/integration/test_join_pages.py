"""The pages customers join a support session from (portals function): /join, /join/{code} and
/invite/{token}, in the visitor's language (lang parameter, else Accept-Language, else the
invitation's or portal's language, else English), everything from outside HTML-escaped; a dead
invitation link says so at once, with 410. Opening a page never redeems or reveals a code. The
code pages are on portal hosts only (a code is redeemed on its own portal's host); an invitation
opens on the console's host too.

Requests are the sample portal event (as CloudFront and the HTTP API pass it) run through the
function's Lambda handler against local AWS."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from deskless.companies import Company, create_company, create_portal
from deskless.data import table
from deskless.table import Entity, invitation_index, invitation_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, HttpResult, call_http, current, http_event
from tests.integration.conftest import language_of, page_data

TOKEN = "Q" * 16 + "x_-" + "7" * 13  # an invitation token's shape: 32 URL-safe characters


@dataclass
class Pages:
    aws: LocalAws

    def get(
        self,
        route_key: str,
        *,
        host: str = "acme.localhost:8000",
        accept_language: str = "en-GB,en;q=0.9",
        lang: str | None = None,
        **path: str,
    ) -> HttpResult:
        method, template = route_key.split(" ", 1)
        event = http_event(
            "http_portal_home",
            origin_secret=self.aws.origin_secret,
            headers={"x-deskless-host": host, "accept-language": accept_language},
            route_key=f"{method} {template.format(**path)}",
        )
        event["routeKey"] = event["requestContext"]["routeKey"] = route_key
        if path:
            event["pathParameters"] = path
        if lang is not None:
            event["rawQueryString"] = urlencode({"lang": lang})
            event["queryStringParameters"] = {"lang": lang}
        return call_http("portals", event)

    def join(self, code: str | None = None, **options: Any) -> HttpResult:
        if code is None:
            return self.get("GET /join", **options)
        return self.get("GET /join/{code}", code=code, **options)

    def invite(self, token: str = TOKEN, **options: Any) -> HttpResult:
        return self.get("GET /invite/{token}", token=token, **options)


@pytest.fixture
def pages(aws: LocalAws) -> Pages:
    return Pages(aws)


@pytest.fixture
def acme(aws: LocalAws) -> Company:
    company = create_company("Acme")
    create_portal(company, "acme")
    return company


def invitation(state: str = "unused", language: str = "en", token: str = TOKEN) -> None:
    """An invitation as the invitations function stores it."""
    table().put(
        {
            **invitation_key(token),
            **invitation_index(TECHNICIAN.user_id, 1773342238, token),
            "type": Entity.INVITATION,
            "token": token,
            "operator_id": TECHNICIAN.user_id,
            "operator_name": TECHNICIAN.name,
            "label": "",
            "language": language,
            "reusable": False,
            "state": state,
            "use_count": 0,
            "created_at": 1773342238,
            "created_via": "console",
        }
    )


# --- /join ---------------------------------------------------------------------------------


def test_the_join_page_asks_for_the_code_and_the_name(pages: Pages, acme: Company) -> None:
    page = pages.join()

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert language_of(page) == "en"
    assert "<title>Join a support session \N{EN DASH} Acme support</title>" in page.body
    assert '<p class="brand">Acme</p>' in page.body
    assert '<label for="code">Session code</label>' in page.body
    assert '<label for="name">Your name</label>' in page.body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.body
    assert 'aria-live="polite"' in page.body
    data = page_data(page, "join-data")
    assert (data["mode"], data["code"], data["lang"]) == ("code", "", "en")
    assert data["api"] == {"join": "/api/join", "accept": "", "messages": "/api/sessions/{session_id}/messages"}


def test_the_page_allows_its_own_script_and_style_only_and_keeps_its_address_to_itself(
    pages: Pages, acme: Company
) -> None:
    page = pages.join("123456789")

    policy = page.headers["content-security-policy"]
    inline_scripts = re.findall(r"<script>(.*?)</script>", page.body, flags=re.S)
    (style,) = re.findall(r"<style>(.*?)</style>", page.body, flags=re.S)
    assert len(inline_scripts) == 1
    for source, directive in ((inline_scripts[0], "script-src"), (style, "style-src")):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "connect-src 'self' ws://localhost:8000" in policy  # the WebSocket API (DESKLESS_WEBSOCKET_URL)
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("language", "title", "label"),
    [
        ("es", "Unirse a una sesión de soporte", "Su nombre"),
        ("de", "An einer Support-Sitzung teilnehmen", "Ihr Name"),
        ("cs", "Připojení k relaci podpory", "Vaše jméno"),
    ],
)
def test_the_join_page_speaks_the_language_asked_for_by_parameter_or_browser(
    pages: Pages, acme: Company, language: str, title: str, label: str
) -> None:
    by_parameter = pages.join(lang=language)
    by_browser = pages.join(accept_language=f"{language}-XX,{language};q=0.9,en;q=0.5")

    for page in (by_parameter, by_browser):
        assert page.status == 200
        assert language_of(page) == language
        assert f'<h1 id="join-heading">{title}</h1>' in page.body
        assert f'<label for="name">{label}</label>' in page.body
        assert page.headers["content-language"] == language
        assert page_data(page, "join-data")["lang"] == language


def test_the_lang_parameter_wins_over_the_browser(pages: Pages, acme: Company) -> None:
    assert language_of(pages.join(lang="cs", accept_language="de")) == "cs"


def test_the_portals_language_is_spoken_when_the_browser_asks_for_none_deskless_speaks(
    pages: Pages, aws: LocalAws
) -> None:
    create_portal(create_company("Bodega"), "bodega", language="es")

    assert language_of(pages.join(host="bodega.localhost:8000", accept_language="fr-FR,fr;q=0.9")) == "es"
    assert language_of(pages.join(host="bodega.localhost:8000", accept_language="de")) == "de"
    assert language_of(pages.join(host="localhost:8000", accept_language="ja")) == "en"


def test_every_language_can_be_switched_to_from_the_page(pages: Pages, acme: Company) -> None:
    page = pages.join("123456789", lang="de")

    for code, name in (("en", "English"), ("es", "Español"), ("de", "Deutsch"), ("cs", "Čeština")):
        assert f'href="?lang={code}" hreflang="{code}" lang="{code}"' in page.body
        assert f">{name}</a>" in page.body
    assert 'lang="de" aria-current="page">Deutsch</a>' in page.body


def test_a_code_in_the_address_is_prefilled_and_only_the_name_is_asked_for(pages: Pages, acme: Company) -> None:
    page = pages.join("123456789")

    assert page.status == 200
    assert "Your technician gave you the code 123 456 789." in page.body
    assert '<input type="hidden" id="code" name="code" value="123456789">' in page.body
    assert '<label for="code">' not in page.body
    assert page_data(page, "join-data")["code"] == "123456789"


def test_opening_a_join_link_neither_redeems_nor_looks_up_the_code(pages: Pages, acme: Company) -> None:
    # Only the portal is read (its subdomain guard, then the company's partition): a link scanner
    # burns nothing, and a guesser learns nothing from opening /join/<digits>
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert pages.join("123456789").status == 200

    assert calls == {"GetItem": 1, "Query": 1}


@pytest.mark.parametrize("code", ["12345", "1234567890", "abc"])
def test_an_address_without_nine_digits_asks_for_the_code(pages: Pages, acme: Company, code: str) -> None:
    page = pages.join(code)

    assert page.status == 200
    assert '<label for="code">Session code</label>' in page.body
    assert page_data(page, "join-data")["code"] == ""


@pytest.mark.parametrize("host", ["localhost:8000", "d111111abcdef8.cloudfront.net", "acme.example.org"])
@pytest.mark.parametrize("code", [None, "123456789"])
def test_a_host_that_names_no_portal_offers_no_code_form(
    pages: Pages, acme: Company, host: str, code: str | None
) -> None:
    # A code is redeemed on its own portal's host only: the console's host, the distribution's own
    # domain or a stranger's would offer a form whose every code is refused
    page = pages.join(code, host=host)

    assert page.status == 404
    assert "There is no support portal at this address." in page.body
    assert "join-form" not in page.body
    assert '<label for="code">' not in page.body
    assert "join-data" not in page.body
    assert "<script" not in page.body


def test_an_unknown_portal_says_there_is_none_here(pages: Pages, acme: Company) -> None:
    page = pages.join("123456789", host="globex.localhost:8000", accept_language="de")

    assert page.status == 404
    assert "Unter dieser Adresse gibt es kein Support-Portal." in page.body
    assert "join-data" not in page.body


def test_everything_from_outside_is_escaped(pages: Pages, aws: LocalAws) -> None:
    create_portal(create_company('</script><script>alert("x")</script> & Co'), "xss")

    page = pages.join('1"><img src=x onerror=alert(1)>', host="xss.localhost:8000", lang='"><b>')

    assert page.status == 200
    assert "<img" not in page.body
    assert "<b>" not in page.body
    assert page.body.count("<script") == 2  # the data block and the page's own script, nothing injected
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page.body


# --- /invite/{token} -----------------------------------------------------------------------


def test_an_open_invitation_asks_for_the_name_in_the_invitations_language(pages: Pages, aws: LocalAws) -> None:
    invitation(language="de")

    page = pages.invite(host="localhost:8000", accept_language="")

    assert page.status == 200
    assert language_of(page) == "de"
    assert "Geben Sie Ihren Namen ein, um eine Support-Sitzung zu beginnen." in page.body
    assert '<label for="code">' not in page.body
    data = page_data(page, "join-data")
    assert (data["mode"], data["invitation"]) == ("invite", TOKEN)
    assert data["api"]["accept"] == f"/api/invitations/{TOKEN}/accept"


def test_the_browsers_language_wins_over_the_invitations(pages: Pages, aws: LocalAws) -> None:
    invitation(language="de")

    assert language_of(pages.invite(host="localhost:8000", accept_language="es-ES,es;q=0.9")) == "es"


def test_an_invitation_opens_on_a_portal_host_too(pages: Pages, acme: Company) -> None:
    invitation()

    page = pages.invite()

    assert page.status == 200
    assert '<p class="brand">Acme</p>' in page.body


@pytest.mark.parametrize("state", ["used", "invalidated"])
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This invitation is no longer valid."),
        ("es", "Esta invitación ya no es válida."),
        ("de", "Diese Einladung ist nicht mehr gültig."),
        ("cs", "Tato pozvánka už není platná."),
    ],
)
def test_a_dead_invitation_says_so_at_once_with_410(
    pages: Pages, aws: LocalAws, state: str, language: str, message: str
) -> None:
    invitation(state=state)

    page = pages.invite(host="localhost:8000", lang=language)

    assert page.status == 410
    assert f"<h1>{message}</h1>" in page.body
    assert language_of(page) == language
    assert "join-form" not in page.body
    assert "<script" not in page.body


@pytest.mark.parametrize("token", [TOKEN, "short", "<img src=x onerror=alert(1)>" + "A" * 20])
def test_an_unknown_invitation_gets_the_same_answer_as_a_dead_one(pages: Pages, aws: LocalAws, token: str) -> None:
    page = pages.invite(token, host="localhost:8000")

    # the same status and words as a used or invalidated link: the page tells a guesser nothing
    assert page.status == 410
    assert "<h1>This invitation is no longer valid.</h1>" in page.body
    assert "<script" not in page.body
