"""deskless.data against local DynamoDB: reads of many items at once, updates, queries, and what a
refused transaction tells."""

from __future__ import annotations

import pytest

from deskless.aws import client
from deskless.data import BATCH_GET_KEYS, EXISTS, Condition, TransactionCanceled, table, update_action
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


def test_a_refused_update_that_asked_carries_the_item_as_its_condition_found_it(aws: LocalAws) -> None:
    # Given two stored items
    first, second = {"pk": "TEST#1", "sk": "TEST"}, {"pk": "TEST#2", "sk": "TEST"}
    table().put({**first, "state": "ended"})
    table().put({**second, "state": "ended"})
    active = Condition("#state = :active", {"#state": "state"}, {":active": "active"})
    # When a transaction's updates are refused, the first asking for the item, the second not
    with pytest.raises(TransactionCanceled) as refused, count_requests(client("dynamodb")) as calls:
        table().transact(
            [
                update_action(first, set_values={"n": 1}, condition=active, old_if_refused=True),
                update_action(second, set_values={"n": 1}, condition=active),
            ]
        )
    # Then the refusal carries the first as it was, in the one request
    assert refused.value.reasons == ["ConditionalCheckFailed", "ConditionalCheckFailed"]
    assert refused.value.items == [{**first, "state": "ended"}, None]
    assert calls == {"TransactWriteItems": 1}


def test_a_refused_update_of_a_missing_item_carries_none(aws: LocalAws) -> None:
    key = {"pk": "TEST#1", "sk": "TEST"}
    with pytest.raises(TransactionCanceled) as refused:
        table().transact([update_action(key, set_values={"n": 1}, condition=EXISTS, old_if_refused=True)])
    assert (refused.value.reasons, refused.value.items) == (["ConditionalCheckFailed"], [None])


def test_an_update_sets_what_is_missing_and_keeps_what_is_there(aws: LocalAws) -> None:
    key = {"pk": "TEST#1", "sk": "TEST"}

    created = table().update(key, set_missing={"name": "first", "created_at": 1})
    kept = table().update(key, set_values={"seen": 2}, set_missing={"name": "second", "created_at": 9})

    assert (created["name"], created["created_at"]) == ("first", 1)
    assert (kept["name"], kept["created_at"], kept["seen"]) == ("first", 1, 2)


def test_a_query_starts_after_a_sort_key_for_the_next_page(aws: LocalAws) -> None:
    for n in range(5):
        table().put({"pk": "TEST#PAGE", "sk": f"item-{n}"})

    page = table().query("TEST#PAGE", after="item-1", limit=2)

    assert [item["sk"] for item in page] == ["item-2", "item-3"]
