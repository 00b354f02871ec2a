"""The invitations function: an operator's link connects a visitor straight to them, once; any
link can be invalidated; a link that does not work says only that it is no longer valid.

Requests are sample HTTP API events (an operator's call carries the Lambda authorizer's
context; accept is public) run through the function's Lambda handler against local AWS."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.data import table
from deskless.sessions import session_scope
from deskless.table import invitation_key, session_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event, invoke

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")
VISITOR = Principal(user_id="visitor-x", role=Role.VISITOR, name="Vera", scope="session:x")
NO_LONGER_VALID = {"error": "invitation_invalid", "message": "This invitation is no longer valid."}
UNKNOWN_TOKEN = "A" * 32  # the shape of a token, but no invitation has it


@dataclass
class InvitationsApi:
    """The function's HTTP routes, called as API Gateway would call them."""

    aws: LocalAws

    def event(
        self,
        route_key: str,
        *,
        caller: Principal | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        **path: str,
    ) -> dict[str, Any]:
        """A sample HTTP API event for a catalog route: routeKey as API Gateway spells it (with
        its {parameters}), the concrete path and pathParameters, and the caller (None: public)."""
        method, template = route_key.split(" ", 1)
        event = http_event(
            "http_staff_create",
            origin_secret=self.aws.origin_secret,
            principal=caller,
            body=body,
            headers=headers,
            route_key=f"{method} {template.format(**path)}",
        )
        event["routeKey"] = event["requestContext"]["routeKey"] = route_key
        if path:
            event["pathParameters"] = path
        if caller is None:
            del event["requestContext"]["authorizer"]
            del event["headers"]["authorization"]
        if body is None:
            del event["body"]
            del event["headers"]["content-length"]
        return event

    def call(self, route_key: str, *, caller: Principal | None, body: Any = None, **options: Any) -> HttpResult:
        return call_http("invitations", self.event(route_key, caller=caller, body=body, **options))

    def create(self, caller: Principal = TECHNICIAN, /, **body: Any) -> HttpResult:
        return self.call("POST /api/invitations", caller=caller, body=body)

    def listing(self, caller: Principal = TECHNICIAN) -> HttpResult:
        return self.call("GET /api/invitations", caller=caller)

    def invalidate(self, token: str, caller: Principal = TECHNICIAN) -> HttpResult:
        return self.call("DELETE /api/invitations/{token}", caller=caller, token=token)

    def accept_event(self, token: str, name: Any = "Vera Visitor") -> dict[str, Any]:
        return self.event("POST /api/invitations/{token}/accept", caller=None, body={"name": name}, token=token)

    def accept(self, token: str, name: Any = "Vera Visitor") -> HttpResult:
        return call_http("invitations", self.accept_event(token, name))

    def create_key(self, name: str = "CRM integration", caller: Principal = ADMIN) -> HttpResult:
        return self.call("POST /api/api-keys", caller=caller, body={"name": name})

    def list_keys(self, caller: Principal = ADMIN) -> HttpResult:
        return self.call("GET /api/api-keys", caller=caller)

    def revoke_key(self, key_id: str, caller: Principal = ADMIN) -> HttpResult:
        return self.call("DELETE /api/api-keys/{key_id}", caller=caller, key_id=key_id)

    def create_with_key(self, key: str | None, **body: Any) -> HttpResult:
        headers = {} if key is None else {"x-api-key": key}
        return self.call("POST /api/v1/invitations", caller=None, body=body, headers=headers)


@pytest.fixture
def invitations(aws: LocalAws) -> InvitationsApi:
    return InvitationsApi(aws)


def created_token(invitations: InvitationsApi, caller: Principal = TECHNICIAN, /, **body: Any) -> str:
    response = invitations.create(caller, **body)
    assert response.status == 201, response.body
    return str(response.json()["token"])


# --- creating and listing -------------------------------------------------------------------


def test_an_operator_creates_an_unused_single_use_link_with_an_unguessable_token(
    invitations: InvitationsApi,
) -> None:
    response = invitations.create(label="Printer trouble, Mrs Novak")

    assert response.status == 201
    invitation = response.json()
    token = invitation["token"]
    assert invitation["url"] == f"http://localhost:8000/invite/{token}"
    assert (invitation["state"], invitation["reusable"], invitation["use_count"]) == ("unused", False, 0)
    assert invitation["label"] == "Printer trouble, Mrs Novak"
    assert (invitation["operator_id"], invitation["operator_name"]) == (TECHNICIAN.user_id, TECHNICIAN.name)
    assert invitation["created_via"] == "console"
    assert isinstance(invitation["created_at"], int)
    # 32 URL-safe base64 characters carry 192 random bits (at least 128 are required)
    assert len(token) == 32
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(current("base64").urlsafe_b64decode(token)) * 8 >= 128


def test_each_link_has_its_own_token(invitations: InvitationsApi) -> None:
    tokens = {created_token(invitations) for _ in range(5)}

    assert len(tokens) == 5


def test_a_link_without_a_body_is_created_with_no_label_in_english(invitations: InvitationsApi) -> None:
    response = invitations.call("POST /api/invitations", caller=TECHNICIAN)

    assert response.status == 201
    assert (response.json()["label"], response.json()["language"]) == ("", "en")


@pytest.mark.parametrize(
    ("body", "field"), [({"label": "x" * 81}, "label"), ({"language": "fr"}, "language")], ids=["label", "language"]
)
def test_an_invalid_label_or_language_is_a_400_naming_it(
    invitations: InvitationsApi, body: dict[str, str], field: str
) -> None:
    response = invitations.create(**body)

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert [detail["field"] for detail in response.json()["details"]] == [field]
    assert invitations.listing().json() == []


def test_operators_list_their_own_links_newest_first_with_state_and_use_count(invitations: InvitationsApi) -> None:
    # Given three links of the technician, in three states, and one of another technician
    unused, used, invalidated = (created_token(invitations, label=label) for label in ("a", "b", "c"))
    assert invitations.accept(used).status == 201
    assert invitations.invalidate(invalidated).status == 200
    created_token(invitations, OTHER_TECHNICIAN)

    # When the technician lists their links
    response = invitations.listing()

    # Then they see their three, with what became of each
    assert response.status == 200
    listed = {item["token"]: item for item in response.json()}
    assert set(listed) == {unused, used, invalidated}
    assert [(listed[t]["state"], listed[t]["use_count"]) for t in (unused, used, invalidated)] == [
        ("unused", 0),
        ("used", 1),
        ("invalidated", 0),
    ]
    created = [item["created_at"] for item in response.json()]
    assert created == sorted(created, reverse=True)


def test_listing_is_one_query(invitations: InvitationsApi) -> None:
    for _ in range(3):
        created_token(invitations)
    invitations.listing()  # warm: the first call also reads the origin secret

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert len(invitations.listing().json()) == 3

    assert calls == {"Query": 1}


def test_visitors_and_callers_without_identity_may_not_create_or_list_links(invitations: InvitationsApi) -> None:
    assert invitations.create(VISITOR).status == 403
    assert invitations.listing(VISITOR).status == 403
    assert invitations.call("POST /api/invitations", caller=None, body={}).status == 401


# --- accepting ------------------------------------------------------------------------------


def test_a_visitor_accepts_a_link_once_and_joins_a_session_with_its_operator(invitations: InvitationsApi) -> None:
    token = created_token(invitations)

    response = invitations.accept(token, name="  Vera Visitor ")

    # The visitor gets a session with the link's operator, and a token for that session alone
    assert response.status == 201
    accepted = response.json()
    assert accepted["technician_name"] == TECHNICIAN.name
    assert accepted["websocket_url"] == "ws://localhost:8000/ws"
    session = table().get(session_key(accepted["session_id"]))
    assert session is not None
    assert (session["technician_id"], session["visitor_name"]) == (TECHNICIAN.user_id, "Vera Visitor")
    assert (session["origin"], session["origin_ref"], session["state"]) == ("invitation", token, "active")
    visitor = current("deskless.auth").verify_token(accepted["token"])
    assert (visitor.role, visitor.name) == ("visitor", "Vera Visitor")
    assert visitor.scope == session_scope(accepted["session_id"])
    assert accepted["expires_at"] > session["created_at"]
    # and the link is used up
    stored = table().get(invitation_key(token))
    assert stored is not None
    assert (stored["state"], stored["use_count"], stored["last_used_at"]) == ("used", 1, session["created_at"])


def test_a_used_link_is_refused_with_410(invitations: InvitationsApi) -> None:
    token = created_token(invitations)
    assert invitations.accept(token).status == 201

    again = invitations.accept(token, name="Somebody Else")

    assert again.status == 410
    assert again.json() == NO_LONGER_VALID
    assert table().get(invitation_key(token))["use_count"] == 1  # type: ignore[index]


def test_unknown_used_and_invalidated_links_get_the_very_same_answer(invitations: InvitationsApi) -> None:
    used, invalidated = created_token(invitations), created_token(invitations)
    invitations.accept(used)
    invitations.invalidate(invalidated)

    answers = [invitations.accept(token) for token in (used, invalidated, UNKNOWN_TOKEN, "not-even-a-token")]

    assert {answer.status for answer in answers} == {410}
    assert len({answer.body for answer in answers}) == 1  # byte for byte
    assert answers[0].json() == NO_LONGER_VALID


def test_accepting_is_one_read_and_one_transaction(invitations: InvitationsApi) -> None:
    token, warm = created_token(invitations), created_token(invitations)
    invitations.accept(warm)  # warm: the first call also reads the origin and signing secrets

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert invitations.accept(token).status == 201

    assert calls == {"GetItem": 1, "TransactWriteItems": 1}


def test_of_ten_visitors_accepting_one_link_at_once_exactly_one_gets_in(invitations: InvitationsApi) -> None:
    token = created_token(invitations)
    events = [invitations.accept_event(token, name=f"Visitor {n}") for n in range(10)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda event: invoke("invitations", event), events))

    statuses = sorted(answer["statusCode"] for answer in answers)
    assert statuses == [201] + [410] * 9
    winner = json.loads(next(answer["body"] for answer in answers if answer["statusCode"] == 201))
    assert table().get(session_key(winner["session_id"])) is not None
    stored = table().get(invitation_key(token))
    assert stored is not None
    assert (stored["state"], stored["use_count"]) == ("used", 1)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, None], ids=["empty", "spaces", "too-long", "missing"])
def test_a_visitor_without_a_proper_name_is_a_400_and_the_link_stays_unused(
    invitations: InvitationsApi, name: Any
) -> None:
    token = created_token(invitations)

    response = invitations.accept(token, name=name)

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert invitations.accept(token).status == 201


# --- invalidating ---------------------------------------------------------------------------


def test_an_invalidated_link_stays_in_the_list_and_is_refused(invitations: InvitationsApi) -> None:
    token = created_token(invitations)

    response = invitations.invalidate(token)

    assert response.status == 200
    assert (response.json()["token"], response.json()["state"]) == (token, "invalidated")
    assert [(item["token"], item["state"]) for item in invitations.listing().json()] == [(token, "invalidated")]
    assert (invitations.accept(token).status, invitations.accept(token).json()) == (410, NO_LONGER_VALID)


def test_invalidating_twice_is_harmless(invitations: InvitationsApi) -> None:
    token = created_token(invitations)
    first = invitations.invalidate(token)

    second = invitations.invalidate(token)

    assert second.status == 200
    assert second.json() == first.json()


def test_an_admin_may_invalidate_any_operators_link(invitations: InvitationsApi) -> None:
    token = created_token(invitations)

    assert invitations.invalidate(token, caller=ADMIN).json()["state"] == "invalidated"
    assert invitations.accept(token).status == 410


@pytest.mark.parametrize("token", [UNKNOWN_TOKEN, "no-such-shape"], ids=["unknown", "malformed"])
def test_invalidating_an_unknown_link_is_a_404(invitations: InvitationsApi, token: str) -> None:
    response = invitations.invalidate(token)

    assert (response.status, response.json()["error"]) == (404, "not_found")


def test_another_technicians_link_is_a_404_to_invalidate_and_keeps_working(invitations: InvitationsApi) -> None:
    token = created_token(invitations)

    response = invitations.invalidate(token, caller=OTHER_TECHNICIAN)

    assert (response.status, response.json()["error"]) == (404, "not_found")
    assert invitations.accept(token).status == 201
