"""Support sessions on `deskless dev`, driven as the technician's console and a customer drive
them: a code is redeemed and the console hears of it at once, both chat over the WebSocket
API, the customer ends the session and the console is told, the technician reads the
transcript; a code that runs out is announced to the console when the TTL reaper removes it."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, bearer, visitor_socket

ALICE = DEMO_STAFF[1]
PORTAL_HOST = f"{DEMO_SUBDOMAIN}.localhost"
CONNECTION_LIFETIME_S = 2 * 3600 + 300  # deskless.realtime: API Gateway's two hours and a margin


def create_code(platform: Platform, technician_token: str, name: str) -> dict[str, Any]:
    with platform.http() as client:
        created = client.post(
            "/api/codes",
            headers=bearer(technician_token),
            json={"name": f"{name} {uuid.uuid4().hex[:6]}", "portal": DEMO_SUBDOMAIN},
        )
    assert created.status_code == 201, created.text
    code: dict[str, Any] = created.json()
    return code


def redeem(platform: Platform, code: str, name: str) -> dict[str, Any]:
    """The customer's join page POSTs the code on the portal's host."""
    with platform.http(host=PORTAL_HOST) as client:
        joined = client.post("/api/join", json={"code": code, "name": name})
    assert joined.status_code == 201, joined.text
    visit: dict[str, Any] = joined.json()
    return visit


def receive(socket: ClientConnection, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    """The next message of that type on the socket (others are skipped), within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if message.get("type") == kind:
            return message
        assert "error" not in message, message
    raise AssertionError(f"no {kind} within {timeout} s")


def say(socket: ClientConnection, action: str, **body: Any) -> None:
    socket.send(json.dumps({"action": action, **body}))


def test_a_redeemed_code_becomes_a_chat_that_either_side_can_end(platform: Platform, technician_token: str) -> None:
    with connect(platform.websocket_url(technician_token)) as console:
        # Given Alice's console is open and she made a code for a customer
        code = create_code(platform, technician_token, "Printer on fire")

        # When the customer redeems it on the portal
        visit = redeem(platform, code["code"], "Carla Customer")

        # Then Alice's console hears of it at once, with the new session
        redeemed = receive(console, "code.redeemed")
        assert (redeemed["code"], redeemed["name"]) == (code["code"], code["name"])
        assert redeemed["session"]["id"] == visit["session_id"]
        assert redeemed["session"]["visitor_name"] == "Carla Customer"
        assert visit["technician_name"] == ALICE.name
        assert visit["websocket_url"] == f"ws://localhost:{platform.port}/ws"

        # When the console joins the session and the customer connects with their token
        say(console, "session.join", session=visit["session_id"])
        joined = receive(console, "session.joined")
        assert (joined["session"]["state"], joined["messages"]) == ("active", [])
        with visitor_socket(visit) as customer:
            arrived = receive(console, "participant.joined")
            assert (arrived["role"], arrived["name"]) == ("visitor", "Carla Customer")

            # Then messages go both ways, each side seeing them in the stored order
            say(customer, "chat.send", session=visit["session_id"], text="Hello, my printer is on fire.")
            first = receive(console, "chat.message")["message"]
            assert (first["sender_role"], first["sender_name"]) == ("visitor", "Carla Customer")
            assert receive(customer, "chat.message")["message"] == first
            assert receive(customer, "chat.sent")["message_id"] == first["id"]

            say(console, "chat.send", session=visit["session_id"], text="Unplug it, Carla.")
            second = receive(customer, "chat.message")["message"]
            assert (second["sender_role"], second["sender_name"], second["text"]) == (
                "technician",
                ALICE.name,
                "Unplug it, Carla.",
            )

            # When the customer ends the session, the console is told who ended it
            say(customer, "session.end", session=visit["session_id"])
            ended = receive(console, "session.ended")
            assert ended == {"type": "session.ended", "session": visit["session_id"], "by": "visitor"}

    # and the customer's token no longer opens a connection
    with pytest.raises(InvalidStatus) as refused:
        connect(platform.websocket_url(visit["token"])).close()
    assert refused.value.response.status_code == 403

    # Then Alice reads the transcript in order, and finds the session in her list
    with platform.http() as client:
        transcript = client.get(f"/api/sessions/{visit['session_id']}/messages", headers=bearer(technician_token))
        listed = client.get("/api/sessions", headers=bearer(technician_token))
    assert transcript.status_code == 200
    assert [(m["sender_role"], m["text"]) for m in transcript.json()["messages"]] == [
        ("visitor", "Hello, my printer is on fire."),
        ("technician", "Unplug it, Carla."),
    ]
    assert (transcript.json()["session"]["state"], transcript.json()["session"]["ended_by"]) == ("ended", "visitor")
    assert listed.json()[0]["id"] == visit["session_id"]


def test_the_customer_reads_their_own_transcript_and_no_other(platform: Platform, technician_token: str) -> None:
    mine = redeem(platform, create_code(platform, technician_token, "Mine")["code"], "Carla")
    theirs = redeem(platform, create_code(platform, technician_token, "Theirs")["code"], "Dan")

    with platform.http() as client:
        own = client.get(f"/api/sessions/{mine['session_id']}/messages", headers=bearer(mine["token"]))
        other = client.get(f"/api/sessions/{theirs['session_id']}/messages", headers=bearer(mine["token"]))
        listing = client.get("/api/sessions", headers=bearer(mine["token"]))

    assert (own.status_code, own.json()["messages"]) == (200, [])
    assert other.status_code == 404  # another's session: as if it did not exist
    assert listing.status_code == 403  # the listing is staff's


def test_a_code_that_runs_out_is_announced_to_the_console(platform: Platform, technician_token: str) -> None:
    with connect(platform.websocket_url(technician_token)) as console, platform.http() as client:
        # Given Alice's console is open and she made a code
        code = create_code(platform, technician_token, "Never used")
        keep_console_fresh_for_the_reaper(platform, technician_token, advance_s=3600)

        # When an hour passes on the TTL clock and DynamoDB's TTL process runs
        assert client.post("/_local/ttl/advance", json={"seconds": 3600}).status_code == 200
        assert client.post("/_local/ttl/sweep").json()["deleted"] >= 1

        # Then the console is told which code ran out
        expired = receive(console, "code.expired")
    assert (expired["code"], expired["name"]) == (code["code"], code["name"])
    with platform.http() as client:
        active = client.get("/api/codes", headers=bearer(technician_token)).json()
    assert code["code"] not in [c["code"] for c in active]


def keep_console_fresh_for_the_reaper(platform: Platform, technician_token: str, *, advance_s: float) -> None:
    """The reaper's clock only moves forward and other tests in this run may have moved it by hours
    already (its offset outlives each test); a console that connected just now must still be
    alive by that clock after `advance_s` more, as it would be in real time. If the clock is that
    far ahead, the console's connection record is given the lifetime it would have had."""
    with platform.http() as client:
        reaper_now = float(client.post("/_local/ttl/advance", json={"seconds": 0}).json()["now"])
        user_id = client.get("/api/me", headers=bearer(technician_token)).json()["id"]
    if reaper_now + advance_s < time.time() + CONNECTION_LIFETIME_S - 60:
        return
    dynamodb = platform.aws("dynamodb")
    connections = dynamodb.query(
        TableName=platform.names.table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONNS#{user_id}"}},
    )["Items"]
    for item in connections:
        dynamodb.update_item(
            TableName=platform.names.table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET expires_at = :later",
            ExpressionAttributeValues={":later": {"N": str(int(reaper_now + advance_s + CONNECTION_LIFETIME_S))}},
        )
