"""The inbound_email function: SES stores a received message in S3 (the rule's S3 action),
then invokes the function with headers only; the function reads the body from S3 and
records the message once, however many times SES delivers the event, whatever charset its
sender's mail program claimed."""

from __future__ import annotations

from dataclasses import dataclass
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
    assert [item["pk"]["S"] for item in scanned if item["type"]["S"] == "inbound_mail"] == [f"MAIL#{MESSAGE_ID}"]
    assert len([item for item in scanned if item["type"]["S"] == "contact"]) == 1


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


# --- Charsets as real mail has them ---------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A message as its sender's mail program wrote it, bytes and all, and what is to be recorded."""

    content_type: str
    body: bytes
    text: str  # recorded
    subject: bytes = b"Printer"
    transfer_encoding: bytes = b"8bit"
    sender: bytes = b"Jane Doe <jane.doe@example.org>"

    @property
    def raw(self) -> bytes:
        return b"\r\n".join(
            (
                b"From: " + self.sender,
                b"To: support@deskless.example.com",
                b"Subject: " + self.subject,
                b"MIME-Version: 1.0",
                b"Content-Type: " + self.content_type.encode(),
                b"Content-Transfer-Encoding: " + self.transfer_encoding,
                b"",
                self.body,
            )
        )

    def receipt_event(self) -> dict[str, Any]:
        """The sample SES event for this message (SES copies the message's headers into it)."""
        event = load_event("ses_receipt")
        for header in event["Records"][0]["ses"]["mail"]["headers"]:
            if header["name"] == "Content-Type":
                header["value"] = self.content_type
        return event


UNKNOWN_8BIT = "text/plain; charset=unknown-8bit"
BROKEN_BODIES = {
    # Relays write unknown-8bit for 8-bit bytes that came without a charset: UTF-8 today,
    "unknown-8bit, UTF-8 bytes": Sent(UNKNOWN_8BIT, "Grüße aus Brno\r\n".encode(), "Grüße aus Brno\n"),
    # Latin-1 or Windows-1252 from older programs.
    "unknown-8bit, Latin-1 quoted-printable": Sent(
        UNKNOWN_8BIT,
        b"Gr=FC=DFe aus Wien =93quoted=94",
        "Grüße aus Wien “quoted”",
        transfer_encoding=b"quoted-printable",
    ),
    "a charset Python does not know": Sent(
        'text/plain; charset="utf8mb4"', "Tiskárna nejde\r\n".encode(), "Tiskárna nejde\n"
    ),
    "an empty charset": Sent('text/plain; charset=""', b"It is on fire", "It is on fire"),
    "UTF-8 declared, Latin-1 sent": Sent("text/plain; charset=utf-8", b"Caf\xe9 printer", "Café printer"),
    "an HTML-only message in a bogus charset": Sent(
        'multipart/alternative; boundary="b1"',
        b'--b1\r\nContent-Type: text/html; charset="x-bogus"\r\n\r\n<p>Caf\xe9 printer</p>\r\n--b1--\r\n',
        "<p>Café printer</p>",  # the line break before a boundary belongs to the boundary
    ),
}


@pytest.mark.parametrize("sent", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_a_message_in_a_broken_charset_is_recorded_with_its_text(aws: LocalAws, sent: Sent) -> None:
    # Given a message whose charset is unknown, empty or not the one its bytes are in, stored by SES
    store(aws, sent.raw)

    # When SES invokes the function
    answer = invoke("inbound_email", sent.receipt_event())

    # Then the message is recorded, its text decoded in the charset its bytes are really in
    assert answer == {"received": [MESSAGE_ID]}
    item = recorded()
    assert item is not None
    assert item["text"] == sent.text


BROKEN_HEADERS = {
    "a subject in an unknown-8bit encoded word": (
        Sent(UNKNOWN_8BIT, b"x", "x", subject=b"=?unknown-8bit?q?Tisk=E1rna_nejde?="),
        "subject",
        "Tiskárna nejde",
    ),
    "a subject in unencoded Latin-1 bytes": (
        Sent(UNKNOWN_8BIT, b"x", "x", subject=b"Gr\xfc\xdfe aus Wien"),
        "subject",
        "Grüße aus Wien",
    ),
    "a sender's name in an unknown-8bit encoded word": (
        Sent(UNKNOWN_8BIT, b"x", "x", sender=b"=?unknown-8bit?q?J=FCrgen_M=FCller?= <jm@example.de>"),
        "sender",
        "Jürgen Müller <jm@example.de>",
    ),
}


@pytest.mark.parametrize(("sent", "field", "value"), BROKEN_HEADERS.values(), ids=BROKEN_HEADERS.keys())
def test_a_header_in_a_broken_charset_is_recorded_readable(aws: LocalAws, sent: Sent, field: str, value: str) -> None:
    store(aws, sent.raw)

    invoke("inbound_email", sent.receipt_event())

    item = recorded()
    assert item is not None
    assert item[field] == value
