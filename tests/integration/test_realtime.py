"""The realtime function (the console's WebSocket) and deskless.realtime's push: connections
are stored on $connect, dropped on $disconnect, pinged, and pushed to in parallel; a
connection API Gateway answers 410 Gone for is dropped at once.

@connections is a stub on 127.0.0.1 (tests.helpers.ConnectionsStub), so boto3's real
apigatewaymanagementapi client, its error parsing included, runs."""

from __future__ import annotations

import json
import time
from types import ModuleType
from typing import Any

import pytest

from deskless import realtime
from deskless.auth import Principal, Role
from deskless.data import table
from deskless.realtime import MAX_CONNECTION_SECONDS, RECORD_MARGIN_SECONDS, get_connection
from deskless.table import connection_key
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, add_staff, current, invoke, load_event, websocket_event

CONNECTION_ID = load_event("websocket_connect")["requestContext"]["connectionId"]


def connect_event(principal: Principal | None = TECHNICIAN, connection_id: str = CONNECTION_ID) -> dict[str, Any]:
    return websocket_event("websocket_connect", principal, connectionId=connection_id)


def message(body: str | None, route_key: str = "$default", principal: Principal = TECHNICIAN) -> dict[str, Any]:
    """A message on the technician's connection (API Gateway passes $connect's context with it)."""
    event = websocket_event("websocket_ping", principal, routeKey=route_key)
    if body is None:
        event.pop("body")
    else:
        event["body"] = body
    return event


@pytest.fixture(autouse=True)
def staff(aws: LocalAws) -> None:
    """The technician and the admin are staff users: every message re-reads its sender's account."""
    add_staff(TECHNICIAN, ADMIN)


def test_connect_stores_the_connection_for_its_user_until_api_gateway_would_have_closed_it(aws: LocalAws) -> None:
    before = int(time.time())

    answer = invoke("realtime", connect_event())

    assert answer["statusCode"] == 200
    stored = table().get(connection_key(CONNECTION_ID))
    assert stored is not None
    assert stored["type"] == "connection"
    assert stored["connection_id"] == CONNECTION_ID
    assert stored["user_id"] == TECHNICIAN.user_id
    assert stored["role"] == "technician"
    assert stored["source_ip"] == load_event("websocket_connect")["requestContext"]["identity"]["sourceIp"]
    lifetime = MAX_CONNECTION_SECONDS + RECORD_MARGIN_SECONDS
    assert before + lifetime <= stored["expires_at"] <= int(time.time()) + lifetime
    assert MAX_CONNECTION_SECONDS == 2 * 3600
    assert RECORD_MARGIN_SECONDS > 0
    assert realtime.connections_of(TECHNICIAN.user_id) == [CONNECTION_ID]


def test_connect_without_the_authorizers_context_is_refused_and_stores_nothing(aws: LocalAws) -> None:
    answer = invoke("realtime", connect_event(principal=None))

    assert answer["statusCode"] == 401
    assert get_connection(CONNECTION_ID) is None


def test_disconnect_removes_the_connection(aws: LocalAws) -> None:
    invoke("realtime", connect_event())

    answer = invoke("realtime", websocket_event("websocket_disconnect", TECHNICIAN))

    assert answer["statusCode"] == 200
    assert get_connection(CONNECTION_ID) is None
    assert realtime.connections_of(TECHNICIAN.user_id) == []


def test_disconnect_of_a_connection_already_gone_is_fine(aws: LocalAws) -> None:
    assert invoke("realtime", load_event("websocket_disconnect"))["statusCode"] == 200


def test_ping_is_answered_with_pong_echoing_its_id(aws: LocalAws) -> None:
    before_ms = int(time.time() * 1000)

    answer = invoke("realtime", websocket_event("websocket_ping", TECHNICIAN))

    assert answer["statusCode"] == 200
    body = json.loads(answer["body"])
    assert body["type"] == "pong"
    assert body["echo"] == 7
    assert before_ms <= body["server_time"] <= int(time.time() * 1000)


def test_an_unknown_action_is_a_400_naming_it(aws: LocalAws) -> None:
    # API Gateway sends a message whose action matches no route to $default
    answer = invoke("realtime", message(json.dumps({"action": "dance"})))

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"]) == {"error": "invalid_request", "message": "Unknown action 'dance'."}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '"text"',
        "{}",
        None,
        "[" * 50_000 + "]" * 50_000,  # nested deeper than any parser goes, yet under 128 KB
        '{"action": "ping", "deep": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"action": "chat.send", "session": "s1", "text": "\\ud800"}',  # a lone surrogate: no UTF-8 carries it
    ],
    ids=["not json", "a list", "a string", "no action", "no body", "deep list", "deep field", "lone surrogate"],
)
def test_a_message_that_is_not_an_object_with_an_action_is_a_400(aws: LocalAws, body: str | None) -> None:
    answer = invoke("realtime", message(body))

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"] == "invalid_request"


# --- request correlation: every answer carries the message's id ----------------------------------


@pytest.mark.parametrize("request_id", ["req-1", 42, "x" * 64], ids=["text", "number", "64 characters"])
def test_an_answer_carries_the_id_of_the_message_it_answers(aws: LocalAws, request_id: str | int) -> None:
    answer = invoke("realtime", message(json.dumps({"action": "ping", "id": request_id}), route_key="ping"))

    assert answer["statusCode"] == 200
    body = json.loads(answer["body"])
    assert (body["type"], body["id"], body["echo"]) == ("pong", request_id, request_id)


def test_an_error_carries_the_id_of_the_message_too(aws: LocalAws) -> None:
    answer = invoke("realtime", message(json.dumps({"action": "dance", "id": "req-2"})))

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"]) == {
        "error": "invalid_request",
        "message": "Unknown action 'dance'.",
        "id": "req-2",
    }


def test_an_action_refused_carries_the_id(aws: LocalAws) -> None:
    # A visitor asks for an operator's presence
    visitor = Principal(user_id="visitor-1", role=Role.VISITOR, name="Vera", scope="session:s1")
    body = json.dumps({"action": "presence.get", "id": 9})

    answer = invoke("realtime", message(body, route_key="presence.get", principal=visitor))

    assert answer["statusCode"] == 403
    assert json.loads(answer["body"]) == {
        "error": "forbidden",
        "message": "This is for technicians and admins only.",
        "id": 9,
    }


@pytest.mark.parametrize("request_id", ["x" * 65, True, 1.5, {"n": 1}, ["a"]])
def test_an_id_that_is_not_short_text_or_an_integer_is_a_400(aws: LocalAws, request_id: Any) -> None:
    answer = invoke("realtime", message(json.dumps({"action": "ping", "id": request_id}), route_key="ping"))

    assert answer["statusCode"] == 400
    body = json.loads(answer["body"])
    assert body["error"] == "invalid_request"
    assert "id" in body["message"]
    assert "id" not in body


@pytest.fixture
def pusher(connections: ConnectionsStub) -> ModuleType:
    """deskless.realtime as the functions see it, its @connections client pointed at the stub."""
    return current("deskless.realtime")


def test_push_delivers_to_open_connections_and_drops_the_one_that_is_gone(
    pusher: ModuleType, connections: ConnectionsStub
) -> None:
    # Given three connections, one of which API Gateway has since closed
    for connection_id in ("open-1", "open-2", "closed"):
        pusher.save_connection(connection_id, ADMIN, now=time.time() - 120)
    connections.gone.add("closed")

    # When a message is pushed to all three
    delivery = pusher.push(["open-1", "open-2", "closed"], {"type": "notice", "text": "hello"})

    # Then two get it, the closed one is reported gone and its record is deleted
    assert sorted(delivery.delivered) == ["open-1", "open-2"]
    assert delivery.gone == ["closed"]
    assert delivery.failed == []
    assert connections.posted("open-1") == connections.posted("open-2") == [{"type": "notice", "text": "hello"}]
    assert pusher.get_connection("closed") is None
    assert pusher.get_connection("open-1") is not None
    assert pusher.get_connection("open-2") is not None
    assert sorted(pusher.connections_of(ADMIN.user_id)) == ["open-1", "open-2"]


def test_a_connection_still_connecting_is_kept_when_a_push_finds_it_gone(
    pusher: ModuleType, connections: ConnectionsStub
) -> None:
    # Given a connection whose $connect has not returned yet: API Gateway calls it Gone until then
    pusher.save_connection("connecting", ADMIN)
    connections.gone.add("connecting")

    # When a push reaches it in that moment
    delivery = pusher.push(["connecting"], {"type": "notice"})

    # Then it is reported gone but not forgotten: its $connect is about to succeed
    assert delivery.gone == ["connecting"]
    assert pusher.get_connection("connecting") is not None


def test_push_to_a_user_reaches_each_of_their_connections_once(
    pusher: ModuleType, connections: ConnectionsStub
) -> None:
    pusher.save_connection("laptop", TECHNICIAN)
    pusher.save_connection("phone", TECHNICIAN)
    pusher.save_connection("someone-else", ADMIN)

    delivery = pusher.push_to_user(TECHNICIAN.user_id, {"type": "notice"})

    assert sorted(delivery.delivered) == ["laptop", "phone"]
    assert sorted(target for target, _ in connections.posts) == ["laptop", "phone"]


def test_push_sends_a_repeated_connection_id_once(pusher: ModuleType, connections: ConnectionsStub) -> None:
    pusher.save_connection("laptop", TECHNICIAN)

    delivery = pusher.push(["laptop", "laptop"], {"type": "notice"})

    assert delivery.delivered == ["laptop"]
    assert len(connections.posts) == 1


def test_push_that_fails_otherwise_keeps_the_connection(pusher: ModuleType, connections: ConnectionsStub) -> None:
    # A refusal that is not 410 Gone may pass: the connection is kept for the next message
    pusher.save_connection("flaky", TECHNICIAN)
    connections.forbidden.add("flaky")

    delivery = pusher.push(["flaky"], {"type": "notice"})

    assert delivery.failed == ["flaky"]
    assert pusher.get_connection("flaky") is not None


def test_push_to_nobody_calls_nothing(pusher: ModuleType, connections: ConnectionsStub) -> None:
    assert pusher.push([], {"type": "notice"}) == pusher.Delivery()
    assert connections.posts == []
