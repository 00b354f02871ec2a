"""Redeeming a code: the customer's side. A code starts one support session with the technician
who made it, once; every code that cannot be used gets the same answer; a source that keeps
guessing is stopped, a right code included, while everyone else carries on."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from deskless.auth import Role, verify_token
from deskless.companies import create_company, create_portal
from deskless.data import TransactionCanceled, table
from deskless.edge import VIEWER_IP_HEADER
from deskless.table import code_key, guesses_key, portal_key, session_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import TECHNICIAN, HttpResult, current
from tests.integration.test_codes import CodesApi, expire, forget_caches

INVALID = {
    "error": "code_invalid",
    "message": "This code is not valid. Check the digits, or ask your technician for a new code.",
}
NEVER_ISSUED = "000000000"  # drawn with a chance of 1 in 10^9: the tests would notice


@pytest.fixture
def codes(aws: LocalAws) -> Iterator[CodesApi]:
    forget_caches()
    create_portal(create_company("Acme"), "acme")
    create_portal(create_company("Globex"), "globex")
    yield CodesApi(aws)
    forget_caches()


@pytest.fixture
def failed_metrics(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The metrics the functions add (Powertools does not publish them locally)."""
    added: list[dict[str, Any]] = []
    metrics = current("deskless.observability").metrics
    monkeypatch.setattr(metrics, "add_metric", lambda **metric: added.append(metric))
    return added


def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    """Redemptions see one moment, mid-minute, so a burst of them cannot straddle two buckets."""
    now = time.time() // 60 * 60 + 30
    redemption = current("functions.codes.redemption")
    monkeypatch.setattr(redemption, "time", SimpleNamespace(time=lambda: now))
    return now


# --- a code starts a session, once --------------------------------------------------------------


def test_a_code_starts_a_session_between_the_customer_and_its_technician(codes: CodesApi) -> None:
    code = codes.created("Carla's laptop")

    response = codes.join(code["code"], name="Carla Customer")

    assert response.status == 201
    joined = response.json()
    assert joined["technician_name"] == TECHNICIAN.name
    assert joined["websocket_url"] == "ws://localhost:8000/ws"
    session = table().get(session_key(joined["session_id"]))
    assert session is not None
    assert {k: session[k] for k in ("technician_id", "visitor_name", "origin", "origin_ref", "origin_name")} == {
        "technician_id": TECHNICIAN.user_id,
        "visitor_name": "Carla Customer",
        "origin": "code",
        "origin_ref": code["code"],
        "origin_name": "Carla's laptop",
    }
    assert session["company_id"]


def test_the_token_is_the_customers_for_this_session_only(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    joined = codes.join(code["code"], name="Carla Customer").json()

    visitor = verify_token(joined["token"])
    assert visitor.role == Role.VISITOR
    assert visitor.scope == f"session:{joined['session_id']}"
    assert visitor.name == "Carla Customer"
    assert joined["expires_at"] > time.time()


def test_a_redeemed_code_leaves_the_technicians_list_and_frees_its_slot(codes: CodesApi) -> None:
    for n in range(8):
        codes.created(f"customer {n}")
    used = codes.active()[0]["code"]

    codes.join(used)

    assert used not in [c["code"] for c in codes.active()]
    assert table().get(code_key(used)) is None
    assert codes.create("one more").status == 201


def test_a_code_typed_with_spaces_or_dashes_is_accepted(codes: CodesApi) -> None:
    digits = codes.created("Carla Customer")["code"]

    response = codes.join(f" {digits[:3]} {digits[3:6]}-{digits[6:]} ")

    assert response.status == 201


def test_the_second_redemption_gets_the_same_answer_as_a_code_that_never_existed(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")["code"]
    assert codes.join(code).status == 201

    again = codes.join(code, source="198.51.100.8")
    never = codes.join(NEVER_ISSUED, source="198.51.100.9")

    assert (again.status, again.json()) == (never.status, never.json()) == (404, INVALID)


def test_of_simultaneous_redemptions_exactly_one_wins(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")["code"]
    codes.join(NEVER_ISSUED, source="192.0.2.250")  # warm up the redemption path

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda n: codes.join(code, source=f"192.0.2.{n}"), range(8)))

    assert Counter(r.status for r in responses) == {201: 1, 404: 7}
    assert all(r.json() == INVALID for r in responses if r.status == 404)
    sessions = [i for i in table().query(f"SESSIONS#{TECHNICIAN.user_id}", index="gsi1")]
    assert len(sessions) == 1


@pytest.mark.parametrize("ending", ["expired", "cancelled"])
def test_an_expired_or_cancelled_code_gets_the_same_answer(codes: CodesApi, ending: str) -> None:
    code = codes.created("Carla Customer")["code"]
    if ending == "expired":
        expire(code)  # past its time; DynamoDB has not deleted it yet
    else:
        codes.cancel(code)

    response = codes.join(code)

    assert (response.status, response.json()) == (404, INVALID)
    assert table().query(f"SESSIONS#{TECHNICIAN.user_id}", index="gsi1") == []


def test_a_code_works_only_on_its_own_portal(codes: CodesApi) -> None:
    code = codes.created("Carla Customer", portal="acme")["code"]

    elsewhere = codes.join(code, host="globex.localhost:8000")
    at_home = codes.join(code, host="acme.localhost:8000", source="198.51.100.8")

    assert (elsewhere.status, elsewhere.json()) == (404, INVALID)
    assert at_home.status == 201


@pytest.mark.parametrize(
    "host",
    ["localhost:8000", "d111111abcdef8.cloudfront.net", "", "unknown.localhost:8000"],
    ids=["the support domain itself", "the distribution's own domain", "no host", "no such portal"],
)
def test_a_code_is_not_redeemed_on_a_host_that_names_no_portal(codes: CodesApi, host: str) -> None:
    code = codes.created("Carla Customer", portal="globex")["code"]

    response = codes.join(code, host=host)

    assert (response.status, response.json()) == (404, INVALID)
    assert codes.join(code, host="globex.localhost:8000", source="198.51.100.8").status == 201


def test_a_code_given_out_before_its_portal_was_deactivated_stays_usable(codes: CodesApi) -> None:
    # Codes are checked against their portal when made; one given out runs its course (or is cancelled)
    code = codes.created("Carla Customer")["code"]
    company_id = table().get(code_key(code))["company_id"]  # type: ignore[index]
    table().update(portal_key(company_id), set_values={"status": "inactive"})

    assert codes.join(code).status == 201


@pytest.mark.parametrize(
    ("body", "field"), [({"code": "12345", "name": "Carla"}, "code"), ({"code": "123456789"}, "name")]
)
def test_a_malformed_request_is_a_400_naming_the_field(codes: CodesApi, body: dict[str, Any], field: str) -> None:
    response = codes.call("POST /api/join", caller=None, body=body, headers={"x-deskless-host": "acme.localhost:8000"})

    assert response.status == 400
    assert [d["field"] for d in response.json()["details"]] == [field]


def conflicting(monkeypatch: pytest.MonkeyPatch, times: int) -> list[list[str]]:
    """The next `times` transactions meet another one in flight (DynamoDB's TransactionConflict):
    nothing is written, as DynamoDB writes nothing then. Returns the reasons given, in order."""
    original = table().transact
    given: list[list[str]] = []

    def transact(actions: Any) -> None:
        if len(given) < times:
            given.append(["None"] * (len(actions) - 1) + ["TransactionConflict"])
            raise TransactionCanceled(given[-1])
        original(actions)

    monkeypatch.setattr(table(), "transact", transact)
    return given


def test_a_redemption_that_meets_another_transaction_is_sent_again(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch, failed_metrics: list[dict[str, Any]]
) -> None:
    code = codes.created("Carla Customer")["code"]
    given = conflicting(monkeypatch, times=2)

    response = codes.join(code)

    assert response.status == 201
    assert len(given) == 2
    assert failed_metrics == []


def test_a_redemption_that_keeps_meeting_others_asks_to_try_again_and_spends_nothing(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch, failed_metrics: list[dict[str, Any]]
) -> None:
    code = codes.created("Carla Customer")["code"]
    conflicting(monkeypatch, times=100)

    response = codes.join(code)

    assert (response.status, response.json()["error"]) == (503, "try_again")
    assert failed_metrics == []  # not the customer's failure: not counted
    assert table().get(code_key(code)) is not None


# --- guessing ------------------------------------------------------------------------------------


def test_a_guessing_run_from_one_source_is_stopped_while_other_sources_carry_on(
    codes: CodesApi, failed_metrics: list[dict[str, Any]]
) -> None:
    code = codes.created("Carla Customer")["code"]
    wrong = [f"{n:09d}" for n in range(1, 11) if f"{n:09d}" != code]

    # Given ten wrong codes from one source, each answered as not valid
    answers = [codes.join(guess, source="203.0.113.66") for guess in wrong[:10]]
    assert [a.status for a in answers] == [404] * 10

    # When that source then sends the right code
    blocked = codes.join(code, source="203.0.113.66")

    # Then it must wait, and is told how long; the code was not even looked at, so it still works
    assert blocked.status == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert 600 <= int(blocked.headers["retry-after"]) <= 660
    assert codes.join(code, source="203.0.113.67").status == 201
    # And every failure was counted, per source and in the total metric
    assert [m["name"] for m in failed_metrics] == ["FailedCodeRedemptions"] * 10
    assert all((m["unit"], m["value"]) == (MetricUnit.Count, 1) for m in failed_metrics)


GUESSER, OTHER_SOURCE = "203.0.113.66", "203.0.113.67"


def test_failures_are_stored_per_source_and_minute_and_expire_when_they_stop_counting(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = frozen_clock(monkeypatch)

    codes.join(NEVER_ISSUED, source="203.0.113.66")
    codes.join(NEVER_ISSUED, source="203.0.113.66")
    codes.join(NEVER_ISSUED, source="203.0.113.67")

    minute = int(now) // 60 * 60
    stored = table().get(guesses_key("code", GUESSER, minute))
    assert stored is not None
    assert (stored["failures"], stored["expires_at"]) == (2, minute + 660)
    assert table().get(guesses_key("code", OTHER_SOURCE, minute))["failures"] == 1  # type: ignore[index]


def test_failures_older_than_the_window_do_not_count(codes: CodesApi) -> None:
    # Given ten failures of a source eleven minutes ago (their bucket still stored: TTL lags)
    old = int(time.time()) // 60 * 60 - 660
    table().put({**guesses_key("code", GUESSER, old), "type": "guesses", "failures": 10, "expires_at": old + 660})
    code = codes.created("Carla Customer")["code"]

    # Then the source may redeem
    assert codes.join(code, source="203.0.113.66").status == 201


def test_a_burst_of_parallel_guesses_gets_no_more_than_ten_codes_checked(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock(monkeypatch)
    codes.join(NEVER_ISSUED, source="192.0.2.250")  # warm up

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda n: codes.join(f"{n + 1:09d}", source="203.0.113.66"), range(20)))

    # All twenty passed the first check together; once ten had failed, the rest were told to wait
    assert Counter(r.status for r in responses) == {404: 10, 429: 10}


def test_a_right_code_in_a_burst_is_refused_once_the_limit_is_reached(
    codes: CodesApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a source that already has ten failures recorded after its request read its count
    now = frozen_clock(monkeypatch)
    code = codes.created("Carla Customer")["code"]
    original = table().get_many

    def read_then_others_fail(keys: Any, **options: Any) -> Any:
        found = original(keys, **options)
        table().put(
            {
                **guesses_key("code", GUESSER, int(now) // 60 * 60),
                "type": "guesses",
                "failures": 10,
                "expires_at": 2**31,
            },
        )
        return found

    monkeypatch.setattr(table(), "get_many", read_then_others_fail)

    # When its right code reaches the transaction
    response = codes.join(code, source="203.0.113.66")

    # Then it gets what any other request of the burst gets, and the code stays usable
    assert response.status == 429
    assert table().get(code_key(code)) is not None


# --- what each redemption costs --------------------------------------------------------------------


def test_a_redemption_is_one_batch_read_and_one_transaction(codes: CodesApi) -> None:
    codes.join(NEVER_ISSUED, source="192.0.2.250")  # cold start: secrets
    code = codes.created("Carla Customer")["code"]

    with _counting() as calls:
        assert codes.join(code).status == 201

    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_a_failed_redemption_is_one_batch_read_and_one_update(codes: CodesApi) -> None:
    codes.join(NEVER_ISSUED, source="192.0.2.250")

    with _counting() as calls:
        assert codes.join(NEVER_ISSUED).status == 404

    assert calls == {"BatchGetItem": 1, "UpdateItem": 1}


def test_a_blocked_source_costs_one_batch_read(codes: CodesApi) -> None:
    for _ in range(10):
        codes.join(NEVER_ISSUED, source="203.0.113.66")

    with _counting() as calls:
        assert codes.join(NEVER_ISSUED, source="203.0.113.66").status == 429

    assert calls == {"BatchGetItem": 1}


def _counting() -> Any:
    return count_requests(current("deskless.aws").client("dynamodb"))


def test_behind_the_cdn_each_viewer_is_its_own_source(codes: CodesApi) -> None:
    # Given every request arriving from the same CloudFront edge address, each with the viewer's
    # own address in the header the CDN's viewer-request function sets
    code = codes.created("Carla Customer")["code"]
    edge = "130.176.0.1"

    def join_as(viewer: str, digits: str) -> HttpResult:
        return codes.call(
            "POST /api/join",
            caller=None,
            body={"code": digits, "name": "Carla Customer"},
            headers={"x-deskless-host": "acme.localhost:8000", VIEWER_IP_HEADER: viewer},
            source=edge,
        )

    # When one viewer guesses ten times
    for n in range(1, 11):
        join_as("203.0.113.66", f"{n:09d}" if f"{n:09d}" != code else "999999999")

    # Then that viewer is blocked, while another viewer behind the same edge is not
    assert join_as("203.0.113.66", code).status == 429
    assert join_as("198.51.100.20", code).status == 201
