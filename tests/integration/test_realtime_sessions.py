"""Support sessions over the WebSocket API (the realtime function): a visitor's connection joins
its session on $connect, the technician joins from the console, both chat, either ends it, and
every event goes to that session's participants only.

Events are the samples of events/ run through the function's Lambda handler against local AWS;
@connections is a stub on 127.0.0.1 (tests.helpers.ConnectionsStub), so the real boto3 posts
run and a closed connection answers 410 Gone."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.data import table
from deskless.realtime import save_connection
from deskless.sessions import MAX_MESSAGE_CHARS, Session, end_session, join, messages, new_session, session_scope
from deskless.table import connection_key, participant_key, session_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, add_staff, current, invoke, websocket_event

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")


@pytest.fixture(autouse=True)
def staff(aws: LocalAws) -> None:
    """The technicians and the admin are staff users: every message re-reads its sender's account."""
    add_staff(TECHNICIAN, OTHER_TECHNICIAN, ADMIN)


def start_session(visitor_name: str = "Carla Customer", technician: Principal = TECHNICIAN) -> Session:
    """A session as redeeming a code starts it."""
    session, item = new_session(
        technician_id=technician.user_id,
        technician_name=technician.name,
        visitor_name=visitor_name,
        origin="code",
        origin_ref="123456789",
        origin_name="Printer",
    )
    table().put(item)
    return session


def visitor(session: Session) -> Principal:
    """What the visitor's token says (deskless.sessions.visitor_token)."""
    return Principal(
        user_id=f"visitor-{session.id}", role=Role.VISITOR, name=session.visitor_name, scope=session_scope(session.id)
    )


# Who each connection is, as the $connect authorizer let it in: API Gateway passes that context
# on every later event of the connection.
CONNECTED: dict[str, Principal] = {}


def connect(principal: Principal, connection_id: str) -> dict[str, Any]:
    CONNECTED[connection_id] = principal
    event = websocket_event("websocket_connect", principal, connectionId=connection_id)
    result: dict[str, Any] = invoke("realtime", event)
    return result


def connected_as(connection_id: str) -> Principal | None:
    """Who the connection is: as it connected here, else as its stored item says (a test that
    saved one itself); None for a connection nobody knows."""
    if connection_id in CONNECTED:
        return CONNECTED[connection_id]
    item = table().get(connection_key(connection_id))
    return Principal(user_id=item["user_id"], role=item["role"], name="", scope=item["scope"]) if item else None


def say(connection_id: str, action: str, **body: Any) -> tuple[int, dict[str, Any]]:
    """A message on the connection, routed by its action as API Gateway routes it; the answer."""
    event = websocket_event("websocket_ping", connected_as(connection_id), routeKey=action, connectionId=connection_id)
    event["body"] = json.dumps({"action": action, **body})
    result = invoke("realtime", event)
    return result["statusCode"], json.loads(result["body"]) if result["body"] else {}


def disconnect(connection_id: str) -> None:
    event = websocket_event("websocket_disconnect", connected_as(connection_id), connectionId=connection_id)
    assert invoke("realtime", event)["statusCode"] == 200


def console_in(session: Session, connection_id: str = "console", technician: Principal = TECHNICIAN) -> None:
    """The technician's console connects and joins the session."""
    assert connect(technician, connection_id)["statusCode"] == 200
    status, answer = say(connection_id, "session.join", session=session.id)
    assert (status, answer["type"]) == (200, "session.joined"), answer


def of_type(posts: list[Any], kind: str) -> list[Any]:
    return [post for post in posts if post.get("type") == kind]


# --- a visitor connects ----------------------------------------------------------------------


def test_a_visitor_connecting_joins_its_session_and_the_technician_is_told(connections: ConnectionsStub) -> None:
    # Given a session whose technician's console has joined it
    session = start_session()
    console_in(session)

    # When the visitor connects with its token
    answer = connect(visitor(session), "visitor-1")

    # Then the connection takes part in the session, and knows it for $disconnect
    assert answer["statusCode"] == 200
    assert table().get(participant_key(session.id, "visitor-1")) is not None
    stored = table().get(connection_key("visitor-1"))
    assert stored is not None
    assert (stored["role"], stored["sessions"], stored["name"]) == ("visitor", {session.id}, "Carla Customer")
    # and the technician is told; nothing is posted to the connection during its own $connect
    assert connections.posted("console") == [
        {"type": "participant.joined", "session": session.id, "role": "visitor", "name": "Carla Customer"}
    ]
    assert connections.posted("visitor-1") == []


def test_a_visitor_of_an_ended_session_is_refused_and_nothing_is_stored(connections: ConnectionsStub) -> None:
    session = start_session()
    end_session(session.id, "technician")

    answer = connect(visitor(session), "visitor-1")

    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["error"] == "session_ended"
    assert table().get(connection_key("visitor-1")) is None
    assert table().get(participant_key(session.id, "visitor-1")) is None


@pytest.mark.parametrize("scope", ["session:no-such-session", "", "ticket:42"])
def test_a_visitor_whose_token_names_no_session_is_refused(connections: ConnectionsStub, scope: str) -> None:
    stranger = Principal(user_id="visitor-x", role=Role.VISITOR, name="Mallory", scope=scope)

    answer = connect(stranger, "visitor-1")

    assert answer["statusCode"] == 403
    assert table().get(connection_key("visitor-1")) is None


def test_staff_connect_to_their_console_without_joining_anything(connections: ConnectionsStub) -> None:
    assert connect(TECHNICIAN, "console")["statusCode"] == 200

    stored = table().get(connection_key("console"))
    assert stored is not None
    assert "sessions" not in stored


# --- the technician joins --------------------------------------------------------------------


def test_the_technician_joins_and_gets_the_transcript_so_far(connections: ConnectionsStub) -> None:
    # Given a visitor who wrote before the technician's console joined
    session = start_session()
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200
    say("visitor-1", "chat.send", session=session.id, text="Hello?")
    assert connect(TECHNICIAN, "console")["statusCode"] == 200

    # When the technician joins
    status, answer = say("console", "session.join", session=session.id)

    # Then the answer is the session with its transcript, and the visitor is told
    assert status == 200
    assert answer["type"] == "session.joined"
    assert answer["session"]["id"] == session.id
    assert answer["session"]["visitor_name"] == "Carla Customer"
    assert [(m["sender_role"], m["text"]) for m in answer["messages"]] == [("visitor", "Hello?")]
    assert answer["visitor_present"] is True
    assert of_type(connections.posted("visitor-1"), "participant.joined") == [
        {"type": "participant.joined", "session": session.id, "role": "technician", "name": TECHNICIAN.name}
    ]
    assert table().get(participant_key(session.id, "console")) is not None


def test_an_admin_may_join_any_session(connections: ConnectionsStub) -> None:
    session = start_session()
    assert connect(ADMIN, "admin-console")["statusCode"] == 200

    status, answer = say("admin-console", "session.join", session=session.id)

    assert (status, answer["type"]) == (200, "session.joined")


def test_another_technician_and_a_visitor_may_not_join_from_a_console(connections: ConnectionsStub) -> None:
    session = start_session()
    assert connect(OTHER_TECHNICIAN, "other-console")["statusCode"] == 200
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200

    # Another technician's session is not found, as one that does not exist; visitors have no console
    assert error_of(say("other-console", "session.join", session=session.id)) == (404, "not_found")
    assert error_of(say("visitor-1", "session.join", session=session.id)) == (403, "forbidden")
    assert table().get(participant_key(session.id, "other-console")) is None


def error_of(answer: tuple[int, dict[str, Any]]) -> tuple[int, str]:
    return answer[0], answer[1].get("error", "")


def test_joining_an_unknown_or_ended_session_is_refused(connections: ConnectionsStub) -> None:
    session = start_session()
    end_session(session.id, "visitor")
    assert connect(TECHNICIAN, "console")["statusCode"] == 200

    assert say("console", "session.join", session="no-such-session") == (
        404,
        {"error": "not_found", "message": "There is no such session."},
    )
    status, answer = say("console", "session.join", session=session.id)
    assert (status, answer["error"]) == (403, "session_ended")


# --- chatting --------------------------------------------------------------------------------


def test_messages_are_stored_in_order_and_reach_the_sessions_participants_only(connections: ConnectionsStub) -> None:
    # Given a session with its technician and visitor, and another session with its own visitor
    session = start_session()
    console_in(session)
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200
    elsewhere = start_session("Someone Else")
    assert connect(visitor(elsewhere), "visitor-elsewhere")["statusCode"] == 200
    connections.posts.clear()

    # When both sides write
    _, first = say("visitor-1", "chat.send", session=session.id, text="My printer is on fire.")
    _, second = say("console", "chat.send", session=session.id, text="Unplug it,\nthen step back.")

    # Then the messages are stored in order with sender and time
    stored = messages(session)
    assert [(m.sender_role, m.sender_name, m.text) for m in stored] == [
        ("visitor", "Carla Customer", "My printer is on fire."),
        ("technician", TECHNICIAN.name, "Unplug it,\nthen step back."),
    ]
    assert stored[0].at_ms <= stored[1].at_ms
    assert (first["type"], first["message_id"]) == ("chat.sent", stored[0].id)
    assert (second["type"], second["message_id"]) == ("chat.sent", stored[1].id)
    # and each participant, the sender too, got both in that order; the other session nothing
    expected = [
        {
            "type": "chat.message",
            "session": session.id,
            "message": {
                "id": m.id,
                "sender_role": m.sender_role,
                "sender_name": m.sender_name,
                "text": m.text,
                "at_ms": m.at_ms,
            },
        }
        for m in stored
    ]
    assert connections.posted("visitor-1") == connections.posted("console") == expected
    assert connections.posted("visitor-elsewhere") == []


def test_sending_is_one_batch_read_one_write_one_query_and_parallel_posts(connections: ConnectionsStub) -> None:
    session = start_session()
    console_in(session)
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        status, _ = say("visitor-1", "chat.send", session=session.id, text="Hi")

    assert status == 200
    assert calls == {"BatchGetItem": 1, "PutItem": 1, "Query": 1}


def test_a_connection_that_is_not_taking_part_may_not_write(connections: ConnectionsStub) -> None:
    session = start_session()
    elsewhere = start_session("Someone Else")
    assert connect(visitor(elsewhere), "visitor-elsewhere")["statusCode"] == 200
    assert connect(OTHER_TECHNICIAN, "other-console")["statusCode"] == 200

    for connection_id in ("visitor-elsewhere", "other-console"):
        status, answer = say(connection_id, "chat.send", session=session.id, text="Let me in")
        assert (status, answer["error"]) == (403, "not_participant")
    assert messages(session) == []


def test_writing_in_an_ended_session_is_refused(connections: ConnectionsStub) -> None:
    session = start_session()
    console_in(session)
    end_session(session.id, "visitor")

    status, answer = say("console", "chat.send", session=session.id, text="Still there?")

    assert status == 403
    assert answer["error"] == "session_ended"
    assert answer["message"]
    assert messages(session) == []


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   \n "},
        {"text": "x" * (MAX_MESSAGE_CHARS + 1)},
        {"text": 42},
        {},
        {"session": "", "text": "hi"},
    ],
    ids=["empty", "blank", "too long", "not text", "no text", "no session"],
)
def test_an_invalid_message_is_a_400_and_nothing_is_stored(connections: ConnectionsStub, body: dict[str, Any]) -> None:
    session = start_session()
    console_in(session)

    status, answer = say("console", "chat.send", **{"session": session.id, **body})

    assert (status, answer["error"]) == (400, "invalid_request")
    assert messages(session) == []


def test_the_longest_message_allowed_is_stored_whole(connections: ConnectionsStub) -> None:
    session = start_session()
    console_in(session)

    status, _ = say("console", "chat.send", session=session.id, text="y" * MAX_MESSAGE_CHARS)

    assert status == 200
    assert [len(m.text) for m in messages(session)] == [MAX_MESSAGE_CHARS]


def test_a_participant_whose_connection_is_gone_is_dropped_not_retried(connections: ConnectionsStub) -> None:
    # Given a visitor who joined a while ago and whose socket API Gateway has since closed
    # ($disconnect is best effort and never came)
    session = start_session()
    console_in(session)
    save_connection("visitor-1", visitor(session), now=time.time() - 120)
    join(session, "visitor-1", visitor(session), now=time.time() - 120)
    connections.gone.add("visitor-1")

    # When the technician writes twice
    say("console", "chat.send", session=session.id, text="Are you there?")
    say("console", "chat.send", session=session.id, text="Hello?")

    # Then the gone connection was posted to once only: its participant and connection items are gone
    assert [target for target, _ in connections.posts].count("visitor-1") == 1
    assert table().get(participant_key(session.id, "visitor-1")) is None
    assert table().get(connection_key("visitor-1")) is None
    assert table().get(participant_key(session.id, "console")) is not None
    assert len(of_type(connections.posted("console"), "chat.message")) == 2


def test_a_visitor_still_connecting_is_not_dropped_when_a_post_to_it_races_its_connect(
    connections: ConnectionsStub,
) -> None:
    # Given a visitor whose $connect has joined the session but not returned yet: API Gateway
    # answers 410 Gone to posts for it until then
    session = start_session()
    console_in(session)
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200
    connections.gone.add("visitor-1")

    # When the technician writes in that moment
    say("console", "chat.send", session=session.id, text="Welcome!")

    # Then the visitor stays in the session: once connected it gets what follows (and reads the
    # transcript for what it missed)
    assert table().get(participant_key(session.id, "visitor-1")) is not None
    connections.gone.clear()
    connections.posts.clear()
    say("console", "chat.send", session=session.id, text="How can I help?")
    assert [m["message"]["text"] for m in of_type(connections.posted("visitor-1"), "chat.message")] == [
        "How can I help?"
    ]
    status, _ = say("visitor-1", "chat.send", session=session.id, text="Thanks")
    assert status == 200


# --- ending ----------------------------------------------------------------------------------


def test_the_visitor_ends_the_session_and_the_technician_is_told(connections: ConnectionsStub) -> None:
    session = start_session()
    console_in(session)
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200

    status, answer = say("visitor-1", "session.end", session=session.id)

    assert (status, answer) == (200, {"type": "session.end.ok", "session": session.id})
    ended = {"type": "session.ended", "session": session.id, "by": "visitor"}
    assert of_type(connections.posted("console"), "session.ended") == [ended]
    assert of_type(connections.posted("visitor-1"), "session.ended") == [ended]
    stored = table().get(session_key(session.id))
    assert stored is not None
    assert (stored["state"], stored["ended_by"]) == ("ended", "visitor")


def test_the_technician_ends_the_session_once(connections: ConnectionsStub) -> None:
    session = start_session()
    console_in(session)
    assert connect(visitor(session), "visitor-1")["statusCode"] == 200

    assert say("console", "session.end", session=session.id)[0] == 200
    again = say("console", "session.end", session=session.id)

    assert of_type(connections.posted("visitor-1"), "session.ended") == [
        {"type": "session.ended", "session": session.id, "by": "technician"}
    ]
    assert (again[0], again[1]["error"]) == (403, "session_ended")
    # and the visitor cannot come back to it
    assert connect(visitor(session), "visitor-2")["statusCode"] == 403


def test_only_a_participant_may_end_a_session(connections: ConnectionsStub) -> None:
    session = start_session()
    assert connect(OTHER_TECHNICIAN, "other-console")["statusCode"] == 200

    status, answer = say("other-console", "session.end", session=session.id)

    assert (status, answer["error"]) == (403, "not_participant")
    stored = table().get(session_key(session.id))
    assert stored is not None
    assert stored["state"] == "active"


# --- leaving ---------------------------------------------------------------------------------


def test_disconnect_leaves_every_session_the_connection_joined_and_tells_the_others(
    connections: ConnectionsStub,
) -> None:
    # Given a console in two sessions, each with its visitor
    first, second = start_session("Ann"), start_session("Ben")
    console_in(first)
    say("console", "session.join", session=second.id)
    assert connect(visitor(first), "visitor-ann")["statusCode"] == 200
    assert connect(visitor(second), "visitor-ben")["statusCode"] == 200

    # When the console's socket closes
    disconnect("console")

    # Then it takes part in neither, its record is gone, and each visitor is told
    assert table().get(participant_key(first.id, "console")) is None
    assert table().get(participant_key(second.id, "console")) is None
    assert table().get(connection_key("console")) is None
    for connection_id, session in (("visitor-ann", first), ("visitor-ben", second)):
        assert of_type(connections.posted(connection_id), "participant.left") == [
            {"type": "participant.left", "session": session.id, "role": "technician", "name": TECHNICIAN.name}
        ]
    assert table().get(participant_key(first.id, "visitor-ann")) is not None
