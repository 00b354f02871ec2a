"""The auth function: staff sign-in and the caller's own profile, through its Lambda handler
with the sample HTTP API events, against local AWS."""

from __future__ import annotations

import pytest

from deskless.auth import Principal, Role, verify_token
from deskless.users import StaffUser, create_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import call_http, current, http_event

PASSWORD = "correct horse battery staple"


@pytest.fixture
def dana(aws: LocalAws) -> StaffUser:
    return create_staff("dana@example.com", "Dana Admin", Role.ADMIN, PASSWORD)


def login(aws: LocalAws, email: str, password: str) -> tuple[int, dict[str, object]]:
    response = call_http(
        "auth", http_event("http_login", origin_secret=aws.origin_secret, body={"email": email, "password": password})
    )
    return response.status, response.json()


def test_the_right_password_gives_a_token_for_that_user(aws: LocalAws, dana: StaffUser) -> None:
    status, body = login(aws, "dana@example.com", PASSWORD)

    assert status == 200
    principal = verify_token(str(body["token"]))
    assert principal == Principal(user_id=dana.id, role=Role.ADMIN, name="Dana Admin", email="dana@example.com")
    assert body["user"] == dana.model_dump(mode="json")
    assert "password_hash" not in str(body)


def test_the_email_is_matched_whatever_its_case(aws: LocalAws, dana: StaffUser) -> None:
    status, body = login(aws, "Dana@Example.COM", PASSWORD)

    assert status == 200
    assert verify_token(str(body["token"])).user_id == dana.id


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(aws: LocalAws, dana: StaffUser) -> None:
    wrong_password = login(aws, "dana@example.com", "not the password")
    unknown_email = login(aws, "nobody@example.com", PASSWORD)

    assert wrong_password == unknown_email
    status, body = wrong_password
    assert status == 401
    assert body["error"] == "invalid_credentials"


def test_login_reads_two_items_and_nothing_else(aws: LocalAws, dana: StaffUser) -> None:
    # Given a warm function (the first call also reads the origin secret, not the table)
    login(aws, "dana@example.com", PASSWORD)

    # When a user signs in
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        status, _ = login(aws, "dana@example.com", PASSWORD)

    # Then the email guard and the user are read, by key
    assert status == 200
    assert calls == {"GetItem": 2}


def test_an_invalid_login_body_is_a_400_naming_the_field(aws: LocalAws) -> None:
    status, body = login(aws, "not an email", PASSWORD)

    assert status == 400
    assert body["error"] == "invalid_request"
    assert "email" in str(body["message"])


def test_me_answers_the_callers_own_profile(aws: LocalAws, dana: StaffUser) -> None:
    caller = Principal(user_id=dana.id, role=Role.ADMIN, name="Dana Admin", email=dana.email)

    response = call_http("auth", http_event("http_me", origin_secret=aws.origin_secret, principal=caller))

    assert response.status == 200
    assert response.json() == dana.model_dump(mode="json")


def test_me_for_a_user_deleted_since_the_token_was_issued_is_404(aws: LocalAws) -> None:
    ghost = Principal(user_id="0000000000000000", role=Role.ADMIN, name="Ghost")

    response = call_http("auth", http_event("http_me", origin_secret=aws.origin_secret, principal=ghost))

    assert response.status == 404
    assert response.json()["error"] == "not_found"


def test_me_without_an_authorizer_context_is_401(aws: LocalAws) -> None:
    event = http_event("http_me", origin_secret=aws.origin_secret)
    del event["requestContext"]["authorizer"]

    response = call_http("auth", event)

    assert response.status == 401
    assert response.json()["error"] == "unauthorized"
