"""A message SES received: read its body from S3 (the Lambda action carries only headers) and
record it once, whatever the number of deliveries, and whatever charset it claims (decoding.py)."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from deskless.aws import client
from deskless.catalog import INBOUND_MAIL_PREFIX
from deskless.data import NEW_ITEM, ConditionFailed, table
from deskless.observability import logger
from deskless.settings import get_settings
from deskless.table import Entity, inbound_mail_key, stamped

from .decoding import LENIENT

PREVIEW_CHARS = 2000


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content().replace("\r\n", "\n") if part is not None else ""


def receive(ses: dict[str, Any]) -> str:
    message_id = ses["mail"]["messageId"]
    raw = (
        client("s3")
        .get_object(Bucket=get_settings().inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id)["Body"]
        .read()
    )
    message = BytesParser(policy=LENIENT).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    item = stamped(
        Entity.INBOUND_MAIL,
        inbound_mail_key(message_id),
        message_id=message_id,
        sender=str(message.get("from", "")),
        recipients=ses["receipt"].get("recipients", []),
        subject=str(message.get("subject", "")),
        text=_text_of(message)[:PREVIEW_CHARS],
        received_at=int(time.time()),
    )
    try:
        table().put(item, condition=NEW_ITEM)
    except ConditionFailed:
        logger.info("message already recorded", extra={"message_id": message_id})
    return str(message_id)
