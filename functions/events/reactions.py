"""What follows from a change in the table. Each reaction is idempotent: a record may come twice."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from deskless.observability import logger
from deskless.realtime import disconnect
from deskless.streams import is_ttl_delete, old_image
from deskless.table import Entity


def connection_expired(record: DynamoDBRecord) -> None:
    """A connection record outlived API Gateway's two-hour limit: make sure the socket is closed."""
    connection_id = old_image(record)["connection_id"]
    closed = disconnect(connection_id)
    logger.info("expired connection", extra={"connection_id": connection_id, "was_open": closed})


def react(record: DynamoDBRecord) -> None:
    if is_ttl_delete(record) and old_image(record).get("type") == Entity.CONNECTION:
        connection_expired(record)
