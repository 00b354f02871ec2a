"""Tickets by email, both ways, against moto: a message to a support address opens a ticket (its
requester, title, visible text, CCs; the whole message kept in S3), once however often SES
delivers it; a reply joins its ticket by the signed id the notice carried (quoted history left
out), by the subject's tag only from the ticket's people; a reply to a closed ticket opens a new
one; automatic mail opens nothing. From the table's stream the ticket's people get "received"
(or "refused"), "updated" with a technician's reply, and "resolved": raw MIME with the loop
header, Auto-Submitted, the signed id in References and the tag in the subject; once per
recipient whatever the stream's retries; over the hourly cap a notice is not sent and the
ticket's timeline says so."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.parser import BytesParser
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from deskless.auth import Role
from deskless.catalog import INBOUND_MAIL_PREFIX, STREAM_SUBSCRIPTIONS
from deskless.contacts import Contact, find_contact_by_email, update_contact
from deskless.data import table
from deskless.mail import LOOP_HEADER
from deskless.mail_threads import ticket_of_references
from deskless.preferences import update_preferences
from deskless.table import inbound_mail_key, ticket_key
from deskless.tickets import Author, AuthorKind, Status, add_reply, ticket_with_timeline
from deskless.users import create_staff
from functions.inbound_email.decoding import LENIENT
from functions.inbound_email.receive import destination_of
from local.mail import Outbox, ses_receipt_event
from local.metering import count_requests
from local.moto_app import SENT_MAIL_PATH
from local.streams import StreamPoller, matches_any, stream_event
from tests.conftest import LocalAws
from tests.helpers import current, invoke
from tests.integration.test_events_sessions import record
from tests.integration.test_portal_accounts import contact

SUPPORT = "support@deskless.example.com"
CARLA = "carla@acme.example.com"


class Mail:
    """Sends mail as SES receives it: stored in the inbound bucket, then the receipt event."""

    def __init__(self, aws: LocalAws) -> None:
        self.aws, self.count = aws, 0

    def send(self, message: EmailMessage, *, message_id: str | None = None, to: tuple[str, ...] = (SUPPORT,)) -> str:
        self.count += 1
        message_id = message_id or f"inbound-{self.count:04d}"
        raw = bytes(message)
        self.aws.client("s3").put_object(
            Bucket=self.aws.names.inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id, Body=raw
        )
        event = ses_receipt_event(raw, message_id=message_id, recipients=list(to))
        assert invoke("inbound_email", event) == {"received": [message_id]}
        return message_id


def written(
    text: str,
    *,
    sender: str = f"Carla Díaz <{CARLA}>",
    subject: str = "The printer is offline",
    cc: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message.set_content(text)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def reply_to(notice: Message, text: str, *, sender: str = f"Carla Díaz <{CARLA}>") -> EmailMessage:
    """A customer's answer to a notice, as a mail program writes it: the notice quoted below."""
    quoted = "\n".join(f"> {line}" for line in notice_text(notice).splitlines())
    return written(
        f"{text}\n\nOn Sun, 6 Dec 2026 at 11:02, Support <{SUPPORT}> wrote:\n{quoted}\n",
        sender=sender,
        subject=f"Re: {notice['Subject']}",
        In_Reply_To=str(notice["Message-ID"]),
        References=f"{notice['References']} {notice['Message-ID']}",
    )


def notice_text(notice: Message) -> str:
    assert isinstance(notice, EmailMessage)
    part = notice.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def sent_raw(aws: LocalAws) -> list[Message]:
    """Every message moto's SES sent in this test, parsed as a mail program would, oldest first."""
    sent = httpx.get(aws.url.rstrip("/") + SENT_MAIL_PATH, timeout=30).json()
    return [
        BytesParser(policy=LENIENT).parsebytes(message["raw"].encode("utf-8", "surrogateescape")) for message in sent
    ]


(TICKET_FILTERS,) = [s.filters for s in STREAM_SUBSCRIPTIONS if s.mapping == "events"]


def redeliver(stream_record: dict[str, Any]) -> None:
    """A record the events mapping lets through, delivered (again) to the events function."""
    assert matches_any(TICKET_FILTERS, stream_record)
    assert invoke("events", stream_event([stream_record])) == {"batchItemFailures": []}


@pytest.fixture
def mail(aws: LocalAws) -> Mail:
    return Mail(aws)


@pytest.fixture
def carla(aws: LocalAws, outbox: Outbox) -> Contact:
    person = contact("Acme", CARLA, subdomain="acme")
    outbox.clear()
    return person


TED = Author(kind=AuthorKind.STAFF, id="", name="Ted Tech", email="ted@deskless.example.com")
RULE = Author(kind=AuthorKind.RULE, id="r-credentials", name="Portal Credentials")


def timeline(number: int) -> list[dict[str, Any]]:
    return [entry.model_dump() for entry in ticket_with_timeline(number)[1]]


# --- inbound ------------------------------------------------------------------------------------


def test_a_contacts_email_becomes_a_ticket_once_however_often_ses_delivers_it(
    aws: LocalAws, mail: Mail, carla: Contact
) -> None:
    message = written(
        "Since this morning it says offline.\n\n-- \nCarla Díaz\nAcme, floor 3\n",
        subject="Fwd: The printer is offline",
        cc="Boss <boss@acme.example.com>, " + SUPPORT,
    )

    message_id = mail.send(message)
    mail.send(message, message_id=message_id)  # SES delivers it again

    ticket, entries = ticket_with_timeline(1001)
    assert (ticket.source, ticket.requester.id, ticket.status) == ("email", carla.id, Status.NEW)
    assert ticket.title == "The printer is offline"
    assert ticket.description == "Since this morning it says offline."  # the signature left out
    assert ticket.cc == ["boss@acme.example.com"]
    assert entries[0].message_key == INBOUND_MAIL_PREFIX + message_id  # the whole message stays in S3
    assert table().get(ticket_key(1002)) is None  # the second delivery opened nothing
    item = table().get(inbound_mail_key(message_id), consistent=True)
    assert item is not None
    assert item["filed"] is True


def test_an_emailed_tickets_destination_is_the_support_address_it_was_sent_to(mail: Mail, carla: Contact) -> None:
    mail.send(written("The printer is offline."), to=("someone@acme.example.com", SUPPORT.upper()))

    assert ticket_with_timeline(1001)[0].destination == SUPPORT
    assert destination_of(["a@example.com"], [SUPPORT]) == ""


def test_a_messages_files_go_with_its_ticket_and_its_reply(aws: LocalAws, mail: Mail, carla: Contact) -> None:
    first = written("The screen shows this.")
    first.add_attachment(b"%PDF-1.4 error log", maintype="application", subtype="pdf", filename="error log.pdf")
    mail.send(first)
    again = written("And this.", subject="Re: [#1001] The printer is offline")
    again.add_attachment(b"\x89PNG" + b"0" * 20_000, maintype="image", subtype="png", filename="photo.png")

    mail.send(again)

    ticket, entries = ticket_with_timeline(1001)
    assert [(file.name, file.content_type) for file in ticket.attachments] == [("error log.pdf", "application/pdf")]
    reply = next(entry for entry in entries if entry.kind == "reply")
    assert [(file.name, file.size) for file in reply.attachments] == [("photo.png", 20_004)]
    assert ticket.attachment_bytes == len(b"%PDF-1.4 error log") + 20_004


def test_automatic_mail_opens_no_ticket(mail: Mail, carla: Contact) -> None:
    mail.send(written("I am out of office until Monday.", Auto_Submitted="auto-replied"))
    mail.send(written("Undeliverable", sender="MAILER-DAEMON@acme.example.com"))

    assert table().get(ticket_key(1001)) is None


def test_an_unknown_sender_becomes_a_contact_with_a_ticket(aws: LocalAws, mail: Mail, carla: Contact) -> None:
    mail.send(written("Our VPN is down.", sender="Nina New <nina@acme.example.com>", subject="VPN down"))

    nina = find_contact_by_email("nina@acme.example.com")
    assert nina is not None
    ticket, _ = ticket_with_timeline(1001)
    assert (ticket.requester.id, ticket.title) == (nina.id, "VPN down")


def test_a_reply_to_a_notice_joins_its_ticket_without_the_quoted_history(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    # Given a ticket by email, and its "received" notice
    mail.send(written("The printer is offline."))
    stream.poll_once()
    (received,) = sent_raw(aws)

    # When Carla answers it, quoting it
    message_id = mail.send(reply_to(received, "It works again after a restart, thanks."))

    # Then her reply is on the ticket, without the quote, linked to the whole message
    _, entries = ticket_with_timeline(1001)
    reply = next(entry for entry in entries if entry.kind == "reply")
    assert reply.body == "It works again after a restart, thanks."
    assert (reply.author.id, reply.via, reply.message_key) == (carla.id, "email", INBOUND_MAIL_PREFIX + message_id)
    assert table().get(ticket_key(1002)) is None


def test_with_contacts_from_email_off_a_forwarded_reply_joins_by_its_reference_only(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    update_preferences({"create_contacts_from_email": False})
    mail.send(written("The printer is offline."))
    stream.poll_once()
    (received,) = sent_raw(aws)

    mail.send(reply_to(received, "I am Carla's colleague: it is the tray.", sender="Ben <ben@acme.example.com>"))
    mail.send(written("And me?", sender="ben@acme.example.com", subject="Re: [#1001] Printer"))

    _, entries = ticket_with_timeline(1001)
    (reply,) = [entry for entry in entries if entry.kind == "reply"]
    assert (reply.author.kind, reply.author.name, reply.author.email) == ("address", "Ben", "ben@acme.example.com")
    assert reply.body == "I am Carla's colleague: it is the tray."
    assert find_contact_by_email("ben@acme.example.com") is None
    assert table().get(ticket_key(1002)) is None


def test_a_stranger_quoting_the_tag_opens_a_new_ticket_and_the_requester_joins_by_it(
    mail: Mail, carla: Contact
) -> None:
    mail.send(written("The printer is offline."))

    mail.send(written("Give me the details", sender="mallory@evil.example", subject="Re: [#1001] Printer"))
    mail.send(written("Also the scanner.", subject="[#1001] more"))  # Carla, by the tag alone

    stranger, _ = ticket_with_timeline(1002)
    assert stranger.title == "Printer"
    assert stranger.requester.email == "mallory@evil.example"
    _, entries = ticket_with_timeline(1001)
    assert [entry.body for entry in entries if entry.kind == "reply"] == ["Also the scanner."]


def test_a_staff_users_email_reply_is_a_public_reply_from_them(mail: Mail, carla: Contact) -> None:
    ted = create_staff("ted@deskless.example.com", "Ted Tech", Role.TECHNICIAN, "violet tractor under the bridge")
    mail.send(written("The printer is offline."))

    mail.send(written("Restart it, please.", sender=f"Ted Tech <{ted.email}>", subject="Re: [#1001] Printer"))

    ticket, entries = ticket_with_timeline(1001)
    reply = next(entry for entry in entries if entry.kind == "reply")
    assert (reply.author.kind, reply.author.id, reply.body) == ("staff", ted.id, "Restart it, please.")
    assert ticket.status is Status.OPEN  # a technician's first public reply opens it
    assert find_contact_by_email(ted.email) is None


def test_a_reply_to_a_closed_ticket_opens_a_new_one_that_mentions_it(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    mail.send(written("The printer is offline."))
    stream.poll_once()
    (received,) = sent_raw(aws)
    add_reply(1001, TED, "Fixed.", status=Status.CLOSED)

    mail.send(reply_to(received, "It is broken again."))

    follow_up, _ = ticket_with_timeline(1002)
    assert follow_up.description == "Follows up on #1001, which is closed.\n\nIt is broken again."
    assert follow_up.title == "We received your request: The printer is offline"  # its subject, untagged


# --- notices ------------------------------------------------------------------------------------


def test_a_new_ticket_sends_received_to_the_requester_and_ccs_once(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    mail.send(written("The printer is offline.", cc="boss@acme.example.com, no-reply@acme.example.com"))
    stream.poll_once()
    redeliver(record("INSERT", table().get(ticket_key(1001)) or {}))  # the stream delivers it again

    notices = sent_raw(aws)
    assert sorted(str(notice["To"]) for notice in notices) == ["boss@acme.example.com", CARLA]
    notice = next(notice for notice in notices if str(notice["To"]) == CARLA)
    assert notice["Subject"] == "[#1001] We received your request: The printer is offline"
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice[LOOP_HEADER] == "deskless.example.com"
    assert ticket_of_references(None, str(notice["References"])) == 1001  # survives SES's own Message-ID
    assert "Hello Carla," in notice_text(notice)
    assert "http://acme.localhost:8000/help/tickets/1001" in notice_text(notice)


def test_a_technicians_reply_is_mailed_with_its_text_and_a_resolve_says_so(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    mail.send(written("The printer is offline."))
    stream.poll_once()

    add_reply(1001, TED, "Please restart it.")
    add_reply(1001, TED, "Internal: toner low.", kind="note")  # type: ignore[arg-type]
    add_reply(1001, TED, "Done.", status=Status.RESOLVED)
    stream.poll_once()

    subjects = [str(notice["Subject"]) for notice in sent_raw(aws)]
    assert sorted(subjects) == [
        "[#1001] We received your request: The printer is offline",
        "[#1001] Your request was resolved: The printer is offline",
        "[#1001] Your request was updated: The printer is offline",
        "[#1001] Your request was updated: The printer is offline",
    ]
    updated = sent_raw(aws)[1]
    assert "Please restart it." in notice_text(updated)
    assert "Ted Tech updated your request" in notice_text(updated)
    assert all("toner" not in notice_text(notice) for notice in sent_raw(aws))


def test_a_rules_public_reply_is_mailed_as_a_technicians_and_opens_the_ticket(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    mail.send(written("The printer is offline."))
    stream.poll_once()

    ticket, _ = add_reply(1001, RULE, "Your portal credentials are below.")
    stream.poll_once()

    assert (ticket.status, ticket.changed_by_rule) == (Status.OPEN, "r-credentials")
    updated = [notice for notice in sent_raw(aws) if "was updated" in str(notice["Subject"])]
    assert [str(notice["To"]) for notice in updated] == [CARLA]
    assert "Your portal credentials are below." in notice_text(updated[0])
    assert "Portal Credentials updated your request" in notice_text(updated[0])


def test_a_notice_that_fails_to_send_is_sent_by_the_retry(
    aws: LocalAws, mail: Mail, carla: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail.send(written("The printer is offline."))
    created = record("INSERT", table().get(ticket_key(1001)) or {})
    notices = current("deskless.ticket_people")  # sends every mail about a ticket
    working = notices.send_email

    def down(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("SES is unreachable")

    monkeypatch.setattr(notices, "send_email", down)
    assert matches_any(TICKET_FILTERS, created)
    with pytest.raises(BatchProcessingError):  # the batch fails: the stream delivers it again
        invoke("events", stream_event([created]))
    assert sent_raw(aws) == []

    monkeypatch.setattr(notices, "send_email", working)
    redeliver(created)
    redeliver(created)

    assert [str(notice["To"]) for notice in sent_raw(aws)] == [CARLA]


def test_a_notice_costs_a_claim_a_count_and_the_reads_its_values_need(
    aws: LocalAws, mail: Mail, carla: Contact
) -> None:
    mail.send(written("The printer is offline.", cc="boss@acme.example.com"))
    ticket, _ = ticket_with_timeline(1001)
    update_preferences({})  # the settings are cached, as in a warm function

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        sent = current("functions.events.ticket_mail").ticket_opened(ticket)

    # once: the requester (a GetItem); for the CC: its address guard (a GetItem: no contact has
    # it); per recipient: a claim (PutItem), a count against the cap (UpdateItem), the template (a
    # GetItem, for an admin's edit) and the company's portal (a Query)
    assert sent == len(sent_raw(aws)) == 2
    assert calls == {"GetItem": 4, "PutItem": 2, "UpdateItem": 2, "Query": 2}


def test_a_deactivated_cc_gets_no_notice(aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller) -> None:
    boss = contact(None, "boss@acme.example.com")
    update_contact(boss.id, active=False)

    mail.send(written("The printer is offline.", cc="boss@acme.example.com"))
    stream.poll_once()

    assert [str(notice["To"]) for notice in sent_raw(aws)] == [CARLA]


def test_a_refused_ticket_tells_its_submitter_why(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller
) -> None:
    update_preferences({"ticket_submission": "primary_contacts"})
    update_contact(carla.id, primary=False)

    mail.send(written("The printer is offline."))
    stream.poll_once()

    ticket, _ = ticket_with_timeline(1001)
    assert ticket.status is Status.CLOSED
    (notice,) = sent_raw(aws)
    assert notice["Subject"] == "[#1001] We could not accept your request: The printer is offline"
    assert "only your company's primary contacts may submit requests" in notice_text(notice)


def test_an_auto_reply_loop_is_cut_by_the_cap_and_each_suppressed_notice_is_recorded(
    aws: LocalAws, mail: Mail, carla: Contact, stream: StreamPoller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a cap of 3 notices an hour (the cap's clock held inside one hour), and a ticket whose
    # "received" notice counted one
    monkeypatch.setattr(current("deskless.mail_caps"), "time", SimpleNamespace(time=lambda: 1796558400.0))
    update_preferences({"automatic_mail_cap": 3})
    mail.send(written("The printer is offline."))
    stream.poll_once()

    # When four technician replies follow (an auto-responder answering each would loop)
    for n in range(4):
        add_reply(1001, TED, f"Reply {n}")
    stream.poll_once()

    # Then two more are sent, and the other two are on the timeline as suppressed, with whom and why
    assert len(sent_raw(aws)) == 3
    suppressed = [
        entry
        for entry in timeline(1001)
        if entry["changes"][:1] == [{"field": "notice_suppressed", "before": None, "after": CARLA}]
    ]
    assert len(suppressed) == 2
    assert {entry["reason"] for entry in suppressed} == {"automatic_mail_cap"}
