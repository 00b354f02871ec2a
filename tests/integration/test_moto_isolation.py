"""DynamoDB requests to moto take turns (local.moto_isolation): only while moto answers them in
local mode's fast path, for the whole request in moto as it is."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from local import moto_isolation
from tests.conftest import LocalAws


@pytest.fixture
def mode_restored() -> Iterator[None]:
    yield
    moto_isolation.use("action")  # local mode's default, which moto_app set for this process


def answered_while_the_turn_is_held(aws: LocalAws) -> bool:
    """Whether a GetItem is answered while something else holds DynamoDB's turn."""
    dynamodb = aws.client("dynamodb")
    dynamodb.describe_table(TableName=aws.names.table)  # the client's connection, made before
    answered = threading.Event()

    def get() -> None:
        dynamodb.get_item(TableName=aws.names.table, Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
        answered.set()

    with moto_isolation._TURN:
        thread = threading.Thread(target=get, daemon=True)
        thread.start()
        during = answered.wait(0.5)
    assert answered.wait(10), "the request is answered once the turn is free"
    thread.join()
    return during


@pytest.mark.parametrize("mode", ["action", "request"])
def test_a_dynamodb_request_waits_for_its_turn(aws: LocalAws, mode: moto_isolation.Mode, mode_restored: None) -> None:
    moto_isolation.use(mode)
    assert not answered_while_the_turn_is_held(aws)


def test_the_fast_path_takes_turns_only_while_moto_answers() -> None:
    moto_isolation.use("action")
    assert DynamoHandler.call_action is not moto_isolation._MOTO_CALL_ACTION[DynamoHandler]
    assert DynamoDBStreamsHandler.call_action is not moto_isolation._MOTO_CALL_ACTION[DynamoDBStreamsHandler]


def test_moto_as_it_is_answers_with_its_own_actions(mode_restored: None) -> None:
    moto_isolation.use("request")
    assert DynamoHandler.call_action is moto_isolation._MOTO_CALL_ACTION[DynamoHandler]
    assert DynamoDBStreamsHandler.call_action is moto_isolation._MOTO_CALL_ACTION[DynamoDBStreamsHandler]
