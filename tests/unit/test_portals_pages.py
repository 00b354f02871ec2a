"""Portal pages come from autoescaping templates (functions/portals/templates/): whatever a value
from outside holds (a company's name, a lang parameter, a code in the address, the browser's
Accept-Language), it reaches the page as text, never as markup; and no page runs an inline
script or style that its Content-Security-Policy does not allow by hash.

Every page is rendered from a visit made by hand (as visit.py makes them), with plain fakes for
who is available and for the stored invitation."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskless import credentials
from deskless.articles import Article, KbCategory
from deskless.articles import Listed as ListedArticle
from deskless.attachments import Limits
from deskless.categories import Category, ProductArea
from deskless.companies import Company, Portal, PortalStatus
from deskless.contacts import Contact, CreatedVia
from deskless.credentials import CustomerSession
from deskless.errors import NotFound
from deskless.invitations import Invitation, InvitationState
from deskless.ticket_lists import Listed, TicketPage
from deskless.tickets import Author, AuthorKind, Entry, EntryKind, FieldChange, Ticket
from functions.portals import account, article_pages, join, pages, ticket_pages, visit
from functions.portals.join import invite_page, join_page
from functions.portals.pages import Page, templates
from functions.portals.support import home_page, widget_page
from functions.portals.visit import Visit
from tests.unit.test_portals_visit import SETTINGS

HOSTILE = """<script>alert(1)</script> "Quotes" 'R' & Co"""
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Quotes&#34; &#39;R&#39; &amp; Co"
HOSTILE_LANG = """"'><b>bold</b>"""
HOSTILE_CODE = """1"><img src=x onerror=alert(1)>"""
SHOP = "https://shop.example.com"
TOKEN = "T" * 32


class Invitations:
    """Invitations as the invite page opens them: one open invitation, TOKEN; any other is unknown."""

    def open(self, token: str) -> Invitation | None:
        if token != TOKEN:
            return None
        return Invitation(
            token=TOKEN,
            url=f"https://xss.example.com/invite/{TOKEN}",
            operator_id="u-1",
            operator_name="Alice",
            language="de",
            reusable=False,
            state=InvitationState.UNUSED,
            use_count=0,
            created_at=1,
            created_via="console",
        )


@pytest.fixture
def invitations(monkeypatch: pytest.MonkeyPatch) -> Invitations:
    fake = Invitations()
    monkeypatch.setattr(pages, "get_settings", lambda: SETTINGS)
    monkeypatch.setattr(join, "open_invitation", fake.open)
    monkeypatch.setattr(visit, "available", lambda technician_ids, channel: [])
    monkeypatch.setattr(account, "session_of", lambda cookie: SIGNED_IN)
    monkeypatch.setattr(credentials, "csrf_token_of", lambda stored_hash: "c" * 64)
    monkeypatch.setattr(ticket_pages, "attachment_limits", lambda: Limits(10_000_000, 25_000_000, ("image/png",)))
    monkeypatch.setattr(ticket_pages, "activities", lambda *args, **kwargs: TicketPage(tickets=[LISTED], next=HOSTILE))
    monkeypatch.setattr(ticket_pages, "list_categories", lambda active_only: [HOSTILE_CATEGORY])
    monkeypatch.setattr(ticket_pages, "list_product_areas", lambda: [ProductArea(id="a-1", name=HOSTILE)])
    monkeypatch.setattr(ticket_pages, "category_of", lambda category_id: HOSTILE_CATEGORY)
    monkeypatch.setattr(ticket_pages, "primary_contact_names", lambda company_id: [HOSTILE])

    def ticket_for_contact(number: int, contact: Contact) -> tuple[Ticket, list[Entry]]:
        if number != HOSTILE_TICKET.number:
            raise NotFound("no such ticket")
        return HOSTILE_TICKET, HOSTILE_TIMELINE

    monkeypatch.setattr(ticket_pages, "ticket_for_contact", ticket_for_contact)
    monkeypatch.setattr(article_pages, "list_kb_categories", lambda: [HOSTILE_KB_CATEGORY])
    monkeypatch.setattr(article_pages, "published_for", lambda reader, category_id: [HOSTILE_LISTED_ARTICLE])

    def article_for_reader(article_id: str, language: str, reader: Any) -> tuple[Article, Any]:
        if article_id != HOSTILE_ARTICLE.id:
            raise NotFound("There is no such article.")
        return HOSTILE_ARTICLE, HOSTILE_ARTICLE.variants["en"]

    monkeypatch.setattr(article_pages, "article_for_reader", article_for_reader)
    return fake


def hostile_visit(status: PortalStatus = PortalStatus.ACTIVE, **asked: Any) -> Visit:
    company = Company(id="c-1", name=HOSTILE, created_at=1)
    portal = Portal(
        company_id="c-1", company_name=HOSTILE, subdomain="xss", status=status, language="en", allowed_origins=[SHOP]
    )
    return Visit("xss", company, portal, lang=HOSTILE_LANG, accept_language=HOSTILE_LANG, **asked)


HOSTILE_CONTACT = Contact(
    id="0123456789abcdef",
    name=HOSTILE,
    emails=["x@example.com"],
    company_id="c-1",
    created_via=CreatedVia.CONSOLE,
    created_at=1,
    updated_at=1,
)
SIGNED_IN = CustomerSession(HOSTILE_CONTACT, "xss", "c-1", must_change_password=False, expires_at=2, secret_hash="h")
FORCED = CustomerSession(HOSTILE_CONTACT, "xss", "c-1", must_change_password=True, expires_at=2, secret_hash="h")
A_TOKEN = "0123456789abcdef." + "x" * 43
HOSTILE_AUTHOR = Author(kind=AuthorKind.CONTACT, id=HOSTILE_CONTACT.id, name=HOSTILE, email="x@example.com")
HOSTILE_CATEGORY = Category.model_validate(
    {
        "id": "k-1",
        "revision": 1,
        "updated_at": 1,
        "name": HOSTILE,
        "description": HOSTILE,
        "fields": [
            {"key": kind, "kind": kind, "labels": {"en": HOSTILE}, "help": {"en": HOSTILE}, "required": True}
            | ({"choices": [{"key": "c", "labels": {"en": HOSTILE}}]} if "choice" in kind else {})
            for kind in ("short_text", "long_text", "number", "single_choice", "multiple_choice", "checkbox", "date")
        ],
    }
)
HOSTILE_TICKET = Ticket.model_validate(
    {
        "number": 1001,
        "title": HOSTILE,
        "description": HOSTILE,
        "requester": HOSTILE_AUTHOR,
        "company_id": "c-1",
        "source": "portal",
        "category_id": "k-1",
        "fields": {"short_text": HOSTILE, "single_choice": "c", "multiple_choice": ["c"], "checkbox": True},
        "cc": ["x@example.com"],
        "attachments": [{"id": "f-1", "name": HOSTILE, "content_type": "text/plain", "size": 5}],
        "status": "closed",
        "status_reason": HOSTILE,
        "priority": "medium",
        "created_at": 1,
        "updated_at": 1000,
        "revision": 1,
    }
)
HOSTILE_TIMELINE = [
    Entry(id="e-1", at=1000, kind=EntryKind.EVENT, author=HOSTILE_AUTHOR, changes=[FieldChange(field="opened")]),
    Entry(id="e-2", at=2000, kind=EntryKind.REPLY, author=HOSTILE_AUTHOR, body=HOSTILE),
]
LISTED = Listed.model_validate(HOSTILE_TICKET.model_dump())
HOSTILE_KB_CATEGORY = KbCategory(id="0123456789abcdef", name=HOSTILE, labels={"en": HOSTILE[:80]})
HOSTILE_ARTICLE = Article.model_validate(
    {
        "id": "fedcba9876543210",
        "category_id": HOSTILE_KB_CATEGORY.id,
        "tags": ["<b>bold</b>"],
        "visibility": "public",
        "companies": [],
        "author": {"id": "u-1", "name": HOSTILE},
        "created_at": 1,
        "updated_at": 1,
        "revision": 1,
        "variants": {
            language: {
                "language": language,
                "title": HOSTILE,
                "body": f"# {HOSTILE}\n\n{HOSTILE} [x](javascript:alert(1)) ![i](http://evil.example/i.png)",
                "state": "published",
                "updated_at": 1,
                "updated_by": {"id": "u-1", "name": HOSTILE},
            }
            for language in ("en", "cs")
        },
    }
)
HOSTILE_LISTED_ARTICLE = ListedArticle(HOSTILE_ARTICLE.id, HOSTILE_KB_CATEGORY.id, {"en": HOSTILE})
NO_PORTAL = Visit("globex", None, None, lang=HOSTILE_LANG)
CONSOLE = Visit(None, None, None, console=True, lang=HOSTILE_LANG)
PAGES: dict[str, Callable[[], Page]] = {
    "support page": lambda: home_page(hostile_visit()),
    "inactive portal": lambda: home_page(hostile_visit(PortalStatus.INACTIVE)),
    "widget": lambda: widget_page(hostile_visit(), SHOP),
    "inactive widget": lambda: widget_page(hostile_visit(PortalStatus.INACTIVE), SHOP),
    "widget refused": lambda: widget_page(hostile_visit(), "https://evil.example.net"),
    "join page": lambda: join_page(hostile_visit()),
    "join page with a code": lambda: join_page(hostile_visit(), "123456789"),
    "join page with a hostile code": lambda: join_page(hostile_visit(), HOSTILE_CODE),
    "invitation": lambda: invite_page(hostile_visit(), TOKEN),
    "unknown invitation": lambda: invite_page(hostile_visit(), "<b>" + TOKEN),
    "unknown portal": lambda: home_page(NO_PORTAL),
    "join page on an unknown portal": lambda: join_page(NO_PORTAL),
    "join page on the console's host": lambda: join_page(CONSOLE, "123456789"),
    "account": lambda: account.account_page(hostile_visit(), "a cookie"),
    "sign-in with problems": lambda: account.sign_in_page(
        hostile_visit(), email=HOSTILE, problem=HOSTILE, problems={"email": HOSTILE}
    ),
    "help centre's sign-in": lambda: account.sign_in_page(CONSOLE, done="signed-out"),
    "forgot password": lambda: account.forgot_page(hostile_visit(), email=HOSTILE, problems={"email": HOSTILE}),
    "forgot password, sent": lambda: account.forgot_page(hostile_visit(), sent=True),
    "set password": lambda: account.set_password_page(hostile_visit(), A_TOKEN, problems={"password": HOSTILE}),
    "set password, not a link": lambda: account.set_password_page(hostile_visit(), HOSTILE),
    "change password": lambda: account.change_page(hostile_visit(), SIGNED_IN, problems={"current_password": HOSTILE}),
    "new password first": lambda: account.change_page(hostile_visit(), FORCED),
    "account on an inactive portal": lambda: account.sign_in_page(hostile_visit(PortalStatus.INACTIVE)),
    "my activities": lambda: ticket_pages.activities_page(hostile_visit(), SIGNED_IN, "mine", "closed", HOSTILE, None),
    "ticket form": lambda: ticket_pages.form_page(hostile_visit(), SIGNED_IN),
    "a ticket": lambda: ticket_pages.ticket_page(hostile_visit(), SIGNED_IN, 1001, "received"),
    "a ticket not theirs": lambda: ticket_pages.ticket_page(hostile_visit(), SIGNED_IN, 1002),
    "help articles": lambda: article_pages.index_page(hostile_visit(), "a cookie"),
    "one category's articles": lambda: article_pages.index_page(hostile_visit(), None, HOSTILE_KB_CATEGORY.id),
    "an article": lambda: article_pages.article_page(hostile_visit(), "a cookie", HOSTILE_ARTICLE.id, "en"),
    "an article, voted": lambda: article_pages.article_page(hostile_visit(), None, HOSTILE_ARTICLE.id, "en", "voted"),
    "no such article": lambda: article_pages.article_page(hostile_visit(), None, "0000000000000000", "en"),
}
WITHOUT_PORTAL = {
    "unknown portal",
    "join page on an unknown portal",
    "join page on the console's host",
    "help centre's sign-in",
}


@pytest.fixture
def rendered(invitations: Invitations) -> dict[str, Page]:
    return {name: page() for name, page in PAGES.items()}


def test_every_page_shows_a_hostile_value_as_text(rendered: dict[str, Page]) -> None:
    for name, page in rendered.items():
        body = page.html
        assert "alert(1)</script>" not in body, name
        assert "<img" not in body, name
        assert "<b>" not in body, name
        assert "onerror" not in body, name
        if name not in WITHOUT_PORTAL:
            assert ESCAPED in body, name  # the company's name, in the header or the heading
        # the hostile lang parameter is no language: the page speaks English, or the invitation's German
        assert re.search(r'<html lang="(en|de)">', body), name


def test_a_hostile_company_name_is_escaped_in_every_place_it_stands(rendered: dict[str, Page]) -> None:
    assert f'<p class="brand">{ESCAPED}</p>' in rendered["join page"].html
    assert f"<title>Join a support session \N{EN DASH} {ESCAPED} support</title>" in rendered["join page"].html
    assert f'<p class="brand" id="panel-title">{ESCAPED}</p>' in rendered["widget"].html
    assert f'<h1 tabindex="-1">{ESCAPED} support</h1>' in rendered["inactive widget"].html
    assert f"<h1>{ESCAPED} support</h1>" in rendered["inactive portal"].html
    assert f"<h1>The {ESCAPED} support chat cannot be shown on this website.</h1>" in rendered["widget refused"].html


def test_no_code_form_where_the_host_names_no_portal(rendered: dict[str, Page]) -> None:
    # a code is redeemed on its own portal's host only: elsewhere a form would take codes in vain
    for name in ("join page on an unknown portal", "join page on the console's host"):
        assert rendered[name].status == 404
        assert "join-form" not in rendered[name].html


def test_a_code_that_is_not_nine_digits_is_asked_for_again(rendered: dict[str, Page]) -> None:
    assert '<label for="code">Session code</label>' in rendered["join page with a hostile code"].html
    assert '<input type="hidden" id="code" name="code" value="123456789">' in rendered["join page with a code"].html


def test_the_data_block_holds_json_that_cannot_close_its_element() -> None:
    data = {"text": "</script><script>alert(1)</script> & <!-- 'x' \"y\" žluťoučký"}

    encoded = templates().from_string("{{ data|tojson }}").render(data=data)

    for character in "<>&'":
        assert character not in encoded
    assert json.loads(encoded) == data
    assert "žluťoučký" in encoded  # kept as it is: the visitor's page reads UTF-8


def allowed(policy: str, directive: str) -> set[str]:
    found = re.search(rf"(?:^|; ){directive} ([^;]*)", policy)
    assert found, directive
    return set(found.group(1).split())


def digest(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_no_page_runs_an_inline_script_or_style_its_policy_does_not_allow_by_hash(rendered: dict[str, Page]) -> None:
    for name, page in rendered.items():
        policy = page.headers["content-security-policy"]
        scripts = re.findall(r"<script>(.*?)</script>", page.html, flags=re.S)
        styles = re.findall(r"<style>(.*?)</style>", page.html, flags=re.S)
        assert allowed(policy, "script-src") == ({digest(s) for s in scripts} or {"'none'"}), name
        assert allowed(policy, "style-src") == {digest(s) for s in styles}, name
        assert "default-src 'none'" in policy, name
        # and nothing inline that a hash cannot allow: event handler or style attributes, other script tags
        assert not re.search(r"<[^>]*\s(on[a-z]+|style)\s*=", page.html), name
        other = re.findall(r"<script(?![^>]*type=\"application/json\")[^>]*>", page.html)
        assert set(other) <= {"<script>"}, name


def test_every_template_is_among_the_pages_tested(invitations: Invitations, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = templates()
    loaded: set[str] = set()
    load = environment.get_template

    def recording(name: Any, *args: Any, **kwargs: Any) -> Any:
        loaded.add(str(name))
        return load(name, *args, **kwargs)

    monkeypatch.setattr(environment, "get_template", recording)
    for page in PAGES.values():
        page()

    folder = Path(pages.__file__).parent / "templates"
    assert loaded == {path.name for path in folder.glob("*.html")}


def test_only_the_pages_that_run_a_sessions_chat_may_capture_a_screen(rendered: dict[str, Page]) -> None:
    # Given the pages that run the support session's chat (its script inlined): the join and
    # support pages, the widget's, an invitation's
    chat = pages.asset("chat.js")
    sharing = {name for name, page in rendered.items() if chat in page.html}
    assert {"support page", "widget", "join page", "join page with a code", "invitation"} <= sharing
    for name, page in rendered.items():
        permissions = page.headers["permissions-policy"].split(", ")
        # Then they alone may ask the browser for a screen (their own origin, and the frames that allow it)
        assert ("display-capture=(self)" if name in sharing else "display-capture=()") in permissions, name
        # and no page may use a camera, a microphone or the location
        assert {"camera=()", "microphone=()", "geolocation=()"} <= set(permissions), name
