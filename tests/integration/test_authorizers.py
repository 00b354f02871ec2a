"""The Lambda authorizers: the HTTP API's (bearer token, simple responses) and WebSocket
$connect's (token in the query string, IAM policy). Tokens are signed with the key in local
Secrets Manager, as the auth function signs them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from deskless.auth import issue_token
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, invoke, load_event


def fresh_token() -> str:
    return issue_token(TECHNICIAN, ttl_seconds=600)[0]


def expired_token() -> str:
    return issue_token(TECHNICIAN, ttl_seconds=600, now=time.time() - 601)[0]


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


def test_http_a_valid_bearer_token_is_authorized_with_the_caller_as_context(aws: LocalAws) -> None:
    answer = invoke("http_authorizer", http_request(f"Bearer {fresh_token()}"))

    assert answer == {"isAuthorized": True, "context": TECHNICIAN.to_context()}


def test_http_the_header_name_is_matched_whatever_its_case(aws: LocalAws) -> None:
    event = http_request(None)
    event["headers"]["Authorization"] = f"Bearer {fresh_token()}"

    assert invoke("http_authorizer", event)["isAuthorized"] is True


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer ", "Basic dGVkOnNlY3JldA==", "Bearer not.a.token", "Bearer expired", "Bearer foreign"],
)
def test_http_anything_but_a_valid_token_is_not_authorized(aws: LocalAws, authorization: str | None) -> None:
    if authorization == "Bearer expired":
        authorization = f"Bearer {expired_token()}"
    if authorization == "Bearer foreign":
        # the sample's token: well formed, but signed with another key
        authorization = load_event("authorizer_http")["headers"]["authorization"]

    answer = invoke("http_authorizer", http_request(authorization))

    assert answer == {"isAuthorized": False}


def test_websocket_a_valid_token_is_allowed_to_connect_with_the_caller_as_context(aws: LocalAws) -> None:
    event = websocket_request(fresh_token())

    answer = invoke("websocket_authorizer", event)

    assert answer == {
        "principalId": TECHNICIAN.user_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}],
        },
        "context": TECHNICIAN.to_context(),
    }


@pytest.mark.parametrize("token", [None, "", "garbage", "expired", "foreign"])
def test_websocket_anything_but_a_valid_token_is_denied(aws: LocalAws, token: str | None) -> None:
    if token == "expired":
        token = expired_token()
    if token == "foreign":
        token = load_event("authorizer_websocket")["queryStringParameters"]["token"]
    event = websocket_request(token)

    answer = invoke("websocket_authorizer", event)

    assert answer["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": event["methodArn"]}
    ]
    assert answer["context"] == {}
    assert answer["principalId"] != TECHNICIAN.user_id


def test_a_token_with_the_configured_lifetime_opens_the_websocket(aws: LocalAws) -> None:
    # What a login returns (lifetime from settings) is what the console puts in the WebSocket URL
    token, _ = issue_token(TECHNICIAN)

    answer = invoke("websocket_authorizer", websocket_request(token))

    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
