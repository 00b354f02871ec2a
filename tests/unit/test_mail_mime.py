"""What Deskless sends, as the raw MIME SES receives: the loop header on every message, the
Auto-Submitted kind its sender chose, and a ticket's threading headers when it has them."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message

import pytest

from deskless import auth
from deskless.mail import LOOP_HEADER, AutoSubmitted, Thread, mime_message
from deskless.mail_threads import outgoing_thread, ticket_of_references
from deskless.settings import get_settings
from tests.unit.test_email_settings import functions_environment

TO = ["carla@acme.example.com"]


@pytest.fixture(autouse=True)
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    functions_environment(monkeypatch)  # mail_from desk@mail.example.com
    monkeypatch.setattr(auth, "signing_key", lambda: b"unit-test-signing-key-of-32-bytes+")
    yield
    get_settings.cache_clear()


def sent(*, automatic: AutoSubmitted | bool, thread: Thread | None = None) -> tuple[bytes, Message]:
    """The raw bytes of a message, and the message parsed back from them."""
    message = mime_message(TO, "[#1001] Printer broken", "Hello", "<p>Hello</p>", automatic=automatic, thread=thread)
    raw = message.as_bytes()
    return raw, message_from_bytes(raw, policy=policy.default)


def test_a_notice_answering_a_customer_is_auto_replied() -> None:
    _, parsed = sent(automatic=AutoSubmitted.REPLIED)
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed[LOOP_HEADER] == "mail.example.com"


@pytest.mark.parametrize("automatic", [AutoSubmitted.GENERATED, True])
def test_other_automatic_mail_is_auto_generated(automatic: AutoSubmitted | bool) -> None:
    _, parsed = sent(automatic=automatic)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed[LOOP_HEADER] == "mail.example.com"


def test_a_persons_mail_has_no_auto_submitted_but_the_loop_header() -> None:
    raw, parsed = sent(automatic=False)
    assert b"Auto-Submitted" not in raw
    assert parsed[LOOP_HEADER] == "mail.example.com"


def test_without_a_thread_a_message_has_an_id_of_its_own_and_no_references() -> None:
    raw, parsed = sent(automatic=True)
    assert str(parsed["Message-ID"]).endswith("@mail.example.com>")
    assert b"In-Reply-To" not in raw
    assert b"References" not in raw


def test_a_threaded_message_carries_its_headers_as_given() -> None:
    thread = Thread(
        message_id="<t1001.e2.sig@mail.example.com>",
        in_reply_to="<CAF=first@mail.gmail.com>",
        references=("<older@example.org>", "<CAF=first@mail.gmail.com>"),
    )
    raw, _ = sent(automatic=AutoSubmitted.REPLIED, thread=thread)
    headers = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "\r\nMessage-ID: <t1001.e2.sig@mail.example.com>\r\n" in headers
    assert "\r\nIn-Reply-To: <CAF=first@mail.gmail.com>\r\n" in headers
    assert "\r\nReferences: <older@example.org> <CAF=first@mail.gmail.com>\r\n" in headers
    assert headers.count("Message-ID:") == 1


def test_a_reply_to_a_sent_notice_finds_its_ticket() -> None:
    # Given a notice about ticket 1001, answering the customer's first message
    thread = outgoing_thread(1001, "e2", in_reply_to="<CAF=first@mail.gmail.com>")
    _, notice = sent(automatic=AutoSubmitted.REPLIED, thread=thread)
    # When the customer's mail program answers it (In-Reply-To: its id; References: its References and its id)
    references = f"{notice['References']} {notice['Message-ID']}"
    # Then the reply names the ticket, whether or not SES kept the Message-ID
    assert ticket_of_references(str(notice["Message-ID"]), references) == 1001
    assert ticket_of_references("<0100019abc@email.amazonses.com>", str(notice["References"])) == 1001


def test_a_header_cannot_be_smuggled_through_a_thread() -> None:
    with pytest.raises(ValueError):
        mime_message(TO, "s", "t", "<p>t</p>", automatic=True, thread=Thread("<a@b>\r\nBcc: x@evil.example")).as_bytes()
