"""The events function tells a technician's console at once what happened to their codes and
invitations: a code that ran out (its TTL delete on the stream) -> `code.expired`; a customer
who redeemed a code -> `code.redeemed`, or accepted an invitation -> `invitation.accepted`
(the INSERT of their session). Only that technician's connections hear of it.

Records are built as Lambda delivers them (local.streams.stream_record) from items shaped as
the codes and invitations functions write them, and must pass the catalog's stream filters;
@connections is a stub on 127.0.0.1."""

from __future__ import annotations

import itertools
from typing import Any, Literal

import pytest

from deskless.auth import Principal, Role
from deskless.catalog import STREAM_SUBSCRIPTIONS
from deskless.data import serialize
from deskless.realtime import save_connection
from deskless.sessions import new_session
from deskless.table import Entity, code_key
from local.streams import matches_any, stream_event, stream_record
from tests.helpers import TECHNICIAN, ConnectionsStub, invoke

OTHER_TECHNICIAN = Principal(user_id="0b0b0b0b0b0b0b0b", role=Role.TECHNICIAN, name="Bo Tech", email="bo@example.com")
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/deskless/stream/2026-03-01T08:15:42.417"
(EVENTS_FILTERS,) = [s.filters for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]
_sequence = itertools.count(100000000000000000001)


@pytest.fixture
def consoles(connections: ConnectionsStub) -> ConnectionsStub:
    """Two consoles of the technician, and one of another technician, connected."""
    save_connection("ted-laptop", TECHNICIAN)
    save_connection("ted-phone", TECHNICIAN)
    save_connection("bo-laptop", OTHER_TECHNICIAN)
    return connections


def code_item(code: str = "123456789", name: str = "Printer on fire", **extra: Any) -> dict[str, Any]:
    """A code as the codes function stores it."""
    return {
        **code_key(code),
        "type": Entity.CODE,
        "code": code,
        "name": name,
        "technician_id": TECHNICIAN.user_id,
        "company_id": "c0c0c0c0",
        "subdomain": "acme",
        "expires_at": 1773349738,
        **extra,
    }


def session_item(origin: Literal["code", "invitation"], origin_ref: str, origin_name: str = "") -> dict[str, Any]:
    _, item = new_session(
        technician_id=TECHNICIAN.user_id,
        technician_name=TECHNICIAN.name,
        visitor_name="Carla Customer",
        origin=origin,
        origin_ref=origin_ref,
        origin_name=origin_name,
        now=1773342238,
    )
    return item


def record(event_name: str, item: dict[str, Any], *, ttl: bool = False) -> dict[str, Any]:
    image = serialize(item)
    keys = {name: image[name] for name in ("pk", "sk")}
    built = stream_record(
        event_name,
        keys=keys,
        sequence_number=str(next(_sequence)),
        stream_arn=STREAM_ARN,
        new_image=image if event_name != "REMOVE" else None,
        old_image=image if event_name != "INSERT" else None,
        ttl_delete=ttl,
    )
    return built


def deliver(*records: dict[str, Any]) -> Any:
    """The records the events function's event source mapping lets through, delivered as one batch."""
    passing = [r for r in records if matches_any(EVENTS_FILTERS, r)]
    assert passing, "the catalog's filters would not deliver any of these records"
    return invoke("events", stream_event(passing))


def test_a_code_that_expires_is_announced_to_its_technicians_consoles_only(consoles: ConnectionsStub) -> None:
    answer = deliver(record("REMOVE", code_item(), ttl=True))

    assert answer == {"batchItemFailures": []}
    notice = {"type": "code.expired", "code": "123456789", "name": "Printer on fire"}
    assert consoles.posted("ted-laptop") == consoles.posted("ted-phone") == [notice]
    assert consoles.posted("bo-laptop") == []


def test_a_code_removed_by_a_caller_was_redeemed_or_cancelled_and_is_not_announced(consoles: ConnectionsStub) -> None:
    answer = deliver(record("REMOVE", code_item(), ttl=False))

    assert answer == {"batchItemFailures": []}
    assert consoles.posts == []


@pytest.mark.parametrize("spent", [{"state": "redeemed"}, {"state": "cancelled"}, {"redeemed_at": 1773342000}])
def test_a_spent_code_kept_until_its_ttl_is_not_announced_as_expired(
    consoles: ConnectionsStub, spent: dict[str, Any]
) -> None:
    answer = deliver(record("REMOVE", code_item(**spent), ttl=True))

    assert answer == {"batchItemFailures": []}
    assert consoles.posts == []


def test_a_code_whose_technician_has_no_console_open_expires_quietly(connections: ConnectionsStub) -> None:
    assert deliver(record("REMOVE", code_item(), ttl=True)) == {"batchItemFailures": []}
    assert connections.posts == []


def test_a_redeemed_code_is_announced_with_the_new_session(consoles: ConnectionsStub) -> None:
    item = session_item("code", "123456789", "Printer on fire")

    answer = deliver(record("INSERT", item))

    assert answer == {"batchItemFailures": []}
    notice = {
        "type": "code.redeemed",
        "code": "123456789",
        "name": "Printer on fire",
        "session": {"id": item["session_id"], "visitor_name": "Carla Customer", "created_at": 1773342238},
    }
    assert consoles.posted("ted-laptop") == consoles.posted("ted-phone") == [notice]
    assert consoles.posted("bo-laptop") == []


def test_an_accepted_invitation_is_announced_with_the_new_session(consoles: ConnectionsStub) -> None:
    item = session_item("invitation", "A" * 32)

    deliver(record("INSERT", item))

    assert consoles.posted("ted-laptop") == [
        {
            "type": "invitation.accepted",
            "invitation": "A" * 32,
            "name": "",
            "session": {"id": item["session_id"], "visitor_name": "Carla Customer", "created_at": 1773342238},
        }
    ]


def test_a_record_delivered_twice_is_announced_twice_which_a_notice_may_be(consoles: ConnectionsStub) -> None:
    # Lambda may deliver a record again (a retried batch); a duplicate notice is acceptable and
    # carries the same code and session id, so a console can show it once
    once = record("INSERT", session_item("code", "123456789"))

    deliver(once)
    deliver(once)

    assert len(consoles.posted("ted-laptop")) == 2
    assert consoles.posted("ted-laptop")[0] == consoles.posted("ted-laptop")[1]


def test_a_batch_mixing_expiries_redemptions_and_connections_is_handled_record_by_record(
    consoles: ConnectionsStub,
) -> None:
    connection = {
        "pk": "CONN#gone",
        "sk": "CONNECTION",
        "type": Entity.CONNECTION,
        "connection_id": "gone",
        "user_id": TECHNICIAN.user_id,
        "expires_at": 1,
    }
    answer = deliver(
        record("REMOVE", code_item("111111111"), ttl=True),
        record("INSERT", session_item("code", "222222222")),
        record("REMOVE", connection, ttl=True),
    )

    assert answer == {"batchItemFailures": []}
    assert [post["type"] for post in consoles.posted("ted-laptop")] == ["code.expired", "code.redeemed"]
    assert consoles.deletes == ["gone"]


def test_a_session_that_ends_is_not_delivered_to_the_events_function() -> None:
    # MODIFY records (end_session) do not pass the subscription's filters
    item = session_item("code", "123456789")
    assert not matches_any(EVENTS_FILTERS, record("MODIFY", {**item, "state": "ended"}))
