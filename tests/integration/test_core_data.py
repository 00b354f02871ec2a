"""deskless.data against local DynamoDB: reads of many items at once."""

from __future__ import annotations

from deskless.aws import client
from deskless.data import BATCH_GET_KEYS, table
from deskless.table import Entity, presence_key
from local.metering import count_requests
from tests.conftest import LocalAws


def test_get_many_reads_more_than_one_batch_in_order_with_the_missing_as_none(aws: LocalAws) -> None:
    # Given 250 stored items, every third one missing from the keys' list
    ids = [f"user-{n:03d}" for n in range(250)]
    for user_id in ids[::3]:
        table().put({**presence_key(user_id), "type": Entity.PRESENCE, "user_id": user_id})
    # When all 250 are asked for at once
    with count_requests(client("dynamodb")) as calls:
        found = table().get_many([presence_key(user_id) for user_id in ids])
    # Then each comes back in its place, in ceil(250 / 100) requests
    assert [item["user_id"] if item else None for item in found] == [
        u if n % 3 == 0 else None for n, u in enumerate(ids)
    ]
    assert calls == {"BatchGetItem": -(-len(ids) // BATCH_GET_KEYS)}


def test_get_many_of_nothing_asks_nothing(aws: LocalAws) -> None:
    with count_requests(client("dynamodb")) as calls:
        assert table().get_many([]) == []
    assert calls == {}
