"""Tickets by email on `deskless dev`, as a customer's mail program and a technician meet them: a
contact writes to support over SMTP and gets a "received" notice naming their new ticket; a
technician's reply (API) reaches them as "updated"; their answer to it, quoting it, joins the
ticket without the quote; a stranger quoting the ticket's tag opens a ticket of their own; a burst
of notices to one person stops at the hourly cap, and the ticket's timeline records each one held
back.

The platform is shared by the whole suite: each test writes from addresses of its own."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default
from typing import Any

import httpx

from local.moto_app import SENT_MAIL_PATH
from tests.e2e.conftest import Platform, mail_to, unique, wait_for

NOTICE_SUBJECT = re.compile(r"^\[#(\d+)\] ")


def write(platform: Platform, message: EmailMessage) -> None:
    message["To"] = f"support@{platform.names.mail_domain}"
    host, port = platform.urls["smtp"].rsplit(":", 1)
    with smtplib.SMTP(host, int(port), timeout=10) as smtp:
        smtp.send_message(message)


def written(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    for name, value in headers.items():
        message[name] = value
    message.set_content(text)
    return message


def notices(platform: Platform, address: str, containing: str = "") -> list[dict[str, Any]]:
    """The ticket notices sent to `address` (their subject starts with the tag), oldest first."""
    return [
        mail
        for mail in mail_to(platform, address)
        if NOTICE_SUBJECT.match(mail["subject"]) and containing in mail["subject"]
    ]


def number_of(notice: dict[str, Any]) -> int:
    found = NOTICE_SUBJECT.match(notice["subject"])
    assert found is not None
    return int(found[1])


def raw_sent(platform: Platform, address: str, subject: str) -> Message:
    """The raw message SES sent (local AWS keeps it), with the headers a mail program answers."""
    sent = httpx.get(platform.urls["aws"].rstrip("/") + SENT_MAIL_PATH, timeout=30).json()
    for message in reversed(sent):
        parsed = BytesParser(policy=default).parsebytes(message["raw"].encode("utf-8", "surrogateescape"))
        if str(parsed["To"]) == address and str(parsed["Subject"]) == subject:
            return parsed
    raise AssertionError(f"no message to {address} titled {subject!r}")


def timeline(api: httpx.Client, number: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/tickets/{number}")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["timeline"]
    return entries


def test_a_contact_emails_support_a_technician_answers_and_their_reply_joins_the_ticket(
    platform: Platform, api: httpx.Client
) -> None:
    address = f"{unique('rosa')}@eu.acme.example.com"
    subject = unique("Scanner jams")

    # When a customer of Acme writes to support
    write(platform, written(f"Rosa Ruiz <{address}>", subject, "The scanner jams on every page."))

    # Then they get a "received" notice naming their new ticket, which holds what they wrote
    (received,) = wait_for(lambda: notices(platform, address, "We received your request"))
    number = number_of(received)
    assert subject in received["subject"]
    ticket = api.get(f"/api/tickets/{number}").json()["ticket"]
    assert (ticket["source"], ticket["title"], ticket["description"]) == (
        "email",
        subject,
        "The scanner jams on every page.",
    )

    # When a technician replies on the ticket
    answer = api.post(f"/api/tickets/{number}/replies", json={"body": "Please clean the rollers."})
    assert answer.status_code in (200, 201), answer.text

    # Then the customer gets it by email
    (updated,) = wait_for(lambda: notices(platform, address, "was updated"))
    assert "Please clean the rollers." in updated["text"]

    # When the customer answers that email, their mail program quoting it
    notice = raw_sent(platform, address, updated["subject"])
    quoted = "\n".join(f"> {line}" for line in updated["text"].splitlines())
    text = f"Cleaned them, it works now.\n\nOn Sun, 6 Dec 2026 at 12:00, Support wrote:\n{quoted}\n"
    headers = {"In-Reply-To": str(notice["Message-ID"]), "References": f"{notice['References']} {notice['Message-ID']}"}
    write(platform, written(f"Rosa Ruiz <{address}>", f"Re: {updated['subject']}", text, **headers))

    # Then their reply is on the ticket, without the quoted notice
    def customer_replies() -> list[str]:
        return [e["body"] for e in timeline(api, number) if e["kind"] == "reply" and e["author"]["kind"] == "contact"]

    assert wait_for(customer_replies) == ["Cleaned them, it works now."]


def test_a_stranger_quoting_a_tickets_tag_opens_a_ticket_of_their_own(platform: Platform, api: httpx.Client) -> None:
    owner = f"{unique('olga')}@eu.acme.example.com"
    write(platform, written(owner, unique("Badge reader"), "My badge does not open the door."))
    (received,) = wait_for(lambda: notices(platform, owner, "We received your request"))
    number = number_of(received)

    stranger = f"{unique('sam')}@gmail.com"
    write(platform, written(stranger, f"Re: [#{number}] Badge reader", "What is going on with this ticket?"))

    (theirs,) = wait_for(lambda: notices(platform, stranger, "We received your request"))
    assert number_of(theirs) != number
    assert [e for e in timeline(api, number) if e["kind"] == "reply"] == []


def test_a_burst_of_notices_stops_at_the_hourly_cap_and_each_held_back_is_recorded(
    platform: Platform, api: httpx.Client
) -> None:
    # Given a ticket by email (its "received" notice counts one of the 10 an hour)
    address = f"{unique('bot')}@eu.acme.example.com"
    write(platform, written(address, unique("Autoresponder test"), "Hello."))
    (received,) = wait_for(lambda: notices(platform, address, "We received your request"))
    number = number_of(received)

    # When eleven replies follow within the hour (as an auto-responder's loop would make them)
    for n in range(11):
        assert api.post(f"/api/tickets/{number}/replies", json={"body": f"Reply {n}"}).status_code in (200, 201)

    # Then ten notices in all reach the address, and the two held back are on the timeline
    def held_back() -> list[dict[str, Any]]:
        return [e for e in timeline(api, number) if e["changes"] and e["changes"][0]["field"] == "notice_suppressed"]

    suppressed = wait_for(lambda: len(held_back()) == 2 and held_back(), timeout=30)
    assert {(e["changes"][0]["after"], e["reason"]) for e in suppressed} == {(address, "automatic_mail_cap")}
    assert len(notices(platform, address)) == 10
