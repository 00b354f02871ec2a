"""Session codes on `deskless dev`, as the console and a customer's browser use them: the demo
technician alice@example.com creates codes for the demo portal `acme`, sends them, and a
customer redeems one on acme.localhost:<port> and opens the session's WebSocket.

Every code made here is cancelled again, so other tests keep alice's slots.

Guessing: failures are counted per source address, and every client of this suite reaches the
gateway from 127.0.0.1; ten failures here would block redemptions for the tests that follow
for up to eleven minutes. So this suite sends one wrong code and checks its answer; a guessing
run is stopped end to end in tests/e2e/test_guessing.py, on a platform of its own, and in
detail (other sources unaffected, bursts, viewers behind the CDN) in
tests/integration/test_codes_redeem.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from local.seed import DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, bearer, wait_for

INVALID = {
    "error": "code_invalid",
    "message": "This code is not valid. Check the digits, or ask your technician for a new code.",
}


class Console:
    """What the technician's console sends, with a record of the codes it made (cancelled at the end)."""

    def __init__(self, platform: Platform, token: str) -> None:
        self.client = platform.http()
        self.client.headers.update(bearer(token))
        self.made: list[str] = []

    def create(self, name: str, portal: str = DEMO_SUBDOMAIN) -> httpx.Response:
        response = self.client.post("/api/codes", json={"name": name, "portal": portal})
        if response.status_code == 201:
            self.made.append(response.json()["code"])
        return response

    def active(self) -> list[dict[str, Any]]:
        response = self.client.get("/api/codes")
        response.raise_for_status()
        codes: list[dict[str, Any]] = response.json()
        return codes

    def cancel_all(self) -> None:
        for code in self.made:
            self.client.delete(f"/api/codes/{code}")
        self.client.close()


@pytest.fixture
def console(platform: Platform, technician_token: str) -> Iterator[Console]:
    console = Console(platform, technician_token)
    yield console
    console.cancel_all()


def customer_join(platform: Platform, code: str, name: str = "Carla Customer") -> httpx.Response:
    """A customer's browser on the portal's join page posts the code."""
    with platform.http(host=f"{DEMO_SUBDOMAIN}.localhost") as customer:
        return customer.post("/api/join", json={"code": code, "name": name})


def unique_name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def test_a_technician_creates_codes_up_to_the_limit_and_the_next_is_refused(
    platform: Platform, console: Console, admin_token: str
) -> None:
    with platform.http() as admin:
        limit = admin.get("/api/settings", headers=bearer(admin_token)).json()["code_limit"]
    already = len(console.active())

    created = [console.create(unique_name("customer")) for _ in range(limit - already)]
    refused = console.create(unique_name("one too many"))

    assert [r.status_code for r in created] == [201] * (limit - already)
    assert refused.status_code == 409
    assert refused.json()["error"] == "code_limit_reached"
    assert str(limit) in refused.json()["message"]
    assert len(console.active()) == limit


def test_the_active_list_shows_each_codes_name_time_left_and_portal(platform: Platform, console: Console) -> None:
    name = unique_name("Carla")
    code = console.create(name).json()

    [listed] = [c for c in console.active() if c["code"] == code["code"]]

    assert (listed["name"], listed["portal"]) == (name, DEMO_SUBDOMAIN)
    assert 0 < listed["seconds_left"] <= 20 * 60
    assert listed["join_url"] == f"http://{DEMO_SUBDOMAIN}.localhost:{platform.port}/join/{code['code']}"


def test_a_customer_redeems_a_code_once_and_opens_the_sessions_websocket(platform: Platform, console: Console) -> None:
    code = console.create(unique_name("Carla")).json()["code"]

    joined = customer_join(platform, code)
    again = customer_join(platform, code)

    assert joined.status_code == 201, joined.text
    session = joined.json()
    assert session["technician_name"] == "Alice Tech"
    assert session["websocket_url"] == f"ws://localhost:{platform.port}/ws"
    assert code not in [c["code"] for c in console.active()]
    assert (again.status_code, again.json()) == (404, INVALID)
    with connect(platform.websocket_url(session["token"])) as socket:
        socket.send(json.dumps({"action": "ping", "id": 1}))

        def pong() -> dict[str, Any] | None:
            message = json.loads(socket.recv(timeout=5))
            return message if message.get("type") == "pong" else None

        assert wait_for(pong, timeout=10)["echo"] == 1


def test_a_wrong_code_gets_the_same_answer_as_a_used_one(platform: Platform) -> None:
    response = customer_join(platform, "000 000 000")

    assert (response.status_code, response.json()) == (404, INVALID)


def test_a_cancelled_code_cannot_be_redeemed(platform: Platform, console: Console) -> None:
    code = console.create(unique_name("Carla")).json()["code"]

    assert console.client.delete(f"/api/codes/{code}").status_code == 204

    assert customer_join(platform, code).json() == INVALID


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("es", "Estimado cliente"),
        ("de", "Sehr geehrte Kundin"),
        ("cs", "Vážený zákazníku"),
    ],
)
def test_the_invitation_text_is_in_the_chosen_language(console: Console, language: str, says: str) -> None:
    code = console.create(unique_name("Carla")).json()

    invitation = console.client.get(f"/api/codes/{code['code']}/invitation", params={"language": language}).json()

    assert invitation["text"].startswith(says)
    assert code["join_url"] in invitation["text"]


def test_invitation_emails_in_spanish_german_and_czech_reach_the_outbox(platform: Platform, console: Console) -> None:
    code = console.create(unique_name("Carla")).json()
    readable = f"{code['code'][:3]} {code['code'][3:6]} {code['code'][6:]}"
    subjects = {
        "es": "Su sesión de soporte de Acme",
        "de": "Ihre Support-Sitzung bei Acme",
        "cs": "Relace podpory Acme",
    }
    recipients = {language: f"carla-{language}-{uuid.uuid4().hex[:6]}@customer.example" for language in subjects}

    for language, to in recipients.items():
        sent = console.client.post(f"/api/codes/{code['code']}/email", json={"to": to, "language": language})
        assert (sent.status_code, sent.json()) == (202, {"sent_to": to, "language": language})

    with platform.http() as client:
        outbox = client.get("/_local/outbox").json()
    for language, to in recipients.items():
        [mail] = [m for m in outbox if m["to"] == [to]]
        assert mail["subject"] == subjects[language]
        assert f'href="{code["join_url"]}"' in mail["html"]
        assert readable in mail["html"]


def test_an_admin_sets_a_technicians_own_limit(platform: Platform, admin_token: str, technician_token: str) -> None:
    with platform.http() as client:
        bob = platform.login("bob@example.com", "deskless-tech")
        bob_id = client.get("/api/me", headers=bearer(bob)).json()["id"]
        made: list[httpx.Response] = []
        try:
            changed = client.patch(f"/api/staff/{bob_id}", headers=bearer(admin_token), json={"code_limit": 1})
            for _ in range(2):
                made.append(
                    client.post("/api/codes", headers=bearer(bob), json={"name": unique_name("c"), "portal": "acme"})
                )
            assert changed.json()["code_limit"] == 1
            assert [r.status_code for r in made] == [201, 409]
            refused = client.patch(f"/api/staff/{bob_id}", headers=bearer(technician_token), json={"code_limit": 5})
            assert refused.status_code == 403
        finally:
            client.patch(f"/api/staff/{bob_id}", headers=bearer(admin_token), json={"code_limit": None})
            for response in made:
                if response.status_code == 201:
                    client.delete(f"/api/codes/{response.json()['code']}", headers=bearer(bob))


def test_settings_are_for_admins(platform: Platform, admin_token: str, technician_token: str) -> None:
    with platform.http() as client:
        settings = client.get("/api/settings", headers=bearer(admin_token))
        as_technician = client.get("/api/settings", headers=bearer(technician_token))
        invalid = client.patch("/api/settings", headers=bearer(admin_token), json={"code_limit": 0})

    assert settings.status_code == 200
    assert set(settings.json()) >= {"code_limit", "code_lifetime_minutes"}
    assert as_technician.status_code == 403
    assert (invalid.status_code, invalid.json()["error"]) == (400, "invalid_request")
