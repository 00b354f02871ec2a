"""The knowledge base's search on the portal, through the portals function with real-shaped events
against moto (the index kept from the stream): the ticket form's suggestions
(`POST /api/portal/knowledge/suggestions`) and the articles opened from them (`.../opened`), and
the search on `/help/articles?q=`. A draft, an internal article and another company's restricted
article never come back; each suggestion and opening is counted for deflection once, and only on
the contact's own draft; titles and snippets are highlighted, and an article's own markup stays
text."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from deskless.contacts import Contact
from deskless.credentials import SESSION_COOKIE
from local.streams import StreamPoller
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, ok, refused
from tests.integration.test_articles import KnowledgeApi, Reader, dynamodb_requests
from tests.integration.test_portal_accounts import ACME, HELP, Browser, contact
from tests.integration.test_tickets_api import colleague

SUGGESTIONS = "POST /api/portal/knowledge/suggestions"
OPENED = "POST /api/portal/knowledge/opened"


class TicketForm:
    """A contact's ticket form on their portal, asking as its script does (JSON, the CSRF token)."""

    def __init__(self, aws: LocalAws, person: Contact, host: str = ACME) -> None:
        self.aws, self.host = aws, host
        browser = Browser(aws, host)
        assert browser.sign_in(person.emails[0]).status == 303
        self.cookie = browser.cookie
        self.csrf = json.loads(browser.request("GET /api/portal/me").body)["csrf_token"]
        self.draft = str(uuid.uuid4())

    def call(self, route_key: str, body: Any, *, csrf: bool = True) -> HttpResult:
        headers = {
            "x-deskless-host": self.host,
            "x-deskless-viewer-ip": "198.51.100.7",
            "origin": f"http://{self.host}",
            "content-type": "application/json",
            **({"x-csrf-token": self.csrf} if csrf else {}),
        }
        event = http_event("http_portal_home", origin_secret=self.aws.origin_secret, route_key=route_key, body=body)
        event["headers"] = {**event["headers"], **headers}
        event["cookies"] = [f"{SESSION_COOKIE}={self.cookie}"]
        return call_http("portals", event)

    def suggest(self, title: str, description: str = "", **more: Any) -> HttpResult:
        asked = {"title": title, "description": description, "draft": self.draft, "language": "en", **more}
        return self.call(SUGGESTIONS, asked)

    def suggested(self, title: str, description: str = "", **more: Any) -> list[dict[str, Any]]:
        articles: list[dict[str, Any]] = ok(self.suggest(title, description, **more))["articles"]
        return articles

    def open(self, article_id: str, draft: str | None = None) -> HttpResult:
        return self.call(OPENED, {"draft": draft or self.draft, "article_id": article_id})


@pytest.fixture
def api(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[KnowledgeApi]:
    """Staff writing articles; the index as this process last published it (no look at the pointer
    during a test: what a search costs is then the same however long the test takes)."""
    add_staff(ADMIN, TECHNICIAN)
    monkeypatch.setenv("DESKLESS_SEARCH_INDEX_CHECK_SECONDS", "3600")
    current("deskless.settings").get_settings.cache_clear()  # the aws fixture clears it again after the test
    current("deskless.search_index").forget_opened()
    yield KnowledgeApi(aws)
    current("deskless.search_index").forget_opened()


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    """A contact of Acme, whose portal is acme.localhost."""
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


@pytest.fixture
def shelf(api: KnowledgeApi, carla: Contact, stream: StreamPoller) -> dict[str, str]:
    """Articles about printers, indexed: for everyone (in English and Spanish), for Acme's contacts,
    for Globex's, internal, and a draft."""
    from deskless.companies import create_company

    globex = create_company("Globex").id
    category = api.category()["id"]

    def article(title: str, **more: Any) -> str:
        variants = {"en": {"title": title, "body": f"{title}: open the tray, then print again.", "state": "published"}}
        return str(api.article(category, **{"variants": variants, **more})["id"])

    made = {
        "public": str(
            api.article(
                category,
                variants={
                    "en": {"title": "Printer jams on page two", "body": "Open the tray.", "state": "published"},
                    "es": {"title": "La impresora se atasca", "body": "Abra la bandeja.", "state": "published"},
                },
            )["id"]
        ),
        "acme": article("Printer at the Acme office", visibility="customers", companies=[carla.company_id]),
        "globex": article("Printer at the Globex office", visibility="customers", companies=[globex]),
        "internal": article("Printer escalation notes", visibility="internal"),
        "draft": str(api.article(category, variants={"en": {"title": "Printer driver draft", "body": "Soon."}})["id"]),
    }
    stream.poll_once()
    return made


def figures() -> Any:
    (week,) = current("deskless.deflection").recent_weeks(1)
    return week


def result_titles(page: HttpResult) -> list[str]:
    link = r'<li(?: lang="\w\w")?><a href="/help/articles/[0-9a-f]+/\w\w/[a-z0-9-]*"[^>]*>(.*?)</a>'
    return re.findall(link, page.body)


# --- suggestions while a ticket is typed -------------------------------------------------------------


def test_a_contact_is_suggested_only_what_they_may_read_and_it_is_counted_once_per_form(
    aws: LocalAws, carla: Contact, shelf: dict[str, str]
) -> None:
    form = TicketForm(aws, carla)

    # When the contact types a title, and goes on typing
    with dynamodb_requests() as calls:
        first = form.suggested("Printer")
    again = form.suggested("Printer jams")

    # Then the public article and Acme's come back, never a draft, an internal one or Globex's
    assert {article["id"] for article in first} == {shelf["public"], shelf["acme"]}
    shown = again[0]
    assert shown["id"] == shelf["public"]
    assert shown["language"] == "en"
    assert shown["title_html"] == "<mark>Printer</mark> <mark>jams</mark> on page two"
    assert shown["url"] == f"/help/articles/{shelf['public']}/en/printer-jams-on-page-two"
    # the session, the throttle, the draft's suggestions and the week's figures (the index is in memory)
    assert calls == {"BatchGetItem": 1, "UpdateItem": 3}
    # And the form is counted once, each article once however often it was shown
    assert (figures().forms, figures().suggested, figures().opened) == (1, 2, 0)


def test_the_readers_language_comes_first_and_a_long_description_is_searched_by_its_first_words(
    aws: LocalAws, carla: Contact, shelf: dict[str, str]
) -> None:
    form = TicketForm(aws, carla)

    spanish = form.suggested("impresora atasca", language="es")
    long_tail = form.suggested("", "zzqx " + "word " * 40 + "printer")

    assert (spanish[0]["id"], spanish[0]["language"]) == (shelf["public"], "es")
    assert "<mark>impresora</mark>" in spanish[0]["title_html"]
    assert long_tail == []  # "printer" is the 42nd word: not searched
    assert form.suggested("", "the printer " + "word " * 40)[0]["id"] in (shelf["public"], shelf["acme"])


def test_opening_a_suggested_article_is_counted_once_and_anything_else_is_not_found(
    aws: LocalAws, carla: Contact, shelf: dict[str, str]
) -> None:
    form = TicketForm(aws, carla)
    form.suggested("Printer")

    with dynamodb_requests() as calls:
        opened = form.open(shelf["acme"])
    twice = form.open(shelf["acme"])
    not_suggested = form.open(shelf["internal"])
    unknown = form.open("0123456789abcdef")
    other_draft = form.open(shelf["acme"], draft=str(uuid.uuid4()))

    assert (opened.status, twice.status) == (204, 204)
    assert calls == {"BatchGetItem": 1, "UpdateItem": 2}  # the session, the draft, the week's figures
    assert refused(not_suggested) == (404, "not_found")
    assert refused(unknown) == (404, "not_found")
    assert refused(other_draft) == (404, "not_found")
    assert (figures().forms, figures().opened, figures().forms_opened) == (1, 1, 1)


def test_another_contacts_draft_changes_nothing(aws: LocalAws, carla: Contact, shelf: dict[str, str]) -> None:
    form = TicketForm(aws, carla)
    form.suggested("Printer")
    cy = TicketForm(aws, colleague(carla, "cy@acme.example.com"))
    cy.draft = form.draft  # Cy knows Carla's draft id

    answered = cy.suggested("Printer")
    opened = cy.open(shelf["public"])

    assert {article["id"] for article in answered} == {shelf["public"], shelf["acme"]}  # what Cy may read
    assert refused(opened) == (404, "not_found")
    assert (figures().forms, figures().suggested, figures().opened) == (1, 2, 0)
    draft = current("deskless.data").table().get(current("deskless.table").kb_draft_key(form.draft), consistent=True)
    assert draft["contact_id"] == carla.id
    assert "opened" not in draft


def test_a_bad_draft_id_a_missing_csrf_token_and_too_many_asks_are_refused(
    aws: LocalAws, carla: Contact, shelf: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    form = TicketForm(aws, carla)

    not_a_uuid = form.call(SUGGESTIONS, {"title": "Printer", "draft": "draft-1"})
    uuid1 = form.call(SUGGESTIONS, {"title": "Printer", "draft": str(uuid.uuid1())})
    bad_open = form.call(OPENED, {"draft": "draft-1", "article_id": shelf["public"]})
    no_token = form.call(SUGGESTIONS, {"title": "Printer", "draft": form.draft}, csrf=False)

    assert not_a_uuid.status in (400, 422)
    assert uuid1.status in (400, 422)
    assert bad_open.status in (400, 422)
    assert refused(no_token) == (403, "forbidden")
    assert current("deskless.deflection").recent_weeks(1) == []  # nothing was counted

    # And past the session's limit, a 429 with Retry-After
    suggestions = current("functions.portals.suggestions")
    monkeypatch.setattr(suggestions, "SUGGESTIONS", suggestions.Limit("kb_suggestions", count=2, window_seconds=60))
    form.suggest("Printer")
    form.suggest("Printer")
    blocked = form.suggest("Printer")
    assert refused(blocked) == (429, "too_many_requests")
    assert int(blocked.headers["retry-after"]) > 0


def test_an_empty_form_asks_nothing_of_the_search_and_counts_nothing(
    aws: LocalAws, carla: Contact, shelf: dict[str, str]
) -> None:
    form = TicketForm(aws, carla)

    assert form.suggested("  ", "\n") == []
    assert form.suggested("zzqx") == []
    assert current("deskless.deflection").recent_weeks(1) == []


# --- the search on /help/articles --------------------------------------------------------------------


def test_the_search_page_finds_what_the_reader_may_read_signed_out_or_in(
    aws: LocalAws, carla: Contact, shelf: dict[str, str]
) -> None:
    signed_out = Reader(aws, ACME)
    signed_in = Reader(aws, ACME)
    signed_in.sign_in("carla@acme.example.com")

    with dynamodb_requests() as calls:
        outside = signed_out.request("GET /help/articles", q="printer")
    inside = signed_in.request("GET /help/articles", q="printer")
    nothing = signed_out.request("GET /help/articles", q="zzqx")
    help_centre = Reader(aws, HELP).request("GET /help/articles", q="printer")

    assert outside.status == 200, outside.body
    assert result_titles(outside) == ["<mark>Printer</mark> jams on page two"]
    assert sorted(result_titles(inside)) == [
        "<mark>Printer</mark> at the Acme office",
        "<mark>Printer</mark> jams on page two",
    ]
    assert 'value="printer"' in outside.body  # the box keeps the words
    assert "Articles for “printer”" in outside.body
    assert calls == {"GetItem": 1, "Query": 1}  # the portal (its subdomain, its company); the index is in memory
    assert result_titles(help_centre) == ["<mark>Printer</mark> jams on page two"]  # public ones, for every company
    assert "No help article matches your search." in nothing.body
    assert result_titles(nothing) == []


def test_an_articles_markup_stays_text_in_results_and_suggestions(
    aws: LocalAws, api: KnowledgeApi, carla: Contact, stream: StreamPoller
) -> None:
    category = api.category()["id"]
    title = "<script>alert(1)</script> Printer <b>setup</b> & more"
    body = "Printer <img src=x onerror=alert(2)>"
    api.article(category, variants={"en": {"title": title, "body": body, "state": "published"}})
    stream.poll_once()

    page = Reader(aws, ACME).request("GET /help/articles", q="printer")
    (suggestion,) = TicketForm(aws, carla).suggested("printer")

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Printer</mark> &lt;b&gt;setup&lt;/b&gt; &amp; more"
    assert result_titles(page) == [escaped]
    assert "<script>alert" not in page.body
    assert "<img" not in page.body
    assert suggestion["title_html"] == escaped
    assert "<img" not in suggestion["snippet_html"]
    assert re.sub(r"</?mark>", "", suggestion["title_html"]).count("<") == 0


def test_the_ticket_form_has_the_suggestions_list_and_the_dialog_an_article_opens_in(
    aws: LocalAws, carla: Contact
) -> None:
    browser = Browser(aws, ACME)
    browser.sign_in(carla.emails[0])

    page = browser.request("GET /help/tickets/new")

    assert page.status == 200
    assert '<h2 id="suggestions-heading">Articles that may help</h2>' in page.body
    assert '<dialog id="article-dialog"' in page.body
    data = re.search(r'<script type="application/json" id="tickets-data">(.*?)</script>', page.body)
    assert data is not None
    api = json.loads(data.group(1))["api"]
    assert (api["suggestions"], api["opened"]) == ("/api/portal/knowledge/suggestions", OPENED.split(" ")[1])
