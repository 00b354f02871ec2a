"""The auth function: staff sign-in (refused to a deactivated account, but only once its password
checked out) and the caller's own profile with their code limit and the console's settings,
through its Lambda handler with the sample HTTP API events, against local AWS."""

from __future__ import annotations

import pytest

from deskless.auth import Principal, Role, verify_token
from deskless.edge import VIEWER_IP_HEADER
from deskless.preferences import update_preferences
from deskless.users import Channel, StaffUser, create_staff, set_own_code_limit, update_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import HttpResult, call_http, current, http_event

PASSWORD = "correct horse battery staple"
CONSOLE_DEFAULTS = {
    "chat_limit": 3,
    "auto_away_minutes": 0,
    "channels_locked": False,
    "away_reasons": ["Lunch", "Personal", "Meeting"],
    "notification_repeat_seconds": 30,
}


@pytest.fixture
def dana(aws: LocalAws) -> StaffUser:
    return create_staff("dana@example.com", "Dana Admin", Role.ADMIN, PASSWORD)


OFFICE = "198.51.100.20"


def signing_in(aws: LocalAws, email: str, password: str, source: str = OFFICE) -> HttpResult:
    """A sign-in from the viewer at `source`, as the CDN passes it on."""
    body = {"email": email, "password": password}
    event = http_event("http_login", origin_secret=aws.origin_secret, body=body, headers={VIEWER_IP_HEADER: source})
    return call_http("auth", event)


def login(aws: LocalAws, email: str, password: str, source: str = OFFICE) -> tuple[int, dict[str, object]]:
    response = signing_in(aws, email, password, source)
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


def test_a_sign_in_reads_its_failure_counts_and_two_items_then_checks_the_counts_held(
    aws: LocalAws, dana: StaffUser
) -> None:
    # Given a warm function (the first call also reads the origin secret, not the table)
    login(aws, "dana@example.com", PASSWORD)

    # When a user signs in
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        status, _ = login(aws, "dana@example.com", PASSWORD)

    # Then the account's and the source's failures are read at once, the email guard and the user
    # by key, and one transaction checks both counts are still under their limits
    assert status == 200
    assert calls == {"BatchGetItem": 1, "GetItem": 2, "TransactWriteItems": 1}


def test_an_unknown_email_costs_the_same_requests_as_a_wrong_password(aws: LocalAws, dana: StaffUser) -> None:
    login(aws, "dana@example.com", PASSWORD)  # warm
    counted: list[dict[str, int]] = []
    for email in ("dana@example.com", "nobody@example.com"):
        with count_requests(current("deskless.aws").client("dynamodb")) as calls:
            status, _ = login(aws, email, "not the password", source=f"198.51.100.{len(counted) + 30}")
        assert status == 401
        counted.append(calls)

    wrong_password, unknown_email = counted
    assert wrong_password == unknown_email == {"BatchGetItem": 1, "GetItem": 2, "UpdateItem": 2}


# --- sign-in guessing -------------------------------------------------------------------------


def test_thirty_wrong_passwords_from_one_address_block_it_even_for_the_right_one(
    aws: LocalAws, dana: StaffUser
) -> None:
    # Given thirty wrong passwords from one address, against several accounts (ten each at most)
    emails = ["dana@example.com", "nobody@example.com", "someone@example.com"]
    answers = [login(aws, emails[n % 3], f"guess {n}", source="203.0.113.99")[0] for n in range(30)]

    # When the right password comes from the same address
    blocked = signing_in(aws, "dana@example.com", PASSWORD, source="203.0.113.99")

    # Then every guess was refused, and so is the right one now, saying when to come back
    assert answers == [401] * 30
    assert blocked.status == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert 0 < int(blocked.headers["retry-after"]) <= 660


def test_ten_wrong_passwords_for_one_account_block_it_from_any_address(aws: LocalAws, dana: StaffUser) -> None:
    answers = [login(aws, "dana@example.com", f"guess {n}", source=f"203.0.113.{n}")[0] for n in range(10)]

    blocked = login(aws, "Dana@Example.com", PASSWORD, source="198.51.100.200")

    assert answers == [401] * 10
    assert blocked[0] == 429
    assert login(aws, "other@example.com", PASSWORD, source="198.51.100.200")[0] == 401  # others carry on


def test_an_unknown_account_is_throttled_exactly_as_a_real_one(aws: LocalAws, dana: StaffUser) -> None:
    for email in ("dana@example.com", "nobody@example.com"):
        answers = [login(aws, email, f"guess {n}", source=f"203.0.113.{n}")[0] for n in range(11)]
        assert answers == [401] * 10 + [429], email


def test_a_right_password_before_the_limit_still_signs_in(aws: LocalAws, dana: StaffUser) -> None:
    for n in range(9):
        login(aws, "dana@example.com", f"typo {n}")

    assert login(aws, "dana@example.com", PASSWORD)[0] == 200


def test_an_ipv6_network_is_one_source_however_many_addresses_it_rotates_through(
    aws: LocalAws, dana: StaffUser
) -> None:
    # Thirty guesses, each from another address of one /64, against accounts that do not exist
    for n in range(30):
        assert login(aws, f"user{n}@example.com", "guess", source=f"2001:db8:1:2::{n + 1:x}")[0] == 401

    assert login(aws, "dana@example.com", PASSWORD, source="2001:db8:1:2:ffff:ffff:ffff:ffff")[0] == 429
    assert login(aws, "dana@example.com", PASSWORD, source="2001:db8:1:3::1")[0] == 200  # the next /64 is another


def test_an_invalid_login_body_is_a_400_naming_the_field(aws: LocalAws) -> None:
    status, body = login(aws, "not an email", PASSWORD)

    assert status == 400
    assert body["error"] == "invalid_request"
    assert "email" in str(body["message"])


def me(aws: LocalAws, user: StaffUser) -> HttpResult:
    caller = Principal(user_id=user.id, role=user.role, name=user.name, email=user.email)
    return call_http("auth", http_event("http_me", origin_secret=aws.origin_secret, principal=caller))


@pytest.fixture
def fresh_preferences(aws: LocalAws) -> None:
    current("deskless.preferences").forget_cached()


def test_me_answers_the_callers_own_profile_with_the_global_code_limit_and_the_console_settings(
    aws: LocalAws, dana: StaffUser, fresh_preferences: None
) -> None:
    response = me(aws, dana)

    assert response.status == 200
    assert response.json() == {**dana.model_dump(mode="json"), "code_limit": 8, "console": CONSOLE_DEFAULTS}


def test_me_follows_the_admin_settings_and_the_callers_own_code_limit(
    aws: LocalAws, dana: StaffUser, fresh_preferences: None
) -> None:
    # Given an admin who changed the console settings and gave Dana her own code limit
    changed = {"chat_limit": 5, "channels_locked": True, "away_reasons": ["Training"], "code_limit": 4}
    update_preferences(changed)
    set_own_code_limit(dana.id, 12)
    current("deskless.preferences").forget_cached()  # the auth function's own cache is another Lambda's

    # When Dana asks who she is
    body = me(aws, dana).json()

    # Then her own limit wins over the global one, and the console settings are the admin's
    assert body["code_limit"] == 12
    assert body["console"] == {
        **CONSOLE_DEFAULTS,
        "chat_limit": 5,
        "channels_locked": True,
        "away_reasons": ["Training"],
    }


def test_me_names_the_assigned_channels(aws: LocalAws) -> None:
    operator = create_staff(
        "olga@example.com", "Olga Operator", Role.TECHNICIAN, PASSWORD, channels=[Channel.PHONE, Channel.CHAT]
    )

    assert me(aws, operator).json()["channels"] == ["chat", "phone"]


def test_me_reads_the_user_and_their_code_limit_in_one_request(
    aws: LocalAws, dana: StaffUser, fresh_preferences: None
) -> None:
    me(aws, dana)  # warm: the origin secret, and the preferences (cached for half a minute)

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert me(aws, dana).status == 200

    assert calls == {"BatchGetItem": 1}


def test_me_of_a_deactivated_user_is_403(aws: LocalAws, dana: StaffUser) -> None:
    update_staff(dana.id, active=False)

    response = me(aws, dana)

    assert (response.status, response.json()["error"]) == (403, "account_deactivated")


# --- a deactivated account ----------------------------------------------------------------------


def test_a_deactivated_user_with_the_right_password_is_told_so_and_gets_no_token(
    aws: LocalAws, dana: StaffUser
) -> None:
    update_staff(dana.id, active=False)

    status, body = login(aws, "dana@example.com", PASSWORD)

    assert status == 403
    assert body == {"error": "account_deactivated", "message": "This account is deactivated; ask an administrator."}


def test_a_deactivated_user_with_a_wrong_password_learns_nothing_more(aws: LocalAws, dana: StaffUser) -> None:
    update_staff(dana.id, active=False)

    assert login(aws, "dana@example.com", "not the password") == login(aws, "nobody@example.com", PASSWORD)
    assert login(aws, "dana@example.com", "not the password")[1]["error"] == "invalid_credentials"


def test_a_reactivated_user_signs_in_again(aws: LocalAws, dana: StaffUser) -> None:
    update_staff(dana.id, active=False)
    update_staff(dana.id, active=True)

    status, body = login(aws, "dana@example.com", PASSWORD)

    assert status == 200
    assert verify_token(str(body["token"])).user_id == dana.id


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
