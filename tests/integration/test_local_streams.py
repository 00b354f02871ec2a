"""The local stream poller against moto's DynamoDB Streams: Lambda's record shape, event filters,
batch sizes, partial batch failures, retries, bisection and the dead-letter list."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
)

from deskless.catalog import StreamSubscription
from local.services import provision, stream_arn
from local.streams import StreamPoller, TtlLedger

EVERYTHING = StreamSubscription("recorder", filters=(), batch_size=10, retry_attempts=2)


class Recorder:
    """A stand-in stream function: records each event and answers as `respond` says."""

    def __init__(self, respond: Callable[[list[dict[str, Any]]], Any] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.functions: list[str] = []
        self._respond = respond

    def __call__(self, function: str, event: dict[str, Any]) -> Any:
        self.functions.append(function)
        self.events.append(event)
        if self._respond is not None:
            return self._respond(event["Records"])
        return {"batchItemFailures": []}

    @property
    def batches(self) -> list[list[str]]:
        """Each invocation's records, by their item's pk."""
        return [[_pk(record) for record in event["Records"]] for event in self.events]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [record for event in self.events for record in event["Records"]]


def _pk(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["Keys"]["pk"]["S"])


@pytest.fixture
def make_poller(aws) -> Iterator[Callable[..., StreamPoller]]:
    made: list[StreamPoller] = []

    def make(invoke: Any, *subscriptions: StreamSubscription, **options: Any) -> StreamPoller:
        poller = StreamPoller(
            endpoint_url=aws.url,
            table_name=aws.names.table,
            invoke=invoke,
            ledger=options.pop("ledger", TtlLedger()),
            subscriptions=subscriptions or (EVERYTHING,),
            **options,
        )
        made.append(poller)
        return poller

    yield make
    for poller in made:
        poller.stop()


@pytest.fixture
def dynamodb(aws) -> Any:
    return aws.client("dynamodb")


def put(aws, dynamodb, pk: str, **attributes: Any) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": "ITEM"}, "type": {"S": attributes.pop("type", "thing")}}
    item |= {name: {"S": value} if isinstance(value, str) else value for name, value in attributes.items()}
    dynamodb.put_item(TableName=aws.names.table, Item=item)


def test_insert_modify_and_remove_arrive_in_lambdas_shape(aws, dynamodb, make_poller):
    # Given a poller on the table's stream
    recorder = Recorder()
    poller = make_poller(recorder)
    # When an item is inserted, modified and removed
    put(aws, dynamodb, "A", colour="red", blob={"B": b"\x00\xff"})
    put(aws, dynamodb, "A", colour="blue")
    dynamodb.delete_item(TableName=aws.names.table, Key={"pk": {"S": "A"}, "sk": {"S": "ITEM"}})
    delivered = poller.poll_once()
    # Then one event carries the three records, valid for Powertools' model, with their images
    assert delivered == 3
    (event,) = recorder.events
    parsed = DynamoDBStreamModel.model_validate(event)
    insert, modify, remove = event["Records"]
    assert [r["eventName"] for r in (insert, modify, remove)] == ["INSERT", "MODIFY", "REMOVE"]
    assert parsed.Records[0].dynamodb.NewImage == {
        "pk": "A",
        "sk": "ITEM",
        "type": "thing",
        "colour": "red",
        "blob": "AP8=",  # Powertools leaves binary as Lambda sends it
    }
    assert insert["dynamodb"]["NewImage"]["blob"] == {"B": "AP8="}  # binary is base64, as Lambda sends it
    assert "OldImage" not in insert["dynamodb"]
    assert modify["dynamodb"]["OldImage"]["colour"] == {"S": "red"}
    assert modify["dynamodb"]["NewImage"]["colour"] == {"S": "blue"}
    assert remove["dynamodb"]["OldImage"]["colour"] == {"S": "blue"}
    assert "NewImage" not in remove["dynamodb"]
    arn = stream_arn(aws.names, aws.url)
    for record in (insert, modify, remove):
        assert record["eventSourceARN"] == arn
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventVersion"] == "1.1"
        assert record["awsRegion"] == "us-east-1"
        assert record["dynamodb"]["Keys"] == {"pk": {"S": "A"}, "sk": {"S": "ITEM"}}
        assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
        assert abs(record["dynamodb"]["ApproximateCreationDateTime"] - time.time()) < 60
        assert "userIdentity" not in record  # a caller's delete, not TTL's
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in (insert, modify, remove)]
    assert sequence == sorted(sequence)
    # And nothing is delivered twice
    assert poller.poll_once() == 0
    assert len(recorder.events) == 1


def test_changes_made_before_the_poller_existed_are_not_delivered(aws, dynamodb, make_poller):
    # Given a change made before the poller was created (it starts at the stream's end, LATEST)
    put(aws, dynamodb, "before")
    recorder = Recorder()
    poller = make_poller(recorder)
    # When another change follows
    put(aws, dynamodb, "after")
    poller.poll_once()
    # Then only that one is delivered
    assert recorder.batches == [["after"]]


def test_records_that_match_no_filter_are_dropped(aws, dynamodb, make_poller):
    # Given a function that only wants inserted connections, or removals of anything
    wanted = StreamSubscription(
        "picky",
        filters=(
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["connection"]}}}},
            {"eventName": ["REMOVE"]},
        ),
    )
    recorder = Recorder()
    poller = make_poller(recorder, wanted)
    # When a user and a connection are inserted, the connection is modified, and the user removed
    put(aws, dynamodb, "user", type="user")
    put(aws, dynamodb, "conn", type="connection")
    put(aws, dynamodb, "conn", type="connection", extra="x")
    dynamodb.delete_item(TableName=aws.names.table, Key={"pk": {"S": "user"}, "sk": {"S": "ITEM"}})
    delivered = poller.poll_once()
    # Then the function sees the connection's insert and the removal only
    assert delivered == 2
    assert [(r["eventName"], _pk(r)) for r in recorder.records] == [("INSERT", "conn"), ("REMOVE", "user")]
    assert recorder.functions == ["picky"]


def test_each_subscription_gets_its_own_records(aws, dynamodb, make_poller):
    recorder = Recorder()
    inserts = StreamSubscription("inserts", filters=({"eventName": ["INSERT"]},))
    everything = StreamSubscription("everything", filters=())
    poller = make_poller(recorder, inserts, everything)
    put(aws, dynamodb, "A")
    put(aws, dynamodb, "A", more="x")
    assert poller.poll_once() == 3
    assert recorder.functions == ["inserts", "everything"]
    assert recorder.batches == [["A"], ["A", "A"]]


def test_batches_hold_at_most_batch_size_records_in_order(aws, dynamodb, make_poller):
    recorder = Recorder()
    poller = make_poller(recorder, StreamSubscription("recorder", filters=(), batch_size=2))
    for n in range(5):
        put(aws, dynamodb, f"item-{n}")
    assert poller.poll_once() == 5
    assert recorder.batches == [["item-0", "item-1"], ["item-2", "item-3"], ["item-4"]]


def test_a_partial_failure_redelivers_from_the_first_failed_record(aws, dynamodb, make_poller):
    # Given a function that fails items 2 and 4 of its first batch, and nothing afterwards
    def respond(records: list[dict[str, Any]]) -> dict[str, Any]:
        if len(recorder.events) == 1:
            failed = [records[4], records[2]]
            return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}
        return {"batchItemFailures": []}

    recorder = Recorder(respond)
    poller = make_poller(recorder)
    for n in range(5):
        put(aws, dynamodb, f"item-{n}")
    # When the poller delivers
    delivered = poller.poll_once()
    # Then the second batch starts at the first failed record, and the ones before it are not resent
    assert recorder.batches == [
        ["item-0", "item-1", "item-2", "item-3", "item-4"],
        ["item-2", "item-3", "item-4"],
    ]
    assert delivered == 5
    assert poller.dead_letters == []


def test_an_unknown_item_identifier_fails_the_whole_batch(aws, dynamodb, make_poller):
    def respond(records: list[dict[str, Any]]) -> dict[str, Any]:
        if len(recorder.events) == 1:
            return {"batchItemFailures": [{"itemIdentifier": "not-a-sequence-number"}]}
        return {}

    recorder = Recorder(respond)
    poller = make_poller(recorder)
    put(aws, dynamodb, "A")
    put(aws, dynamodb, "B")
    poller.poll_once()
    assert recorder.batches == [["A", "B"], ["A", "B"]]


def test_a_record_that_keeps_failing_goes_to_the_dead_letters_after_its_retries(aws, dynamodb, make_poller):
    # Given a function that raises on the "poison" item, with two retries allowed
    def respond(records: list[dict[str, Any]]) -> dict[str, Any]:
        if any(_pk(r) == "poison" for r in records):
            raise RuntimeError("cannot handle this one")
        return {"batchItemFailures": []}

    recorder = Recorder(respond)
    poller = make_poller(recorder, StreamSubscription("recorder", filters=(), batch_size=1, retry_attempts=2))
    put(aws, dynamodb, "poison")
    put(aws, dynamodb, "fine")
    # When the poller delivers
    delivered = poller.poll_once()
    # Then the poison record was tried once and retried twice, then set aside; the next one got through
    assert recorder.batches == [["poison"], ["poison"], ["poison"], ["fine"]]
    assert delivered == 1
    (letter,) = poller.dead_letters
    parsed = DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(letter)
    poison = recorder.records[0]
    assert parsed.request_context.condition == "RetryAttemptsExhausted"
    assert parsed.request_context.approximate_invoke_count == 3
    assert parsed.response_context.function_error == "Unhandled"
    assert parsed.ddb_stream_batch_info.start_sequence_number == poison["dynamodb"]["SequenceNumber"]
    assert parsed.ddb_stream_batch_info.end_sequence_number == poison["dynamodb"]["SequenceNumber"]
    assert parsed.ddb_stream_batch_info.batch_size == 1
    assert parsed.ddb_stream_batch_info.stream_arn == stream_arn(aws.names, aws.url)
    assert parsed.ddb_stream_batch_info.shard_id.startswith("shardId-")
    # And it is not delivered again
    assert poller.poll_once() == 0


def test_a_failing_batch_is_bisected_after_its_retries(aws, dynamodb, make_poller):
    # Given a function that raises whenever its batch holds the poison item, with one retry
    def respond(records: list[dict[str, Any]]) -> dict[str, Any]:
        if any(_pk(r) == "poison" for r in records):
            raise RuntimeError("poison")
        return {}

    recorder = Recorder(respond)
    poller = make_poller(recorder, StreamSubscription("recorder", filters=(), batch_size=4, retry_attempts=1))
    for pk in ("a", "b", "poison", "d"):
        put(aws, dynamodb, pk)
    # When the poller delivers
    delivered = poller.poll_once()
    # Then the batch is tried twice, split in halves, and so on until the poison record stands alone
    assert recorder.batches == [
        ["a", "b", "poison", "d"],
        ["a", "b", "poison", "d"],
        ["a", "b"],
        ["poison", "d"],
        ["poison", "d"],
        ["poison"],
        ["poison"],
        ["d"],
    ]
    assert delivered == 3
    (letter,) = poller.dead_letters
    assert letter["DDBStreamBatchInfo"]["startSequenceNumber"] == recorder.records[2]["dynamodb"]["SequenceNumber"]


def test_a_partial_failure_that_persists_is_dead_lettered_too(aws, dynamodb, make_poller):
    # Given a function that always reports the "bad" record as failed (no exception)
    def respond(records: list[dict[str, Any]]) -> dict[str, Any]:
        failed = [r for r in records if _pk(r) == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    recorder = Recorder(respond)
    poller = make_poller(recorder, StreamSubscription("recorder", filters=(), batch_size=3, retry_attempts=1))
    for pk in ("ok", "bad", "later"):
        put(aws, dynamodb, pk)
    poller.poll_once()
    # It is redelivered with what follows it, bisected, and finally set aside; "later" gets through
    assert recorder.batches == [["ok", "bad", "later"], ["bad", "later"], ["bad"], ["bad"], ["later"]]
    (letter,) = poller.dead_letters
    assert "functionError" not in letter["responseContext"]
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(letter)


def test_the_batching_window_waits_for_a_fuller_batch(aws, dynamodb, make_poller):
    now = [1000.0]
    recorder = Recorder()
    windowed = StreamSubscription("recorder", filters=(), batch_size=3, max_batching_window_s=5)
    poller = make_poller(recorder, windowed, clock=lambda: now[0])
    put(aws, dynamodb, "a")
    assert poller.poll_once() == 0  # the window has just opened
    put(aws, dynamodb, "b")
    now[0] += 4
    assert poller.poll_once() == 0
    now[0] += 1  # the window has passed
    assert poller.poll_once() == 2
    for pk in ("c", "d", "e"):
        put(aws, dynamodb, pk)
    assert poller.poll_once() == 3  # a full batch goes at once
    assert recorder.batches == [["a", "b"], ["c", "d", "e"]]


def test_the_background_thread_delivers_and_stops(aws, dynamodb, make_poller):
    recorder = Recorder()
    poller = make_poller(recorder, interval_s=0.02)
    poller.start()
    put(aws, dynamodb, "A")
    deadline = time.monotonic() + 5
    while not recorder.events and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    poller.stop()
    assert time.monotonic() - started < 1
    assert recorder.batches == [["A"]]


def test_an_idle_poller_polls_less_often_and_still_delivers_promptly(aws, dynamodb, make_poller):
    # Given a poller whose table has been quiet for a while
    recorder = Recorder()
    poller = make_poller(recorder, interval_s=0.02, idle_interval_s=0.2)
    polls: list[float] = []
    poll_once = poller.poll_once

    def counted():
        polls.append(time.monotonic())
        return poll_once()

    poller.poll_once = counted
    poller.start()
    time.sleep(1.5)
    # Then it polled at most every 0.2 s, not every 0.02 s
    quiet = [p for p in polls if p > polls[0] + 0.5]
    assert len(quiet) <= 7
    # When an item is written, it is delivered within the idle interval
    written = time.monotonic()
    put(aws, dynamodb, "A")
    put(aws, dynamodb, "B")
    while len(recorder.records) < 2 and time.monotonic() < written + 5:
        time.sleep(0.01)
    assert time.monotonic() - written < 1
    assert [_pk(record) for record in recorder.records] == ["A", "B"]


def test_a_recreated_table_is_read_from_its_start(aws, dynamodb, make_poller):
    # Given a poller, and the table then recreated (moto reset, as between tests)
    recorder = Recorder()
    poller = make_poller(recorder)
    old_arn = poller.stream_arn
    requests.post(f"{aws.url}/moto-api/reset", timeout=10)
    provision(aws.names, aws.url)
    put(aws, dynamodb, "fresh")
    # When it polls (the first poll finds its iterator gone and looks for the new stream)
    for _ in range(3):
        if poller.poll_once():
            break
    # Then it delivers what the new table's stream holds, from its start
    assert recorder.batches == [["fresh"]]
    assert poller.stream_arn != old_arn


def test_no_shard_iterator_is_left_behind_in_moto(aws, dynamodb, make_poller):
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    poller = make_poller(Recorder())
    iterators = dynamodbstreams_backends["123456789012"]["us-east-1"].shard_iterators
    poller.poll_once()
    before = len(iterators)
    for _ in range(20):
        poller.poll_once()
    assert len(iterators) <= before


def test_each_mappings_batches_are_delivered_side_by_side_as_each_mapping_reads_on_its_own(aws, dynamodb, make_poller):
    # Given two mappings of the same records, the first one's function waiting for the second's
    second_ran = threading.Event()
    waited: list[bool] = []

    def invoke(function: str, event: dict[str, Any]) -> Any:
        if function == "slow":
            waited.append(second_ran.wait(timeout=5))
        else:
            second_ran.set()
        return {"batchItemFailures": []}

    poller = make_poller(
        invoke,
        StreamSubscription("slow", filters=(), batch_size=10),
        StreamSubscription("quick", filters=(), batch_size=10),
    )
    put(aws, dynamodb, "A")

    # When the poller delivers them
    delivered = poller.poll_once()

    # Then the second mapping's batch ran while the first's was still running
    assert delivered == 2
    assert waited == [True]
