"""Screen sharing's signalling on `deskless dev` (issue 15), driven as the console and the
customer's page drive it, with Python WebSocket clients: ICE servers from the local signaling
channel's answer, the request, consent and start announced to both sides, offers and candidates
relayed to the other side only (never to another session's customer), stop and the transcript's
events. The browsers' side (WebRTC itself) is the browser tests'."""

from __future__ import annotations

import json
import time
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import Platform, bearer
from tests.e2e.test_sessions import create_code, receive, redeem, say

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}


def nothing_of(socket: ClientConnection, kind: str, within_s: float = 1.0) -> bool:
    """True if no message of that type arrives within the time (what is already queued included)."""
    deadline = time.monotonic() + within_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            return True
        if message.get("type") == kind:
            return False
    return True


def visit_of(platform: Platform, technician_token: str, name: str) -> dict[str, Any]:
    code = create_code(platform, technician_token, f"Screen of {name}")
    return redeem(platform, code["code"], name)


def test_a_screen_is_asked_for_signalled_and_stopped_between_the_two_sides_only(
    platform: Platform, technician_token: str
) -> None:
    # Given a session with the console and the customer connected, and another session's customer
    visit = visit_of(platform, technician_token, "Carla Customer")
    other = visit_of(platform, technician_token, "Someone Else")
    session = visit["session_id"]
    with (
        connect(platform.websocket_url(technician_token)) as console,
        connect(platform.websocket_url(visit["token"])) as customer,
        connect(platform.websocket_url(other["token"])) as stranger,
    ):
        say(console, "session.join", session=session)
        receive(console, "session.joined")

        # The local platform answers the ICE configuration: no relays needed on loopback
        say(customer, "screen.ice", session=session)
        ice = receive(customer, "screen.ice")
        assert ice["ice_servers"] == []
        assert ice["expires_at_ms"] > time.time() * 1000

        # When the technician asks to see the screen, the customer is asked
        say(console, "screen.request", session=session)
        share = receive(console, "screen.ok")["share"]
        asked = receive(customer, "screen.update")["share"]
        assert asked == share
        assert (share["from"], share["state"]) == ("visitor", "requested")
        assert receive(customer, "chat.message")["message"]["event"] == "screen_requested"

        # and says yes, and starts once their browser gave a stream
        say(customer, "screen.answer", session=session, share=share["id"], accept=True)
        assert receive(console, "screen.update")["share"]["state"] == "accepted"
        say(customer, "screen.start", session=session, share=share["id"])
        assert receive(console, "screen.update")["share"]["state"] == "live"

        # Then the offer and candidates go from one side to the other, and only there
        say(customer, "screen.signal", session=session, share=share["id"], description=OFFER)
        relayed = receive(console, "screen.signal")
        assert (relayed["share"], relayed["description"]) == (share["id"], OFFER)
        say(console, "screen.signal", session=session, share=share["id"], candidate=CANDIDATE)
        assert receive(customer, "screen.signal")["candidate"] == CANDIDATE
        assert nothing_of(stranger, "screen.signal")

        # and the other session's customer cannot signal into this share
        say(stranger, "screen.signal", session=session, share=share["id"], candidate=CANDIDATE, id="x")
        refused = json.loads(stranger.recv(timeout=10))
        assert (refused["error"], refused["id"]) == ("not_participant", "x")

        # When the customer stops, the console is told
        say(customer, "screen.stop", session=session, share=share["id"])
        ended = receive(console, "screen.ended")
        assert (ended["share"]["id"], ended["by"], ended["reason"]) == (share["id"], "visitor", "stopped")

    # Then the transcript holds each step, by whom
    with platform.http() as client:
        transcript = client.get(f"/api/sessions/{session}/messages", headers=bearer(technician_token))
    assert transcript.status_code == 200
    assert [(m["event"], m["sender_role"]) for m in transcript.json()["messages"]] == [
        ("screen_requested", "technician"),
        ("screen_accepted", "visitor"),
        ("screen_started", "visitor"),
        ("screen_stopped", "visitor"),
    ]
