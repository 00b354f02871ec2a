"""Operator presence over the WebSocket API (the realtime function): a console connecting is a
heartbeat, `heartbeat` keeps it fresh, the user's last console closing clears it at once, and
`presence.get` / `presence.set` read and change status, channels and notification methods.
Only staff have a presence: visitors are refused.

Events are the samples of events/ run through the function's Lambda handler against local AWS;
@connections is a stub on 127.0.0.1 (tests.helpers.ConnectionsStub)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.chat_requests import scope_of
from deskless.presence import HEARTBEAT_SECONDS, available, get_presence, heartbeat
from deskless.realtime import save_connection
from deskless.sessions import session_scope
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, current
from tests.integration.test_realtime_sessions import connect, disconnect, say

DEFAULT_PRESENCE = {
    "user_id": TECHNICIAN.user_id,
    "status": "online",
    "reason": "",
    "channels": {"chat": True, "email": True, "phone": True},
    "notify": {"sound": True, "browser": True, "email": False},
}


@pytest.fixture
def console(connections: ConnectionsStub) -> str:
    """The technician's console, connected."""
    assert connect(TECHNICIAN, "console")["statusCode"] == 200
    return "console"


def presence_of(answer: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    status, body = answer
    assert (status, body["type"]) == (200, "presence"), body
    presence: dict[str, Any] = body["presence"]
    return presence


def is_available(user_id: str = TECHNICIAN.user_id) -> bool:
    return bool(available([user_id]))


# --- heartbeat ---------------------------------------------------------------------------------


def test_a_console_connecting_counts_as_a_heartbeat(connections: ConnectionsStub) -> None:
    before = int(time.time())

    assert connect(TECHNICIAN, "console")["statusCode"] == 200

    assert before <= get_presence(TECHNICIAN.user_id).heartbeat_at <= int(time.time())
    assert is_available()


def test_an_admins_console_counts_too(connections: ConnectionsStub) -> None:
    assert connect(ADMIN, "admin-console")["statusCode"] == 200

    assert is_available(ADMIN.user_id)


def test_a_heartbeat_is_answered_with_the_callers_presence(console: str) -> None:
    heartbeat(TECHNICIAN.user_id, now=time.time() - 100)  # the last one was a while ago
    before = int(time.time())

    presence = presence_of(say(console, "heartbeat"))

    assert presence == {**DEFAULT_PRESENCE, "heartbeat_at": presence["heartbeat_at"]}
    assert before <= presence["heartbeat_at"] <= int(time.time())
    assert get_presence(TECHNICIAN.user_id).heartbeat_at == presence["heartbeat_at"]


def test_a_heartbeat_older_than_two_minutes_no_longer_counts(connections: ConnectionsStub) -> None:
    # Given a heartbeat at t
    t = time.time()
    heartbeat(TECHNICIAN.user_id, now=t)

    # Then the technician is available until 120 s later, and not from then on
    assert HEARTBEAT_SECONDS == 120
    assert available([TECHNICIAN.user_id], now=t + 119)
    assert not available([TECHNICIAN.user_id], now=t + 120)
    assert not available([TECHNICIAN.user_id], now=t + 121)


def test_a_console_that_vanished_without_disconnecting_stops_counting_after_two_minutes(console: str) -> None:
    # Given a console whose last heartbeat was 121 s ago (it crashed: no $disconnect came)
    heartbeat(TECHNICIAN.user_id, now=time.time() - 121)

    # Then the technician is not available, though their connection item is still there
    assert not is_available()
    # until a console beats again
    say(console, "heartbeat")
    assert is_available()


def test_the_last_console_closing_makes_the_technician_unavailable_at_once(connections: ConnectionsStub) -> None:
    # Given two consoles of the same technician
    assert connect(TECHNICIAN, "laptop")["statusCode"] == 200
    assert connect(TECHNICIAN, "phone")["statusCode"] == 200

    # When one closes, the other still counts
    disconnect("laptop")
    assert is_available()

    # When the last one closes, the heartbeat is cleared
    disconnect("phone")
    assert get_presence(TECHNICIAN.user_id).heartbeat_at == 0
    assert not is_available()


def test_a_console_that_connects_while_the_last_one_closes_keeps_the_technician_available(
    console: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a page reloading: its new console connects (and beats) just after the old one's
    # $disconnect looked for other consoles and found none, just before it clears the heartbeat
    presence = current("functions.realtime.presence")
    clear = presence.console_closed

    def reloaded_meanwhile(user_id: str) -> None:
        assert connect(TECHNICIAN, "reloaded")["statusCode"] == 200
        clear(user_id)

    monkeypatch.setattr(presence, "console_closed", reloaded_meanwhile)

    # When the old console's $disconnect completes
    disconnect(console)

    # Then the technician is still available: the new console counts
    assert is_available()
    assert get_presence(TECHNICIAN.user_id).heartbeat_at > 0


def test_a_visitor_closing_does_not_touch_anyones_presence(console: str) -> None:
    visitor = Principal(user_id="visitor-s1", role=Role.VISITOR, name="Carla", scope=session_scope("s1"))
    save_connection("visitor-1", visitor)

    disconnect("visitor-1")

    assert is_available()
    assert get_presence("visitor-s1").heartbeat_at == 0


# --- presence.get / presence.set ---------------------------------------------------------------


def test_someone_who_never_set_anything_is_online_on_every_channel(console: str) -> None:
    presence = presence_of(say(console, "presence.get"))

    assert presence == {**DEFAULT_PRESENCE, "heartbeat_at": presence["heartbeat_at"]}
    assert presence["heartbeat_at"] > 0


def test_going_away_with_a_reason_makes_the_technician_unavailable(console: str) -> None:
    presence = presence_of(say(console, "presence.set", status="away", reason="  Lunch  "))

    assert (presence["status"], presence["reason"]) == ("away", "Lunch")
    assert not is_available()
    assert presence_of(say(console, "presence.get"))["status"] == "away"


def test_coming_back_online_clears_the_reason(console: str) -> None:
    say(console, "presence.set", status="away", reason="Meeting")

    presence = presence_of(say(console, "presence.set", status="online"))

    assert (presence["status"], presence["reason"]) == ("online", "")
    assert is_available()


def test_turning_the_chat_channel_off_keeps_the_other_channels(console: str) -> None:
    say(console, "presence.set", channels={"phone": False})

    presence = presence_of(say(console, "presence.set", channels={"chat": False}))

    assert presence["channels"] == {"chat": False, "email": True, "phone": False}
    assert not is_available()


def test_notification_methods_left_out_are_kept(console: str) -> None:
    say(console, "presence.set", notify={"sound": False})

    presence = presence_of(say(console, "presence.set", notify={"email": True}))

    assert presence["notify"] == {"sound": False, "browser": True, "email": True}
    assert get_presence(TECHNICIAN.user_id).notify.email is True


def test_setting_nothing_changes_nothing(console: str) -> None:
    before = presence_of(say(console, "presence.get"))

    assert presence_of(say(console, "presence.set")) == before


@pytest.mark.parametrize(
    "body",
    [
        {"status": "asleep"},
        {"status": None, "channels": {"pigeon": True}},
        {"channels": {"chat": "yes"}},
        {"channels": ["chat"]},
        {"notify": {"carrier_pigeon": True}},
        {"notify": {"email": 1}},
        {"reason": "x" * 201},
    ],
    ids=["unknown status", "unknown channel", "channel not a boolean", "channels not an object",
         "unknown notification", "notification not a boolean", "reason too long"],
)  # fmt: skip
def test_an_invalid_change_is_a_400_and_changes_nothing(console: str, body: dict[str, Any]) -> None:
    before = get_presence(TECHNICIAN.user_id, consistent=True)

    status, answer = say(console, "presence.set", **body)

    assert (status, answer["error"]) == (400, "invalid_request")
    assert get_presence(TECHNICIAN.user_id, consistent=True) == before


def test_the_error_names_what_is_wrong(console: str) -> None:
    _, unknown_status = say(console, "presence.set", status="asleep")
    _, unknown_channel = say(console, "presence.set", channels={"pigeon": True})

    assert "status" in unknown_status["message"]
    assert "channels.pigeon" in unknown_channel["message"]


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [session_scope("s1"), scope_of("r1")], ids=["session visitor", "chat visitor"])
@pytest.mark.parametrize("action", ["heartbeat", "presence.get", "presence.set"])
def test_visitors_have_no_presence(connections: ConnectionsStub, scope: str, action: str) -> None:
    save_connection("visitor-1", Principal(user_id="visitor-x", role=Role.VISITOR, name="Carla", scope=scope))

    status, answer = say("visitor-1", action, status="online")

    assert (status, answer["error"]) == (403, "forbidden")
    assert get_presence("visitor-x").heartbeat_at == 0


def test_a_connection_that_is_not_known_is_told_to_connect_again(connections: ConnectionsStub) -> None:
    status, answer = say("never-connected", "heartbeat")

    assert (status, answer["error"]) == (401, "unauthorized")
