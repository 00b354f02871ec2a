"""API keys: admins create, list and revoke them; an integration presents one (x-api-key) to
create reusable invitation links to an operator. Keys are stored hashed and shown once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest

from deskless.auth import Role
from deskless.data import deserialize, table
from deskless.table import api_key_key
from deskless.users import StaffUser, create_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, HttpResult, current
from tests.integration.test_invitations import NO_LONGER_VALID, InvitationsApi

INVALID_KEY = {"error": "invalid_api_key", "message": "The API key is missing or not valid."}


@pytest.fixture
def invitations(aws: LocalAws) -> InvitationsApi:
    return InvitationsApi(aws)


@pytest.fixture
def operator(aws: LocalAws) -> StaffUser:
    return create_staff("olga@example.com", "Olga Operator", Role.TECHNICIAN, "a long enough password")


def new_key(invitations: InvitationsApi, name: str = "CRM integration") -> dict[str, str]:
    response = invitations.create_key(name)
    assert response.status == 201, response.body
    return dict(response.json())


def test_an_admin_creates_a_key_that_is_shown_once_and_listed_without_its_secret(invitations: InvitationsApi) -> None:
    # When an admin creates a key
    created = new_key(invitations, "CRM integration")

    # Then it reads dsk_<id>_<secret>, and the list names it without any secret
    key_id, secret = created["id"], created["key"].split("_", 2)[2]
    assert created["key"] == f"dsk_{key_id}_{secret}"
    assert len(key_id) == 12
    assert len(secret) >= 43  # 256 random bits
    listed = invitations.list_keys()
    assert listed.status == 200
    assert listed.json() == [
        {
            "id": key_id,
            "name": "CRM integration",
            "created_at": created["created_at"],
            "created_by": "a0a0a0a0a0a0a0a0",
            "created_by_name": "Ada Admin",
            "revoked": False,
            "revoked_at": None,
            "last_used_at": None,
        }
    ]
    assert secret not in listed.body


def test_the_table_holds_only_a_hash_of_the_secret(aws: LocalAws, invitations: InvitationsApi) -> None:
    created = new_key(invitations)
    secret = created["key"].split("_", 2)[2]

    raw = aws.client("dynamodb").scan(TableName=aws.names.table)["Items"]  # a test may scan; requests may not

    stored = json.dumps([deserialize(item) for item in raw])
    assert secret not in stored
    assert created["key"] not in stored
    item = table().get(api_key_key(created["id"]))
    assert item is not None
    assert item["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()


def test_keys_are_listed_newest_first(invitations: InvitationsApi) -> None:
    first, second = new_key(invitations, "first"), new_key(invitations, "second")
    a_minute_earlier = int(second["created_at"]) - 60  # both were made within a second
    table().update(
        api_key_key(first["id"]),
        set_values={"created_at": a_minute_earlier, "gsi1sk": f"{a_minute_earlier:010d}#{first['id']}"},
    )

    assert [key["name"] for key in invitations.list_keys().json()] == ["second", "first"]


def test_a_keys_invitation_is_reusable_and_counts_its_uses(invitations: InvitationsApi, operator: StaffUser) -> None:
    key = new_key(invitations)

    # When the integration creates a link to the operator
    response = invitations.create_with_key(key["key"], operator_email="OLGA@example.com", label="from the CRM")

    # Then it is a reusable link to that operator, made by that key
    assert response.status == 201
    invitation = response.json()
    assert (invitation["state"], invitation["reusable"], invitation["use_count"]) == ("reusable", True, 0)
    assert (invitation["operator_id"], invitation["operator_name"]) == (operator.id, "Olga Operator")
    assert invitation["created_via"] == f"api:{key['id']}"
    assert invitation["url"].endswith(f"/invite/{invitation['token']}")
    # which two visitors use, one after the other
    first, second = invitations.accept(invitation["token"]), invitations.accept(invitation["token"], name="Vic")
    assert (first.status, second.status) == (201, 201)
    assert first.json()["session_id"] != second.json()["session_id"]
    assert first.json()["technician_name"] == "Olga Operator"
    operator_principal = TECHNICIAN.model_copy(update={"user_id": operator.id, "name": operator.name})
    listed = invitations.listing(operator_principal).json()
    assert [(item["state"], item["use_count"]) for item in listed] == [("reusable", 2)]
    # and the key shows when it was last used
    assert invitations.list_keys().json()[0]["last_used_at"] == invitation["created_at"]


def test_a_reusable_link_used_twice_then_invalidated_is_refused(
    invitations: InvitationsApi, operator: StaffUser
) -> None:
    key = new_key(invitations)
    token = invitations.create_with_key(key["key"], operator_email=operator.email).json()["token"]
    assert [invitations.accept(token).status for _ in range(2)] == [201, 201]
    operator_principal = TECHNICIAN.model_copy(update={"user_id": operator.id, "name": operator.name})

    invalidated = invitations.invalidate(token, caller=operator_principal).json()
    assert (invalidated["state"], invalidated["use_count"]) == ("invalidated", 2)

    refused = invitations.accept(token)
    assert (refused.status, refused.json()) == (410, NO_LONGER_VALID)


def test_a_revoked_key_is_refused_and_stays_in_the_list(invitations: InvitationsApi, operator: StaffUser) -> None:
    key = new_key(invitations)

    revoked = invitations.revoke_key(key["id"])

    assert revoked.status == 200
    assert revoked.json()["revoked"] is True
    refused = invitations.create_with_key(key["key"], operator_email=operator.email)
    assert (refused.status, refused.json()) == (401, INVALID_KEY)
    assert [(k["id"], k["revoked"]) for k in invitations.list_keys().json()] == [(key["id"], True)]
    assert invitations.revoke_key(key["id"]).json() == revoked.json()  # revoking again changes nothing


def test_links_made_before_a_key_was_revoked_keep_working(invitations: InvitationsApi, operator: StaffUser) -> None:
    key = new_key(invitations)
    token = invitations.create_with_key(key["key"], operator_email=operator.email).json()["token"]

    invitations.revoke_key(key["id"])

    assert invitations.accept(token).status == 201


@pytest.mark.parametrize(
    "presented",
    [
        None,
        "",
        "not a key",
        "dsk_000000000000_" + "A" * 43,  # well formed, unknown id
        "WRONG_SECRET",
        "dsk_short_secret",
    ],
    ids=["missing", "empty", "malformed", "unknown", "wrong-secret", "bad-shape"],
)
def test_anything_but_a_valid_key_is_the_same_401(
    invitations: InvitationsApi, operator: StaffUser, presented: str | None
) -> None:
    key = new_key(invitations)
    if presented == "WRONG_SECRET":
        presented = f"dsk_{key['id']}_" + "B" * 43

    response = invitations.create_with_key(presented, operator_email=operator.email)

    assert (response.status, response.json()) == (401, INVALID_KEY)
    assert invitations.listing(TECHNICIAN.model_copy(update={"user_id": operator.id})).json() == []


def test_a_key_is_checked_before_the_body(invitations: InvitationsApi) -> None:
    response = invitations.create_with_key("not a key", operator_email="not an email")

    assert (response.status, response.json()) == (401, INVALID_KEY)


def test_a_link_to_someone_who_is_not_an_operator_is_a_404(invitations: InvitationsApi) -> None:
    key = new_key(invitations)

    response = invitations.create_with_key(key["key"], operator_email="nobody@example.com")

    assert (response.status, response.json()["error"]) == (404, "operator_not_found")


def test_an_invalid_body_from_a_valid_key_is_a_400(invitations: InvitationsApi, operator: StaffUser) -> None:
    key = new_key(invitations)

    response = invitations.create_with_key(key["key"], operator_email=operator.email, label="x" * 81)

    assert (response.status, response.json()["error"]) == (400, "invalid_request")


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.create_key(caller=TECHNICIAN),
        lambda api: api.list_keys(caller=TECHNICIAN),
        lambda api: api.revoke_key("0123456789ab", caller=TECHNICIAN),
    ],
    ids=["create", "list", "revoke"],
)
def test_a_technician_may_not_manage_keys(
    invitations: InvitationsApi, call: Callable[[InvitationsApi], HttpResult]
) -> None:
    response = call(invitations)

    assert (response.status, response.json()["error"]) == (403, "forbidden")
    assert invitations.list_keys().json() == []


@pytest.mark.parametrize("key_id", ["0123456789ab", "not-a-key-id"], ids=["unknown", "malformed"])
def test_revoking_an_unknown_key_is_a_404(invitations: InvitationsApi, key_id: str) -> None:
    response = invitations.revoke_key(key_id)

    assert (response.status, response.json()["error"]) == (404, "not_found")
    assert invitations.list_keys().json() == []


@pytest.mark.parametrize("name", ["", "  ", "x" * 81], ids=["empty", "spaces", "too-long"])
def test_a_key_needs_a_name_of_1_to_80_characters(invitations: InvitationsApi, name: str) -> None:
    response = invitations.create_key(name)

    assert (response.status, response.json()["error"]) == (400, "invalid_request")


def test_checking_a_key_and_creating_a_link_reads_the_key_once(
    invitations: InvitationsApi, operator: StaffUser
) -> None:
    key = new_key(invitations)
    invitations.create_with_key(key["key"], operator_email=operator.email)  # warm

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        assert invitations.create_with_key(key["key"], operator_email=operator.email).status == 201

    # key, email -> user id, user; then the link and the key's last use in one transaction
    assert calls == {"GetItem": 3, "TransactWriteItems": 1}
