"""The Lambda authorizers: the HTTP API's (bearer token, simple responses) and WebSocket
$connect's (token in the query string, IAM policy). Tokens are signed with the key in local
Secrets Manager, as the auth function signs them. A staff token also needs its user to exist and
be active, and speaks with the user's role, name and email as stored now; a visitor's token is
not looked up."""

from __future__ import annotations

import time
from typing import Any

import pytest

from deskless.auth import Principal, Role, issue_token
from deskless.data import table
from deskless.table import user_key
from deskless.users import create_staff, update_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import current, invoke, load_event

VISITOR = Principal(user_id="v5f2a", role=Role.VISITOR, name="Carla", scope="session:1a2b3c")


@pytest.fixture
def ted(aws: LocalAws) -> Principal:
    """A technician who exists and is active."""
    user = create_staff("ted@example.com", "Ted Tech", Role.TECHNICIAN, "a long enough password")
    return Principal(user_id=user.id, role=user.role, name=user.name, email=user.email)


def fresh_token(principal: Principal) -> str:
    return issue_token(principal, ttl_seconds=600)[0]


def expired_token(principal: Principal) -> str:
    return issue_token(principal, ttl_seconds=600, now=time.time() - 601)[0]


def http_request(authorization: str | None) -> dict[str, Any]:
    event = load_event("authorizer_http")
    event["headers"].pop("authorization")
    if authorization is not None:
        event["headers"]["authorization"] = authorization
        event["identitySource"] = [authorization]
    return event


def websocket_request(token: str | None) -> dict[str, Any]:
    event = load_event("authorizer_websocket")
    if token is None:
        event.pop("queryStringParameters")
        event.pop("multiValueQueryStringParameters")
    else:
        event["queryStringParameters"] = {"token": token}
        event["multiValueQueryStringParameters"] = {"token": [token]}
    return event


def http_allows(token: str) -> bool:
    answer = invoke("http_authorizer", http_request(f"Bearer {token}"))
    return bool(answer["isAuthorized"])


def websocket_allows(token: str) -> bool:
    answer = invoke("websocket_authorizer", websocket_request(token))
    return bool(answer["policyDocument"]["Statement"][0]["Effect"] == "Allow")


def test_http_a_valid_bearer_token_is_authorized_with_the_caller_as_context(ted: Principal) -> None:
    answer = invoke("http_authorizer", http_request(f"Bearer {fresh_token(ted)}"))

    assert answer == {"isAuthorized": True, "context": ted.to_context()}


def test_http_the_header_name_is_matched_whatever_its_case(ted: Principal) -> None:
    event = http_request(None)
    event["headers"]["Authorization"] = f"Bearer {fresh_token(ted)}"

    assert invoke("http_authorizer", event)["isAuthorized"] is True


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer ", "Basic dGVkOnNlY3JldA==", "Bearer not.a.token", "Bearer expired", "Bearer foreign"],
)
def test_http_anything_but_a_valid_token_is_not_authorized(ted: Principal, authorization: str | None) -> None:
    if authorization == "Bearer expired":
        authorization = f"Bearer {expired_token(ted)}"
    if authorization == "Bearer foreign":
        # the sample's token: well formed, but signed with another key
        authorization = load_event("authorizer_http")["headers"]["authorization"]

    answer = invoke("http_authorizer", http_request(authorization))

    assert answer == {"isAuthorized": False}


def test_websocket_a_valid_token_is_allowed_to_connect_with_the_caller_as_context(ted: Principal) -> None:
    event = websocket_request(fresh_token(ted))

    answer = invoke("websocket_authorizer", event)

    assert answer == {
        "principalId": ted.user_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}],
        },
        "context": ted.to_context(),
    }


@pytest.mark.parametrize("token", [None, "", "garbage", "expired", "foreign"])
def test_websocket_anything_but_a_valid_token_is_denied(ted: Principal, token: str | None) -> None:
    if token == "expired":
        token = expired_token(ted)
    if token == "foreign":
        token = load_event("authorizer_websocket")["queryStringParameters"]["token"]
    event = websocket_request(token)

    answer = invoke("websocket_authorizer", event)

    assert answer["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": event["methodArn"]}
    ]
    assert answer["context"] == {}
    assert answer["principalId"] != ted.user_id


def test_a_token_with_the_configured_lifetime_opens_the_websocket(ted: Principal) -> None:
    # What a login returns (lifetime from settings) is what the console puts in the WebSocket URL
    token, _ = issue_token(ted)

    assert websocket_allows(token)


# --- the staff user behind the token --------------------------------------------------------


def test_a_deactivated_users_token_is_refused_by_both_and_accepted_again_once_reactivated(ted: Principal) -> None:
    # Given a token issued while the technician was active
    token = fresh_token(ted)

    # When an admin deactivates them, the token opens nothing
    update_staff(ted.user_id, active=False)
    assert (http_allows(token), websocket_allows(token)) == (False, False)

    # And when they are reactivated, the same token works again
    update_staff(ted.user_id, active=True)
    assert (http_allows(token), websocket_allows(token)) == (True, True)


def test_the_token_of_a_user_who_no_longer_exists_is_refused_by_both(ted: Principal) -> None:
    token = fresh_token(ted)
    table().delete(user_key(ted.user_id))

    assert (http_allows(token), websocket_allows(token)) == (False, False)


def test_a_token_speaks_with_the_role_and_name_stored_now(aws: LocalAws) -> None:
    # Given an admin's token, then the admin demoted and renamed
    user = create_staff("ada@example.com", "Ada Admin", Role.ADMIN, "a long enough password")
    token = fresh_token(Principal(user_id=user.id, role=Role.ADMIN, name=user.name, email=user.email))
    update_staff(user.id, role=Role.TECHNICIAN, name="Ada Lovelace")

    # When the token is presented
    http = invoke("http_authorizer", http_request(f"Bearer {token}"))
    websocket = invoke("websocket_authorizer", websocket_request(token))

    # Then both authorizers name a technician called Ada Lovelace: the admin role is gone at once
    for context in (http["context"], websocket["context"]):
        assert Principal.from_context(context) == Principal(
            user_id=user.id, role=Role.TECHNICIAN, name="Ada Lovelace", email="ada@example.com"
        )


def test_a_staff_token_costs_one_read_and_a_visitors_token_none(ted: Principal) -> None:
    staff_token, visitor_token = fresh_token(ted), fresh_token(VISITOR)
    http_allows(staff_token)  # warm: the signing key is read once per cold start

    with count_requests(current("deskless.aws").client("dynamodb")) as staff_calls:
        assert http_allows(staff_token)
    with count_requests(current("deskless.aws").client("dynamodb")) as visitor_calls:
        assert websocket_allows(visitor_token)

    assert staff_calls == {"GetItem": 1}
    assert visitor_calls == {}
