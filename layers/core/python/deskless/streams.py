"""Stream functions: batch processing with partial failures, and what a record says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from .data import Item, deserialize
from .observability import logger, metrics, tracer

TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def is_ttl_delete(record: DynamoDBRecord) -> bool:
    """A REMOVE made by DynamoDB's TTL, not by a caller (event filters cannot tell these apart)."""
    identity = record.user_identity
    return (
        record.raw_event.get("eventName") == "REMOVE"
        and identity.get("type") == "Service"
        and identity.get("principalId") == TTL_PRINCIPAL
    )


def old_image(record: DynamoDBRecord) -> Item:
    return deserialize(record.raw_event.get("dynamodb", {}).get("OldImage", {}))


def new_image(record: DynamoDBRecord) -> Item:
    return deserialize(record.raw_event.get("dynamodb", {}).get("NewImage", {}))


def stream_handler(
    record_handler: Callable[[DynamoDBRecord], None],
    *,
    whole_batch: Callable[[list[DynamoDBRecord]], None] | None = None,
) -> Callable[[dict[str, Any], Any], PartialItemFailureResponse]:
    """A Lambda entry point that handles each record and reports the ones that failed.

    `whole_batch`, if given, first sees every record of the batch at once, for work worth doing
    once per batch rather than per record; if it fails, the whole batch fails and comes again
    (so each record's handling, as every reaction is, must be safe to repeat)."""
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        if whole_batch is not None:
            whole_batch([DynamoDBRecord(record) for record in event.get("Records", [])])
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
