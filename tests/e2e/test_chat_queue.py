"""On-demand chat on `deskless dev`, driven as two technicians' consoles and the portal's visitors
drive it, over HTTP and the WebSocket API (Python clients, no browser): a visitor's chat request
reaches both consoles, the first to accept gets it while the other sees it taken (under
concurrent accepts too), the visitor is handed the session and both sides chat; a visitor who
leaves withdraws its request; the queue moves up for whoever waits behind; and a portal stops
promising a chat as soon as its technicians go away or close their consoles.

Presence is global state, so this module brings its own company, technicians and portal (made
through the admin API) and leaves them behind. Each visitor comes from its own loopback address:
the portal lets one address ask for a few chats per window."""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from local.launch import CLIENT_TLS
from tests.e2e.conftest import Platform, Technician, bearer, hire, visitor_socket, wait_for

_visitor_addresses = itertools.count(2)


@dataclass(frozen=True)
class Portal:
    company_id: str
    host: str


@dataclass(frozen=True)
class Team:
    portal: Portal
    ted: Technician
    bo: Technician


@pytest.fixture(scope="module")
def team(platform: Platform, admin_token: str) -> Team:
    """A company of its own with a portal on a fresh subdomain, served by two new technicians."""
    ted, bo = hire(platform, admin_token, "Ted Queue"), hire(platform, admin_token, "Bo Queue")
    label = f"t-{uuid.uuid4().hex[:8]}"
    with platform.http() as client:
        company = client.post(
            "/api/companies",
            headers=bearer(admin_token),
            json={"name": f"Queue Co {label}", "technician_ids": [ted.id, bo.id]},
        )
        assert company.status_code == 201, company.text
        company_id = company.json()["id"]
        portal = client.post(
            f"/api/companies/{company_id}/portal", headers=bearer(admin_token), json={"subdomain": label}
        )
        assert portal.status_code == 201, portal.text
    return Team(portal=Portal(company_id=company_id, host=f"{label}.localhost"), ted=ted, bo=bo)


# --- clients ------------------------------------------------------------------------------------


def portal_client(platform: Platform, portal: Portal) -> httpx.Client:
    """A visitor's browser on the portal's host, from a loopback address of its own."""
    address = f"127.0.0.{next(_visitor_addresses)}"
    return httpx.Client(
        base_url=platform.base,
        headers={"host": f"{portal.host}:{platform.port}"},
        transport=httpx.HTTPTransport(local_address=address, verify=CLIENT_TLS),
        timeout=10,
    )


def portal_state(platform: Platform, portal: Portal) -> str:
    with platform.http(host=portal.host) as client:
        answer = client.get("/api/portal")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["state"])


def ask_for_chat(platform: Platform, portal: Portal, name: str, question: str) -> httpx.Response:
    with portal_client(platform, portal) as client:
        return client.post(
            "/api/portal/chat-requests", json={"name": name, "email": "visitor@customer.example", "question": question}
        )


def queued(platform: Platform, portal: Portal, name: str, question: str = "My printer is on fire.") -> dict[str, Any]:
    answer = ask_for_chat(platform, portal, name, question)
    assert answer.status_code == 201, answer.text
    request: dict[str, Any] = answer.json()
    return request


@contextmanager
def console(platform: Platform, technician: Technician) -> Iterator[ClientConnection]:
    """A technician's console: connected (a heartbeat), and one explicit heartbeat answered."""
    with connect(platform.websocket_url(technician.token)) as socket:
        say(socket, "heartbeat")
        assert receive(socket, "presence")["presence"]["user_id"] == technician.id
        yield socket


def say(socket: ClientConnection, action: str, **body: Any) -> None:
    socket.send(json.dumps({"action": action, **body}))


def receive(
    socket: ClientConnection, kind: str, timeout: float = 10.0, where: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """The next message of that type (for which `where` holds) on the socket, others skipped; an
    error fails."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message: dict[str, Any] = json.loads(socket.recv(timeout=left))
        assert "error" not in message, message
        if message.get("type") == kind and (where is None or where(message)):
            return message
    raise AssertionError(f"no {kind} within {timeout} s")


def about(request: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A notice about this request (chat.requested carries the queued request, the others its id)."""

    def names(message: dict[str, Any]) -> bool:
        told = message.get("request")
        return bool((told.get("id") if isinstance(told, dict) else told) == request["request_id"])

    return names


def answer_to_accept(socket: ClientConnection, request_id: str, timeout: float = 10.0) -> dict[str, Any]:
    """The reply to chat.accept: chat.accepted, or an error (notices in between are skipped)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if "error" in message or (message.get("type") == "chat.accepted" and message.get("request") == request_id):
            return message
    raise AssertionError(f"no answer to chat.accept within {timeout} s")


# --- tests --------------------------------------------------------------------------------------


def test_a_chat_request_reaches_both_consoles_one_accepts_and_they_chat(platform: Platform, team: Team) -> None:
    with console(platform, team.ted) as ted, console(platform, team.bo) as bo:
        # Given both technicians' consoles are open, the portal offers a chat
        assert portal_state(platform, team.portal) == "available"

        # When a visitor asks for one and waits on its page
        request = queued(platform, team.portal, "Carla Customer", "My printer is on fire.")
        assert request["position"] == 1
        with visitor_socket(request) as visitor:
            # Then both consoles hear of it at once
            for socket in (ted, bo):
                told = receive(socket, "chat.requested", where=about(request))["request"]
                assert (told["id"], told["name"], told["question"]) == (
                    request["request_id"],
                    "Carla Customer",
                    "My printer is on fire.",
                )
                assert told["company_id"] == team.portal.company_id
            say(ted, "queue.list")
            assert request["request_id"] in [r["id"] for r in receive(ted, "queue")["requests"]]

            # When Ted accepts
            say(ted, "chat.accept", request=request["request_id"])
            accepted = answer_to_accept(ted, request["request_id"])

            # Then his console is in the new session, whose first message is the question
            assert accepted["type"] == "chat.accepted", accepted
            session_id = accepted["session"]["id"]
            assert [(m["sender_role"], m["text"]) for m in accepted["messages"]] == [
                ("visitor", "My printer is on fire.")
            ]
            # and Bo sees it taken, by Ted
            taken = receive(bo, "chat.taken", where=about(request))
            assert (taken["by"], taken["by_name"]) == (team.ted.id, team.ted.name)
            # and the visitor is handed the way into the session
            entry = receive(visitor, "chat.accepted")["entry"]
            assert (entry["session_id"], entry["technician_name"]) == (session_id, team.ted.name)
            say(visitor, "chat.status")
            status = receive(visitor, "chat.status")
            assert (status["state"], status["entry"]["session_id"]) == ("accepted", session_id)

        # When the visitor connects to the session as the join page does
        with visitor_socket(entry) as customer:
            assert receive(ted, "participant.joined")["role"] == "visitor"

            # Then messages go both ways
            say(customer, "chat.send", session=session_id, text="Hello, anyone there?")
            assert receive(ted, "chat.message")["message"]["text"] == "Hello, anyone there?"
            say(ted, "chat.send", session=session_id, text="Hi Carla, Ted here.")
            got = receive(customer, "chat.message", where=lambda m: m["message"]["sender_role"] == "technician")[
                "message"
            ]
            assert (got["sender_role"], got["sender_name"], got["text"]) == (
                "technician",
                team.ted.name,
                "Hi Carla, Ted here.",
            )


def test_of_two_accepts_at_once_exactly_one_wins(platform: Platform, team: Team) -> None:
    with console(platform, team.ted) as ted, console(platform, team.bo) as bo:
        request = queued(platform, team.portal, "Dan Double")
        with visitor_socket(request) as visitor:
            for socket in (ted, bo):
                receive(socket, "chat.requested", where=about(request))

            # When both accept at the same moment
            start = threading.Barrier(2)
            answers: dict[str, dict[str, Any]] = {}

            def accept(name: str, socket: ClientConnection) -> None:
                start.wait()
                say(socket, "chat.accept", request=request["request_id"])
                answers[name] = answer_to_accept(socket, request["request_id"])

            threads = [threading.Thread(target=accept, args=pair) for pair in (("ted", ted), ("bo", bo))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

            # Then exactly one got the chat, the other was told it was taken
            outcomes = sorted(answer.get("type") or answer["error"] for answer in answers.values())
            assert outcomes == ["chat.accepted", "chat_taken"], answers
            (winner,) = [name for name, answer in answers.items() if answer.get("type") == "chat.accepted"]
            # and the visitor was handed that technician's session, once
            entry = receive(visitor, "chat.accepted")["entry"]
            assert entry["session_id"] == answers[winner]["session"]["id"]
            say(visitor, "chat.status")
            assert receive(visitor, "chat.status")["state"] == "accepted"


def test_a_visitor_who_leaves_withdraws_its_request(platform: Platform, team: Team) -> None:
    with console(platform, team.ted) as ted, console(platform, team.bo) as bo:
        request = queued(platform, team.portal, "Wendy Withdrawn")
        with visitor_socket(request):
            for socket in (ted, bo):
                receive(socket, "chat.requested", where=about(request))

        # When the visitor closes its page, both consoles take the request off their queue
        for socket in (ted, bo):
            withdrawn = receive(socket, "chat.withdrawn", where=about(request))
            assert withdrawn["company_id"] == team.portal.company_id
        say(ted, "queue.list")
        assert request["request_id"] not in [r["id"] for r in receive(ted, "queue")["requests"]]
        say(ted, "chat.accept", request=request["request_id"])
        assert answer_to_accept(ted, request["request_id"])["error"] == "chat_taken"


def test_the_queue_moves_up_for_the_visitor_waiting_behind(platform: Platform, team: Team) -> None:
    with console(platform, team.ted) as ted:
        # Given two visitors waiting, one behind the other
        first = queued(platform, team.portal, "First Visitor")
        second = queued(platform, team.portal, "Second Visitor")
        assert (first["position"], second["position"]) == (1, 2)
        with visitor_socket(first) as first_page, visitor_socket(second) as second_page:
            say(second_page, "chat.status")
            assert receive(second_page, "chat.status")["position"] == 2

            # When the first is accepted
            say(ted, "chat.accept", request=first["request_id"])
            assert answer_to_accept(ted, first["request_id"])["type"] == "chat.accepted"

            # Then the second learns it is next
            moved = receive(second_page, "queue.position")
            assert moved == {"type": "queue.position", "request": second["request_id"], "position": 1}
            receive(first_page, "chat.accepted")
            say(second_page, "chat.withdraw")
            assert receive(second_page, "chat.withdrawn")["request"] == second["request_id"]


def test_a_portal_stops_offering_chat_when_its_technicians_go_away_or_close_their_consoles(
    platform: Platform, team: Team
) -> None:
    with console(platform, team.ted) as ted:
        with console(platform, team.bo) as bo:
            assert portal_state(platform, team.portal) == "available"

            # When both go away
            for socket in (ted, bo):
                say(socket, "presence.set", status="away", reason="Lunch")
                assert receive(socket, "presence")["presence"]["status"] == "away"

            # Then the portal says nobody is available, and refuses a chat request
            assert portal_state(platform, team.portal) == "unavailable"
            refused = ask_for_chat(platform, team.portal, "Late Visitor", "Anyone?")
            assert (refused.status_code, refused.json()["error"]) == (409, "no_technician_available")

            # When Bo comes back, chat is offered again
            say(bo, "presence.set", status="online")
            assert receive(bo, "presence")["presence"]["status"] == "online"
            assert portal_state(platform, team.portal) == "available"

        # When Bo's console closes (Ted is still away), the portal stops offering chat at once
        wait_for(lambda: portal_state(platform, team.portal) == "unavailable", timeout=5)
        say(ted, "presence.set", status="online")
        assert receive(ted, "presence")["presence"]["status"] == "online"
        assert portal_state(platform, team.portal) == "available"

    # and so it does when the last console of all closes
    wait_for(lambda: portal_state(platform, team.portal) == "unavailable", timeout=5)
