"""The staff function: admins create and list staff users (each with their assigned channels and
their own code limit); nobody else may. Changing users: test_staff_accounts.py."""

from __future__ import annotations

from typing import Any

import pytest

from deskless.auth import Principal, Role, verify_password
from deskless.data import table
from deskless.table import email_key, user_key
from deskless.users import set_own_code_limit
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event

NEW = {"email": "theo@example.com", "name": "Theo Tech", "role": "technician", "password": "a long first password"}


def create(aws: LocalAws, body: Any, caller: Principal = ADMIN) -> HttpResult:
    event = http_event("http_staff_create", origin_secret=aws.origin_secret, principal=caller, body=body)
    return call_http("staff", event)


def listing(aws: LocalAws, caller: Principal = ADMIN) -> HttpResult:
    return call_http("staff", http_event("http_staff_list", origin_secret=aws.origin_secret, principal=caller))


def test_an_admin_creates_a_technician_who_then_appears_in_the_list(aws: LocalAws) -> None:
    response = create(aws, NEW)

    assert response.status == 201
    user = response.json()
    assert {key: user[key] for key in ("email", "name", "role")} == {
        "email": "theo@example.com",
        "name": "Theo Tech",
        "role": "technician",
    }
    assert listing(aws).json() == [user]


def test_the_password_is_stored_as_an_argon2id_hash_and_never_returned(aws: LocalAws) -> None:
    created = create(aws, NEW)
    listed = listing(aws)

    stored = table().get(user_key(created.json()["id"]))
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert verify_password(stored["password_hash"], NEW["password"])
    for body in (created.body, listed.body):
        assert "password" not in body
        assert NEW["password"] not in body


def test_the_list_is_sorted_by_name_whatever_the_case(aws: LocalAws) -> None:
    for n, name in enumerate(["Zoe Zed", "adam Ant", "Mia Moe"]):
        assert create(aws, {**NEW, "email": f"user{n}@example.com", "name": name}).status == 201

    assert [user["name"] for user in listing(aws).json()] == ["adam Ant", "Mia Moe", "Zoe Zed"]


def test_the_list_shows_each_users_own_code_limit_or_null_for_the_global_one(aws: LocalAws) -> None:
    theo = create(aws, NEW).json()
    mia = create(aws, {**NEW, "email": "mia@example.com", "name": "Mia Moe"}).json()
    set_own_code_limit(theo["id"], 3)

    limits = {user["name"]: user["code_limit"] for user in listing(aws).json()}

    assert limits == {"Theo Tech": 3, "Mia Moe": None}
    assert mia["code_limit"] is None


def test_listing_staff_is_one_query_and_one_batch_read_whatever_their_number(aws: LocalAws) -> None:
    for n in range(3):
        create(aws, {**NEW, "email": f"user{n}@example.com"})
    listing(aws)  # warm: the first call also reads the origin secret

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert len(listing(aws).json()) == 3

    assert calls == {"Query": 1, "BatchGetItem": 1}


def test_a_new_user_has_every_channel_unless_told_otherwise(aws: LocalAws) -> None:
    everything = create(aws, NEW).json()
    phone_only = create(aws, {**NEW, "email": "pia@example.com", "channels": ["phone", "phone"]}).json()
    none = create(aws, {**NEW, "email": "nia@example.com", "channels": []}).json()

    assert everything["channels"] == ["chat", "email", "phone"]
    assert phone_only["channels"] == ["phone"]
    assert none["channels"] == []
    assert {user["email"]: user["channels"] for user in listing(aws).json()} == {
        "theo@example.com": ["chat", "email", "phone"],
        "pia@example.com": ["phone"],
        "nia@example.com": [],
    }
    assert everything["active"] is True


@pytest.mark.parametrize("request_", [listing, lambda aws, caller: create(aws, NEW, caller)], ids=["list", "create"])
def test_a_technician_is_forbidden(aws: LocalAws, request_: Any) -> None:
    response = request_(aws, caller=TECHNICIAN)

    assert response.status == 403
    assert response.json()["error"] == "forbidden"
    assert table().get(email_key(NEW["email"])) is None


def test_without_a_caller_it_is_unauthorized(aws: LocalAws) -> None:
    event = http_event("http_staff_list", origin_secret=aws.origin_secret)
    del event["requestContext"]["authorizer"]

    response = call_http("staff", event)

    assert response.status == 401


def test_an_email_already_taken_in_any_case_is_refused_and_nothing_is_stored_twice(aws: LocalAws) -> None:
    # Given a technician
    first = create(aws, NEW)
    assert first.status == 201

    # When another user is created with the same email in other letters
    second = create(aws, {**NEW, "email": "Theo@Example.com", "name": "Theo Two"})

    # Then it is refused, and the list still holds the first only
    assert second.status == 409
    assert second.json()["error"] == "email_taken"
    assert listing(aws).json() == [first.json()]
    guard = table().get(email_key(NEW["email"]))
    assert guard is not None
    assert guard["user_id"] == first.json()["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "too short"}, "password"),
        ({"email": "theo.example.com"}, "email"),
        ({"role": "contact"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"channels": ["fax"]}, "channels.0"),
        ({"channels": "chat"}, "channels"),
    ],
)
def test_an_invalid_new_user_is_a_400_naming_the_field(aws: LocalAws, change: dict[str, str], field: str) -> None:
    response = create(aws, {**NEW, **change})

    assert response.status == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [detail["field"] for detail in body["details"]] == [field]
    assert field in body["message"]
    assert listing(aws).json() == []


@pytest.mark.parametrize("field", ["email", "name", "role", "password"])
def test_a_new_user_without_a_required_field_is_a_400_naming_it(aws: LocalAws, field: str) -> None:
    response = create(aws, {key: value for key, value in NEW.items() if key != field})

    assert response.status == 400
    assert field in response.json()["message"]


def test_a_name_of_only_spaces_is_refused(aws: LocalAws) -> None:
    response = create(aws, {**NEW, "name": "   "})

    assert response.status == 400
    assert listing(aws).json() == []


def test_a_name_is_stored_without_surrounding_spaces(aws: LocalAws) -> None:
    response = create(aws, {**NEW, "name": "  Theo Tech  "})

    assert response.json()["name"] == "Theo Tech"


def test_an_admin_can_create_another_admin_who_may_then_list_staff(aws: LocalAws) -> None:
    created = create(aws, {**NEW, "role": "admin"}).json()
    new_admin = Principal(user_id=created["id"], role=Role.ADMIN, name=created["name"], email=created["email"])

    assert listing(aws, caller=new_admin).status == 200
