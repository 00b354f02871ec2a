"""The table is built from deskless.table.TABLE and its stream reaches functions as
deskless.catalog.STREAM_SUBSCRIPTIONS declare."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deskless.catalog import STREAM_SUBSCRIPTIONS, StreamSubscription
from deskless.table import TABLE
from tests.infra.conftest import Synthesized, actions_of, logical_id_of, mentions


def key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [{"AttributeName": partition_key, "KeyType": "HASH"}, {"AttributeName": sort_key, "KeyType": "RANGE"}]


def test_table_keys_indexes_ttl_and_stream_come_from_the_definition(synthesized: Synthesized):
    table = synthesized.resources[synthesized.only("AWS::DynamoDB::Table")]
    properties = table["Properties"]
    assert properties["KeySchema"] == key_schema(TABLE.partition_key, TABLE.sort_key)
    indexes = {index["IndexName"]: index for index in properties["GlobalSecondaryIndexes"]}
    assert set(indexes) == {index.name for index in TABLE.indexes}
    for index in TABLE.indexes:
        assert indexes[index.name]["KeySchema"] == key_schema(index.partition_key, index.sort_key)
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_table_survives_mistakes(synthesized: Synthesized):
    table = synthesized.resources[synthesized.only("AWS::DynamoDB::Table")]
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


# The id DynamoEventSource gave the events function's one mapping, deployed before tickets came
# (the template of 36b2e4a's parent): the same mapping must keep it, or CloudFormation replaces it.
DEPLOYED_MAPPING_ID = "FunctionseventsFunctionDynamoDBEventSourceDesklessDataTableE38F188A57998542"


def mapping_of(synthesized: Synthesized, subscription: StreamSubscription) -> tuple[str, dict[str, Any]]:
    """The logical id and properties of the subscription's mapping: its function's, with its filters."""
    function, _ = synthesized.function(subscription.function)
    (found,) = [
        (logical_id, value["Properties"])
        for logical_id, value in synthesized.of_type("AWS::Lambda::EventSourceMapping").items()
        if value["Properties"]["FunctionName"] == {"Ref": function}
        and [json.loads(f["Pattern"]) for f in value["Properties"]["FilterCriteria"]["Filters"]]
        == [json.loads(json.dumps(f)) for f in subscription.filters]
    ]
    return found


def test_the_events_functions_one_mapping_keeps_its_deployed_id_and_the_automations_has_its_own(
    synthesized: Synthesized,
):
    (events,) = [s for s in STREAM_SUBSCRIPTIONS if s.function == "events"]
    (automation,) = [s for s in STREAM_SUBSCRIPTIONS if s.function == "automation"]
    events_id, _ = mapping_of(synthesized, events)
    automation_id, _ = mapping_of(synthesized, automation)
    assert events_id == DEPLOYED_MAPPING_ID
    assert automation_id != events_id
    # two readers of the stream: DynamoDB throttles a third
    assert len(synthesized.of_type("AWS::Lambda::EventSourceMapping")) == 2


@pytest.mark.parametrize("subscription", STREAM_SUBSCRIPTIONS, ids=[s.mapping for s in STREAM_SUBSCRIPTIONS])
def test_stream_mapping_has_the_declared_filters_and_reports_failures(
    synthesized: Synthesized, subscription: StreamSubscription
):
    _, mapping = mapping_of(synthesized, subscription)
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [synthesized.only("AWS::DynamoDB::Table"), "StreamArn"]}
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BatchSize"] == subscription.batch_size
    assert mapping["MaximumRetryAttempts"] == subscription.retry_attempts
    assert mapping["MaximumBatchingWindowInSeconds"] == subscription.max_batching_window_s
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == [json.loads(json.dumps(f)) for f in subscription.filters]

    # What still fails lands in an encrypted queue that only accepts TLS.
    queue = logical_id_of(mapping["DestinationConfig"]["OnFailure"]["Destination"])
    assert synthesized.resources[queue]["Type"] == "AWS::SQS::Queue"
    assert synthesized.resources[queue]["Properties"]["SqsManagedSseEnabled"] is True
    (queue_policy,) = [
        value["Properties"]["PolicyDocument"]["Statement"]
        for value in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        if {"Ref": queue} in value["Properties"]["Queues"]
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in queue_policy
    )
    sends = [s for s in synthesized.role_statements(subscription.function) if "sqs:SendMessage" in actions_of(s)]
    assert any(mentions(s["Resource"], queue) for s in sends)
