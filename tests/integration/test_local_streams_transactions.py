"""The local stream poller goes on delivering after moto cancels a transaction, however moto rolls
it back (local.moto_transactions).

moto's own rollback ("copy") puts a deep copy of the table in place of the one it changed,
stream shard included: an iterator handed out before then reads the orphaned shard, which never
sees another record. The journal (the default) keeps the shard and drops the canceled records
from it. A technician losing the race for a chat request (chat_taken) is such a transaction; so
is a subdomain that is taken. The poller keeps no iterator from one poll to the next, so either
way it reads on after its checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.streams import StreamPoller, TtlLedger
from tests.conftest import LocalAws
from tests.integration.test_local_streams import EVERYTHING, Recorder, put


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["journal", "copy"])
def rollback(request: pytest.FixtureRequest, moto_transactions: Any) -> None:
    """Each test runs with either way of rolling back."""
    moto_transactions(request.param)


@pytest.fixture
def poller_of(aws: LocalAws, recorder: Recorder, rollback: None) -> Iterator[Any]:
    """Makes the poller when asked (it starts where the stream ends then), stops it after the test."""
    made: list[StreamPoller] = []

    def make() -> StreamPoller:
        poller = StreamPoller(
            endpoint_url=aws.url,
            table_name=aws.names.table,
            invoke=recorder,
            ledger=TtlLedger(),
            subscriptions=(EVERYTHING,),
        )
        made.append(poller)
        return poller

    yield make
    for poller in made:
        poller.stop()


def canceled_transaction(aws: LocalAws, pk: str) -> None:
    """A put of `pk`, with a condition on another item that does not hold: moto cancels it."""
    table = aws.names.table
    with pytest.raises(ClientError) as refused:
        aws.client("dynamodb").transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "ITEM"}, "type": {"S": "thing"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "absent"}, "sk": {"S": "ITEM"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"


def test_records_written_after_a_canceled_transaction_are_delivered(
    aws: LocalAws, recorder: Recorder, poller_of: Any
) -> None:
    # Given a poller that has delivered a record
    dynamodb = aws.client("dynamodb")
    poller = poller_of()
    put(aws, dynamodb, "before")
    poller.poll_once()

    # When a transaction is canceled, and then more is written
    canceled_transaction(aws, "never")
    put(aws, dynamodb, "after")
    poller.poll_once()

    # Then what came after is delivered; what was rolled back is not
    assert recorder.batches == [["before"], ["after"]]


def test_a_canceled_transaction_before_anything_was_read_stops_nothing(
    aws: LocalAws, recorder: Recorder, poller_of: Any
) -> None:
    # A poller that has read nothing yet starts from where the stream ended when it was made
    dynamodb = aws.client("dynamodb")
    put(aws, dynamodb, "seed")
    poller = poller_of()
    canceled_transaction(aws, "never")
    put(aws, dynamodb, "first")
    poller.poll_once()

    assert recorder.batches == [["first"]]
