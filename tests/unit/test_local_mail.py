"""The SES receipt event the local SMTP listener builds, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from aws_lambda_powertools.utilities.parser.models import SesModel

from local.mail import new_message_id, ses_receipt_event


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Jane Doe <jane.doe@example.org>"
    mail["To"] = "support@deskless.example.com, Help <help@deskless.example.com>"
    mail["Cc"] = "boss@example.org"
    mail["Reply-To"] = "jane@example.org"
    mail["Subject"] = "Café machine: ne marche pas"
    mail["Date"] = "Thu, 12 Mar 2026 20:03:51 +0100"
    mail["Message-ID"] = "<abc@mail.example.org>"
    mail.set_content("Bonjour\n")
    return mail


def test_the_receipt_event_validates_and_carries_the_headers():
    received = datetime(2026, 3, 12, 19, 3, 58, 412000, tzinfo=UTC)
    event = ses_receipt_event(
        message().as_bytes(),
        message_id="o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g81",
        recipients=["support@deskless.example.com"],
        destination=["support@deskless.example.com", "help@deskless.example.com"],
        received_at=received,
    )
    ses = SesModel.model_validate(event).Records[0].ses
    assert event["Records"][0]["eventSource"] == "aws:ses"
    assert event["Records"][0]["ses"]["mail"]["timestamp"] == "2026-03-12T19:03:58.412Z"
    assert ses.mail.source == "jane.doe@example.org"  # the From address when no envelope sender is given
    assert ses.mail.destination == ["support@deskless.example.com", "help@deskless.example.com"]
    assert ses.receipt.recipients == ["support@deskless.example.com"]
    common = ses.mail.commonHeaders
    assert common.header_from == ["Jane Doe <jane.doe@example.org>"]
    assert common.to == ["support@deskless.example.com", "Help <help@deskless.example.com>"]
    assert common.cc == ["boss@example.org"]
    assert common.reply_to == ["jane@example.org"]
    assert common.subject == "Café machine: ne marche pas"
    assert common.date == "Thu, 12 Mar 2026 20:03:51 +0100"
    assert common.messageId == "<abc@mail.example.org>"
    assert common.returnPath == "jane.doe@example.org"
    assert {"name": "Subject", "value": "Café machine: ne marche pas"} in event["Records"][0]["ses"]["mail"]["headers"]
    assert ses.receipt.spamVerdict.status == "PASS"
    assert ses.receipt.action.type == "Lambda"
    assert ses.receipt.action.invocationType == "Event"


def test_a_bare_message_still_makes_a_valid_event():
    event = ses_receipt_event(
        b"\r\nno headers at all\r\n", message_id=new_message_id(), recipients=["a@b.c"], source=""
    )
    ses = SesModel.model_validate(event).Records[0].ses
    assert ses.mail.commonHeaders.header_from == []
    assert ses.mail.commonHeaders.subject == ""
    assert ses.mail.commonHeaders.messageId  # one is made up, as SES would not leave it empty


def test_message_ids_look_like_ses_ones():
    ids = {new_message_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 40 and i.isalnum() and i.islower() for i in ids)
