"""Invitation links on `deskless dev`, as the console, an integration and a visitor use them over
HTTP, and the visitor's token opening the WebSocket."""

from __future__ import annotations

import json
from typing import Any

from websockets.sync.client import connect

from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, bearer

NO_LONGER_VALID = {"error": "invitation_invalid", "message": "This invitation is no longer valid."}
ALICE = DEMO_STAFF[1]


def accept(platform: Platform, token: str, name: str = "Vera Visitor") -> Any:
    with platform.http() as client:
        return client.post(f"/api/invitations/{token}/accept", json={"name": name})


def my_invitations(platform: Platform, technician_token: str) -> dict[str, Any]:
    with platform.http() as client:
        listed = client.get("/api/invitations", headers=bearer(technician_token))
    assert listed.status_code == 200
    return {item["token"]: item for item in listed.json()}


def test_a_console_link_lets_one_visitor_in_once(platform: Platform, technician_token: str) -> None:
    # Given a link Alice made in the console
    with platform.http() as client:
        created = client.post("/api/invitations", headers=bearer(technician_token), json={"label": "e2e once"})
    assert created.status_code == 201
    invitation = created.json()
    assert invitation["url"] == f"http://localhost:{platform.port}/invite/{invitation['token']}"

    # When a visitor accepts it, and then somebody else tries
    first = accept(platform, invitation["token"])
    second = accept(platform, invitation["token"], name="Someone Else")

    # Then the first is put through to Alice, the second is told the link is no longer valid
    assert first.status_code == 201
    assert first.json()["technician_name"] == ALICE.name
    assert first.json()["websocket_url"] == f"ws://localhost:{platform.port}/ws"
    assert (second.status_code, second.json()) == (410, NO_LONGER_VALID)
    listed = my_invitations(platform, technician_token)[invitation["token"]]
    assert (listed["state"], listed["use_count"]) == ("used", 1)


def test_the_visitors_token_opens_the_websocket(platform: Platform, technician_token: str) -> None:
    with platform.http() as client:
        token = client.post("/api/invitations", headers=bearer(technician_token), json={}).json()["token"]
    visitor = accept(platform, token).json()

    with connect(platform.websocket_url(visitor["token"])) as socket:
        socket.send(json.dumps({"action": "ping", "id": 1}))
        pong = json.loads(socket.recv(timeout=5))

    assert (pong["type"], pong["echo"]) == ("pong", 1)


def test_an_api_keys_link_is_reusable_until_invalidated(
    platform: Platform, admin_token: str, technician_token: str
) -> None:
    # Given an API key an admin made, and a link to Alice made with it
    with platform.http() as client:
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "e2e CRM"}).json()
        made = client.post(
            "/api/v1/invitations",
            headers={"x-api-key": key["key"]},
            json={"operator_email": ALICE.email, "label": "from the CRM"},
        )
    assert made.status_code == 201
    token = made.json()["token"]

    # When two visitors use it, Alice invalidates it, and a third visitor comes
    assert [accept(platform, token, name=f"Visitor {n}").status_code for n in (1, 2)] == [201, 201]
    listed = my_invitations(platform, technician_token)[token]
    assert (listed["state"], listed["reusable"], listed["use_count"]) == ("reusable", True, 2)
    with platform.http() as client:
        invalidated = client.delete(f"/api/invitations/{token}", headers=bearer(technician_token))
    third = accept(platform, token, name="Visitor 3")

    # Then the third is refused, the same way as any link that no longer works
    assert invalidated.status_code == 200
    assert (third.status_code, third.json()) == (410, NO_LONGER_VALID)
    assert my_invitations(platform, technician_token)[token]["state"] == "invalidated"


def test_a_revoked_api_key_and_a_technician_managing_keys_are_refused(
    platform: Platform, admin_token: str, technician_token: str
) -> None:
    with platform.http() as client:
        key = client.post("/api/api-keys", headers=bearer(admin_token), json={"name": "e2e revoked"}).json()
        revoked = client.delete(f"/api/api-keys/{key['id']}", headers=bearer(admin_token))
        refused = client.post(
            "/api/v1/invitations", headers={"x-api-key": key["key"]}, json={"operator_email": ALICE.email}
        )
        technician = client.post("/api/api-keys", headers=bearer(technician_token), json={"name": "mine"})
        listed = client.get("/api/api-keys", headers=bearer(admin_token)).json()

    assert (revoked.status_code, revoked.json()["revoked"]) == (200, True)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_api_key")
    assert (technician.status_code, technician.json()["error"]) == (403, "forbidden")
    assert key["key"].split("_", 2)[2] not in json.dumps(listed)
    assert {"id": key["id"], "revoked": True}.items() <= next(k for k in listed if k["id"] == key["id"]).items()
