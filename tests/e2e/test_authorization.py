"""Who may call what, on `deskless dev`, generated from the catalog: every HTTP route and every
WebSocket action is called as each kind of caller (anonymous, an integration's API key, a visitor
of a support session, a contact, a primary contact, a technician, an admin), and each call is
refused exactly where the catalog does not name its caller. A route added to the catalog is
walked here without a line of this file changing; a route the catalog does not list cannot be
served at all (tests/unit/test_catalog.py).

Then what the matrix cannot see, since it is about whose resource, not which role: a visitor of
one session acting on another, a technician on another technician's code, session and
invitation, a deactivated user's token, and an admin demoted while their console is open.

The callers themselves are made in tests/e2e/callers.py.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from deskless.catalog import HTTP_ROUTES, WEBSOCKET_ROUTES, Auth, Caller, HttpRoute, WebSocketRoute
from tests.e2e.callers import CALLERS, PORTAL_HOST, PORTAL_PATHS, Cast, Credentials, cast_of, code_for_a_visitor, visit
from tests.e2e.conftest import Platform, Technician, bearer, hire

# A value of the right shape for each path parameter: the calls reach their logic, which finds nothing.
PARAMETERS = {
    "code": "123456789",
    "token": "A" * 32,
    "key_id": "0123456789ab",
    "user_id": "0123456789abcdef",
    "company_id": "0123456789abcdef",
    "session_id": "no-such-session",
    "contact_id": "0123456789abcdef",
    "domain": "no-such-domain.example",
    "template_id": "0123456789abcdef",
    "reply_id": "0123456789abcdef",
    "number": "999999",
    "attachment_id": "0123456789abcdef",
    "team_id": "0123456789abcdef",
    "category_id": "0123456789abcdef",
    "area_id": "0123456789abcdef",
    "article_id": "0123456789abcdef",
    "rule_id": "0123456789abcdef",
    "lang": "en",
    "slug": "no-such-article",
}
# What a refusal by the catalog's gate looks like: the plumbing's answers, or API Gateway's own.
REFUSALS = {"unauthorized", "forbidden", "invalid_api_key"}
GATEWAY_REFUSALS = {"Unauthorized", "Forbidden"}
SIGN_IN_PAGE = "/help/sign-in"


@pytest.fixture(scope="module")
def cast(platform: Platform, admin_token: str) -> Cast:
    return cast_of(platform, admin_token)


def allows(route: HttpRoute | WebSocketRoute, who: Credentials) -> bool:
    return Caller.PUBLIC in route.allow or (who.caller is not None and who.caller in route.allow)


def refused(status: int, body: Any, location: str = "") -> bool:
    """Whether an answer is a refusal of who called (not the logic's answer about what was asked).
    A contact's page refuses a browser that is not signed in there by sending it to sign in."""
    if status == 303 and location.endswith(SIGN_IN_PAGE):
        return True
    if status not in (401, 403) or not isinstance(body, dict):
        return False
    return body.get("error") in REFUSALS or ("error" not in body and body.get("message") in GATEWAY_REFUSALS)


# --- HTTP: every route as every caller ---------------------------------------------------------


def call(platform: Platform, route: HttpRoute, who: Credentials) -> httpx.Response:
    path = re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], route.path)
    host = PORTAL_HOST if PORTAL_PATHS.match(route.path) else None
    body: dict[str, Any] | None = {} if route.method in ("POST", "PUT", "PATCH") else None
    # signing out ends the session the matrix walks with: a contact signs out a session of its own
    headers = who.renew() if who.renew is not None and route.route_key == "POST /help/sign-out" else who.headers
    with platform.http(host=host) as client:
        return client.request(route.method, path, headers=headers, json=body)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("route", HTTP_ROUTES, ids=lambda r: r.route_key)
def test_each_http_route_refuses_exactly_the_callers_the_catalog_does_not_name(
    platform: Platform, cast: Cast, route: HttpRoute, who: str
) -> None:
    credentials = cast.credentials[who]

    response = call(platform, route, credentials)

    body: Any = response.json() if "json" in response.headers.get("content-type", "") else None
    location = response.headers.get("location", "")
    assert response.status_code < 500, response.text
    if allows(route, credentials):
        assert not refused(response.status_code, body, location), f"{who} is allowed {route.route_key}: {response.text}"
    else:
        assert refused(response.status_code, body, location), (
            f"{who} must be refused {route.route_key}: {response.text}"
        )


# --- WebSocket: every action as every caller -----------------------------------------------------

ACTIONS = [route for route in WEBSOCKET_ROUTES if not route.route_key.startswith("$")]
# A body of the right shape for each action: the calls reach their logic, which finds nothing.
BODIES: dict[str, dict[str, Any]] = {
    "chat.accept": {"request": "no-such-request"},
    "session.join": {"session": "no-such-session"},
    "session.end": {"session": "no-such-session"},
    "chat.send": {"session": "no-such-session", "text": "Hello?"},
    "screen.request": {"session": "no-such-session"},
    "screen.answer": {"session": "no-such-session", "share": "no-such-share", "accept": True},
    "screen.start": {"session": "no-such-session", "share": "no-such-share"},
    "screen.share": {"session": "no-such-session"},
    "screen.signal": {"session": "no-such-session", "share": "no-such-share", "candidate": {"candidate": ""}},
    "screen.stop": {"session": "no-such-session", "share": "no-such-share"},
    "screen.ice": {"session": "no-such-session"},
}


@pytest.fixture(scope="module")
def sockets(platform: Platform, cast: Cast) -> Iterator[dict[str, ClientConnection | int]]:
    """A socket per caller, or the HTTP status its handshake was refused with."""
    opened: dict[str, ClientConnection | int] = {}
    with ExitStack() as closing:
        for who, credentials in cast.credentials.items():
            try:
                url = platform.websocket_url(credentials.token) if credentials.token else platform.websocket_url()
                opened[who] = closing.enter_context(connect(url, additional_headers=credentials.headers))
            except InvalidStatus as refusal:
                opened[who] = refusal.response.status_code
        yield opened


def answer(socket: ClientConnection, action: str, **body: Any) -> dict[str, Any]:
    """Send the action with an id of its own; the answer that carries that id (pushes are skipped)."""
    request_id = uuid.uuid4().hex
    socket.send(json.dumps({"action": action, "id": request_id, **body}))
    deadline = time.monotonic() + 10
    while (left := deadline - time.monotonic()) > 0:
        message: dict[str, Any] = json.loads(socket.recv(timeout=left))
        if message.get("id") == request_id:
            return message
    raise AssertionError(f"no answer to {action} within 10 s")


@pytest.mark.parametrize("who", CALLERS)
def test_a_websocket_opens_exactly_for_the_callers_the_catalog_lets_connect(
    sockets: dict[str, ClientConnection | int], cast: Cast, who: str
) -> None:
    connect_route = next(route for route in WEBSOCKET_ROUTES if route.route_key == "$connect")

    opened = sockets[who]

    if allows(connect_route, cast.credentials[who]):
        assert isinstance(opened, ClientConnection), f"{who} may connect, got {opened}"
    else:
        assert opened in (401, 403), f"{who} must be refused at $connect"


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("route", ACTIONS, ids=lambda r: r.route_key)
def test_each_websocket_action_refuses_exactly_the_callers_the_catalog_does_not_name(
    sockets: dict[str, ClientConnection | int], cast: Cast, route: WebSocketRoute, who: str
) -> None:
    socket = sockets[who]
    if not isinstance(socket, ClientConnection):
        assert not allows(route, cast.credentials[who]), f"{who} may {route.route_key} but could not connect"
        return  # refused at $connect: it can send nothing

    reply = answer(socket, route.route_key, **BODIES.get(route.route_key, {}))

    status = 200 if "error" not in reply else _status_of(reply["error"])
    if allows(route, cast.credentials[who]):
        assert not refused(status, reply), f"{who} is allowed {route.route_key}: {reply}"
    else:
        assert reply.get("error") == "forbidden", f"{who} must be refused {route.route_key}: {reply}"


def _status_of(error: str) -> int:
    return {"unauthorized": 401, "forbidden": 403}.get(error, 400)


# --- whose resource: what the matrix cannot see --------------------------------------------------


def test_a_visitor_of_one_session_cannot_read_or_write_another(platform: Platform, cast: Cast) -> None:
    # Given a second session of the same technician, with its own visitor
    other = visit(platform, cast.technician.token)

    # When the first session's visitor asks for the other's transcript, and writes into it
    with platform.http(host=PORTAL_HOST) as client:
        read = client.get(f"/api/sessions/{other['session_id']}/messages", headers=bearer(cast.visit["token"]))
    with connect(platform.websocket_url(cast.visit["token"])) as visitor:
        written = answer(visitor, "chat.send", session=other["session_id"], text="Boo")

    # Then the other session is not found, and nothing is written into it
    assert (read.status_code, read.json()["error"]) == (404, "not_found")
    assert written["error"] == "not_participant"
    with platform.http() as client:
        transcript = client.get(f"/api/sessions/{other['session_id']}/messages", headers=bearer(cast.technician.token))
    assert transcript.json()["messages"] == []


def test_a_technician_cannot_touch_another_technicians_code_session_or_invitation(
    platform: Platform, cast: Cast, admin_token: str
) -> None:
    # Given another technician's code, session and invitation
    owner = cast.technician
    stranger = hire(platform, admin_token, "Sid Stranger")
    code = code_for_a_visitor(platform, owner.token)
    session = visit(platform, owner.token)
    with platform.http() as client:
        invitation = client.post("/api/invitations", headers=bearer(owner.token), json={}).json()

        # When the stranger cancels, sends and reads the code, reads the transcript, invalidates the link
        attempts = [
            client.delete(f"/api/codes/{code}", headers=bearer(stranger.token)),
            client.post(f"/api/codes/{code}/email", headers=bearer(stranger.token), json={"to": "x@example.com"}),
            client.get(f"/api/codes/{code}/invitation", headers=bearer(stranger.token)),
            client.get(f"/api/sessions/{session['session_id']}/messages", headers=bearer(stranger.token)),
            client.delete(f"/api/invitations/{invitation['token']}", headers=bearer(stranger.token)),
        ]
        # Then each is "not found", as for something that does not exist, and nothing changed
        assert [(r.status_code, r.json()["error"]) for r in attempts] == [(404, "not_found")] * len(attempts)
        mine = client.get("/api/codes", headers=bearer(owner.token)).json()
        assert code in [c["code"] for c in mine]
        links = client.get("/api/invitations", headers=bearer(owner.token)).json()
        assert next(i for i in links if i["token"] == invitation["token"])["state"] == "unused"
        client.delete(f"/api/codes/{code}", headers=bearer(owner.token))

    # And on the WebSocket, joining the other's session is not found either
    with connect(platform.websocket_url(stranger.token)) as console:
        joined = answer(console, "session.join", session=session["session_id"])
    assert joined["error"] == "not_found"


def change_staff(platform: Platform, admin_token: str, user_id: str, **change: Any) -> None:
    with platform.http() as client:
        changed = client.patch(f"/api/staff/{user_id}", headers=bearer(admin_token), json=change)
    assert changed.status_code == 200, changed.text


def test_a_deactivated_users_token_is_refused_everywhere(platform: Platform, admin_token: str) -> None:
    # Given a technician signed in, then deactivated
    leaver = hire(platform, admin_token, "Lee Leaver")
    change_staff(platform, admin_token, leaver.id, active=False)

    # Then every route that takes a token refuses theirs, and so does the WebSocket
    with platform.http() as client:
        for route in HTTP_ROUTES:
            if route.auth is Auth.TOKEN:
                path = re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], route.path)
                response = client.request(route.method, path, headers=bearer(leaver.token), json={})
                assert response.status_code == 403, route.route_key
    with pytest.raises(InvalidStatus) as refusal:
        connect(platform.websocket_url(leaver.token))
    assert refusal.value.response.status_code == 403


def test_an_admin_demoted_with_a_console_open_loses_admin_powers_on_it_at_once(
    platform: Platform, cast: Cast, admin_token: str
) -> None:
    # Given an admin whose console is open, and another technician's live session
    with platform.http() as client:
        email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
        made = client.post(
            "/api/staff",
            headers=bearer(admin_token),
            json={"email": email, "name": "Ann Admin", "role": "admin", "password": "e2e-admin-password"},
        )
    assert made.status_code == 201, made.text
    ann = Technician(id=made.json()["id"], name="Ann Admin", token=platform.login(email, "e2e-admin-password"))
    session = visit(platform, cast.technician.token)
    with connect(platform.websocket_url(ann.token)) as console:
        assert "requests" in answer(console, "queue.list")

        # When another admin makes her a technician, her console still open
        change_staff(platform, admin_token, ann.id, role="technician")

        # Then on that same socket she can no longer join another technician's session
        assert answer(console, "session.join", session=session["session_id"])["error"] == "not_found"
    # (had she still been an admin, she could: an admin joins any session)
    with connect(platform.websocket_url(admin_token)) as admin_console:
        assert answer(admin_console, "session.join", session=session["session_id"])["type"] == "session.joined"
