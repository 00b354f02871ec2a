"""The events function (DynamoDB stream): when TTL deletes a connection record, the socket it
describes is closed through @connections; other removals are someone's deliberate action and
need nothing. @connections is a stub on 127.0.0.1, so the real boto3 call runs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.helpers import ConnectionsStub, invoke, load_event

TTL_REMOVE = load_event("stream_ttl_remove")
CONNECTION_ID = TTL_REMOVE["Records"][0]["dynamodb"]["OldImage"]["connection_id"]["S"]


def records(*changes: dict[str, Any]) -> dict[str, Any]:
    """The TTL sample's record, once per change, each with its own sequence number."""
    template = TTL_REMOVE["Records"][0]
    batch = []
    for n, change in enumerate(changes):
        record = copy.deepcopy(template)
        record["dynamodb"]["SequenceNumber"] = str(int(template["dynamodb"]["SequenceNumber"]) + n)
        record["dynamodb"]["OldImage"]["connection_id"] = {"S": change.get("connection_id", CONNECTION_ID)}
        if change.get("by_ttl", True) is False:
            del record["userIdentity"]
        if "type" in change:
            record["dynamodb"]["OldImage"]["type"] = {"S": change["type"]}
        batch.append(record)
    return {"Records": batch}


def test_a_connection_deleted_by_ttl_is_closed(connections: ConnectionsStub) -> None:
    answer = invoke("events", load_event("stream_ttl_remove"))

    assert answer == {"batchItemFailures": []}
    assert connections.deletes == [CONNECTION_ID]


def test_a_connection_deleted_by_ttl_that_is_already_closed_is_fine(connections: ConnectionsStub) -> None:
    connections.gone.add(CONNECTION_ID)

    answer = invoke("events", load_event("stream_ttl_remove"))

    assert answer == {"batchItemFailures": []}
    assert connections.deletes == [CONNECTION_ID]


def test_a_connection_removed_by_a_caller_is_not_touched(connections: ConnectionsStub) -> None:
    # $disconnect deletes the record itself: the socket is closed already
    answer = invoke("events", records({"by_ttl": False}))

    assert answer == {"batchItemFailures": []}
    assert connections.deletes == []


def test_ttl_removal_of_another_kind_of_item_is_not_a_connection(connections: ConnectionsStub) -> None:
    answer = invoke("events", records({"type": "portal"}))

    assert answer == {"batchItemFailures": []}
    assert connections.deletes == []


@pytest.mark.parametrize("sample", ["stream_insert", "stream_modify"])
def test_inserts_and_modifications_need_nothing(connections: ConnectionsStub, sample: str) -> None:
    answer = invoke("events", load_event(sample))

    assert answer == {"batchItemFailures": []}
    assert connections.deletes == []


def test_each_expired_connection_in_a_batch_is_closed(connections: ConnectionsStub) -> None:
    batch = records({"connection_id": "a"}, {"connection_id": "b", "by_ttl": False}, {"connection_id": "c"})

    answer = invoke("events", batch)

    assert answer == {"batchItemFailures": []}
    assert sorted(connections.deletes) == ["a", "c"]


def test_a_close_that_fails_is_reported_so_lambda_retries_that_record_only(connections: ConnectionsStub) -> None:
    # Given @connections refusing to close one of two expired connections (an error, not Gone)
    connections.forbidden.add("broken")
    batch = records({"connection_id": "fine"}, {"connection_id": "broken"})

    # When the batch is processed
    answer = invoke("events", batch)

    # Then both were tried, and only the failed record is handed back for a retry
    assert sorted(connections.deletes) == ["broken", "fine"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["dynamodb"]["SequenceNumber"]}]}


def test_a_batch_whose_every_record_failed_fails_the_invocation(connections: ConnectionsStub) -> None:
    connections.forbidden.add(CONNECTION_ID)

    with pytest.raises(BatchProcessingError):
        invoke("events", load_event("stream_ttl_remove"))
