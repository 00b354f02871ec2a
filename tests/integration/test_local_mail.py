"""Email in local mode: the SMTP listener feeds `inbound_email` as SES's receipt rule does, and
the outbox shows every email sent through SES."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SesModel

from deskless.catalog import INBOUND_MAIL_PREFIX
from local.functions import FunctionRegistry
from local.mail import Outbox, SmtpListener


class Invocations:
    """The function registry, with a record of each invocation."""

    def __init__(self, fail: bool = False) -> None:
        self.registry = FunctionRegistry(reload=False)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail

    def __call__(self, function: str, event: dict[str, Any]) -> Any:
        self.calls.append((function, event))
        if self.fail:
            raise RuntimeError("the function crashed")
        return self.registry.invoke(function, event)


@pytest.fixture
def invocations() -> Invocations:
    return Invocations()


@pytest.fixture
def listener(aws, invocations) -> Iterator[SmtpListener]:
    listener = SmtpListener(
        endpoint_url=aws.url,
        bucket=aws.names.inbound_bucket,
        invoke=invocations,
        recipients_domain=aws.names.mail_domain,
    )
    listener.start()
    yield listener
    listener.stop()


def a_message(aws, subject: str = "Printer on floor 3 is offline") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane.doe@example.org>"
    message["To"] = aws.names.mail_from
    message["Subject"] = subject
    message.set_content("It has been offline since this morning.\n")
    return message


def send(listener: SmtpListener, message: EmailMessage, to: str) -> tuple[int, str]:
    """Send over SMTP; returns the answer to DATA."""
    assert listener.port
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("jane.doe@example.org")
        smtp.rcpt(to)
        code, answer = smtp.data(message.as_bytes())
    return code, answer.decode()


def test_a_message_sent_over_smtp_reaches_the_inbound_email_function(aws, listener, invocations):
    # When a customer's message arrives on the SMTP listener
    code, answer = send(listener, a_message(aws), aws.names.mail_from)
    # Then it is accepted with its SES message id
    assert code == 250
    message_id = answer.split()[-1]
    # And stored in the inbound bucket as SES's S3 action stores it
    s3 = aws.client("s3")
    stored = s3.get_object(Bucket=aws.names.inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id)["Body"].read()
    assert b"Subject: Printer on floor 3 is offline" in stored
    assert stored.startswith(b"Return-Path: <jane.doe@example.org>\r\n")
    # And the function got an SES receipt event, valid for Powertools' model
    ((function, event),) = invocations.calls
    assert function == "inbound_email"
    ses = SesModel.model_validate(event).Records[0].ses
    assert ses.mail.messageId == message_id
    assert ses.mail.source == "jane.doe@example.org"
    assert ses.mail.destination == [aws.names.mail_from]
    assert ses.receipt.recipients == [aws.names.mail_from]
    assert ses.mail.commonHeaders.subject == "Printer on floor 3 is offline"
    assert ses.mail.commonHeaders.header_from == ["Jane Doe <jane.doe@example.org>"]
    assert ses.receipt.action.functionArn.endswith(":function:deskless-inbound_email")
    assert "Body" not in str(event)  # the Lambda action carries headers only
    # And the function recorded the message
    item = aws.client("dynamodb").get_item(
        TableName=aws.names.table, Key={"pk": {"S": f"MAIL#{message_id}"}, "sk": {"S": "INBOUND"}}
    )["Item"]
    assert item["subject"] == {"S": "Printer on floor 3 is offline"}
    assert item["sender"] == {"S": "Jane Doe <jane.doe@example.org>"}
    assert item["recipients"] == {"L": [{"S": aws.names.mail_from}]}


def test_recipients_outside_the_support_domain_are_refused(aws, listener, invocations):
    assert listener.port
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("jane.doe@example.org")
        code, _ = smtp.rcpt("someone@elsewhere.example")
    assert code == 550
    assert invocations.calls == []


def test_a_message_is_accepted_even_if_the_function_fails(aws, invocations):
    # Given a function that crashes (SES has stored the message by then, so it is accepted)
    failing = Invocations(fail=True)
    listener = SmtpListener(endpoint_url=aws.url, bucket=aws.names.inbound_bucket, invoke=failing)
    listener.start()
    try:
        code, answer = send(listener, a_message(aws), aws.names.mail_from)
    finally:
        listener.stop()
    assert code == 250
    assert len(failing.calls) == 1
    listed = aws.client("s3").list_objects_v2(Bucket=aws.names.inbound_bucket, Prefix=INBOUND_MAIL_PREFIX)
    assert [o["Key"] for o in listed["Contents"]] == [INBOUND_MAIL_PREFIX + answer.split()[-1]]


def test_a_message_that_cannot_be_stored_is_deferred(aws, invocations):
    listener = SmtpListener(endpoint_url=aws.url, bucket="no-such-bucket", invoke=invocations)
    listener.start()
    try:
        code, _ = send(listener, a_message(aws), aws.names.mail_from)
    finally:
        listener.stop()
    assert code == 451  # a temporary failure: the sender tries again later
    assert invocations.calls == []


def test_the_listener_takes_a_free_port_and_gives_it_back(aws, invocations):
    listener = SmtpListener(endpoint_url=aws.url, bucket=aws.names.inbound_bucket, invoke=invocations)
    port = listener.start()
    assert port > 0
    assert listener.port == port
    listener.stop()
    assert listener.port is None


# The outbox


@pytest.fixture
def outbox(aws) -> Outbox:
    return Outbox(aws.url)


def test_a_simple_email_sent_with_sesv2_is_listed(aws, outbox):
    # When a function sends an email with text and HTML parts through SES v2
    sesv2 = aws.client("sesv2")
    sent = sesv2.send_email(
        FromEmailAddress=aws.names.mail_from,
        Destination={"ToAddresses": ["jane.doe@example.org"], "CcAddresses": ["boss@example.org"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Your code is 123 456 789"},
                "Body": {
                    "Text": {"Data": "Join at http://localhost:8000/join\nThanks"},
                    "Html": {"Data": "<p>Join at <a href='http://localhost:8000/join'>the link</a></p><p>Thanks</p>"},
                },
            }
        },
    )
    # Then the outbox lists it
    (message,) = outbox.messages()
    assert message["id"] == sent["MessageId"]
    assert message["from"] == aws.names.mail_from
    assert message["to"] == ["jane.doe@example.org"]
    assert message["cc"] == ["boss@example.org"]
    assert message["subject"] == "Your code is 123 456 789"
    assert message["html"] == "<p>Join at <a href='http://localhost:8000/join'>the link</a></p><p>Thanks</p>"
    # (moto keeps only the HTML part of a Simple message that has both: the text is read from it)
    assert message["text"] == "Join at the link\n\nThanks"
    assert message["sent_at"].endswith("Z")


def test_a_raw_email_keeps_both_parts(aws, outbox):
    mime = EmailMessage()
    mime["From"] = f"Deskless <{aws.names.mail_from}>"
    mime["To"] = "jane.doe@example.org"
    mime["Cc"] = "boss@example.org"
    mime["Subject"] = "Welcome"
    mime.set_content("Your password is in the portal.\n")
    mime.add_alternative("<p>Your password is in <b>the portal</b>.</p>\n", subtype="html")
    aws.client("sesv2").send_email(
        FromEmailAddress=aws.names.mail_from,
        Destination={"ToAddresses": ["jane.doe@example.org"], "BccAddresses": ["audit@example.org"]},
        Content={"Raw": {"Data": mime.as_bytes()}},
    )
    (message,) = outbox.messages()
    assert message["from"] == f"Deskless <{aws.names.mail_from}>"
    assert message["to"] == ["jane.doe@example.org"]
    assert message["cc"] == ["boss@example.org"]
    assert message["bcc"] == ["audit@example.org"]
    assert message["text"] == "Your password is in the portal.\n"
    assert message["html"] == "<p>Your password is in <b>the portal</b>.</p>\n"


def send_simple(aws, subject: str, html: str = "<p>hello</p>") -> None:
    aws.client("sesv2").send_email(
        FromEmailAddress=aws.names.mail_from,
        Destination={"ToAddresses": ["jane.doe@example.org"]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Html": {"Data": html}}}},
    )


def test_messages_are_listed_newest_last_and_clear_empties_the_outbox(aws, outbox):
    send_simple(aws, "first")
    send_simple(aws, "second")
    assert [m["subject"] for m in outbox.messages()] == ["first", "second"]
    outbox.clear()
    assert outbox.messages() == []
    send_simple(aws, "third")
    assert [m["subject"] for m in outbox.messages()] == ["third"]


def test_the_outbox_page_lists_messages_newest_first_and_escapes_them(aws, outbox):
    send_simple(aws, "older")
    send_simple(aws, "<script>alert(1)</script>", html='<p onclick="x()">Hi "there"</p><script>bad()</script>')
    page = outbox.page()
    assert page.index("&lt;script&gt;alert(1)&lt;/script&gt;") < page.index("older")
    assert "<script>" not in page
    assert 'sandbox=""' in page
    assert 'srcdoc="&lt;p onclick=&quot;x()&quot;&gt;Hi &quot;there&quot;&lt;/p&gt;' in page


def test_an_empty_outbox_says_so(outbox):
    assert "No email has been sent yet." in outbox.page()


def test_a_raw_text_only_email_has_no_html(aws, outbox):
    raw = b"From: support@deskless.example.com\r\nTo: a@example.org\r\nSubject: plain\r\n\r\nJust text.\r\n"
    aws.client("sesv2").send_email(
        FromEmailAddress=aws.names.mail_from,
        Destination={"ToAddresses": ["a@example.org"]},
        Content={"Raw": {"Data": raw}},
    )
    (message,) = outbox.messages()
    assert message["text"] == "Just text.\n"
    assert message["html"] == ""
    assert message["subject"] == "plain"
