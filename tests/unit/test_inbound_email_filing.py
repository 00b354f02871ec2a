"""What a person's message to support becomes: a new ticket, a reply on the ticket it answers, or
(a staff user's mail about nothing open) nothing. Signed references thread whoever sends; the
subject's tag only from the ticket's requester, CCs or staff; a closed or merged ticket takes
nothing more, so the message opens a new ticket that mentions it."""

from __future__ import annotations

import pytest

from deskless.priorities import Priority
from deskless.tickets import Author, AuthorKind, Source, Status, Ticket
from functions.inbound_email.filing import (
    Decision,
    Filing,
    cc_of,
    decide,
    description_of,
    may_reply_by_tag,
    title_of,
)
from functions.inbound_email.threads import How, MailHeaders, ThreadHint

REQUESTER = "carla@acme.example.com"


def ticket(status: Status = Status.OPEN, number: int = 1001) -> Ticket:
    return Ticket(
        number=number,
        title="Printer broken",
        description="It smokes.",
        requester=Author(kind=AuthorKind.CONTACT, id="c1", name="Carla Díaz", email="Carla@Acme.example.com"),
        company_id="acme",
        source=Source.EMAIL,
        cc=["boss@acme.example.com"],
        priority=Priority.MEDIUM,
        status=status,
        created_at=1,
        updated_at=1,
    )


BY_REFERENCES = ThreadHint(1001, How.REFERENCES)
BY_TAG = ThreadHint(1001, How.SUBJECT)


def test_a_message_that_names_no_ticket_opens_one() -> None:
    assert decide(None, None, REQUESTER, staff=False) == Decision(Filing.NEW_TICKET)


def test_a_message_naming_a_ticket_that_does_not_exist_opens_one() -> None:
    assert decide(ThreadHint(4242, How.REFERENCES), None, REQUESTER, staff=False) == Decision(Filing.NEW_TICKET)


@pytest.mark.parametrize("sender", [REQUESTER, "boss@acme.example.com", "forwarded.to@other.example"])
def test_a_signed_reference_joins_the_ticket_whoever_sends_it(sender: str) -> None:
    assert decide(BY_REFERENCES, ticket(), sender, staff=False) == Decision(Filing.REPLY, number=1001)


@pytest.mark.parametrize("sender", [REQUESTER, "boss@acme.example.com"])
def test_the_subject_tag_joins_the_ticket_from_its_requester_or_a_cc(sender: str) -> None:
    assert decide(BY_TAG, ticket(), sender, staff=False) == Decision(Filing.REPLY, number=1001)


def test_a_stranger_quoting_the_tag_opens_a_new_ticket_that_says_nothing_of_the_other() -> None:
    assert decide(BY_TAG, ticket(), "mallory@evil.example", staff=False) == Decision(Filing.NEW_TICKET)


def test_a_staff_users_mail_with_the_tag_is_a_reply_from_them() -> None:
    assert may_reply_by_tag(ticket(), "ted@deskless.example.com", staff=True)
    assert decide(BY_TAG, ticket(), "ted@deskless.example.com", staff=True) == Decision(Filing.REPLY, number=1001)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.MERGED])
def test_a_reply_to_a_closed_or_merged_ticket_opens_a_new_one_that_mentions_it(status: Status) -> None:
    decision = decide(BY_REFERENCES, ticket(status), REQUESTER, staff=False)

    assert decision == Decision(Filing.NEW_TICKET, follows_up=1001)
    assert (
        description_of("Still broken.", decision.follows_up) == "Follows up on #1001, which is closed.\n\nStill broken."
    )


@pytest.mark.parametrize("status", [Status.PENDING, Status.RESOLVED, Status.NEW])
def test_a_reply_joins_a_ticket_that_is_not_final(status: Status) -> None:
    assert decide(BY_REFERENCES, ticket(status), REQUESTER, staff=False).filing is Filing.REPLY


def test_a_staff_users_mail_about_nothing_open_is_only_recorded() -> None:
    assert decide(None, None, "ted@deskless.example.com", staff=True) == Decision(Filing.IGNORED)
    assert decide(BY_REFERENCES, ticket(Status.CLOSED), "ted@deskless.example.com", staff=True).filing is Filing.IGNORED


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Printer broken", "Printer broken"),
        ("Re: [#1001] Printer broken", "Printer broken"),
        ("AW: WG: Drucker kaputt [#1002]", "Drucker kaputt"),
        ("Re: Re[2]: Odp: VPN", "VPN"),
        ("   ", "(no subject)"),
        ("x" * 300, "x" * 200),
    ],
)
def test_a_new_tickets_title_is_the_subject_without_prefixes_and_tags(subject: str, title: str) -> None:
    assert title_of(subject) == title


def test_the_ccs_are_the_other_people_addressed_not_support_nor_robots() -> None:
    headers = MailHeaders(
        in_reply_to=None,
        references=None,
        subject="Printer",
        sender=REQUESTER,
        to=("support@deskless.example.com", "boss@acme.example.com"),
        cc=(REQUESTER, "no-reply@shop.example", "Billing@Deskless.example.com".lower(), "it@acme.example.com"),
    )

    cc = cc_of(headers, ["support@deskless.example.com", "Billing@deskless.example.com"])

    assert cc == ["boss@acme.example.com", "it@acme.example.com"]
