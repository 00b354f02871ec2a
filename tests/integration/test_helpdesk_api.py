"""The helpdesk function: admins set up teams (unique names, active staff as members, a staff
user's teams in one Query), ticket categories with their fields and a default team (a team in use
cannot be deleted), and product areas; staff read them; each list is one DynamoDB request.

The handler runs in this process with real-shaped HTTP API events (events/) against moto; each
operation's DynamoDB requests are counted as they would be made in AWS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.users import create_staff, update_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, add_staff, call_http, current, http_event, ok, refused


class HelpdeskApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret

    def call(
        self, route_key: str, *, caller: Principal = ADMIN, body: Any = None, query: dict[str, str] | None = None
    ) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key)
        if body is None:
            event.pop("body", None)
        if query:
            event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
            event["queryStringParameters"] = query
        return call_http("helpdesk", event)


@contextmanager
def dynamodb_requests() -> Iterator[Counter[str]]:
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        yield calls


@pytest.fixture
def api(aws: LocalAws) -> HelpdeskApi:
    add_staff(ADMIN, TECHNICIAN)
    return HelpdeskApi(aws)


def staff(name: str) -> str:
    return create_staff(f"{name.split()[0].lower()}@example.com", name, Role.TECHNICIAN, "a long password").id


def choice_field(key: str = "os", required: bool = True) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "single_choice",
        "labels": {"en": "Operating system", "de": "Betriebssystem"},
        "help": {"en": "The one the problem shows on"},
        "required": required,
        "choices": [
            {"key": "windows", "labels": {"en": "Windows"}},
            {"key": "linux", "labels": {"en": "Linux"}},
        ],
    }


def category(name: str = "Software", **more: Any) -> dict[str, Any]:
    return {"name": name, "labels": {"en": name, "es": f"{name} (es)"}, "fields": [choice_field()], **more}


# --- teams ----------------------------------------------------------------------------------------


def test_an_admin_creates_a_team_with_members_and_staff_read_it(api: HelpdeskApi) -> None:
    ann, bob = staff("Ann Agent"), staff("Bob Builder")

    with dynamodb_requests() as calls:
        team = ok(api.call("POST /api/teams", body={"name": "Second line", "members": [ann, bob, ann]}), 201)

    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert team["name"] == "Second line"
    assert sorted(team["members"]) == sorted([ann, bob])
    assert ok(api.call(f"GET /api/teams/{team['id']}", caller=TECHNICIAN)) == team


def test_teams_are_listed_by_name_in_one_query(api: HelpdeskApi) -> None:
    for name in ("network", "Billing", "apps"):
        ok(api.call("POST /api/teams", body={"name": name}), 201)

    with dynamodb_requests() as calls:
        listed = ok(api.call("GET /api/teams", caller=TECHNICIAN))

    assert calls == {"Query": 1}
    assert [team["name"] for team in listed] == ["apps", "Billing", "network"]


def test_a_staff_users_teams_are_one_query_and_follow_every_change(api: HelpdeskApi) -> None:
    teams = current("deskless.teams")
    ann, bob = staff("Ann Agent"), staff("Bob Builder")
    first = ok(api.call("POST /api/teams", body={"name": "First line", "members": [ann]}), 201)
    second = ok(api.call("POST /api/teams", body={"name": "Apps", "members": [ann, bob]}), 201)

    with dynamodb_requests() as calls:
        mine = teams.teams_of_member(ann)

    assert calls == {"Query": 1}
    assert [(team.name, team.members) for team in mine] == [("Apps", {ann, bob}), ("First line", {ann})]

    ok(api.call(f"PATCH /api/teams/{second['id']}", body={"name": "Applications", "members": [bob]}))

    assert [team.name for team in teams.teams_of_member(ann)] == ["First line"]
    assert [(team.name, team.members) for team in teams.teams_of_member(bob)] == [("Applications", {bob})]

    ok(api.call(f"DELETE /api/teams/{first['id']}"), 204)

    assert teams.teams_of_member(ann) == []
    assert teams.team_of(first["id"]) is None


def test_a_team_name_is_unique_whatever_its_case(api: HelpdeskApi) -> None:
    ok(api.call("POST /api/teams", body={"name": "Network"}), 201)
    other = ok(api.call("POST /api/teams", body={"name": "Apps"}), 201)

    assert refused(api.call("POST /api/teams", body={"name": "  network "})) == (409, "team_name_taken")
    assert refused(api.call(f"PATCH /api/teams/{other['id']}", body={"name": "NETWORK"})) == (409, "team_name_taken")
    assert [team["name"] for team in ok(api.call("GET /api/teams"))] == ["Apps", "Network"]


def test_a_renamed_team_frees_its_old_name_and_keeps_its_own_in_another_case(api: HelpdeskApi) -> None:
    team = ok(api.call("POST /api/teams", body={"name": "Network"}), 201)

    assert ok(api.call(f"PATCH /api/teams/{team['id']}", body={"name": "NETWORK"}))["name"] == "NETWORK"
    ok(api.call(f"PATCH /api/teams/{team['id']}", body={"name": "Infrastructure"}))

    assert ok(api.call("POST /api/teams", body={"name": "network"}), 201)["name"] == "network"


def test_a_member_must_be_an_active_staff_user(api: HelpdeskApi) -> None:
    ann = staff("Ann Agent")
    gone = staff("Gina Gone")
    update_staff(gone, active=False)

    for members in ([ann, "0123456789abcdef"], [ann, gone]):
        response = api.call("POST /api/teams", body={"name": "Apps", "members": members})
        assert refused(response) == (400, "invalid_request")
        assert members[1] in response.json()["message"]
    assert ok(api.call("GET /api/teams")) == []


def test_a_member_deactivated_later_may_stay_but_not_be_added_again(api: HelpdeskApi) -> None:
    ann, bob = staff("Ann Agent"), staff("Bob Builder")
    team = ok(api.call("POST /api/teams", body={"name": "Apps", "members": [ann]}), 201)
    update_staff(ann, active=False)

    renamed = ok(api.call(f"PATCH /api/teams/{team['id']}", body={"name": "Applications", "members": [ann, bob]}))
    assert sorted(renamed["members"]) == sorted([ann, bob])
    ok(api.call(f"PATCH /api/teams/{team['id']}", body={"members": [bob]}))

    assert refused(api.call(f"PATCH /api/teams/{team['id']}", body={"members": [bob, ann]})) == (400, "invalid_request")


def test_a_change_made_from_an_older_revision_is_refused(api: HelpdeskApi) -> None:
    team = ok(api.call("POST /api/teams", body={"name": "Apps"}), 201)
    ok(api.call(f"PATCH /api/teams/{team['id']}", body={"description": "Our apps", "revision": 1}))

    stale = api.call(f"PATCH /api/teams/{team['id']}", body={"description": "Mine", "revision": 1})

    assert refused(stale) == (409, "conflict")
    assert ok(api.call(f"GET /api/teams/{team['id']}"))["description"] == "Our apps"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "Apps", "members": "ann"},
        {"name": "Apps", "members": [f"{n:016x}" for n in range(41)]},
        {"name": "Apps", "colour": "red"},
        {"name": "line\nbreak"},
    ],
)
def test_an_invalid_team_is_a_400(api: HelpdeskApi, body: dict[str, Any]) -> None:
    assert refused(api.call("POST /api/teams", body=body)) == (400, "invalid_request")


def test_an_unknown_team_is_not_found(api: HelpdeskApi) -> None:
    for route_key, body in (
        ("GET /api/teams/0123456789abcdef", None),
        ("PATCH /api/teams/0123456789abcdef", {"name": "x"}),
        ("DELETE /api/teams/0123456789abcdef", None),
        ("GET /api/teams/not-an-id", None),
    ):
        assert refused(api.call(route_key, body=body)) == (404, "not_found")


@pytest.mark.parametrize(
    ("route_key", "body"),
    [
        ("POST /api/teams", {"name": "Apps"}),
        ("PATCH /api/teams/0123456789abcdef", {"name": "Apps"}),
        ("DELETE /api/teams/0123456789abcdef", None),
        ("POST /api/ticket-categories", {"name": "Software"}),
        ("PUT /api/ticket-categories/0123456789abcdef", {"name": "Software"}),
        ("DELETE /api/ticket-categories/0123456789abcdef", None),
        ("POST /api/product-areas", {"name": "Billing"}),
        ("PATCH /api/product-areas/0123456789abcdef", {"name": "Billing"}),
        ("DELETE /api/product-areas/0123456789abcdef", None),
    ],
)
def test_a_technician_reads_the_setup_but_may_not_change_it(api: HelpdeskApi, route_key: str, body: Any) -> None:
    assert refused(api.call(route_key, body=body, caller=TECHNICIAN)) == (403, "forbidden")


# --- ticket categories ----------------------------------------------------------------------------


def test_an_admin_creates_a_category_with_a_default_team_and_its_fields(api: HelpdeskApi) -> None:
    team = ok(api.call("POST /api/teams", body={"name": "Apps"}), 201)

    with dynamodb_requests() as calls:
        created = ok(api.call("POST /api/ticket-categories", body=category(default_team_id=team["id"])), 201)

    assert calls == {"TransactWriteItems": 1}
    assert created["default_team_id"] == team["id"]
    assert created["fields"][0]["choices"][1] == {"key": "linux", "labels": {"en": "Linux"}}
    assert created["revision"] == 1
    assert ok(api.call(f"GET /api/ticket-categories/{created['id']}", caller=TECHNICIAN)) == created
    found = current("deskless.categories").category_of(created["id"])
    assert found.fields[0].required is True


def test_categories_are_listed_in_order_in_one_query_and_a_form_gets_the_active_ones(api: HelpdeskApi) -> None:
    ok(api.call("POST /api/ticket-categories", body=category("Network", order=2)), 201)
    ok(api.call("POST /api/ticket-categories", body=category("Billing", order=1, active=False)), 201)
    ok(api.call("POST /api/ticket-categories", body=category("Apps", order=2)), 201)

    with dynamodb_requests() as calls:
        listed = ok(api.call("GET /api/ticket-categories", caller=TECHNICIAN))

    assert calls == {"Query": 1}
    assert [c["name"] for c in listed] == ["Billing", "Apps", "Network"]
    active = ok(api.call("GET /api/ticket-categories", query={"active_only": "true"}))
    assert [c["name"] for c in active] == ["Apps", "Network"]
    with dynamodb_requests() as calls:
        form = current("deskless.categories").list_categories(active_only=True)
    assert calls == {"Query": 1}
    assert [c.name for c in form] == ["Apps", "Network"]


def test_replacing_a_category_replaces_its_fields_and_moves_its_default_team(api: HelpdeskApi) -> None:
    apps = ok(api.call("POST /api/teams", body={"name": "Apps"}), 201)
    infra = ok(api.call("POST /api/teams", body={"name": "Infra"}), 201)
    created = ok(api.call("POST /api/ticket-categories", body=category(default_team_id=apps["id"])), 201)
    fields = [{"key": "seats", "kind": "number", "labels": {"en": "Seats"}, "minimum": 1}, choice_field("os", False)]

    with dynamodb_requests() as calls:
        replaced = ok(
            api.call(
                f"PUT /api/ticket-categories/{created['id']}",
                body=category(fields=fields, default_team_id=infra["id"], revision=1),
            )
        )

    assert calls == {"GetItem": 1, "TransactWriteItems": 1}
    assert [f["key"] for f in replaced["fields"]] == ["seats", "os"]
    assert replaced["revision"] == 2
    # the old default team is free to go; the new one is in use
    ok(api.call(f"DELETE /api/teams/{apps['id']}"), 204)
    assert refused(api.call(f"DELETE /api/teams/{infra['id']}")) == (409, "team_in_use")


def test_a_team_that_is_a_categorys_default_cannot_be_deleted_until_the_category_lets_go(api: HelpdeskApi) -> None:
    team = ok(api.call("POST /api/teams", body={"name": "Apps", "members": [staff("Ann Agent")]}), 201)
    created = ok(api.call("POST /api/ticket-categories", body=category(default_team_id=team["id"])), 201)

    response = api.call(f"DELETE /api/teams/{team['id']}")

    assert refused(response) == (409, "team_in_use")
    assert "choose another default team" in response.json()["message"]
    assert ok(api.call(f"GET /api/teams/{team['id']}"))["name"] == "Apps"

    ok(api.call(f"DELETE /api/ticket-categories/{created['id']}"), 204)

    ok(api.call(f"DELETE /api/teams/{team['id']}"), 204)
    assert refused(api.call(f"GET /api/teams/{team['id']}")) == (404, "not_found")


def test_a_default_team_that_does_not_exist_is_refused_and_nothing_is_stored(api: HelpdeskApi) -> None:
    response = api.call("POST /api/ticket-categories", body=category(default_team_id="0123456789abcdef"))

    assert refused(response) == (400, "invalid_request")
    assert "no team" in response.json()["message"]
    assert ok(api.call("GET /api/ticket-categories")) == []


def test_a_category_changed_meanwhile_is_not_overwritten(api: HelpdeskApi) -> None:
    created = ok(api.call("POST /api/ticket-categories", body=category()), 201)
    ok(api.call(f"PUT /api/ticket-categories/{created['id']}", body=category("Apps", revision=1)))

    stale = api.call(f"PUT /api/ticket-categories/{created['id']}", body=category("Mine", revision=1))

    assert refused(stale) == (409, "conflict")
    assert ok(api.call(f"GET /api/ticket-categories/{created['id']}"))["name"] == "Apps"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ([{**choice_field(), "choices": []}], "needs choices"),
        ([choice_field(), choice_field()], "repeated: os"),
        ([{**choice_field(), "labels": {"es": "Sistema"}}], "an English label is required"),
        ([{**choice_field(), "key": "OS!"}], "should match pattern"),
        ([{"key": "n", "kind": "number", "labels": {"en": "N"}, "minimum": 3, "maximum": 1}], "minimum"),
        ([{"key": "d", "kind": "time", "labels": {"en": "D"}}], "Input should be"),
    ],
)
def test_a_category_whose_fields_do_not_hold_together_is_a_400_saying_why(
    api: HelpdeskApi, fields: list[dict[str, Any]], problem: str
) -> None:
    response = api.call("POST /api/ticket-categories", body=category(fields=fields))

    assert refused(response) == (400, "invalid_request")
    assert problem in response.json()["message"]


def test_check_values_refuses_a_ticket_without_its_required_choice(api: HelpdeskApi) -> None:
    categories = current("deskless.categories")
    errors = current("deskless.errors")
    created = ok(api.call("POST /api/ticket-categories", body=category()), 201)
    stored = categories.category_of(created["id"])

    assert categories.check_values(stored, {"os": "linux"}) == {"os": "linux"}
    with pytest.raises(errors.InvalidFieldValues) as refused_values:
        categories.check_values(stored, {"os": "beos", "colour": "red"})
    assert refused_values.value.problems == {
        "colour": "Not a field of this category",
        "os": "Choose one of: windows, linux",
    }


def test_an_unknown_category_is_not_found(api: HelpdeskApi) -> None:
    assert refused(api.call("GET /api/ticket-categories/0123456789abcdef")) == (404, "not_found")
    assert refused(api.call("PUT /api/ticket-categories/0123456789abcdef", body=category())) == (404, "not_found")
    assert refused(api.call("DELETE /api/ticket-categories/0123456789abcdef")) == (404, "not_found")


# --- product areas --------------------------------------------------------------------------------


def test_an_admin_keeps_product_areas_and_staff_list_them_in_one_query(api: HelpdeskApi) -> None:
    billing = ok(api.call("POST /api/product-areas", body={"name": "Billing", "order": 2}), 201)
    ok(api.call("POST /api/product-areas", body={"name": "Accounts", "order": 2}), 201)
    mobile = ok(api.call("POST /api/product-areas", body={"name": "Mobile app", "order": 1}), 201)

    with dynamodb_requests() as calls:
        listed = ok(api.call("GET /api/product-areas", caller=TECHNICIAN))

    assert calls == {"Query": 1}
    assert [a["name"] for a in listed] == ["Mobile app", "Accounts", "Billing"]

    renamed = ok(api.call(f"PATCH /api/product-areas/{billing['id']}", body={"name": "Invoices", "order": 0}))
    ok(api.call(f"DELETE /api/product-areas/{mobile['id']}"), 204)

    assert renamed == {"id": billing["id"], "name": "Invoices", "order": 0}
    assert [a["name"] for a in ok(api.call("GET /api/product-areas"))] == ["Invoices", "Accounts"]
    assert refused(api.call(f"PATCH /api/product-areas/{mobile['id']}", body={"name": "x"})) == (404, "not_found")
    assert refused(api.call(f"DELETE /api/product-areas/{mobile['id']}")) == (404, "not_found")


def test_check_product_areas_refuses_unknown_ones_in_one_query(api: HelpdeskApi) -> None:
    categories = current("deskless.categories")
    errors = current("deskless.errors")
    billing = ok(api.call("POST /api/product-areas", body={"name": "Billing"}), 201)

    with dynamodb_requests() as calls:
        assert categories.check_product_areas([billing["id"], billing["id"]]) == [billing["id"]]
    assert calls == {"Query": 1}
    with pytest.raises(errors.InvalidFieldValues) as unknown:
        categories.check_product_areas([billing["id"], "0123456789abcdef"])
    assert unknown.value.problems == {"0123456789abcdef": "Not a product area"}
    assert unknown.value.status == 422
