"""The codes function, for technicians: create a code (a name and a portal), see the active ones
with their time left, cancel one; at most `limit` active codes each, however many creates race.

The handler runs in this process with real-shaped HTTP API events against moto. Expiry is shown
the way DynamoDB leaves it: the items are still there, past their `expires_at`, because TTL
deletes lag; `expire` moves a code's `expires_at` into the past without deleting anything.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from deskless.auth import Principal, Role
from deskless.companies import Company, PortalStatus, create_company, create_portal
from deskless.data import TransactionCanceled, table
from deskless.table import (
    code_key,
    code_limit_key,
    code_name_key,
    code_slot_key,
    portal_key,
    technician_partition,
)
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")
CUSTOMER_SOURCE = "198.51.100.7"


class CodesApi:
    """The codes function's routes, called as API Gateway would call them."""

    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret  # read once: each read makes a new boto3 client

    def call(
        self,
        route_key: str,
        *,
        caller: Principal | None = TECHNICIAN,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        source: str | None = None,
    ) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(
            base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key, headers=headers
        )
        if caller is None:
            del event["requestContext"]["authorizer"]
            event["headers"].pop("authorization", None)
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in (query or {}).items())
        event["queryStringParameters"] = query or {}
        if source is not None:
            event["requestContext"]["http"]["sourceIp"] = source
        return call_http("codes", event)

    def create(self, name: str, portal: str = "acme", caller: Principal = TECHNICIAN) -> HttpResult:
        return self.call("POST /api/codes", caller=caller, body={"name": name, "portal": portal})

    def created(self, name: str, portal: str = "acme", caller: Principal = TECHNICIAN) -> dict[str, Any]:
        response = self.create(name, portal, caller)
        assert response.status == 201, response.body
        code: dict[str, Any] = response.json()
        return code

    def active(self, caller: Principal = TECHNICIAN) -> list[dict[str, Any]]:
        response = self.call("GET /api/codes", caller=caller)
        assert response.status == 200, response.body
        codes: list[dict[str, Any]] = response.json()
        return codes

    def cancel(self, code: str, caller: Principal = TECHNICIAN) -> HttpResult:
        return self.call(f"DELETE /api/codes/{code}", caller=caller)

    def email(self, code: str, body: dict[str, Any], caller: Principal = TECHNICIAN) -> HttpResult:
        return self.call(f"POST /api/codes/{code}/email", caller=caller, body=body)

    def invitation(self, code: str, language: str | None = None, caller: Principal = TECHNICIAN) -> HttpResult:
        query = {"language": language} if language else None
        return self.call(f"GET /api/codes/{code}/invitation", caller=caller, query=query)

    def join(
        self,
        code: str,
        name: str = "Carla Customer",
        *,
        source: str = CUSTOMER_SOURCE,
        host: str = "acme.localhost:8000",
    ) -> HttpResult:
        return self.call(
            "POST /api/join",
            caller=None,
            body={"code": code, "name": name},
            headers={"x-deskless-host": host},
            source=source,
        )


def forget_caches() -> None:
    """What a new Lambda environment would not have: cached settings and portals."""
    current("deskless.preferences").forget_cached()
    current("functions.codes.codes").forget_cached_portals()


def set_preferences(**values: int) -> None:
    current("deskless.preferences").update_preferences(values)


def expire(code: str) -> None:
    """Move a code (and its slot and name guard) past its expiry, as if its lifetime ran out; the
    items stay, as they do until DynamoDB's TTL gets to them."""
    item = table().get(code_key(code))
    assert item is not None
    past = int(time.time()) - 1
    for key in (
        code_key(code),
        code_slot_key(item["technician_id"], item["slot"]),
        code_name_key(item["technician_id"], item["name"]),
    ):
        table().update(key, set_values={"expires_at": past})


def stored_in_partition(technician: Principal) -> list[dict[str, Any]]:
    """Every item of the technician's partition, expired or not (a test's look, not a request path)."""
    response = (
        current("deskless.aws")
        .client("dynamodb")
        .query(
            TableName=current("deskless.settings").get_settings().table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": technician_partition(technician.user_id)}},
        )
    )
    return list(response["Items"])


@pytest.fixture
def codes(aws: LocalAws) -> Iterator[CodesApi]:
    """The codes API, with the demo company Acme and its active portal `acme`. Its concurrent
    requests take turns at moto's DynamoDB as local mode makes them (local.moto_isolation)."""
    forget_caches()
    create_portal(create_company("Acme"), "acme")
    yield CodesApi(aws)
    forget_caches()


@pytest.fixture
def globex(codes: CodesApi) -> Company:
    company = create_company("Globex")
    create_portal(company, "globex", language="de")
    return company


# --- create -----------------------------------------------------------------------------------


def test_a_new_code_is_nine_digits_and_lives_for_the_set_lifetime(codes: CodesApi) -> None:
    before = int(time.time())

    code = codes.created("Carla Customer")

    assert re.fullmatch(r"\d{9}", code["code"])
    assert code["name"] == "Carla Customer"
    assert code["portal"] == "acme"
    assert before + 20 * 60 <= code["expires_at"] <= int(time.time()) + 20 * 60
    assert 20 * 60 - 2 <= code["seconds_left"] <= 20 * 60
    assert code["join_url"] == f"http://acme.localhost:8000/join/{code['code']}"


def test_the_lifetime_is_the_admin_setting(codes: CodesApi) -> None:
    set_preferences(code_lifetime_minutes=5)

    code = codes.created("Carla Customer")

    assert 5 * 60 - 2 <= code["seconds_left"] <= 5 * 60


def test_the_code_is_stored_with_its_technician_portal_and_expiry(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    stored = table().get(code_key(code["code"]))
    assert stored is not None
    assert {k: stored[k] for k in ("type", "technician_id", "technician_name", "subdomain", "name", "expires_at")} == {
        "type": "code",
        "technician_id": TECHNICIAN.user_id,
        "technician_name": TECHNICIAN.name,
        "subdomain": "acme",
        "name": "Carla Customer",
        "expires_at": code["expires_at"],
    }


def test_codes_are_unique_and_drawn_at_random(codes: CodesApi) -> None:
    set_preferences(code_limit=30)

    made = [codes.created(f"customer {n}")["code"] for n in range(30)]

    assert len(set(made)) == 30
    assert len({code[0] for code in made}) > 1  # not a counter: leading digits differ


def test_the_ninth_active_code_is_refused_naming_the_limit_and_nothing_more_is_stored(codes: CodesApi) -> None:
    # Given eight active codes
    for n in range(8):
        codes.created(f"customer {n}")
    stored = stored_in_partition(TECHNICIAN)

    # When a ninth is asked for
    response = codes.create("one too many")

    # Then it is refused, naming the limit, and nothing was stored
    assert response.status == 409
    assert response.json()["error"] == "code_limit_reached"
    assert "8" in response.json()["message"]
    assert len(codes.active()) == 8
    assert stored_in_partition(TECHNICIAN) == stored


def test_the_limit_follows_the_admin_setting(codes: CodesApi) -> None:
    set_preferences(code_limit=3)
    for n in range(3):
        codes.created(f"customer {n}")

    response = codes.create("one too many")

    assert (response.status, response.json()["error"]) == (409, "code_limit_reached")
    assert "3" in response.json()["message"]


def test_a_technicians_own_limit_applies_to_them_alone(codes: CodesApi) -> None:
    # Given a limit of 2 for one technician (the global limit stays 8)
    table().put({**code_limit_key(TECHNICIAN.user_id), "type": "code_limit", "limit": 2})
    codes.created("first")
    codes.created("second")

    # Then their third code is refused, while another technician makes three
    refused = codes.create("third")
    assert (refused.status, refused.json()["error"]) == (409, "code_limit_reached")
    assert "2" in refused.json()["message"]
    for n in range(3):
        codes.created(f"customer {n}", caller=OTHER_TECHNICIAN)


def test_an_expired_code_no_longer_counts_and_its_slot_is_reused(codes: CodesApi) -> None:
    # Given a full set of codes, one of which has expired but is still stored (TTL lags)
    made = [codes.created(f"customer {n}") for n in range(8)]
    expire(made[3]["code"])
    assert table().get(code_key(made[3]["code"])) is None  # reads treat it as gone

    # When another code is created
    code = codes.created("after expiry")

    # Then it is accepted, in the expired code's slot, and the list holds eight
    assert table().get(code_key(code["code"]))["slot"] == 3  # type: ignore[index]
    active = codes.active()
    assert len(active) == 8
    assert made[3]["code"] not in [c["code"] for c in active]


def test_an_expired_codes_name_may_be_used_again(codes: CodesApi) -> None:
    first = codes.created("Carla Customer")
    expire(first["code"])

    assert codes.create("Carla Customer").status == 201


def test_fifty_parallel_creates_leave_exactly_the_limit_active_and_refuse_the_rest(codes: CodesApi) -> None:
    codes.created("warm up")  # cold start (settings, portal, secrets) out of the way
    codes.cancel(codes.active()[0]["code"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda n: codes.create(f"customer {n}"), range(50)))

    statuses = Counter(response.status for response in responses)
    assert statuses == {201: 8, 409: 42}
    assert {r.json()["error"] for r in responses if r.status == 409} == {"code_limit_reached"}
    active = codes.active()
    assert sorted(c["code"] for c in active) == sorted(r.json()["code"] for r in responses if r.status == 201)
    stored_codes = [i for i in stored_in_partition(TECHNICIAN) if i["type"]["S"] == "code_slot"]
    assert len(stored_codes) == 8


def test_a_create_that_meets_another_transaction_reads_again_and_succeeds(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes.created("warm up")
    original = table().transact
    conflicts: list[int] = []

    def transact(actions: Any) -> None:
        if not conflicts:
            conflicts.append(1)
            raise TransactionCanceled(["None", "TransactionConflict", "None"])
        original(actions)

    monkeypatch.setattr(table(), "transact", transact)

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        response = codes.create("Carla Customer")

    assert response.status == 201
    assert calls == {"Query": 2, "TransactWriteItems": 1}  # read again after the (stand-in) conflict
    assert len(codes.active()) == 2


def test_parallel_creates_with_one_name_make_one_code(codes: CodesApi) -> None:
    codes.created("warm up")

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: codes.create("Carla Customer"), range(10)))

    assert Counter(response.status for response in responses) == {201: 1, 409: 9}
    assert {r.json()["error"] for r in responses if r.status == 409} == {"code_name_taken"}


def test_a_name_already_active_is_refused_in_any_case_and_spacing(codes: CodesApi) -> None:
    codes.created("Carla Customer")

    response = codes.create("  carla   CUSTOMER ")

    assert (response.status, response.json()["error"]) == (409, "code_name_taken")
    assert len(codes.active()) == 1


def test_a_name_may_be_used_again_once_its_code_is_cancelled(codes: CodesApi) -> None:
    first = codes.created("Carla Customer")
    assert codes.cancel(first["code"]).status == 204

    second = codes.create("Carla Customer")

    assert second.status == 201


def test_two_technicians_may_use_the_same_name(codes: CodesApi) -> None:
    codes.created("Carla Customer")

    assert codes.create("Carla Customer", caller=OTHER_TECHNICIAN).status == 201


def test_an_admin_may_create_codes(codes: CodesApi) -> None:
    assert codes.create("Carla Customer", caller=ADMIN).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "portal": "acme"}, "name"),
        ({"name": "   ", "portal": "acme"}, "name"),
        ({"name": "x" * 81, "portal": "acme"}, "name"),
        ({"portal": "acme"}, "name"),
        ({"name": "Carla"}, "portal"),
    ],
)
def test_an_invalid_request_is_a_400_naming_the_field(codes: CodesApi, body: dict[str, Any], field: str) -> None:
    response = codes.call("POST /api/codes", body=body)

    assert response.status == 400
    assert [d["field"] for d in response.json()["details"]] == [field]
    assert codes.active() == []


def test_a_code_for_an_unknown_portal_is_refused(codes: CodesApi) -> None:
    response = codes.create("Carla Customer", portal="nowhere")

    assert (response.status, response.json()["error"]) == (400, "unknown_portal")
    assert "nowhere" in response.json()["message"]
    assert codes.active() == []


def test_a_code_for_an_inactive_portal_is_refused(codes: CodesApi) -> None:
    create_portal(create_company("Initech"), "initech", status=PortalStatus.INACTIVE)

    response = codes.create("Carla Customer", portal="initech")

    assert (response.status, response.json()["error"]) == (409, "portal_inactive")
    assert codes.active() == []


def test_a_portal_deactivated_gets_no_more_codes_once_the_short_cache_lets_it_go(codes: CodesApi) -> None:
    # Given a code made for acme (the function holds active portals for 30 seconds)
    created = codes.created("first")
    company_id = table().get(code_key(created["code"]))["company_id"]  # type: ignore[index]

    # When acme is deactivated, and the cache has let it go (30 s later, or in a new environment)
    table().update(portal_key(company_id), set_values={"status": "inactive"})
    forget_caches()

    # Then the next code is refused
    response = codes.create("second")
    assert (response.status, response.json()["error"]) == (409, "portal_inactive")
    assert [c["name"] for c in codes.active()] == ["first"]


def test_customers_and_visitors_may_not_create_codes(codes: CodesApi) -> None:
    visitor = Principal(user_id="visitor-x", role=Role.VISITOR, name="Carla", scope="session:x")

    response = codes.create("Carla Customer", caller=visitor)

    assert response.status == 403


def test_without_a_caller_it_is_unauthorized(codes: CodesApi) -> None:
    response = codes.call("POST /api/codes", caller=None, body={"name": "Carla", "portal": "acme"})

    assert response.status == 401


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_name_code_seconds_left_and_portal_soonest_to_expire_first(
    codes: CodesApi, globex: Company
) -> None:
    started = time.time()
    first = codes.created("Carla Customer")
    set_preferences(code_lifetime_minutes=5)
    second = codes.created("Dan Customer", portal="globex")

    active = codes.active()

    assert [(c["name"], c["code"], c["portal"]) for c in active] == [
        ("Dan Customer", second["code"], "globex"),
        ("Carla Customer", first["code"], "acme"),
    ]
    # however slow the machine, no more than this has passed; + 2: a code expires at a whole second
    # (its creation's, rounded down) and seconds left are rounded down too
    elapsed = time.time() - started + 2
    assert 5 * 60 - elapsed <= active[0]["seconds_left"] <= 5 * 60
    assert 20 * 60 - elapsed <= active[1]["seconds_left"] <= 20 * 60
    assert active[0]["join_url"] == f"http://globex.localhost:8000/join/{second['code']}"


def test_the_list_holds_only_the_callers_codes(codes: CodesApi) -> None:
    codes.created("mine")
    codes.created("theirs", caller=OTHER_TECHNICIAN)

    assert [c["name"] for c in codes.active()] == ["mine"]
    assert [c["name"] for c in codes.active(caller=OTHER_TECHNICIAN)] == ["theirs"]


def test_an_expired_code_leaves_the_list(codes: CodesApi) -> None:
    gone = codes.created("expired")
    codes.created("active")

    expire(gone["code"])

    assert [c["name"] for c in codes.active()] == ["active"]


# --- cancel -----------------------------------------------------------------------------------


def test_a_technician_cancels_their_code_which_then_cannot_be_used(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    response = codes.cancel(code["code"])

    assert response.status == 204
    assert codes.active() == []
    assert table().get(code_key(code["code"])) is None
    assert stored_in_partition(TECHNICIAN) == []
    assert codes.join(code["code"]).json()["error"] == "code_invalid"


def test_another_technicians_code_is_not_found_and_stays(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    response = codes.cancel(code["code"], caller=OTHER_TECHNICIAN)

    assert (response.status, response.json()["error"]) == (404, "not_found")
    assert [c["code"] for c in codes.active()] == [code["code"]]


def test_an_admin_may_cancel_any_code(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    assert codes.cancel(code["code"], caller=ADMIN).status == 204
    assert codes.active() == []


@pytest.mark.parametrize("code", ["123456789", "12345", "not-a-code"])
def test_cancelling_an_unknown_code_is_a_404(codes: CodesApi, code: str) -> None:
    assert codes.cancel(code).status == 404


def test_cancelling_twice_is_a_404_the_second_time(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")
    codes.cancel(code["code"])

    assert codes.cancel(code["code"]).status == 404


# --- what each operation costs ------------------------------------------------------------------


def test_creating_a_code_is_one_query_and_one_write(codes: CodesApi) -> None:
    codes.created("warm up")  # cold start: origin secret, settings and portal are read once

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        codes.created("Carla Customer")

    assert calls == {"Query": 1, "TransactWriteItems": 1}


def test_listing_codes_is_one_query(codes: CodesApi) -> None:
    codes.created("Carla Customer")

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        codes.active()

    assert calls == {"Query": 1}


def test_cancelling_is_one_read_and_one_write(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        codes.cancel(code["code"])

    assert calls == {"GetItem": 1, "TransactWriteItems": 1}
