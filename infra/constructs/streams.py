"""The table's stream, delivered to functions as deskless.catalog.STREAM_SUBSCRIPTIONS declare:
their filters, batch sizes and retries; failed records reported one by one, batches bisected on
error, and what still fails parked in a failure queue with an alarm (failures.py)."""

from __future__ import annotations

import json

from aws_cdk import Duration, Names
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct

from deskless.catalog import STREAM_SUBSCRIPTIONS
from infra.constructs.failures import failure_queue
from infra.constructs.functions import Functions
from infra.nag import suppress


class Streams(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.ITable, functions: Functions) -> None:
        super().__init__(scope, construct_id)
        granted: set[str] = set()
        for subscription in STREAM_SUBSCRIPTIONS:
            failures = failure_queue(
                self,
                f"{subscription.mapping}-failures",
                holds=f"the stream records the {subscription.mapping} mapping failed on after its retries",
            )
            made = functions.made(subscription.function)
            lambda_.EventSourceMapping(
                made.function,
                _mapping_id(table, subscription.name),
                target=made.function,
                event_source_arn=table.table_stream_arn,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=subscription.batch_size,
                max_batching_window=Duration.seconds(subscription.max_batching_window_s),
                retry_attempts=subscription.retry_attempts,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                # The pattern is the catalog's filter as JSON, exactly.
                filters=[lambda_.FilterCriteria.filter(json.loads(json.dumps(f))) for f in subscription.filters],
                on_failure=event_sources.SqsDlq(failures),
            )
            if subscription.function in granted:
                continue
            granted.add(subscription.function)
            table.grant_stream_read(made.function)
            suppress(
                made.role,
                "IAM5",
                "dynamodb:ListStreams accepts no resource but *; reading the stream itself is scoped to the table.",
                applies_to=["Resource::*"],
            )


def _mapping_id(table: dynamodb.ITable, name: str) -> str:
    """The mapping's id under its function: a function's first mapping keeps the id
    DynamoEventSource gives it (so a deployed one is not replaced); another is named after it."""
    base = f"DynamoDBEventSource:{Names.node_unique_id(table.node)}"
    return f"{base}:{name}" if name else base
