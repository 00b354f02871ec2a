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
from deskless.data import table
from deskless.presence import HEARTBEAT_SECONDS, available, get_presence, heartbeat
from deskless.realtime import save_connection
from deskless.sessions import session_scope
from deskless.table import user_key
from deskless.users import Channel
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, ConnectionsStub, add_staff, current
from tests.integration.test_realtime_sessions import connect, disconnect, say

DEFAULT_PRESENCE = {
    "user_id": TECHNICIAN.user_id,
    "status": "online",
    "reason": "",
    "auto_away": False,
    "assigned": ["chat", "email", "phone"],
    "channels": {"chat": True, "email": True, "phone": True},
    "locked": False,
    "notify": {"sound": True, "browser": True, "email": False},
}


@pytest.fixture(autouse=True)
def staff(aws: LocalAws) -> None:
    """The technician and the admin are staff users (every channel assigned, as by default)."""
    add_staff(TECHNICIAN, ADMIN)


@pytest.fixture
def console(connections: ConnectionsStub) -> str:
    """The technician's console, connected."""
    assert connect(TECHNICIAN, "console")["statusCode"] == 200
    return "console"


def assign(user: Principal, *channels: Channel) -> None:
    """An admin assigns the user these channels (as the staff API stores them)."""
    table().update(user_key(user.user_id), set_values={"channels": [channel.value for channel in channels]})


def deactivate(user: Principal) -> None:
    table().update(user_key(user.user_id), set_values={"active": False})


def settings(**values: Any) -> None:
    """An admin changes the settings (the functions see it at once: the cache is this process's)."""
    current("deskless.preferences").update_preferences(values)


def presence_of(answer: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    status, body = answer
    assert (status, body["type"]) == (200, "presence"), body
    presence: dict[str, Any] = body["presence"]
    return presence


def is_available(user_id: str = TECHNICIAN.user_id) -> bool:
    return bool(available([user_id], Channel.CHAT))


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
    assert available([TECHNICIAN.user_id], Channel.CHAT, now=t + 119)
    assert not available([TECHNICIAN.user_id], Channel.CHAT, now=t + 120)
    assert not available([TECHNICIAN.user_id], Channel.CHAT, now=t + 121)


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


# --- away reasons and auto-away ----------------------------------------------------------------------


def test_an_away_reason_matches_the_admins_list_whatever_its_case_and_is_stored_as_listed(console: str) -> None:
    settings(away_reasons=["Lunch", "Doctor's appointment"])

    presence = presence_of(say(console, "presence.set", status="away", reason="doctor's APPOINTMENT"))

    assert (presence["status"], presence["reason"], presence["auto_away"]) == ("away", "Doctor's appointment", False)
    assert get_presence(TECHNICIAN.user_id, consistent=True).reason == "Doctor's appointment"


def test_away_without_a_reason_is_always_possible(console: str) -> None:
    settings(away_reasons=[])

    presence = presence_of(say(console, "presence.set", status="away", reason=""))

    assert (presence["status"], presence["reason"]) == ("away", "")
    assert not is_available()


def test_a_reason_that_is_not_on_the_admins_list_is_refused_listing_the_allowed_ones(console: str) -> None:
    settings(away_reasons=["Lunch", "Training"])

    status, answer = say(console, "presence.set", status="away", reason="Siesta")

    assert (status, answer["error"]) == (400, "invalid_request")
    assert "'Siesta'" in answer["message"]
    assert "Lunch, Training" in answer["message"]
    assert get_presence(TECHNICIAN.user_id, consistent=True).status == "online"
    assert is_available()


def test_an_operator_who_is_away_may_change_the_reason_alone(console: str) -> None:
    say(console, "presence.set", status="away", reason="Lunch")

    presence = presence_of(say(console, "presence.set", reason="meeting"))

    assert (presence["status"], presence["reason"]) == ("away", "Meeting")


def test_a_reason_alone_is_refused_while_online(console: str) -> None:
    status, answer = say(console, "presence.set", reason="Lunch")

    assert (status, answer["error"]) == (400, "invalid_request")
    assert "away" in answer["message"]
    assert get_presence(TECHNICIAN.user_id, consistent=True).reason == ""


def test_the_console_sets_its_idle_operator_away_automatically_and_back(console: str) -> None:
    # When the console finds its operator idle
    away = presence_of(say(console, "presence.set", status="away", auto=True))

    # Then they are away, marked as automatically so, with no reason, and take no chats
    assert (away["status"], away["reason"], away["auto_away"]) == ("away", "", True)
    assert not is_available()
    assert presence_of(say(console, "presence.get"))["auto_away"] is True
    # and coming back online clears the mark
    back = presence_of(say(console, "presence.set", status="online"))
    assert (back["status"], back["auto_away"]) == ("online", False)
    assert is_available()


def test_choosing_to_be_away_clears_the_automatic_mark(console: str) -> None:
    say(console, "presence.set", status="away", auto=True)

    chosen = presence_of(say(console, "presence.set", status="away", reason="Lunch"))

    assert (chosen["status"], chosen["reason"], chosen["auto_away"]) == ("away", "Lunch", False)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "online", "auto": True},
        {"auto": True},
        {"status": "away", "auto": True, "reason": "Lunch"},
        {"status": "away", "auto": "yes"},
    ],
    ids=["online", "no status", "with a reason", "not a boolean"],
)
def test_auto_goes_with_status_away_and_no_reason_only(console: str, body: dict[str, Any]) -> None:
    status, answer = say(console, "presence.set", **body)

    assert (status, answer["error"]) == (400, "invalid_request")
    assert get_presence(TECHNICIAN.user_id, consistent=True).status == "online"


# --- assigned channels and the channel lock ---------------------------------------------------------


def test_only_the_channels_an_admin_assigned_are_shown_and_count(console: str) -> None:
    # Given an operator assigned the email and phone channels only
    assign(TECHNICIAN, Channel.PHONE, Channel.EMAIL)

    presence = presence_of(say(console, "presence.get"))

    # Then their console shows those two, and no chat reaches them though their own switch is on
    assert presence["assigned"] == ["email", "phone"]
    assert presence["channels"] == {"email": True, "phone": True}
    assert get_presence(TECHNICIAN.user_id, consistent=True).channels[Channel.CHAT] is True
    assert not is_available()


def test_a_channel_that_is_not_assigned_cannot_be_switched(console: str) -> None:
    assign(TECHNICIAN, Channel.CHAT)

    status, answer = say(console, "presence.set", channels={"chat": False, "phone": True, "email": True})

    assert (status, answer["error"]) == (400, "invalid_request")
    assert "email, phone" in answer["message"]
    assert is_available()  # the chat switch did not change either


def test_a_channel_assigned_again_comes_back_as_its_operator_left_it(console: str) -> None:
    say(console, "presence.set", channels={"phone": False})
    assign(TECHNICIAN, Channel.CHAT)

    assign(TECHNICIAN, Channel.CHAT, Channel.PHONE)

    assert presence_of(say(console, "presence.get"))["channels"] == {"chat": True, "phone": False}


def test_locked_channels_are_all_on_and_the_operators_switches_do_not_count(console: str) -> None:
    # Given an operator who switched chat off
    say(console, "presence.set", channels={"chat": False})
    assert not is_available()

    # When the admin locks the channels
    settings(channels_locked=True)

    # Then every assigned channel is on, and chats reach them
    presence = presence_of(say(console, "heartbeat"))
    assert (presence["locked"], presence["channels"]) == (True, {"chat": True, "email": True, "phone": True})
    assert is_available()


def test_while_locked_the_operator_cannot_switch_channels(console: str) -> None:
    settings(channels_locked=True)

    status, answer = say(console, "presence.set", channels={"chat": False})

    assert (status, answer) == (
        403,
        {
            "error": "channels_locked",
            "message": "Your administrator has locked the channels; ask them to change yours.",
        },
    )
    assert get_presence(TECHNICIAN.user_id, consistent=True).channels[Channel.CHAT] is True
    assert is_available()


def test_unlocking_gives_the_operator_their_own_switches_back(console: str) -> None:
    say(console, "presence.set", channels={"chat": False})
    settings(channels_locked=True)

    settings(channels_locked=False)

    assert presence_of(say(console, "presence.get"))["channels"]["chat"] is False
    assert not is_available()


def test_a_locked_channel_that_is_not_assigned_stays_off(console: str) -> None:
    assign(TECHNICIAN, Channel.EMAIL)
    settings(channels_locked=True)

    presence = presence_of(say(console, "presence.get"))

    assert presence["channels"] == {"email": True}
    assert not is_available()


def test_a_deactivated_user_takes_no_chats(console: str) -> None:
    deactivate(TECHNICIAN)

    assert not is_available()


def test_a_user_who_is_not_stored_takes_no_chats(connections: ConnectionsStub) -> None:
    heartbeat("5e5e5e5e5e5e5e5e")

    assert not available(["5e5e5e5e5e5e5e5e"], Channel.CHAT)


def test_availability_of_many_technicians_is_one_batch_read(connections: ConnectionsStub) -> None:
    # Given fifty technicians, one of them online with a console open
    people = [
        Principal(user_id=f"{n:016x}", role=Role.TECHNICIAN, name=f"T {n}", email=f"t{n}@x.io") for n in range(50)
    ]
    add_staff(*people)
    heartbeat(people[17].user_id)
    check = current("deskless.presence").available
    check([], Channel.CHAT)  # warm: the settings are read once, then cached

    # When the portal asks who is available
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        ready = check([person.user_id for person in people], Channel.CHAT)

    # Then their presence and user items came in one request
    assert [presence.user_id for presence in ready] == [people[17].user_id]
    assert calls == {"BatchGetItem": 1}


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
