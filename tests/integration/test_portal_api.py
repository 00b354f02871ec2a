"""A portal's own API (portals function, no sign-in; the portal is the one the host names):
GET /api/portal says whether a chat can be had; POST /api/portal/chat-requests queues one, only
while someone would take it; POST /api/portal/messages stores a support request with the
visitor's contact data. Both forms are throttled per viewer address."""

from __future__ import annotations

import time
from typing import Any

import pytest

from deskless.auth import Role, verify_token
from deskless.chat_requests import ChatRequestState, get_chat_request, queue_of
from deskless.companies import Company, PortalStatus, create_company, create_portal, update_portal
from deskless.contacts import CreatedVia, create_contact, find_contact_by_email
from deskless.preferences import forget_cached, update_preferences
from deskless.presence import console_closed, heartbeat
from deskless.tickets import Ticket, tickets_by_numbers
from deskless.users import StaffUser
from tests.conftest import LocalAws
from tests.helpers import HttpResult
from tests.integration.conftest import Visitor


@pytest.fixture
def acme(aws: LocalAws, tina: StaffUser) -> Company:
    forget_cached()  # preferences are cached per process
    company = create_company("Acme", [tina.id])
    create_portal(company, "acme", language="de")
    return company


@pytest.fixture
def available(tina: StaffUser, acme: Company) -> StaffUser:
    heartbeat(tina.id)
    return tina


def ask(visitor: Visitor, **changes: Any) -> HttpResult:
    body = {"name": "Carla Customer", "email": "carla@example.org", "question": "My printer is on fire.", **changes}
    return visitor.request("POST /api/portal/chat-requests", body=body)


def leave(visitor: Visitor, **changes: Any) -> HttpResult:
    body = {"name": "Carla Customer", "email": "carla@example.org", "message": "Please call me back.", **changes}
    return visitor.request("POST /api/portal/messages", body=body)


# --- GET /api/portal -------------------------------------------------------------------------


def test_the_portal_says_a_chat_can_be_had_while_a_technician_is_available(
    visitor: Visitor, acme: Company, tina: StaffUser
) -> None:
    heartbeat(tina.id)
    update_preferences({"chat_wait_seconds": 90})

    answer = visitor.request("GET /api/portal")

    assert answer.status == 200
    assert answer.json() == {
        "company": "Acme",
        "subdomain": "acme",
        "language": "de",
        "state": "available",
        "wait_seconds": 90,
    }
    assert answer.headers["cache-control"] == "no-store"

    console_closed(tina.id)
    assert visitor.request("GET /api/portal").json()["state"] == "unavailable"

    update_portal(acme.id, status=PortalStatus.INACTIVE)
    heartbeat(tina.id)
    assert visitor.request("GET /api/portal").json()["state"] == "inactive"


def test_an_unknown_portal_is_not_found(visitor: Visitor, acme: Company) -> None:
    visitor.host = "globex.localhost:8000"

    for answer in (visitor.request("GET /api/portal"), ask(visitor), leave(visitor)):
        assert answer.status == 404
        assert answer.json()["error"] == "not_found"


# --- POST /api/portal/chat-requests ----------------------------------------------------------


def test_a_chat_request_is_queued_with_a_token_for_the_wait(
    visitor: Visitor, acme: Company, available: StaffUser
) -> None:
    before = int(time.time())

    answer = ask(visitor, language="es")

    assert answer.status == 201
    created = answer.json()
    assert set(created) == {
        "request_id",
        "token",
        "expires_at",
        "websocket_url",
        "position",
        "accept_until",
        "wait_seconds",
    }
    assert created["websocket_url"] == "ws://localhost:8000/ws"
    assert created["position"] == 1
    assert created["wait_seconds"] == 180  # the default
    assert before + 180 <= created["accept_until"] <= int(time.time()) + 180
    visitor_principal = verify_token(created["token"])
    assert (visitor_principal.role, visitor_principal.scope) == (Role.VISITOR, f"chat:{created['request_id']}")
    (queued,) = queue_of(acme.id)
    assert (queued.id, queued.name, queued.email) == (created["request_id"], "Carla Customer", "carla@example.org")
    assert (queued.question, queued.language, queued.company_name) == ("My printer is on fire.", "es", "Acme")


def test_the_next_request_waits_behind_the_first_and_speaks_the_portals_language(
    visitor: Visitor, acme: Company, available: StaffUser
) -> None:
    first = ask(visitor).json()

    second = ask(visitor, name="  Dora  ", email="dora@example.org").json()

    assert (first["position"], second["position"]) == (1, 2)
    stored = get_chat_request(second["request_id"])
    assert (stored.name, stored.language, stored.state) == ("Dora", "de", ChatRequestState.WAITING)


def test_a_request_from_the_widget_says_so_in_the_queue(visitor: Visitor, acme: Company, available: StaffUser) -> None:
    # Given one request from the portal's page and one from the widget on a website
    from_page = ask(visitor).json()["request_id"]
    from_widget = ask(visitor, via="widget").json()["request_id"]
    # Then the queue the consoles read tells them apart
    assert [(queued.id, queued.via) for queued in queue_of(acme.id)] == [(from_page, "portal"), (from_widget, "widget")]
    assert get_chat_request(from_widget).via == "widget"


def test_the_wait_is_the_admins_setting(visitor: Visitor, acme: Company, available: StaffUser) -> None:
    update_preferences({"chat_wait_seconds": 45})

    created = ask(visitor).json()

    assert created["wait_seconds"] == 45
    assert get_chat_request(created["request_id"]).accept_until == created["accept_until"]


def test_with_nobody_available_a_chat_request_is_refused_and_nothing_is_stored(visitor: Visitor, acme: Company) -> None:
    answer = ask(visitor)

    assert answer.status == 409
    assert answer.json()["error"] == "no_technician_available"
    assert queue_of(acme.id) == []


def test_an_inactive_portal_takes_no_chat_request(visitor: Visitor, acme: Company, available: StaffUser) -> None:
    update_portal(acme.id, status=PortalStatus.INACTIVE)

    answer = ask(visitor)

    assert answer.status == 503
    assert answer.json()["error"] == "portal_unavailable"
    assert queue_of(acme.id) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"email": "not an address"}, "email"),
        ({"question": "  "}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({"language": "fr"}, "language"),
        ({"via": "email"}, "via"),
    ],
)
def test_a_chat_request_that_is_not_valid_says_which_field_is_wrong(
    visitor: Visitor, acme: Company, available: StaffUser, changes: dict[str, str], field: str
) -> None:
    answer = ask(visitor, **changes)

    assert answer.status == 400
    assert answer.json()["error"] == "invalid_request"
    assert [detail["field"] for detail in answer.json()["details"]] == [field]
    assert queue_of(acme.id) == []


def test_a_source_may_ask_for_five_chats_in_ten_minutes(visitor: Visitor, acme: Company, available: StaffUser) -> None:
    # Given five requests from one address
    assert [ask(visitor).status for _ in range(5)] == [201] * 5

    # When it asks for a sixth, it must wait, and is told how long
    refused = ask(visitor)

    assert refused.status == 429
    assert refused.json()["error"] == "too_many_requests"
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert len(queue_of(acme.id)) == 5
    # while another address is not held back
    visitor.ip = "198.51.100.8"
    assert ask(visitor).status == 201


# --- POST /api/portal/messages ---------------------------------------------------------------


def tickets_of(company_id: str) -> list[Ticket]:
    """The company's tickets, read one by one (the lists follow the stream, which does not run here)."""
    return [ticket for ticket in tickets_by_numbers(range(1001, 1021)) if ticket.company_id == company_id]


def test_a_message_becomes_a_ticket_of_a_new_contact_in_the_portals_company(visitor: Visitor, acme: Company) -> None:
    answer = leave(visitor, via="widget", language="cs")

    assert answer.status == 201
    (stored,) = tickets_of(acme.id)
    assert answer.json() == {"number": stored.number}
    assert (stored.requester.name, stored.requester.email) == ("Carla Customer", "carla@example.org")
    assert (stored.title, stored.description, stored.source) == (
        "Please call me back.",
        "Please call me back.",
        "offline_message",
    )
    contact = find_contact_by_email("carla@example.org")
    assert contact is not None
    assert (contact.company_id, contact.language, contact.created_via) == (acme.id, "cs", "portal")


def test_a_known_contact_leaving_a_message_is_its_requester(visitor: Visitor, acme: Company) -> None:
    known = create_contact("Carla C.", ["carla@example.org"], created_via=CreatedVia.CONSOLE)

    leave(visitor, message="First line is the title\nand the rest is the description.")

    (stored,) = tickets_of(known.company_id)
    assert (stored.requester.id, stored.title) == (known.id, "First line is the title")


def test_a_message_is_taken_while_technicians_are_available_too(
    visitor: Visitor, acme: Company, available: StaffUser
) -> None:
    assert leave(visitor).status == 201
    assert len(tickets_of(acme.id)) == 1


def test_a_message_after_an_unanswered_chat_request_takes_its_place(
    visitor: Visitor, acme: Company, available: StaffUser
) -> None:
    request_id = ask(visitor).json()["request_id"]

    answer = leave(visitor, chat_request_id=request_id)

    assert answer.status == 201
    assert len(tickets_of(acme.id)) == 1
    assert get_chat_request(request_id).state == ChatRequestState.WITHDRAWN
    assert queue_of(acme.id) == []


def test_a_message_cannot_name_another_companys_chat_request(
    visitor: Visitor, acme: Company, available: StaffUser
) -> None:
    create_portal(create_company("Globex", [available.id]), "globex")
    visitor.host = "globex.localhost:8000"
    theirs = ask(visitor).json()["request_id"]
    visitor.host = "acme.localhost:8000"

    assert leave(visitor, chat_request_id=theirs).status == 201
    assert leave(visitor, chat_request_id="no-such-request").status == 201

    assert len(tickets_of(acme.id)) == 2
    assert get_chat_request(theirs).state == ChatRequestState.WAITING


def test_an_inactive_portal_takes_no_message(visitor: Visitor, acme: Company) -> None:
    update_portal(acme.id, status=PortalStatus.INACTIVE)

    answer = leave(visitor)

    assert answer.status == 503
    assert answer.json()["error"] == "portal_unavailable"
    assert tickets_of(acme.id) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "x" * 4001}, "message"),
        ({"email": "carla@"}, "email"),
        ({"chat_request_id": "../../etc"}, "chat_request_id"),
    ],
)
def test_a_message_that_is_not_valid_is_refused(
    visitor: Visitor, acme: Company, changes: dict[str, str], field: str
) -> None:
    answer = leave(visitor, **changes)

    assert answer.status == 400
    assert [detail["field"] for detail in answer.json()["details"]] == [field]
    assert tickets_of(acme.id) == []


def test_a_source_may_leave_five_messages_in_ten_minutes(visitor: Visitor, acme: Company) -> None:
    assert [leave(visitor).status for _ in range(5)] == [201] * 5

    refused = leave(visitor)

    assert refused.status == 429
    assert int(refused.headers["retry-after"]) > 0
    assert len(tickets_of(acme.id)) == 5
