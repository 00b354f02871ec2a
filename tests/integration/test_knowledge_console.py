"""The knowledge base in the console: staff search every article in every state, highlighted; a
ticket's page suggests articles its requester may read, each with its address on the requester's
portal (never a draft, an internal article or another company's); admins read the deflection
figures per week, technicians may not.

Handlers run in this process with real-shaped HTTP API events against moto; the knowledge index is
kept from the table's stream (the `stream` fixture); each route's DynamoDB requests are counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deskless.contacts import Contact, update_contact
from local.streams import StreamPoller
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, add_staff, current, ok, refused
from tests.integration.test_articles import KnowledgeApi, dynamodb_requests
from tests.integration.test_deflection import MONDAY, deflection
from tests.integration.test_portal_accounts import contact
from tests.integration.test_tickets_api import Staff


@pytest.fixture
def kb(aws: LocalAws) -> Iterator[KnowledgeApi]:
    add_staff(TECHNICIAN, ADMIN)
    current("deskless.search_index").forget_opened()
    yield KnowledgeApi(aws)
    current("deskless.search_index").forget_opened()


@pytest.fixture
def desk(aws: LocalAws, kb: KnowledgeApi) -> Staff:
    return Staff(aws)


def variant(title: str, body: str = "Steps to follow.", state: str = "published") -> dict[str, str]:
    return {"title": title, "body": body, "state": state}


def search(kb: KnowledgeApi, **query: str) -> list[dict[str, Any]]:
    current("deskless.search_index").forget_opened()  # a new look at the index's pointer
    hits: list[dict[str, Any]] = ok(kb.call("GET /api/articles/search", query=query))
    return hits


# --- staff search -----------------------------------------------------------------------------------


def test_a_technician_finds_articles_in_every_state_highlighted_and_escaped(
    kb: KnowledgeApi, stream: StreamPoller
) -> None:
    # Given a published article, a draft and an archived one about printers
    category = kb.category()["id"]
    published = kb.article(category, variants={"en": variant("Printer jams & <paper> trays")})
    draft = kb.article(category, variants={"en": variant("Printer drivers", state="draft")})
    archived = kb.article(category, variants={"en": variant("Old printer models", state="archived")})
    kb.article(category, variants={"en": variant("Resetting a password")})
    stream.poll_once()

    # When a technician searches for "printer"
    current("deskless.search_index").forget_opened()
    with dynamodb_requests() as calls:
        hits = ok(kb.call("GET /api/articles/search", query={"q": "printer"}))

    # Then every state is found, with its state, the title escaped and the word marked
    assert {hit["article_id"]: hit["state"] for hit in hits} == {
        published["id"]: "published",
        draft["id"]: "draft",
        archived["id"]: "archived",
    }
    jams = next(hit for hit in hits if hit["article_id"] == published["id"])
    assert jams["title"] == "<mark>Printer</mark> jams &amp; &lt;paper&gt; trays"
    assert jams["language"] == "en"
    assert calls == {"GetItem": 1}  # the index's pointer; the search itself is in memory

    # And a state keeps the search to it
    assert [hit["article_id"] for hit in search(kb, q="printer", state="draft")] == [draft["id"]]


def test_a_search_keeps_to_a_category_and_refuses_an_empty_question(kb: KnowledgeApi, stream: StreamPoller) -> None:
    printing, accounts = kb.category("Printing")["id"], kb.category("Accounts")["id"]
    kb.article(printing, variants={"en": variant("Printing a password page")})
    account = kb.article(accounts, variants={"en": variant("Changing a password")})
    stream.poll_once()

    assert [hit["article_id"] for hit in search(kb, q="password", category_id=accounts)] == [account["id"]]
    assert refused(kb.call("GET /api/articles/search", query={"q": "  "})) == (400, "invalid_request")
    assert kb.call("GET /api/articles/search", query={"q": "password", "state": "gone"}).status == 400


# --- a ticket's suggested articles ------------------------------------------------------------------


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    """A contact of Acme, whose portal is acme.localhost."""
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


def suggested(desk: Staff, number: int) -> list[dict[str, Any]]:
    current("deskless.search_index").forget_opened()
    found: list[dict[str, Any]] = ok(desk.call(f"GET /api/tickets/{number}/articles"))
    return found


def test_a_ticket_suggests_only_articles_its_requester_may_read_with_their_portal_address(
    kb: KnowledgeApi, desk: Staff, stream: StreamPoller, carla: Contact
) -> None:
    globex = contact("Globex", "gus@globex.example.com", subdomain="globex")
    category = kb.category()["id"]
    fire = "Printer on fire"
    public = kb.article(category, variants={"en": variant(f"{fire}: <what> & why", "Unplug the printer first.")})
    for_acme = kb.article(
        category, visibility="customers", companies=[carla.company_id], variants={"en": variant(f"{fire} at Acme")}
    )
    kb.article(category, variants={"en": variant(f"{fire}, a draft", state="draft")})
    kb.article(category, visibility="internal", variants={"en": variant(f"{fire}: internal notes")})
    kb.article(
        category, visibility="customers", companies=[globex.company_id], variants={"en": variant(f"{fire} at Globex")}
    )
    kb.article(category, variants={"en": variant(f"{fire}, archived", state="archived")})
    stream.poll_once()
    ticket = desk.open(carla, title="Printer on fire", description="Smoke comes out of the printer on floor 2.")

    current("deskless.search_index").forget_opened()
    with dynamodb_requests() as calls:
        found = ok(desk.call(f"GET /api/tickets/{ticket['ticket']['number']}/articles"))

    assert sorted(hit["article_id"] for hit in found) == sorted([public["id"], for_acme["id"]])
    by_id = {hit["article_id"]: hit for hit in found}
    assert by_id[public["id"]]["title"] == "Printer on fire: <what> & why"  # plain: a link's words
    assert by_id[public["id"]]["url"] == f"http://acme.localhost:8000/help/articles/{public['id']}/en"
    assert "<mark>printer</mark>" in by_id[public["id"]]["snippet"]
    # the ticket, its requester, their company's portal, and the index's pointer
    assert calls == {"GetItem": 3, "Query": 1}


def test_a_requester_gets_articles_in_their_language_first(
    kb: KnowledgeApi, desk: Staff, stream: StreamPoller, carla: Contact
) -> None:
    update_contact(carla.id, language="es")
    category = kb.category()["id"]
    both = kb.article(
        category,
        variants={
            "en": variant("Printer offline"),
            "es": variant("Impresora desconectada", "La impresora no imprime."),
        },
    )
    english = kb.article(category, variants={"en": variant("Printer offline after an update")})
    stream.poll_once()
    ticket = desk.open(carla, title="La impresora está desconectada", description="No imprime nada.")

    found = suggested(desk, ticket["ticket"]["number"])

    assert (found[0]["article_id"], found[0]["language"]) == (both["id"], "es")
    assert found[0]["url"].endswith(f"/help/articles/{both['id']}/es")
    assert english["id"] not in [hit["article_id"] for hit in found]  # no Spanish word of it matches


def test_a_ticket_with_nothing_to_suggest_costs_no_portal_lookup(
    kb: KnowledgeApi, desk: Staff, stream: StreamPoller, carla: Contact
) -> None:
    ticket = desk.open(carla, title="Invoice missing", description="Where is it?")
    current("deskless.search_index").forget_opened()
    with dynamodb_requests() as calls:
        assert ok(desk.call(f"GET /api/tickets/{ticket['ticket']['number']}/articles")) == []
    assert calls == {"GetItem": 3}  # the ticket, its requester, the index's pointer


def test_an_unknown_ticket_has_no_suggestions(desk: Staff) -> None:
    assert refused(desk.call("GET /api/tickets/424242/articles")) == (404, "not_found")


# --- deflection figures ------------------------------------------------------------------------------


def test_an_admin_reads_the_deflection_figures_per_week_and_a_technician_may_not(kb: KnowledgeApi) -> None:
    # Given a form shown two suggestions, one of which was opened, this week and another one next week
    assert deflection().suggested("draft-1", "jane", ["a1", "a2"], now=MONDAY)
    assert deflection().opened("draft-1", "jane", "a1", now=MONDAY + 60)
    assert deflection().suggested("draft-2", "jane", ["a3"], now=MONDAY + 7 * 86400)

    with dynamodb_requests() as calls:
        weeks = ok(kb.call("GET /api/knowledge/deflection", caller=ADMIN, query={"weeks": "12"}))

    assert weeks == [
        {
            "week": deflection().week_of(MONDAY + 7 * 86400),
            "forms": 1,
            "suggested": 1,
            "opened": 0,
            "forms_opened": 0,
            "submitted_after_opening": 0,
            "abandoned": 0,
        },
        {
            "week": deflection().week_of(MONDAY),
            "forms": 1,
            "suggested": 2,
            "opened": 1,
            "forms_opened": 1,
            "submitted_after_opening": 0,
            "abandoned": 0,
        },
    ]
    assert calls == {"Query": 1}
    assert len(ok(kb.call("GET /api/knowledge/deflection", caller=ADMIN, query={"weeks": "1"}))) == 1
    assert kb.call("GET /api/knowledge/deflection", caller=ADMIN, query={"weeks": "0"}).status == 400
    assert refused(kb.call("GET /api/knowledge/deflection")) == (403, "forbidden")
