"""The chat queue over the WebSocket API (the realtime function): a visitor waits on its chat
request on a connection of its own, technicians list the queue of the companies they serve and
accept a request (the first wins, under concurrency too), the accepting console joins the new
session, and the visitor's waiting connections are handed the entry to it. A visitor who
withdraws, or whose last connection closes, ends the request.

Events are the samples of events/ run through the function's Lambda handler against local AWS;
@connections is a stub on 127.0.0.1 (tests.helpers.ConnectionsStub)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from deskless.auth import Principal, Role, verify_token
from deskless.chat_requests import (
    ChatRequest,
    ChatRequestState,
    create_chat_request,
    get_chat_request,
    queue_of,
    scope_of,
    withdraw,
)
from deskless.companies import Company, Portal, company_by_subdomain, create_company, create_portal
from deskless.data import table
from deskless.realtime import save_connection
from deskless.sessions import end_session, get_session, messages, session_scope
from deskless.table import connection_key, participant_key
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, add_staff, current, invoke, websocket_event
from tests.integration.test_realtime_sessions import connect, disconnect, error_of, of_type, say, start_session

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")
OUTSIDER = Principal(user_id="0d0d0d0d0d0d0d0d", role=Role.TECHNICIAN, name="Olga Out", email="olga@example.com")
STAFF = (ADMIN, TECHNICIAN, OTHER_TECHNICIAN, OUTSIDER)


@dataclass
class Served:
    company: Company
    portal: Portal


def company(name: str, subdomain: str, *technicians: Principal) -> Served:
    created = create_company(name, [t.user_id for t in technicians])
    return Served(created, create_portal(created, subdomain))


@pytest.fixture
def acme(connections: ConnectionsStub) -> Served:
    """Acme, served by Ted and Bo; Olga serves Globex only."""
    add_staff(*STAFF)
    company("Globex", "globex", OUTSIDER)
    return company("Acme", "acme", TECHNICIAN, OTHER_TECHNICIAN)


def ask(served: Served, name: str = "Carla Customer", *, now: float | None = None, **extra: Any) -> ChatRequest:
    """A visitor's chat request, as the portal queues it."""
    fields: dict[str, Any] = {"email": "carla@customer.example", "question": "My printer is on fire.", **extra}
    return create_chat_request(
        served.company, served.portal, name=name, language="en", wait_seconds=180, now=now, **fields
    )


def visitor(request: ChatRequest) -> Principal:
    """What the visitor's token says (deskless.chat_requests.visitor_token)."""
    return Principal(user_id=f"visitor-{request.id}", role=Role.VISITOR, name=request.name, scope=scope_of(request.id))


def online(principal: Principal, connection_id: str) -> str:
    assert connect(principal, connection_id)["statusCode"] == 200
    return connection_id


# --- the visitor's connection ------------------------------------------------------------------


def test_a_visitor_connecting_with_its_token_waits_on_its_request(acme: Served) -> None:
    request = ask(acme)

    answer = connect(visitor(request), "visitor-1")

    assert answer["statusCode"] == 200
    stored = table().get(connection_key("visitor-1"))
    assert stored is not None
    assert (stored["role"], stored["scope"]) == ("visitor", scope_of(request.id))
    assert get_chat_request(request.id).visitor_connections == {"visitor-1"}


def test_a_token_for_an_unknown_request_is_refused_and_nothing_is_stored(acme: Served) -> None:
    stranger = Principal(user_id="visitor-x", role=Role.VISITOR, name="Mallory", scope=scope_of("no-such-request"))

    answer = connect(stranger, "visitor-1")

    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["error"] == "forbidden"
    assert table().get(connection_key("visitor-1")) is None


def test_a_visitor_may_still_connect_to_learn_its_request_was_accepted(acme: Served) -> None:
    # Given a request accepted while the visitor's page was reloading
    request = ask(acme)
    online(TECHNICIAN, "console")
    assert say("console", "chat.accept", request=request.id)[0] == 200

    # When the visitor connects again
    assert connect(visitor(request), "visitor-2")["statusCode"] == 200

    # Then it does not wait on the request, and chat.status gives it the entry to the session
    assert get_chat_request(request.id).visitor_connections == set()
    status, answer = say("visitor-2", "chat.status")
    assert status == 200
    assert (answer["state"], answer["position"]) == ("accepted", 0)
    entry = answer["entry"]
    assert entry["session_id"] == get_chat_request(request.id).session_id
    assert entry["technician_name"] == TECHNICIAN.name
    assert verify_token(entry["token"]).scope == session_scope(entry["session_id"])


def test_the_status_of_a_waiting_request_says_its_place_in_the_queue(acme: Served) -> None:
    first, second = ask(acme, "First"), ask(acme, "Second")
    online(visitor(second), "visitor-2")

    status, answer = say("visitor-2", "chat.status")

    assert status == 200
    assert answer == {
        "type": "chat.status",
        "request": second.id,
        "state": "waiting",
        "position": 2,
        "accept_until": second.accept_until,
        "entry": None,
    }
    withdraw(first)
    assert say("visitor-2", "chat.status")[1]["position"] == 1


# --- the queue ----------------------------------------------------------------------------------


def test_a_technician_lists_the_waiting_requests_of_the_companies_they_serve_oldest_first(acme: Served) -> None:
    globex = Served(*_served("globex"))
    t = time.time()
    older = ask(acme, "Older", now=t - 20)
    other = ask(globex, "Elsewhere", now=t - 10)
    newer = ask(acme, "Newer", now=t)
    gone = ask(acme, "Gone", now=t - 5)
    withdraw(gone)
    for principal, connection_id in ((TECHNICIAN, "ted"), (OUTSIDER, "olga"), (ADMIN, "ada")):
        online(principal, connection_id)

    listed = {c: say(c, "queue.list")[1] for c in ("ted", "olga", "ada")}

    assert listed["ted"]["type"] == "queue"
    assert [r["id"] for r in listed["ted"]["requests"]] == [older.id, newer.id]
    assert listed["ted"]["requests"][0] == older.queued().model_dump(mode="json")
    assert [r["id"] for r in listed["olga"]["requests"]] == [other.id]
    assert [r["id"] for r in listed["ada"]["requests"]] == [older.id, other.id, newer.id]


def test_a_request_past_its_time_is_not_listed(acme: Served) -> None:
    ask(acme, now=time.time() - 181)
    online(TECHNICIAN, "ted")

    assert say("ted", "queue.list")[1]["requests"] == []


def _served(subdomain: str) -> tuple[Company, Portal]:
    found = company_by_subdomain(subdomain)
    assert found is not None
    return found


# --- accepting ----------------------------------------------------------------------------------


def test_accepting_joins_the_console_to_the_new_session_and_hands_the_visitor_its_entry(
    acme: Served, connections: ConnectionsStub
) -> None:
    # Given a visitor waiting on two tabs, and Ted's console
    request = ask(acme, question="My printer is <on> fire.")
    online(visitor(request), "tab-1")
    online(visitor(request), "tab-2")
    online(TECHNICIAN, "ted")

    # When Ted accepts
    status, answer = say("ted", "chat.accept", request=request.id)

    # Then his console has joined the session, whose first message is the visitor's question
    assert status == 200
    assert (answer["type"], answer["request"]) == ("chat.accepted", request.id)
    session = answer["session"]
    assert (session["origin"], session["origin_ref"], session["company_id"]) == ("chat", request.id, acme.company.id)
    assert (session["technician_id"], session["technician_name"]) == (TECHNICIAN.user_id, TECHNICIAN.name)
    assert (session["visitor_name"], session["state"]) == ("Carla Customer", "active")
    assert [(m["sender_role"], m["sender_name"], m["text"]) for m in answer["messages"]] == [
        ("visitor", "Carla Customer", "My printer is <on> fire.")
    ]
    assert answer["visitor_present"] is False
    assert table().get(participant_key(session["id"], "ted")) is not None
    # and the request is taken, out of the queue
    stored = get_chat_request(request.id)
    assert (stored.state, stored.accepted_by, stored.accepted_by_name, stored.session_id) == (
        ChatRequestState.ACCEPTED,
        TECHNICIAN.user_id,
        TECHNICIAN.name,
        session["id"],
    )
    assert queue_of(acme.company.id) == []
    # and each of the visitor's tabs got the entry to the session
    for tab in ("tab-1", "tab-2"):
        [told] = of_type(connections.posted(tab), "chat.accepted")
        assert (told["request"], set(told)) == (request.id, {"type", "request", "entry"})
        entry = told["entry"]
        assert (entry["session_id"], entry["technician_name"]) == (session["id"], TECHNICIAN.name)
        assert entry["websocket_url"] == "ws://localhost:8000/ws"
        assert verify_token(entry["token"]).scope == session_scope(session["id"])
    assert connections.posted("ted") == []


def test_the_visitor_then_chats_with_the_technician_in_that_session(acme: Served, connections: ConnectionsStub) -> None:
    # Given an accepted request and its entry
    request = ask(acme)
    online(visitor(request), "waiting")
    online(TECHNICIAN, "ted")
    session_id = say("ted", "chat.accept", request=request.id)[1]["session"]["id"]
    entry = of_type(connections.posted("waiting"), "chat.accepted")[0]["entry"]

    # When the visitor connects with the entry's token, as the join page does
    assert connect(verify_token(entry["token"]), "visitor-in-session")["statusCode"] == 200

    # Then Ted is told, and messages go both ways
    assert of_type(connections.posted("ted"), "participant.joined")[0]["role"] == "visitor"
    assert say("visitor-in-session", "chat.send", session=session_id, text="Hello!")[0] == 200
    assert say("ted", "chat.send", session=session_id, text="Hi Carla.")[0] == 200
    assert [(m.sender_role, m.text) for m in messages(get_session(session_id))] == [
        ("visitor", "My printer is on fire."),
        ("visitor", "Hello!"),
        ("technician", "Hi Carla."),
    ]
    # and the waiting connection closing now withdraws nothing
    disconnect("waiting")
    assert get_chat_request(request.id).state == ChatRequestState.ACCEPTED


def test_an_admin_may_accept_any_companys_request(acme: Served) -> None:
    request = ask(acme)
    online(ADMIN, "ada")

    status, answer = say("ada", "chat.accept", request=request.id)

    assert (status, answer["session"]["technician_name"]) == (200, ADMIN.name)


def test_a_technician_who_does_not_serve_the_company_may_not_accept(acme: Served) -> None:
    request = ask(acme)
    online(OUTSIDER, "olga")

    assert error_of(say("olga", "chat.accept", request=request.id)) == (403, "forbidden")
    assert get_chat_request(request.id).state == ChatRequestState.WAITING


def test_the_second_to_accept_is_told_it_was_taken(acme: Served) -> None:
    request = ask(acme)
    online(TECHNICIAN, "ted")
    online(OTHER_TECHNICIAN, "bo")
    assert say("ted", "chat.accept", request=request.id)[0] == 200

    status, answer = say("bo", "chat.accept", request=request.id)

    assert (status, answer["error"]) == (409, "chat_taken")
    assert answer["message"]
    assert get_chat_request(request.id).accepted_by == TECHNICIAN.user_id


def test_a_withdrawn_request_cannot_be_accepted(acme: Served) -> None:
    request = ask(acme)
    withdraw(request)
    online(TECHNICIAN, "ted")

    assert error_of(say("ted", "chat.accept", request=request.id)) == (409, "chat_taken")
    assert get_chat_request(request.id).state == ChatRequestState.WITHDRAWN


def test_a_request_past_its_time_cannot_be_accepted(acme: Served) -> None:
    request = ask(acme, now=time.time() - 181)  # it waited 180 s
    online(TECHNICIAN, "ted")

    assert error_of(say("ted", "chat.accept", request=request.id)) == (409, "chat_taken")
    assert get_chat_request(request.id).state == ChatRequestState.WAITING  # nobody took it; it ran out


def test_accepting_an_unknown_request_is_a_404(acme: Served) -> None:
    online(TECHNICIAN, "ted")

    assert error_of(say("ted", "chat.accept", request="no-such-request")) == (404, "not_found")


@pytest.mark.parametrize("body", [{}, {"request": ""}, {"request": 42}], ids=["none", "empty", "not text"])
def test_an_accept_that_names_no_request_is_a_400(acme: Served, body: dict[str, Any]) -> None:
    online(TECHNICIAN, "ted")

    assert error_of(say("ted", "chat.accept", **body)) == (400, "invalid_request")


def test_under_concurrent_accepts_exactly_one_technician_wins(acme: Served) -> None:
    # Given a waiting request and eight consoles of its two technicians
    request = ask(acme)
    consoles = [online(TECHNICIAN if n % 2 else OTHER_TECHNICIAN, f"console-{n}") for n in range(8)]
    answers: dict[str, tuple[int, dict[str, Any]]] = {}
    start = threading.Barrier(len(consoles))

    def accept(connection_id: str) -> None:
        start.wait()
        answers[connection_id] = say(connection_id, "chat.accept", request=request.id)

    # When all accept at once
    threads = [threading.Thread(target=accept, args=(c,)) for c in consoles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one got the chat, and every other was told it was taken
    winners = [c for c, (status, _) in answers.items() if status == 200]
    assert len(winners) == 1
    assert sorted(error_of(a) for c, a in answers.items() if c not in winners) == [(409, "chat_taken")] * 7
    stored = get_chat_request(request.id)
    assert stored.session_id == answers[winners[0]][1]["session"]["id"]
    sessions = table().query(f"SESSIONS#{stored.accepted_by}", index="gsi1")
    assert [s["session_id"] for s in sessions] == [stored.session_id]


def test_accepting_is_the_event_the_console_sends(acme: Served) -> None:
    # The sample event, with its request id and connection, goes through the handler
    event = websocket_event("websocket_chat_accept", TECHNICIAN)
    request = ask(acme)
    online(TECHNICIAN, event["requestContext"]["connectionId"])
    event["body"] = json.dumps({**json.loads(event["body"]), "request": request.id})

    result = invoke("realtime", event)

    assert result["statusCode"] == 200
    assert json.loads(result["body"])["type"] == "chat.accepted"


# --- who may accept: online, below the chat limit ---------------------------------------------------


def open_chats(technician: Principal, count: int) -> list[str]:
    """Sessions the technician has open (from codes: every origin counts)."""
    return [start_session(f"Customer {n}", technician).id for n in range(count)]


def test_an_operator_at_the_chat_limit_may_not_accept_another(acme: Served) -> None:
    # Given the admin's limit of three chats, and Ted with three open
    current("deskless.preferences").update_preferences({"chat_limit": 3})
    open_chats(TECHNICIAN, 3)
    request = ask(acme)
    online(TECHNICIAN, "ted")

    # When he accepts a fourth
    status, answer = say("ted", "chat.accept", request=request.id, id="accept-1")

    # Then he is told why, and the request still waits for someone else
    assert (status, answer) == (
        409,
        {
            "error": "chat_limit_reached",
            "message": "You have 3 chats open, your limit; end one to accept another.",
            "id": "accept-1",
        },
    )
    assert get_chat_request(request.id).state == ChatRequestState.WAITING
    assert [queued.id for queued in queue_of(acme.company.id)] == [request.id]


def test_ending_a_chat_makes_room_for_another(acme: Served) -> None:
    current("deskless.preferences").update_preferences({"chat_limit": 2})
    first, _ = open_chats(TECHNICIAN, 2)
    request = ask(acme)
    online(TECHNICIAN, "ted")
    assert error_of(say("ted", "chat.accept", request=request.id)) == (409, "chat_limit_reached")

    end_session(first, "technician")

    assert say("ted", "chat.accept", request=request.id)[0] == 200
    assert get_chat_request(request.id).accepted_by == TECHNICIAN.user_id


def test_the_limit_counts_the_operators_own_open_chats_only(acme: Served) -> None:
    current("deskless.preferences").update_preferences({"chat_limit": 1})
    open_chats(OTHER_TECHNICIAN, 3)
    request = ask(acme)
    online(TECHNICIAN, "ted")

    assert say("ted", "chat.accept", request=request.id)[0] == 200


def test_an_operator_over_a_lowered_limit_is_told_by_how_much(acme: Served) -> None:
    open_chats(TECHNICIAN, 3)
    current("deskless.preferences").update_preferences({"chat_limit": 1})
    request = ask(acme)
    online(TECHNICIAN, "ted")

    _, answer = say("ted", "chat.accept", request=request.id)

    assert answer["message"] == "You have 3 chats open, over your limit of 1; end one to accept another."


def test_an_operator_who_is_away_may_not_accept(acme: Served) -> None:
    request = ask(acme)
    online(TECHNICIAN, "ted")
    say("ted", "presence.set", status="away", reason="Lunch")

    status, answer = say("ted", "chat.accept", request=request.id)

    assert (status, answer) == (409, {"error": "not_online", "message": "Go online to accept chats."})
    assert get_chat_request(request.id).state == ChatRequestState.WAITING
    # and back online, they may
    say("ted", "presence.set", status="online")
    assert say("ted", "chat.accept", request=request.id)[0] == 200


# --- withdrawing ---------------------------------------------------------------------------------


def test_a_visitor_withdraws_its_request(acme: Served) -> None:
    request = ask(acme)
    online(visitor(request), "visitor-1")

    answer = say("visitor-1", "chat.withdraw")

    assert answer == (200, {"type": "chat.withdrawn", "request": request.id})
    assert get_chat_request(request.id).state == ChatRequestState.WITHDRAWN
    assert queue_of(acme.company.id) == []
    # and again: the same answer
    assert say("visitor-1", "chat.withdraw") == answer


def test_an_accepted_request_cannot_be_withdrawn(acme: Served) -> None:
    request = ask(acme)
    online(visitor(request), "visitor-1")
    online(TECHNICIAN, "ted")
    say("ted", "chat.accept", request=request.id)

    assert error_of(say("visitor-1", "chat.withdraw")) == (409, "conflict")
    assert get_chat_request(request.id).state == ChatRequestState.ACCEPTED


def test_the_visitors_last_connection_closing_withdraws_the_request(acme: Served) -> None:
    # Given a visitor waiting on two tabs
    request = ask(acme)
    online(visitor(request), "tab-1")
    online(visitor(request), "tab-2")

    # When one closes, the request still waits on the other
    disconnect("tab-1")
    assert get_chat_request(request.id).state == ChatRequestState.WAITING
    assert get_chat_request(request.id).visitor_connections == {"tab-2"}

    # When the last closes, it is withdrawn and leaves the queue
    disconnect("tab-2")
    stored = get_chat_request(request.id)
    assert stored.state == ChatRequestState.WITHDRAWN
    assert queue_of(acme.company.id) == []


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["chat.status", "chat.withdraw"])
def test_staff_and_session_visitors_may_not_act_as_a_waiting_visitor(acme: Served, action: str) -> None:
    request = ask(acme)
    online(TECHNICIAN, "ted")
    session_visitor = Principal(user_id="visitor-s", role=Role.VISITOR, name="Dan", scope=session_scope("s1"))
    save_connection("session-visitor", session_visitor)

    assert error_of(say("ted", action)) == (403, "forbidden")
    assert error_of(say("session-visitor", action)) == (404, "not_found")  # it waits on no chat request
    assert get_chat_request(request.id).state == ChatRequestState.WAITING


@pytest.mark.parametrize(
    ("action", "body"),
    [("queue.list", {}), ("chat.accept", {"request": "REQUEST"}), ("heartbeat", {}), ("presence.set", {})],
)
def test_a_waiting_visitor_may_not_act_as_staff(acme: Served, action: str, body: dict[str, Any]) -> None:
    request = ask(acme)
    online(visitor(request), "visitor-1")
    body = {key: request.id if value == "REQUEST" else value for key, value in body.items()}

    assert error_of(say("visitor-1", action, **body)) == (403, "forbidden")
    assert get_chat_request(request.id).state == ChatRequestState.WAITING
