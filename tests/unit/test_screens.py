"""Screen sharing's pure parts (issue 15): the transcript's words for screen events, what a
`screen.signal` accepts, and the ICE servers made of Kinesis Video Streams' answer (with fakes
of its two clients)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from deskless.auth import Principal, Role
from deskless.sessions import (
    Message,
    ScreenEvent,
    ScreenShare,
    ScreenSide,
    Session,
    screen_message,
    transcript_text,
)
from functions.realtime import ice
from functions.realtime.actions import ScreenAnswer, ScreenSignal, ScreenStop

SESSION = Session(
    id="s1",
    technician_id="t",
    technician_name="Ted",
    visitor_name="Carla",
    origin="code",
    origin_ref="123456789",
    created_at=1773342238,
)


def event(
    role: Role, name: str, what: ScreenEvent, screen: ScreenSide = "visitor", reason: str | None = None, at_s: int = 0
) -> Message:
    """A screen event as it is recorded (its words in its text), at a time of the test's."""
    message, _ = screen_message(SESSION, Principal(user_id="u", role=role, name=name), what, screen, reason)
    return message.model_copy(update={"at_ms": (1773342240 + at_s) * 1000})


def test_the_transcript_tells_a_screen_share_in_words_between_the_messages() -> None:
    said = [
        Message(
            id="a", session_id="s1", sender_role="visitor", sender_name="Carla", text="It hangs", at_ms=1773342239000
        ),
        event(Role.TECHNICIAN, "Ted", "screen_requested"),
        event(Role.VISITOR, "Carla", "screen_accepted", at_s=1),
        event(Role.VISITOR, "Carla", "screen_started", at_s=2),
        event(Role.VISITOR, "Carla", "screen_stopped", reason="failed", at_s=3),
        event(Role.TECHNICIAN, "Ted", "screen_started", screen="technician", at_s=4),
        event(Role.VISITOR, "Carla", "screen_stopped", screen="technician", reason="session_ended", at_s=5),
        event(Role.VISITOR, "Carla", "screen_declined", reason="declined", at_s=6),
    ]

    lines = transcript_text(SESSION, said).splitlines()[2:]

    assert lines == [
        "[19:03:59] Carla: It hangs",
        "[19:04:00] Ted asked to see the screen.",
        "[19:04:01] Carla agreed to share their screen.",
        "[19:04:02] Carla shared their screen.",
        "[19:04:03] Carla stopped sharing their screen (the connection failed).",
        "[19:04:04] Ted shared their screen.",
        "[19:04:05] Carla stopped the sharing of Ted's screen (the session ended).",
        "[19:04:06] Carla declined to share their screen.",
    ]


def test_a_screen_event_is_recorded_with_its_words_in_its_text_and_its_item() -> None:
    technician = Principal(user_id="t", role=Role.TECHNICIAN, name="Ted")

    message, item = screen_message(SESSION, technician, "screen_stopped", "visitor", "stopped")

    assert message.text == item["text"] == "Ted stopped the sharing of Carla's screen."
    assert (item["event"], item["screen"], item["reason"]) == ("screen_stopped", "visitor", "stopped")


def test_a_share_is_shown_with_from_and_never_its_connections() -> None:
    share = ScreenShare.model_validate({"id": "x", "from": "visitor", "state": "live", "by_name": "Carla", "at_ms": 1})

    assert share.model_dump(mode="json") == {
        "id": "x",
        "from": "visitor",
        "state": "live",
        "by_name": "Carla",
        "at_ms": 1,
    }


def test_a_signal_carries_exactly_one_of_a_description_and_a_candidate() -> None:
    base = {"session": "s", "share": "x"}
    offer = {"type": "offer", "sdp": "v=0"}
    candidate = {"candidate": "candidate:1", "sdpMid": None}

    assert ScreenSignal.model_validate({**base, "description": offer}).relayed() == {"description": offer}
    assert ScreenSignal.model_validate({**base, "candidate": candidate}).relayed() == {"candidate": candidate}
    for wrong in ({}, {"description": offer, "candidate": candidate}, {"description": None, "candidate": None}):
        with pytest.raises(ValidationError, match="exactly one"):
            ScreenSignal.model_validate({**base, **wrong})


@pytest.mark.parametrize(
    "signal",
    [
        {"description": {"type": "offer", "sdp": "x" * 60_001}},
        {"description": {"type": "rollback", "sdp": ""}},
        {"description": {"type": "offer", "sdp": "x", "extra": 1}},
        {"candidate": {"candidate": "c" * 1_001}},
        {"candidate": {"candidate": "c", "sdpMLineIndex": -1}},
        {"candidate": {"candidate": "c", "sdpMLineIndex": True}},
        {"candidate": {"candidate": ["c"]}},
    ],
)
def test_a_signal_out_of_shape_or_size_is_refused(signal: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ScreenSignal.model_validate({"session": "s", "share": "x", **signal})


def test_consent_and_stop_take_only_their_words() -> None:
    assert ScreenAnswer.model_validate({"session": "s", "share": "x", "accept": False}).reason == "declined"
    assert ScreenStop.model_validate({"session": "s", "share": "x"}).reason == "stopped"
    with pytest.raises(ValidationError):
        ScreenAnswer.model_validate({"session": "s", "share": "x", "accept": 1})
    with pytest.raises(ValidationError):
        ScreenStop.model_validate({"session": "s", "share": "x", "reason": "session_ended"})  # the server's word


# --- ICE servers from the signaling channel -------------------------------------------------------

ARN = "arn:aws:kinesisvideo:eu-west-1:111122223333:channel/deskless/1"


class FakeVideos:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def get_signaling_channel_endpoint(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        return {
            "ResourceEndpointList": [
                {"Protocol": "WSS", "ResourceEndpoint": "wss://v-1.kinesisvideo.example"},
                {"Protocol": "HTTPS", "ResourceEndpoint": "https://r-1.kinesisvideo.example"},
            ]
        }


class FakeSignaling:
    def __init__(self, ttls: list[int]) -> None:
        self.ttls = ttls
        self.calls: list[dict[str, Any]] = []

    def get_ice_server_config(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        return {
            "IceServerList": [
                {"Uris": [f"turn:{n}.example:443?transport=udp"], "Username": f"u{n}", "Password": f"p{n}", "Ttl": ttl}
                for n, ttl in enumerate(self.ttls)
            ]
        }


@pytest.fixture
def kvs(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeVideos, FakeSignaling, list[str]]]:
    videos, signaling, endpoints = FakeVideos(), FakeSignaling([300, 240]), list[str]()
    ice.forget()
    monkeypatch.setattr(ice, "get_settings", lambda: SimpleNamespace(signaling_channel_arn=ARN))
    monkeypatch.setattr(ice, "client", lambda service: videos)

    def signaling_at(endpoint: str) -> FakeSignaling:
        endpoints.append(endpoint)
        return signaling

    monkeypatch.setattr(ice, "signaling_client", signaling_at)
    yield videos, signaling, endpoints
    ice.forget()


def test_ice_servers_are_stun_then_each_turn_server_expiring_with_the_earliest(kvs: Any) -> None:
    videos, signaling, endpoints = kvs

    servers, expires_at_ms = ice.servers(now=1000.0)

    assert servers == [
        {"urls": ["stun:stun.kinesisvideo.eu-west-1.amazonaws.com:443"]},
        {"urls": ["turn:0.example:443?transport=udp"], "username": "u0", "credential": "p0"},
        {"urls": ["turn:1.example:443?transport=udp"], "username": "u1", "credential": "p1"},
    ]
    assert expires_at_ms == (1000 + 240) * 1000
    assert videos.calls == [
        {"ChannelARN": ARN, "SingleMasterChannelEndpointConfiguration": {"Protocols": ["HTTPS"], "Role": "VIEWER"}}
    ]
    assert endpoints == ["https://r-1.kinesisvideo.example"]
    assert signaling.calls == [{"ChannelARN": ARN, "Service": "TURN"}]


def test_ice_servers_are_kept_until_two_minutes_before_they_expire(kvs: Any) -> None:
    videos, signaling, _ = kvs
    ice.servers(now=1000.0)

    ice.servers(now=1000.0 + 119)  # 121 s left of 240
    assert len(signaling.calls) == 1
    ice.servers(now=1000.0 + 120)  # 120 s left: renewed
    assert len(signaling.calls) == 2
    assert len(videos.calls) == 1  # the endpoint is kept for the container's life


def test_without_turn_servers_there_is_nothing_to_relay_through(kvs: Any) -> None:
    _, signaling, _ = kvs
    signaling.ttls = []

    servers, expires_at_ms = ice.servers(now=1000.0)

    assert servers == []
    assert expires_at_ms > 1000 * 1000
