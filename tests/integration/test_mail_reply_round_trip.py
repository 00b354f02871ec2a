"""A notice sent through (moto's) SES with a ticket's threading headers, answered by a customer's
mail program, comes back naming its ticket; the deployment's real signing key (Secrets Manager)
signs and checks the ids, and the reply's text is what the customer wrote."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.parser import BytesParser

import httpx

from deskless.mail import LOOP_HEADER, AutoSubmitted, send_email
from deskless.mail_threads import outgoing_thread, tagged_subject
from deskless.reply_text import visible_reply
from functions.inbound_email.automatic import why_automatic
from functions.inbound_email.decoding import LENIENT
from functions.inbound_email.threads import How, ThreadHint, thread_of
from local.mail import Outbox
from local.moto_app import SENT_MAIL_PATH
from tests.conftest import LocalAws

CUSTOMERS_FIRST = "<CAF=q9hV2x+first@mail.gmail.com>"


def last_sent(aws: LocalAws) -> Message:
    """The raw message moto's SES last sent, parsed as a mail program would."""
    sent = httpx.get(aws.url.rstrip("/") + SENT_MAIL_PATH, timeout=30).json()
    raw = sent[-1]["raw"]
    return BytesParser(policy=LENIENT).parsebytes(raw.encode("utf-8", "surrogateescape"))


def answer_to(notice: Message, text: str) -> EmailMessage:
    """The customer's reply, with the headers every mail program writes (RFC 5322 3.6.4)."""
    reply = EmailMessage()
    reply["From"] = "Jane Doe <jane.doe@acme.example>"
    reply["To"] = str(notice["From"])
    reply["Subject"] = f"Re: {notice['Subject']}"
    reply["Message-ID"] = "<CAF=q9hV2x+second@mail.gmail.com>"
    reply["In-Reply-To"] = str(notice["Message-ID"])
    reply["References"] = f"{notice['References']} {notice['Message-ID']}"
    reply.set_content(text)
    received = BytesParser(policy=LENIENT).parsebytes(reply.as_bytes())
    assert isinstance(received, EmailMessage)
    return received


def test_a_reply_to_a_sent_notice_comes_back_to_its_ticket(aws: LocalAws, outbox: Outbox) -> None:
    # Given a "ticket received" notice for ticket 1001, answering the customer's first message
    send_email(
        ["jane.doe@acme.example"],
        tagged_subject("Re: Printer broken", 1001),
        "We received your request.",
        "<p>We received your request.</p>",
        automatic=AutoSubmitted.REPLIED,
        thread=outgoing_thread(1001, "e1", in_reply_to=CUSTOMERS_FIRST),
    )
    notice = last_sent(aws)
    assert notice["Subject"] == "Re: [#1001] Printer broken"
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice[LOOP_HEADER] is not None
    assert notice["In-Reply-To"] == CUSTOMERS_FIRST

    # When the customer answers it
    reply = answer_to(
        notice,
        "It is still offline.\n\nOn Sun, Dec 6, 2026 at 11:02 AM Deskless <support@deskless.example.com> wrote:\n"
        "> We received your request.\n",
    )

    # Then the reply names ticket 1001 by its references, is a person's mail, and shows what they wrote
    assert thread_of(reply) == ThreadHint(1001, How.REFERENCES)
    assert why_automatic(reply) is None
    part = reply.get_body(preferencelist=("plain",))
    assert part is not None
    assert visible_reply(part.get_content(), None) == "It is still offline."


def test_an_auto_reply_to_a_notice_is_known_as_automatic(aws: LocalAws, outbox: Outbox) -> None:
    # Given a notice, and an out-of-office answer to it that says what it is
    send_email(
        ["jane.doe@acme.example"],
        tagged_subject("Printer broken", 1001),
        "Resolved.",
        "<p>Resolved.</p>",
        automatic=AutoSubmitted.REPLIED,
        thread=outgoing_thread(1001, "e9"),
    )
    out_of_office = answer_to(last_sent(aws), "I am out of the office until Monday.")
    out_of_office["Auto-Submitted"] = "auto-replied"
    # Then it still names its ticket (for the record) but is automatic: nothing answers it
    assert thread_of(out_of_office) == ThreadHint(1001, How.REFERENCES)
    assert why_automatic(out_of_office) == "Auto-Submitted: auto-replied"
