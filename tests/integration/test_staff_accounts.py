"""Admins change staff users through the staff function (PATCH /api/staff/{user_id}): name, role,
assigned channels, active and their own code limit; a field left out stays as it is.
Deactivating a user shuts them out at once: sign-in is refused, both authorizers refuse their
tokens, their open consoles are closed, no portal offers them any more and they leave every team
they were in. An admin cannot lock themselves out."""

from __future__ import annotations

from typing import Any

import pytest

from deskless.auth import Principal, Role, issue_token
from deskless.data import table
from deskless.presence import get_presence, heartbeat
from deskless.realtime import save_connection
from deskless.table import code_limit_key, membership_key, user_key
from deskless.teams import NewTeam, Team, TeamChange, create_team, team_of, teams_of_member, update_team
from deskless.users import StaffUser, create_staff, get_staff, list_staff, set_own_code_limit
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ConnectionsStub, HttpResult, call_http, current, http_event, invoke
from tests.integration.test_authorizers import http_request, websocket_request

PASSWORD = "a long enough password"


def as_principal(user: StaffUser) -> Principal:
    return Principal(user_id=user.id, role=user.role, name=user.name, email=user.email)


@pytest.fixture
def ada(aws: LocalAws) -> Principal:
    """The admin making the changes, stored."""
    return as_principal(create_staff("ada@example.com", "Ada Admin", Role.ADMIN, PASSWORD))


@pytest.fixture
def theo(aws: LocalAws) -> StaffUser:
    return create_staff("theo@example.com", "Theo Tech", Role.TECHNICIAN, PASSWORD)


def patch(aws: LocalAws, user_id: str, body: Any, caller: Principal) -> HttpResult:
    event = http_event(
        "http_staff_create",
        origin_secret=aws.origin_secret,
        principal=caller,
        body=body,
        route_key=f"PATCH /api/staff/{user_id}",
    )
    return call_http("staff", event)


def login(aws: LocalAws, email: str, password: str = PASSWORD) -> HttpResult:
    body = {"email": email, "password": password}
    return call_http("auth", http_event("http_login", origin_secret=aws.origin_secret, body=body))


# --- changing a user --------------------------------------------------------------------------


def test_an_admin_renames_a_user_and_the_list_stays_sorted_by_the_new_name(
    aws: LocalAws, ada: Principal, theo: StaffUser
) -> None:
    response = patch(aws, theo.id, {"name": "  Aaron Tech "}, ada)

    assert response.status == 200
    assert response.json() == {**theo.model_dump(mode="json"), "name": "Aaron Tech", "code_limit": None}
    assert [user.name for user in list_staff()] == ["Aaron Tech", "Ada Admin"]


def test_a_field_left_out_stays_as_it_is(aws: LocalAws, ada: Principal, theo: StaffUser) -> None:
    set_own_code_limit(theo.id, 4)

    response = patch(aws, theo.id, {"channels": ["chat"]}, ada)

    assert response.json() == {**theo.model_dump(mode="json"), "channels": ["chat"], "code_limit": 4}
    assert table().get(code_limit_key(theo.id)) is not None


def test_an_admin_promotes_a_technician_who_may_then_administer(aws: LocalAws, ada: Principal, theo: StaffUser) -> None:
    response = patch(aws, theo.id, {"role": "admin"}, ada)

    assert (response.status, response.json()["role"]) == (200, "admin")
    stored = get_staff(theo.id)
    assert stored is not None
    assert stored.role == Role.ADMIN
    # an old technician token now speaks for an admin (the authorizer reads the stored role)
    token = issue_token(as_principal(theo))[0]
    promoted = Principal.from_context(invoke("http_authorizer", http_request(f"Bearer {token}"))["context"])
    assert patch(aws, ada.user_id, {"channels": ["email"]}, promoted).status == 200


def test_an_admin_demotes_another_admin(aws: LocalAws, ada: Principal) -> None:
    other = create_staff("otto@example.com", "Otto Admin", Role.ADMIN, PASSWORD)

    response = patch(aws, other.id, {"role": "technician"}, ada)

    assert (response.status, response.json()["role"]) == (200, "technician")


@pytest.mark.parametrize(
    ("channels", "stored"),
    [
        (["phone", "chat"], ["chat", "phone"]),
        (["email", "email", "email"], ["email"]),
        ([], []),
        (["chat", "email", "phone"], ["chat", "email", "phone"]),
    ],
)
def test_assigned_channels_are_set_each_once(
    aws: LocalAws, ada: Principal, theo: StaffUser, channels: list[str], stored: list[str]
) -> None:
    response = patch(aws, theo.id, {"channels": channels}, ada)

    assert (response.status, response.json()["channels"]) == (200, stored)
    user = get_staff(theo.id)
    assert user is not None
    assert user.channels == stored


def test_several_fields_change_at_once(aws: LocalAws, ada: Principal, theo: StaffUser) -> None:
    body = {"name": "Theo Thorough", "role": "admin", "channels": ["phone"], "code_limit": 20}

    response = patch(aws, theo.id, body, ada)

    assert response.json() == {**theo.model_dump(mode="json"), **body}
    assert table().get(code_limit_key(theo.id)) == {
        **code_limit_key(theo.id),
        "type": "code_limit",
        "user_id": theo.id,
        "limit": 20,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["chat", "fax"]}, "channels.1"),
        ({"channels": "chat"}, "channels"),
        ({"channels": None}, "channels"),
        ({"role": "contact"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"role": None}, "role"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"active": "no"}, "active"),
        ({"active": 0}, "active"),
        ({"active": None}, "active"),
        ({"code_limit": 0}, "code_limit"),
        ({"email": "new@example.com"}, "email"),
        ({"password": "a new long password"}, "password"),
        ({}, "body"),
    ],
)
def test_an_invalid_change_is_a_400_naming_the_field_and_nothing_changes(
    aws: LocalAws, ada: Principal, theo: StaffUser, body: dict[str, Any], field: str
) -> None:
    response = patch(aws, theo.id, body, ada)

    assert response.status == 400
    assert response.json()["error"] == "invalid_request"
    assert [detail["field"] for detail in response.json()["details"]] == [field]
    assert get_staff(theo.id) == theo


def test_changing_an_unknown_user_is_a_404_and_stores_nothing(aws: LocalAws, ada: Principal) -> None:
    for body in ({"name": "Nobody"}, {"code_limit": 3}, {"active": False}):
        response = patch(aws, "0000000000000000", body, ada)

        assert (response.status, response.json()["error"]) == (404, "not_found")
    assert table().get(user_key("0000000000000000")) is None
    assert table().get(code_limit_key("0000000000000000")) is None


def test_a_technician_may_not_change_anyone_not_even_themselves(aws: LocalAws, theo: StaffUser) -> None:
    response = patch(aws, theo.id, {"role": "admin"}, as_principal(theo))

    assert (response.status, response.json()["error"]) == (403, "forbidden")
    assert get_staff(theo.id) == theo


# --- an admin cannot lock themselves out ------------------------------------------------------------


@pytest.mark.parametrize("body", [{"active": False}, {"role": "technician"}, {"name": "Ada", "active": False}])
def test_an_admin_cannot_deactivate_or_demote_themselves(aws: LocalAws, ada: Principal, body: dict[str, Any]) -> None:
    response = patch(aws, ada.user_id, body, ada)

    assert response.status == 409
    assert response.json()["error"] == "cannot_change_self"
    assert "yourself" in response.json()["message"]
    stored = get_staff(ada.user_id)
    assert stored is not None
    assert (stored.name, stored.role, stored.active) == ("Ada Admin", Role.ADMIN, True)
    assert login(aws, "ada@example.com").status == 200


def test_an_admin_may_change_the_rest_of_their_own_account(aws: LocalAws, ada: Principal) -> None:
    response = patch(aws, ada.user_id, {"name": "Ada Lovelace", "channels": [], "active": True, "role": "admin"}, ada)

    assert response.status == 200
    assert (response.json()["name"], response.json()["channels"]) == ("Ada Lovelace", [])


# --- deactivation --------------------------------------------------------------------------------


def test_deactivating_shuts_a_user_out_at_once_and_reactivating_lets_them_back_in(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    # Given Theo signed in, with two consoles open and sending heartbeats
    token = login(aws, theo.email).json()["token"]
    for connection_id in ("theo-console-1", "theo-console-2"):
        save_connection(connection_id, as_principal(theo))
    heartbeat(theo.id)
    assert get_presence(theo.id).heartbeat_at > 0

    # When an admin deactivates him
    response = patch(aws, theo.id, {"active": False}, ada)

    # Then he is shown as inactive
    assert (response.status, response.json()["active"]) == (200, False)
    # and both his consoles are closed, and no portal counts him as available
    assert sorted(connections.deletes) == ["theo-console-1", "theo-console-2"]
    assert get_presence(theo.id).heartbeat_at == 0
    # and his token opens neither the HTTP API nor a WebSocket
    assert invoke("http_authorizer", http_request(f"Bearer {token}")) == {"isAuthorized": False}
    denied = invoke("websocket_authorizer", websocket_request(token))
    assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    # and signing in again is refused, saying why
    refused = login(aws, theo.email)
    assert (refused.status, refused.json()["error"]) == (403, "account_deactivated")

    # When he is reactivated
    assert patch(aws, theo.id, {"active": True}, ada).json()["active"] is True

    # Then he signs in again, and his tokens work
    again = login(aws, theo.email)
    assert again.status == 200
    assert invoke("http_authorizer", http_request(f"Bearer {again.json()['token']}"))["isAuthorized"] is True


def test_deactivating_a_user_without_open_consoles_closes_nothing(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    response = patch(aws, theo.id, {"active": False}, ada)

    assert response.status == 200
    assert connections.deletes == []


def test_a_console_already_gone_does_not_stop_the_deactivation(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    save_connection("theo-gone", as_principal(theo))
    save_connection("theo-open", as_principal(theo))
    connections.gone.add("theo-gone")

    response = patch(aws, theo.id, {"active": False}, ada)

    assert response.status == 200
    assert sorted(connections.deletes) == ["theo-gone", "theo-open"]
    user = get_staff(theo.id)
    assert user is not None
    assert user.active is False


def stored(team_id: str) -> Team:
    found = team_of(team_id)
    assert found is not None
    return found


def test_a_deactivated_user_leaves_every_team_in_the_same_request_and_the_others_stay(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    # Given Theo in two teams, one of them with Mia, and Mia in a team of her own
    mia = create_staff("mia@example.com", "Mia Moe", Role.TECHNICIAN, PASSWORD)
    printers = create_team(NewTeam(name="Printers", members=[theo.id, mia.id]))
    network = create_team(NewTeam(name="Network", members=[theo.id]))
    apps = create_team(NewTeam(name="Apps", members=[mia.id]))
    patch(aws, theo.id, {"name": "Theo Tech"}, ada)  # warm: the first call also reads the origin secret

    # When an admin deactivates him
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        response = patch(aws, theo.id, {"active": False}, ada)

    # Then he is in no team: each is changed as an admin's edit would, and Mia's copies follow
    assert response.status == 200
    assert teams_of_member(theo.id) == []
    assert (stored(printers.id).members, stored(printers.id).revision) == (frozenset({mia.id}), 2)
    assert stored(network.id).members == frozenset()
    assert table().get(membership_key(theo.id, printers.id)) is None
    assert [(team.name, sorted(team.members)) for team in teams_of_member(mia.id)] == [
        ("Apps", [mia.id]),
        ("Printers", [mia.id]),
    ]
    assert team_of(apps.id) == apps
    # in one request: the user, their code limit, their teams (one Query, a transaction a team),
    # their consoles and their presence
    assert calls == {"UpdateItem": 2, "BatchGetItem": 1, "Query": 2, "TransactWriteItems": 2}


def test_a_team_changed_meanwhile_is_read_again_and_left_all_the_same(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    # Given Theo's copy of a team older than the team (as a Query may read it in AWS)
    mia = create_staff("mia@example.com", "Mia Moe", Role.TECHNICIAN, PASSWORD)
    team = create_team(NewTeam(name="Printers", members=[theo.id]))
    stale = table().get(membership_key(theo.id, team.id))
    assert stale is not None
    update_team(team.id, TeamChange(members=[theo.id, mia.id]))
    table().put(stale)

    # When he is deactivated
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        current("deskless.teams").leave_teams(theo.id)

    # Then the first try is refused, the team read again, and he leaves it keeping Mia's change
    assert calls == {"Query": 1, "TransactWriteItems": 2, "GetItem": 1}
    assert (stored(team.id).members, stored(team.id).revision) == (frozenset({mia.id}), 3)
    assert teams_of_member(theo.id) == []


def test_reactivating_a_user_puts_them_in_no_team_again(aws: LocalAws, ada: Principal, theo: StaffUser) -> None:
    team = create_team(NewTeam(name="Printers", members=[theo.id]))
    patch(aws, theo.id, {"active": False}, ada)

    patch(aws, theo.id, {"active": True}, ada)

    assert teams_of_member(theo.id) == []
    assert stored(team.id).members == frozenset()


def test_other_changes_close_no_console(
    aws: LocalAws, ada: Principal, theo: StaffUser, connections: ConnectionsStub
) -> None:
    save_connection("theo-console", as_principal(theo))

    patch(aws, theo.id, {"name": "Theo Renamed", "channels": ["chat"], "active": True}, ada)

    assert connections.deletes == []
