"""Screen sharing in a support session (issue 15) over the WebSocket API: the technician asks to
see the visitor's screen or shares their own, WebRTC's signals are relayed to the share's other
connection only, either side stops it, and the session's end or a side leaving ends it.

Events run through the realtime function's Lambda handler against local AWS; @connections is the
stub of tests.helpers, which records every post (so "relayed to nobody else" is checkable)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.data import table
from deskless.sessions import Session, end_session, messages, new_message, new_session, session_scope, transcript_text
from deskless.table import session_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, add_staff, current, invoke, websocket_event

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}


@pytest.fixture(autouse=True)
def staff(aws: LocalAws) -> None:
    add_staff(TECHNICIAN, OTHER_TECHNICIAN, ADMIN)


CONNECTED: dict[str, Principal] = {}


def start_session(visitor_name: str = "Carla Customer") -> Session:
    session, item = new_session(
        technician_id=TECHNICIAN.user_id,
        technician_name=TECHNICIAN.name,
        visitor_name=visitor_name,
        origin="code",
        origin_ref="123456789",
    )
    table().put(item)
    return session


def visitor(session: Session) -> Principal:
    return Principal(
        user_id=f"visitor-{session.id}", role=Role.VISITOR, name=session.visitor_name, scope=session_scope(session.id)
    )


def connect(principal: Principal, connection_id: str) -> None:
    CONNECTED[connection_id] = principal
    event = websocket_event("websocket_connect", principal, connectionId=connection_id)
    assert invoke("realtime", event)["statusCode"] == 200


def say(connection_id: str, action: str, **body: Any) -> tuple[int, dict[str, Any]]:
    event = websocket_event("websocket_ping", CONNECTED[connection_id], routeKey=action, connectionId=connection_id)
    event["body"] = json.dumps({"action": action, **body})
    result = invoke("realtime", event)
    return result["statusCode"], json.loads(result["body"]) if result["body"] else {}


def disconnect(connection_id: str) -> None:
    event = websocket_event("websocket_disconnect", CONNECTED[connection_id], connectionId=connection_id)
    assert invoke("realtime", event)["statusCode"] == 200


def error_of(answer: tuple[int, dict[str, Any]]) -> tuple[int, str]:
    return answer[0], answer[1].get("error", "")


def of_type(posts: list[Any], kind: str) -> list[Any]:
    return [post for post in posts if post.get("type") == kind]


def events(session: Session) -> list[tuple[str | None, str | None, str, str | None]]:
    """The transcript's screen events: (event, whose screen, by which role, reason)."""
    return [(m.event, m.screen, m.sender_role, m.reason) for m in messages(session) if m.event]


def screens_stored(session: Session) -> set[str]:
    item = table().get(session_key(session.id), consistent=True) or {}
    return {name for name in item if name.startswith("screen_")}


def in_session(connections: ConnectionsStub) -> Session:
    """A session with the technician's console and the visitor connected, nothing posted yet."""
    session = start_session()
    connect(TECHNICIAN, "console")
    assert say("console", "session.join", session=session.id)[0] == 200
    connect(visitor(session), "visitor-1")
    connections.posts.clear()
    return session


def requested(session: Session, connection_id: str = "console") -> str:
    status, answer = say(connection_id, "screen.request", session=session.id)
    assert status == 200, answer
    return str(answer["share"]["id"])


def live_visitor_share(session: Session, connections: ConnectionsStub) -> str:
    share = requested(session)
    assert say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)[0] == 200
    assert say("visitor-1", "screen.start", session=session.id, share=share)[0] == 200
    connections.posts.clear()
    return share


# --- asking, consenting, starting ------------------------------------------------------------------


def test_the_technician_asks_to_see_the_screen_and_both_sides_are_told(connections: ConnectionsStub) -> None:
    session = in_session(connections)

    status, answer = say("console", "screen.request", session=session.id)

    # Then the share waits for consent, from the visitor, asked by the technician
    assert status == 200
    share = answer["share"]
    assert answer["type"] == "screen.ok"
    assert (share["from"], share["state"], share["by_name"]) == ("visitor", "requested", TECHNICIAN.name)
    assert len(share["id"]) == 16
    # and both sides got the update and the event, in that order; no connection id is ever sent
    for connection_id in ("console", "visitor-1"):
        posted = connections.posted(connection_id)
        assert [p["type"] for p in posted] == ["screen.update", "chat.message"]
        assert posted[0] == {"type": "screen.update", "session": session.id, "share": share}
        event = posted[1]["message"]
        assert (event["event"], event["screen"], event["text"], event["sender_name"]) == (
            "screen_requested",
            "visitor",
            f"{TECHNICIAN.name} asked to see the screen.",
            TECHNICIAN.name,
        )
        assert "connection" not in json.dumps(posted)
    assert events(session) == [("screen_requested", "visitor", "technician", None)]


def test_the_visitor_accepts_then_starts_and_each_step_is_recorded(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = requested(session)

    accepted = say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)
    started = say("visitor-1", "screen.start", session=session.id, share=share)

    assert accepted[0] == started[0] == 200
    assert (accepted[1]["share"]["id"], accepted[1]["share"]["state"]) == (share, "accepted")
    assert started[1]["share"]["state"] == "live"
    updates = of_type(connections.posted("console"), "screen.update")
    assert [u["share"]["state"] for u in updates] == ["requested", "accepted", "live"]
    assert events(session) == [
        ("screen_requested", "visitor", "technician", None),
        ("screen_accepted", "visitor", "visitor", None),
        ("screen_started", "visitor", "visitor", None),
    ]
    # and a console joining again learns what is going on
    status, joined = say("console", "session.join", session=session.id)
    assert status == 200
    assert [(s["id"], s["from"], s["state"]) for s in joined["session"]["screens"]] == [(share, "visitor", "live")]


def test_each_event_is_stored_in_the_words_every_reader_shows(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)

    # When the technician stops viewing the visitor's screen
    assert say("console", "screen.stop", session=session.id, share=share)[0] == 200

    # Then the event pushed to the console, the stored message and the ticket's transcript say the same
    words = f"{TECHNICIAN.name} stopped the sharing of {session.visitor_name}'s screen."
    (pushed,) = of_type(connections.posted("console"), "chat.message")
    assert pushed["message"]["text"] == words
    assert messages(session)[-1].text == words
    assert transcript_text(session, messages(session)).endswith(f"] {words}")


def test_an_event_stored_without_its_words_is_read_in_words(connections: ConnectionsStub) -> None:
    # Given a screen event stored before events were stored in words (its text empty)
    session = in_session(connections)
    _, item = new_message(session.id, Role.VISITOR, session.visitor_name, "", event="screen_declined", screen="visitor")
    table().put(item)

    # When it is read: by the session's messages, and by a console joining the session
    (read,) = messages(session)
    status, joined = say("console", "session.join", session=session.id)

    # Then it has the words it would be stored with now
    words = f"{session.visitor_name} declined to share their screen."
    assert read.text == words
    assert status == 200
    assert [m["text"] for m in joined["messages"]] == [words]


def test_the_visitor_declines_and_the_share_is_gone(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = requested(session)
    connections.posts.clear()

    status, answer = say(
        "visitor-1", "screen.answer", session=session.id, share=share, accept=False, reason="unsupported"
    )

    assert (status, answer["share"]["state"]) == (200, "requested")
    assert screens_stored(session) == set()
    ended = of_type(connections.posted("console"), "screen.ended")
    assert [(e["share"]["id"], e["by"], e["reason"]) for e in ended] == [(share, "visitor", "unsupported")]
    assert events(session)[-1] == ("screen_declined", "visitor", "visitor", "unsupported")
    # and the technician may ask again
    assert say("console", "screen.request", session=session.id)[0] == 200


def test_asking_twice_or_with_nobody_there_is_refused(connections: ConnectionsStub) -> None:
    session = start_session()
    connect(TECHNICIAN, "console")
    assert say("console", "session.join", session=session.id)[0] == 200

    assert error_of(say("console", "screen.request", session=session.id)) == (409, "visitor_absent")
    assert error_of(say("console", "screen.share", session=session.id)) == (409, "visitor_absent")

    connect(visitor(session), "visitor-1")
    requested(session)
    assert error_of(say("console", "screen.request", session=session.id)) == (409, "screen_busy")
    assert len(events(session)) == 1


def test_answering_or_starting_what_is_not_waiting_for_it_is_not_found(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = requested(session)

    assert error_of(say("visitor-1", "screen.answer", session=session.id, share="nope", accept=True)) == (
        404,
        "not_found",
    )
    # the sharer is not known before consent; the technician does not answer for the customer
    assert error_of(say("visitor-1", "screen.start", session=session.id, share=share)) == (404, "not_found")
    assert error_of(say("console", "screen.answer", session=session.id, share=share, accept=True)) == (
        403,
        "forbidden",
    )
    assert say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)[0] == 200
    assert error_of(say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)) == (
        404,
        "not_found",
    )
    assert error_of(say("console", "screen.start", session=session.id, share=share)) == (404, "not_found")


# --- signals -----------------------------------------------------------------------------------------


def test_signals_reach_the_other_end_of_the_share_and_nobody_else(connections: ConnectionsStub) -> None:
    # Given a live share, a second console of the technician and a second visitor tab in the
    # session, and another session with its own visitor
    session = in_session(connections)
    connect(TECHNICIAN, "console-2")
    assert say("console-2", "session.join", session=session.id)[0] == 200
    share = requested(session)
    assert say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)[0] == 200
    connect(visitor(session), "visitor-2")  # joins after consent: not the sharer
    elsewhere = start_session("Someone Else")
    connect(visitor(elsewhere), "visitor-elsewhere")
    connections.posts.clear()

    # When the sharer sends its offer and a candidate, and the viewer its answer
    offered = say("visitor-1", "screen.signal", session=session.id, share=share, description=OFFER, id="o1")
    candidate = say("visitor-1", "screen.signal", session=session.id, share=share, candidate=CANDIDATE)
    answered = say(
        "console", "screen.signal", session=session.id, share=share, description={"type": "answer", "sdp": "x"}
    )

    # Then each went to the other end only, as sent
    assert offered == (200, {"type": "screen.signal.ok", "id": "o1"})
    assert candidate[0] == answered[0] == 200
    base = {"type": "screen.signal", "session": session.id, "share": share}
    assert connections.posted("console") == [{**base, "description": OFFER}, {**base, "candidate": CANDIDATE}]
    assert connections.posted("visitor-1") == [{**base, "description": {"type": "answer", "sdp": "x"}}]
    assert {target for target, _ in connections.posts} == {"console", "visitor-1"}


def test_a_third_connection_another_session_or_a_share_not_yet_accepted_relays_nothing(
    connections: ConnectionsStub,
) -> None:
    session = in_session(connections)
    share = requested(session)
    connect(visitor(session), "visitor-2")
    elsewhere = start_session("Someone Else")
    connect(visitor(elsewhere), "visitor-elsewhere")
    connect(OTHER_TECHNICIAN, "other-console")
    connections.posts.clear()

    def signal(connection_id: str) -> tuple[int, str]:
        return error_of(say(connection_id, "screen.signal", session=session.id, share=share, candidate=CANDIDATE))

    # the share is only requested: its viewer cannot signal yet
    assert signal("console") == (404, "not_found")
    assert say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)[0] == 200
    connections.posts.clear()
    # a second tab of the same visitor is not the share's sharer; strangers do not take part
    assert signal("visitor-2") == (404, "not_found")
    assert signal("visitor-elsewhere") == (403, "not_participant")
    assert signal("other-console") == (403, "not_participant")
    # nor may another session's visitor name its own session with this share
    wrong = say("visitor-elsewhere", "screen.signal", session=elsewhere.id, share=share, candidate=CANDIDATE)
    assert error_of(wrong) == (404, "not_found")
    assert connections.posts == []


def test_a_signal_is_one_batch_read_and_one_post(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        status, _ = say("visitor-1", "screen.signal", session=session.id, share=share, candidate=CANDIDATE)
    with count_requests(current("deskless.aws").client("dynamodb")) as staff_calls:
        say("console", "screen.signal", session=session.id, share=share, candidate=CANDIDATE)

    assert status == 200
    assert calls == {"BatchGetItem": 1}
    assert staff_calls == {"GetItem": 1, "BatchGetItem": 1}  # a staff sender's account is read again
    assert len(connections.posts) == 2


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("screen.signal", {"share": "s"}),  # neither
        ("screen.signal", {"share": "s", "description": OFFER, "candidate": CANDIDATE}),  # both
        ("screen.signal", {"share": "s", "description": {"type": "offer", "sdp": "x" * 60_001}}),
        ("screen.signal", {"share": "s", "description": {"type": "pranswer", "sdp": "x"}}),
        ("screen.signal", {"share": "s", "candidate": {"candidate": "c" * 1_001}}),
        ("screen.signal", {"share": "s", "candidate": {"candidate": 7}}),
        ("screen.signal", {"share": "s", "candidate": {"candidate": "c", "sdpMLineIndex": "0"}}),
        ("screen.signal", {"share": "s", "candidate": "candidate:1"}),
        ("screen.answer", {"share": "s", "accept": "yes"}),
        ("screen.answer", {"share": "s", "accept": False, "reason": "because"}),
        ("screen.stop", {"share": "s", "reason": "left"}),
        ("screen.start", {"share": ""}),
        ("screen.request", {}),
    ],
)
def test_invalid_input_is_a_400_that_carries_the_message_id(
    connections: ConnectionsStub, action: str, body: dict[str, Any]
) -> None:
    session = in_session(connections)
    sender = "visitor-1" if action == "screen.answer" else "console"
    with_session = {"session": session.id, **body} if action != "screen.request" else {"session": 7}

    status, answer = say(sender, action, id="m-1", **with_session)

    assert (status, answer["error"], answer["id"]) == (400, "invalid_request", "m-1")
    assert connections.posts == []


def test_the_longest_offer_allowed_is_relayed_whole(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)
    offer = {"type": "offer", "sdp": "x" * 60_000}

    assert say("visitor-1", "screen.signal", session=session.id, share=share, description=offer)[0] == 200

    assert connections.posted("console")[0]["description"] == offer


# --- the technician's own screen ----------------------------------------------------------------------


def test_the_technician_shares_their_screen_with_the_visitor_who_joined_last(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    connect(visitor(session), "visitor-2")
    connections.posts.clear()

    status, answer = say("console", "screen.share", session=session.id)
    signalled = say("console", "screen.signal", session=session.id, share=answer["share"]["id"], description=OFFER)

    assert status == 200
    assert (answer["share"]["from"], answer["share"]["state"]) == ("technician", "live")
    assert signalled[0] == 200
    assert of_type(connections.posted("visitor-2"), "screen.signal") != []
    assert of_type(connections.posted("visitor-1"), "screen.signal") == []
    assert events(session) == [("screen_started", "technician", "technician", None)]
    # one per direction: a second is busy, while the visitor's direction is still free
    assert error_of(say("console", "screen.share", session=session.id)) == (409, "screen_busy")
    assert say("console", "screen.request", session=session.id)[0] == 200


# --- stopping and ending --------------------------------------------------------------------------------


def test_either_side_stops_a_share_once(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)

    stopped = say("console", "screen.stop", session=session.id, share=share, reason="failed")
    again = say("visitor-1", "screen.stop", session=session.id, share=share)

    assert stopped[0] == 200
    assert stopped[1]["share"]["state"] == "live"  # as it was
    assert error_of(again) == (404, "not_found")
    assert screens_stored(session) == set()
    for connection_id in ("console", "visitor-1"):
        ended = of_type(connections.posted(connection_id), "screen.ended")
        assert [(e["share"]["id"], e["by"], e["reason"]) for e in ended] == [(share, "technician", "failed")]
    assert events(session)[-1] == ("screen_stopped", "visitor", "technician", "failed")


def test_the_technician_withdraws_a_request(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = requested(session)

    assert say("console", "screen.stop", session=session.id, share=share)[0] == 200

    assert events(session)[-1] == ("screen_stopped", "visitor", "technician", "stopped")


def test_ending_the_session_ends_its_shares_before_it_is_announced(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)
    own = say("console", "screen.share", session=session.id)[1]["share"]["id"]
    connections.posts.clear()

    assert say("visitor-1", "session.end", session=session.id)[0] == 200

    posted = connections.posted("console")
    kinds = [p["type"] for p in posted]
    assert kinds[-1] == "session.ended"
    ended = of_type(posted, "screen.ended")
    assert {(e["share"]["id"], e["by"], e["reason"]) for e in ended} == {
        (share, "visitor", "session_ended"),
        (own, "visitor", "session_ended"),
    }
    assert screens_stored(session) == set()
    assert sorted(e for e in events(session) if e[0] == "screen_stopped") == [
        ("screen_stopped", "technician", "visitor", "session_ended"),
        ("screen_stopped", "visitor", "visitor", "session_ended"),
    ]


def test_the_sharer_leaving_ends_the_share(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = live_visitor_share(session, connections)

    disconnect("visitor-1")

    ended = of_type(connections.posted("console"), "screen.ended")
    assert [(e["share"]["id"], e["by"], e["reason"]) for e in ended] == [(share, "visitor", "left")]
    assert screens_stored(session) == set()
    assert events(session)[-1] == ("screen_stopped", "visitor", "visitor", "left")


def test_the_technician_leaving_withdraws_their_request(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    share = requested(session)

    disconnect("console")

    ended = of_type(connections.posted("visitor-1"), "screen.ended")
    assert [(e["share"]["id"], e["by"], e["reason"]) for e in ended] == [(share, "technician", "left")]
    assert screens_stored(session) == set()
    assert events(session)[-1] == ("screen_stopped", "visitor", "technician", "left")


def test_leaving_reads_every_session_joined_in_one_request(connections: ConnectionsStub) -> None:
    # Given a console that joined two sessions and asked to see the screen in each
    first = in_session(connections)
    second = start_session("Dana Customer")
    assert say("console", "session.join", session=second.id)[0] == 200
    connect(visitor(second), "visitor-2")
    shares = [requested(first), requested(second)]
    dynamodb = current("deskless.aws").client("dynamodb")

    with count_requests(dynamodb) as leaving:
        disconnect("console")

    # Then both requests are withdrawn
    for session, share, connection_id in zip((first, second), shares, ("visitor-1", "visitor-2"), strict=True):
        ended = of_type(connections.posted(connection_id), "screen.ended")
        assert [(e["share"]["id"], e["reason"]) for e in ended] == [(share, "left")]
        assert screens_stored(session) == set()
    # and the two sessions were read in one BatchGetItem (not a GetItem each): the one GetItem is
    # the connection; then its removal and its two participant items (DeleteItem), each request's
    # end with its event (TransactWriteItems), each session's recipients, once for both screen.ended
    # and participant.left (Query), and the console's presence: its other connections, looked at
    # twice (Query), and its availability cleared (UpdateItem)
    assert leaving == {
        "GetItem": 1,
        "BatchGetItem": 1,
        "DeleteItem": 3,
        "TransactWriteItems": 2,
        "Query": 4,
        "UpdateItem": 1,
    }


def test_a_connection_of_neither_end_leaving_ends_nothing(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    connect(visitor(session), "visitor-2")
    live_visitor_share(session, connections)

    disconnect("visitor-2")

    assert of_type(connections.posted("console"), "screen.ended") == []
    assert screens_stored(session) == {"screen_visitor"}


def test_screen_actions_in_an_ended_session_are_refused(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    assert say("console", "session.end", session=session.id)[0] == 200

    assert error_of(say("console", "screen.request", session=session.id)) == (403, "session_ended")
    assert error_of(say("visitor-1", "screen.ice", session=session.id)) == (403, "session_ended")


def opening_meanwhile(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object]) -> None:
    """Make `meanwhile` happen once, after the handler read the session, just before it stores the share."""
    screens = current("functions.realtime.screens")
    store = screens.open_share

    def late(*args: Any) -> None:
        monkeypatch.setattr(screens, "open_share", store)
        meanwhile()
        store(*args)

    monkeypatch.setattr(screens, "open_share", late)


@pytest.mark.parametrize("action", ["screen.request", "screen.share"])
def test_a_session_ended_while_a_share_opens_is_refused_as_ended_not_busy(
    connections: ConnectionsStub, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    session = in_session(connections)
    # Given the session ends after the handler found it active, before the share is stored
    opening_meanwhile(monkeypatch, lambda: end_session(session.id, "visitor"))

    answer = say("console", action, session=session.id)

    # Then it is refused as every action in an ended session is, and nothing was stored
    assert error_of(answer) == (403, "session_ended")
    assert screens_stored(session) == set()
    assert events(session) == []


def test_a_share_asked_for_by_someone_else_while_one_opens_is_busy(
    connections: ConnectionsStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = in_session(connections)
    connect(TECHNICIAN, "console-2")
    assert say("console-2", "session.join", session=session.id)[0] == 200
    # Given another console asks to see the screen after this one found the direction free
    opening_meanwhile(monkeypatch, lambda: requested(session, "console-2"))

    answer = say("console", "screen.request", session=session.id)

    # Then this one is told the screen is busy, and only the other's request is stored
    assert error_of(answer) == (409, "screen_busy")
    assert screens_stored(session) == {"screen_visitor"}
    assert events(session) == [("screen_requested", "visitor", "technician", None)]


# --- what each action costs ------------------------------------------------------------------------------


def test_what_each_step_costs_in_dynamodb_requests(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    dynamodb = current("deskless.aws").client("dynamodb")

    with count_requests(dynamodb) as asking:
        share = requested(session)
    with count_requests(dynamodb) as accepting:
        say("visitor-1", "screen.answer", session=session.id, share=share, accept=True)
    with count_requests(dynamodb) as starting:
        say("visitor-1", "screen.start", session=session.id, share=share)
    with count_requests(dynamodb) as stopping:
        say("visitor-1", "screen.stop", session=session.id, share=share)

    # the staff sender's account (GetItem), taking part (BatchGetItem), the recipients (Query),
    # the share with its event message (TransactWriteItems)
    assert asking == {"GetItem": 1, "BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}
    for visitor_step in (accepting, starting, stopping):
        assert visitor_step == {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}


def test_ending_a_session_with_a_share_reads_its_connections_once(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    requested(session)
    dynamodb = current("deskless.aws").client("dynamodb")

    with count_requests(dynamodb) as ending:
        assert say("visitor-1", "session.end", session=session.id)[0] == 200

    # taking part (BatchGetItem), the end with its shares (UpdateItem), the share's event message
    # (BatchWriteItem), and the recipients (one Query, for the share's end and the session's)
    assert ending == {"BatchGetItem": 1, "UpdateItem": 1, "BatchWriteItem": 1, "Query": 1}


# --- ICE servers --------------------------------------------------------------------------------------


def test_ice_servers_come_from_the_signaling_channel_once_per_container(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    current("functions.realtime.ice").forget()
    videos = current("deskless.aws").client("kinesisvideo")

    with count_requests(videos) as first:
        status, answer = say("visitor-1", "screen.ice", session=session.id)
    with count_requests(videos) as second:
        again = say("console", "screen.ice", session=session.id)

    # Locally the channel has no TURN servers: on loopback host candidates suffice
    assert status == 200
    assert (answer["type"], answer["ice_servers"]) == ("screen.ice", [])
    assert answer["expires_at_ms"] > 0
    assert again[1]["expires_at_ms"] == answer["expires_at_ms"]
    assert (first, second) == ({"GetSignalingChannelEndpoint": 1}, {})


def test_ice_servers_are_for_participants_only(connections: ConnectionsStub) -> None:
    session = in_session(connections)
    connect(OTHER_TECHNICIAN, "other-console")

    assert error_of(say("other-console", "screen.ice", session=session.id)) == (403, "not_participant")
