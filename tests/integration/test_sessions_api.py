"""The sessions function (HTTP API): a technician lists their support sessions, newest first, and
reads a session's transcript in order; so may an admin, and the visitor whose token is scoped to
that session. Nobody else.

Requests are sample HTTP API events run through the function's Lambda handler against local AWS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.data import table
from deskless.sessions import Session, add_message, new_session, session_scope
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")


@dataclass
class SessionsApi:
    aws: LocalAws

    def call(self, route_key: str, caller: Principal | None, **path: str) -> HttpResult:
        method, template = route_key.split(" ", 1)
        event = http_event(
            "http_staff_list",
            origin_secret=self.aws.origin_secret,
            principal=caller,
            route_key=f"{method} {template.format(**path)}",
        )
        event["routeKey"] = event["requestContext"]["routeKey"] = route_key
        if path:
            event["pathParameters"] = path
        if caller is None:
            event["requestContext"].pop("authorizer", None)
            event["headers"].pop("authorization", None)
        return call_http("sessions", event)

    def listing(self, caller: Principal | None = TECHNICIAN) -> HttpResult:
        return self.call("GET /api/sessions", caller)

    def transcript(self, session_id: str, caller: Principal | None = TECHNICIAN) -> HttpResult:
        return self.call("GET /api/sessions/{session_id}/messages", caller, session_id=session_id)


@pytest.fixture
def sessions_api(aws: LocalAws) -> SessionsApi:
    return SessionsApi(aws)


def start_session(visitor_name: str, technician: Principal = TECHNICIAN, at: float = 1773342238) -> Session:
    session, item = new_session(
        technician_id=technician.user_id,
        technician_name=technician.name,
        visitor_name=visitor_name,
        origin="code",
        origin_ref="123456789",
        now=at,
    )
    table().put(item)
    return session


def visitor(session: Session) -> Principal:
    return Principal(
        user_id=f"visitor-{session.id}", role=Role.VISITOR, name=session.visitor_name, scope=session_scope(session.id)
    )


def chat(session: Session, *lines: tuple[Principal, str]) -> None:
    for n, (sender, text) in enumerate(lines):
        add_message(session, sender, text, now=1773342300 + n)


def test_a_technician_lists_their_own_sessions_newest_first(sessions_api: SessionsApi) -> None:
    older = start_session("Ann", at=1773342000)
    newer = start_session("Ben", at=1773343000)
    start_session("Someone else's customer", technician=OTHER_TECHNICIAN)

    listed = sessions_api.listing()

    assert listed.status == 200
    assert [(s["id"], s["visitor_name"]) for s in listed.json()] == [(newer.id, "Ben"), (older.id, "Ann")]
    assert listed.json()[0]["state"] == "active"


def test_listing_is_one_query(sessions_api: SessionsApi) -> None:
    start_session("Ann")

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert sessions_api.listing().status == 200

    assert calls == {"Query": 1}


@pytest.mark.parametrize("caller", ["visitor", None])
def test_visitors_and_strangers_may_not_list_sessions(sessions_api: SessionsApi, caller: str | None) -> None:
    session = start_session("Ann")

    listed = sessions_api.listing(visitor(session) if caller else None)

    assert listed.status == (403 if caller else 401)


def test_the_technician_reads_the_transcript_in_order_with_sender_and_time(sessions_api: SessionsApi) -> None:
    session = start_session("Carla")
    chat(session, (visitor(session), "Hello?"), (TECHNICIAN, "Hi Carla."), (visitor(session), "It is on fire."))

    read = sessions_api.transcript(session.id)

    assert read.status == 200
    body: dict[str, Any] = read.json()
    assert body["session"]["id"] == session.id
    assert [(m["sender_role"], m["sender_name"], m["text"]) for m in body["messages"]] == [
        ("visitor", "Carla", "Hello?"),
        ("technician", TECHNICIAN.name, "Hi Carla."),
        ("visitor", "Carla", "It is on fire."),
    ]
    assert [m["at_ms"] for m in body["messages"]] == [1773342300000, 1773342301000, 1773342302000]


def test_the_sessions_visitor_and_an_admin_may_read_it_too(sessions_api: SessionsApi) -> None:
    session = start_session("Carla")
    chat(session, (visitor(session), "Hello?"))

    for caller in (visitor(session), ADMIN):
        read = sessions_api.transcript(session.id, caller)
        assert read.status == 200
        assert [m["text"] for m in read.json()["messages"]] == ["Hello?"]


def test_another_technicians_session_is_not_found_as_if_it_did_not_exist(sessions_api: SessionsApi) -> None:
    session = start_session("Carla")

    read = sessions_api.transcript(session.id, OTHER_TECHNICIAN)
    missing = sessions_api.transcript("no-such-session", OTHER_TECHNICIAN)

    assert (read.status, read.json()) == (missing.status, missing.json())
    assert (read.status, read.json()["error"]) == (404, "not_found")


def test_the_visitor_of_another_session_is_refused_whether_or_not_the_session_exists(
    sessions_api: SessionsApi,
) -> None:
    session = start_session("Carla")
    other = start_session("Mallory")

    for session_id in (session.id, "no-such-session"):
        read = sessions_api.transcript(session_id, visitor(other))
        assert (read.status, read.json()) == (404, {"error": "not_found", "message": "There is no such session."})


def test_contacts_are_refused(sessions_api: SessionsApi) -> None:
    session = start_session("Carla")
    contact = Principal(user_id="c1", role=Role.CONTACT, name="Carla", email="carla@example.com")

    assert sessions_api.transcript(session.id, contact).status == 403


def test_an_unknown_session_is_a_404_to_its_would_be_technician(sessions_api: SessionsApi) -> None:
    read = sessions_api.transcript("no-such-session")

    assert (read.status, read.json()["error"]) == (404, "not_found")
