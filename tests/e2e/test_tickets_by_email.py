"""Tickets by email on `deskless dev`, as a customer's mail program meets them: a contact writes
to support over SMTP and gets a "received" notice naming their new ticket, which holds what they
wrote; a stranger quoting the ticket's tag opens a ticket of their own; a burst of notices to one
person stops at the hourly cap, and the ticket's timeline records each one held back. (A reply to
a technician's answer, joining the ticket without its quote, is the walk's:
test_ticket_walk_browser.py.)

The platform is shared by the whole suite: each test writes from addresses of its own."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.conftest import Platform, mail_to, send_mail, unique, wait_for

NOTICE_SUBJECT = re.compile(r"^\[#(\d+)\] ")


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


def timeline(api: httpx.Client, number: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/tickets/{number}")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["timeline"]
    return entries


def test_a_contact_emails_support_and_gets_a_notice_naming_the_ticket_their_mail_opened(
    platform: Platform, api: httpx.Client
) -> None:
    address = f"{unique('rosa')}@eu.acme.example.com"
    subject = unique("Scanner jams")

    # When a customer of Acme writes to support
    send_mail(platform, f"Rosa Ruiz <{address}>", subject, "The scanner jams on every page.")

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


def test_a_stranger_quoting_a_tickets_tag_opens_a_ticket_of_their_own(platform: Platform, api: httpx.Client) -> None:
    owner = f"{unique('olga')}@eu.acme.example.com"
    send_mail(platform, owner, unique("Badge reader"), "My badge does not open the door.")
    (received,) = wait_for(lambda: notices(platform, owner, "We received your request"))
    number = number_of(received)

    stranger = f"{unique('sam')}@gmail.com"
    send_mail(platform, stranger, f"Re: [#{number}] Badge reader", "What is going on with this ticket?")

    (theirs,) = wait_for(lambda: notices(platform, stranger, "We received your request"))
    assert number_of(theirs) != number
    assert [e for e in timeline(api, number) if e["kind"] == "reply"] == []


def test_a_burst_of_notices_stops_at_the_hourly_cap_and_each_held_back_is_recorded(
    platform: Platform, api: httpx.Client
) -> None:
    # Given a ticket by email (its "received" notice counts one of the 10 an hour)
    address = f"{unique('bot')}@eu.acme.example.com"
    send_mail(platform, address, unique("Autoresponder test"), "Hello.")
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
