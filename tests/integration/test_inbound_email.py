"""The inbound_email function: SES stores a received message in S3 (the rule's S3 action),
then invokes the function with headers only; the function reads the body from S3 and
records the message once, however many times SES delivers the event."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError

from deskless.catalog import INBOUND_MAIL_PREFIX
from deskless.data import table
from deskless.table import inbound_mail_key
from tests.conftest import LocalAws
from tests.helpers import invoke, load_event

SAMPLE = load_event("ses_receipt")
MESSAGE_ID = SAMPLE["Records"][0]["ses"]["mail"]["messageId"]


def raw_message(subject: str = "Printer on floor 3 is offline", *, html: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane.doe@example.org>"
    message["To"] = "support@deskless.example.com"
    message["Subject"] = subject
    message["Message-ID"] = "<CAF7x9Q2=k1Lm@mail.example.org>"
    if html:
        message.set_content("<p>It says <b>offline</b> since this morning.</p>", subtype="html")
    else:
        message.set_content("It says offline since this morning.\nCould someone look?\n")
    return bytes(message)


def store(aws: LocalAws, raw: bytes, message_id: str = MESSAGE_ID) -> None:
    """What the receipt rule's S3 action does before the Lambda action runs."""
    aws.client("s3").put_object(Bucket=aws.names.inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id, Body=raw)


def recorded(message_id: str = MESSAGE_ID) -> dict[str, Any] | None:
    return table().get(inbound_mail_key(message_id))


def test_a_received_message_is_recorded_with_its_sender_subject_and_text(aws: LocalAws) -> None:
    store(aws, raw_message())

    answer = invoke("inbound_email", load_event("ses_receipt"))

    assert answer == {"received": [MESSAGE_ID]}
    item = recorded()
    assert item is not None
    assert item["type"] == "inbound_mail"
    assert item["message_id"] == MESSAGE_ID
    assert item["sender"] == "Jane Doe <jane.doe@example.org>"
    assert item["subject"] == "Printer on floor 3 is offline"
    assert item["text"] == "It says offline since this morning.\nCould someone look?\n"
    assert item["recipients"] == ["support@deskless.example.com"]


def test_an_html_only_message_is_recorded_with_its_html_as_text(aws: LocalAws) -> None:
    store(aws, raw_message(html=True))

    invoke("inbound_email", load_event("ses_receipt"))

    item = recorded()
    assert item is not None
    assert "offline" in item["text"]


def test_a_long_message_is_recorded_as_a_preview(aws: LocalAws) -> None:
    message = EmailMessage()
    message["Subject"] = "Long"
    message.set_content("x" * 10_000)
    store(aws, bytes(message))

    invoke("inbound_email", load_event("ses_receipt"))

    item = recorded()
    assert item is not None
    assert len(item["text"]) == 2000


def test_the_same_delivery_twice_is_recorded_once(aws: LocalAws) -> None:
    # Given a message delivered and recorded
    store(aws, raw_message("First subject"))
    invoke("inbound_email", load_event("ses_receipt"))
    first = recorded()

    # When SES delivers the same event again (even if the stored copy changed meanwhile)
    store(aws, raw_message("Changed subject"))
    answer = invoke("inbound_email", load_event("ses_receipt"))

    # Then the delivery succeeds and the first record stands untouched
    assert answer == {"received": [MESSAGE_ID]}
    assert recorded() == first
    scanned = aws.client("dynamodb").scan(TableName=aws.names.table)["Items"]
    assert [item["pk"]["S"] for item in scanned] == [f"MAIL#{MESSAGE_ID}"]


def test_each_record_of_an_event_is_recorded(aws: LocalAws) -> None:
    event = load_event("ses_receipt")
    second = load_event("ses_receipt")["Records"][0]
    second["ses"]["mail"]["messageId"] = "second-message"
    event["Records"].append(second)
    store(aws, raw_message("One"))
    store(aws, raw_message("Two"), message_id="second-message")

    answer = invoke("inbound_email", event)

    assert answer == {"received": [MESSAGE_ID, "second-message"]}
    first, other = recorded(), recorded("second-message")
    assert first is not None
    assert other is not None
    assert (first["subject"], other["subject"]) == ("One", "Two")


def test_a_message_missing_from_s3_fails_the_invocation_so_ses_retries(aws: LocalAws) -> None:
    with pytest.raises(ClientError, match="NoSuchKey"):
        invoke("inbound_email", load_event("ses_receipt"))
    assert recorded() is None
