"""A received reply names its ticket by the signed Message-ID it answers (whoever sends it), else by
the `[#1001]` tag in its subject, which the ticket code allows only from the ticket's people."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser

import pytest

from deskless import auth
from deskless.mail_threads import message_id
from deskless.settings import get_settings
from functions.inbound_email.decoding import LENIENT
from functions.inbound_email.threads import How, MailHeaders, ThreadHint, mail_headers, thread_of
from tests.unit.test_email_settings import functions_environment


@pytest.fixture(autouse=True)
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    functions_environment(monkeypatch)  # mail_from desk@mail.example.com
    monkeypatch.setattr(auth, "signing_key", lambda: b"unit-test-signing-key-of-32-bytes+")
    yield
    get_settings.cache_clear()


def parsed(raw: str) -> Message:
    return BytesParser(policy=LENIENT).parsebytes(raw.replace("\n", "\r\n").encode())


def gmail_reply(in_reply_to: str, references: str, subject: str = "Re: [#1001] Printer broken") -> Message:
    """A reply as Gmail sends it: References folded over lines, In-Reply-To the answered id."""
    return parsed(
        f"""Received: from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])
MIME-Version: 1.0
References: {references}
In-Reply-To: {in_reply_to}
From: Jane Doe <Jane.Doe@acme.example>
Date: Sun, 6 Dec 2026 11:02:17 +0100
Message-ID: <CAF=q9hV2x+Ok1e=5dLQ@mail.gmail.com>
Subject: {subject}
To: Deskless Support <help@mail.example.com>
Cc: Carl <carl.cc@acme.example>, boss@acme.example
Content-Type: text/plain; charset="UTF-8"

Thanks, it works again.

On Sat, Dec 5, 2026 at 4:10 PM Deskless Support <help@mail.example.com> wrote:
> We restarted the print server.
"""
    )


def test_a_reply_to_a_notice_names_its_ticket_by_references() -> None:
    notice = message_id(1001, "e2")
    message = gmail_reply(notice, f"<CAF=first@mail.gmail.com>\n {notice}")
    assert thread_of(message) == ThreadHint(1001, How.REFERENCES)


def test_the_signed_id_in_references_counts_when_ses_replaced_the_message_id() -> None:
    notice = message_id(1001, "e2")
    message = gmail_reply(
        "<0100019a3f2c-1a2b3c4d-5e6f-4a1b-9c8d-0e1f2a3b4c5d-000000@email.amazonses.com>",
        f"<CAF=first@mail.gmail.com> {notice}\n <0100019a3f2c-1a2b3c4d-5e6f@email.amazonses.com>",
    )
    assert thread_of(message) == ThreadHint(1001, How.REFERENCES)


def test_references_win_over_another_tickets_tag_in_the_subject() -> None:
    notice = message_id(1001, "e2")
    message = gmail_reply(notice, notice, subject="Re: [#1002] Something else")
    assert thread_of(message) == ThreadHint(1001, How.REFERENCES)


def test_a_forged_id_falls_back_to_the_subject_tag() -> None:
    forged = f"<t1003.e1.{'b' * 26}@mail.example.com>"
    message = gmail_reply(forged, forged, subject="Re: [#1001] Printer broken")
    assert thread_of(message) == ThreadHint(1001, How.SUBJECT)


def test_an_outlook_forward_names_its_ticket_by_the_subject_tag() -> None:
    message = parsed(
        """From: "Doe, Jane" <jane.doe@acme.example>
To: "help@mail.example.com" <help@mail.example.com>
Subject: WG: [#1001] Drucker defekt
Thread-Topic: [#1001] Drucker defekt
Thread-Index: AQHbR2xYk1mJ3q1yT0e2
Date: Sun, 6 Dec 2026 10:02:17 +0000
Message-ID: <AM9PR04MB8234ABCD@AM9PR04MB8234.eurprd04.prod.outlook.com>
Content-Language: de-DE
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Siehe unten.
"""
    )
    assert thread_of(message) == ThreadHint(1001, How.SUBJECT)


def test_a_new_message_names_no_ticket() -> None:
    message = parsed(
        """From: Jane Doe <jane.doe@acme.example>
To: help@mail.example.com
Subject: Printer broken
Message-ID: <new@acme.example>
Content-Type: text/plain

The printer is offline.
"""
    )
    assert thread_of(message) is None


def test_an_encoded_subject_is_read_for_its_tag() -> None:
    message = parsed(
        """From: Jana <jana@acme.example>
To: help@mail.example.com
Subject: =?utf-8?q?Odp=3A_=5B=231001=5D_Tisk=C3=A1rna_nefunguje?=
Content-Type: text/plain

Díky.
"""
    )
    assert thread_of(message) == ThreadHint(1001, How.SUBJECT)


def test_the_headers_threading_reads_are_given_to_the_ticket_code() -> None:
    notice = message_id(1001, "e2")
    headers = mail_headers(gmail_reply(notice, f"<CAF=first@mail.gmail.com>\n {notice}"))
    assert headers.sender == "jane.doe@acme.example"
    assert headers.to == ("help@mail.example.com",)
    assert headers.cc == ("carl.cc@acme.example", "boss@acme.example")
    assert headers.subject == "Re: [#1001] Printer broken"
    assert headers.in_reply_to == notice
    assert headers.references is not None
    assert notice in headers.references


def test_headers_alone_give_the_same_answer() -> None:
    headers = MailHeaders(None, None, "Re: [#1001] Printer broken", "jane.doe@acme.example", (), ())
    assert thread_of(headers) == ThreadHint(1001, How.SUBJECT)
