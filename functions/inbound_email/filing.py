"""Where a person's message to a support address goes: a new ticket, or a reply on the ticket it
answers (threads.py says which ticket the message names, and how).

- A message that names no ticket (or a ticket that does not exist) opens a new ticket.
- A signed Message-ID in In-Reply-To or References (only Deskless can write one) makes it a
  reply on that ticket, whoever sends it.
- The subject's tag `[#1001]` alone makes it a reply only if the sender is the ticket's
  requester, one of its CCs or a staff user: anyone can type a tag, so a stranger quoting one
  opens a new ticket (and learns nothing of the other).
- A closed or merged ticket takes nothing more: the message opens a new ticket that mentions the
  old number (a staff user's mail to it is only recorded: a technician opens no ticket by email).

`decide` is a pure function of what threading found, the ticket and who sent it, so each case is
a unit test; receive.py applies the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from deskless.mail import is_robot_address
from deskless.mail_threads import subject_title
from deskless.tickets import FINAL, Ticket

from .threads import How, MailHeaders, ThreadHint

UNTITLED = "(no subject)"
TITLE_CHARS = 200


class Filing(StrEnum):
    NEW_TICKET = "new_ticket"
    REPLY = "reply"
    IGNORED = "ignored"  # a staff user's mail that answers no ticket open to replies


@dataclass(frozen=True)
class Decision:
    filing: Filing
    number: int | None = None  # the ticket replied to
    follows_up: int | None = None  # a new ticket's closed or merged predecessor


def may_reply_by_tag(ticket: Ticket, sender: str, *, staff: bool) -> bool:
    """Whether the sender may add to the ticket by its subject tag alone: its requester, a CC, staff."""
    return staff or sender == ticket.requester.email.lower() or sender in ticket.cc


def decide(hint: ThreadHint | None, ticket: Ticket | None, sender: str, *, staff: bool) -> Decision:
    """What a person's message to support becomes (see the module's docstring); `ticket` is the
    one `hint` names, None if it names none or there is no such ticket."""
    named = hint is not None and ticket is not None and ticket.number == hint.ticket_number
    if not named or ticket is None or hint is None:
        return Decision(Filing.IGNORED if staff else Filing.NEW_TICKET)
    if hint.how is How.SUBJECT and not may_reply_by_tag(ticket, sender, staff=staff):
        return Decision(Filing.IGNORED if staff else Filing.NEW_TICKET)
    if ticket.status in FINAL:
        return Decision(Filing.IGNORED) if staff else Decision(Filing.NEW_TICKET, follows_up=ticket.number)
    return Decision(Filing.REPLY, number=ticket.number)


def title_of(subject: str) -> str:
    """
    >>> title_of("RE: [#1001] Fwd: VPN down"), title_of("Re: ")
    ('VPN down', '(no subject)')
    """
    return subject_title(subject)[:TITLE_CHARS] or UNTITLED


def description_of(visible: str, follows_up: int | None) -> str:
    """A new ticket's description: what the message says, after a line naming the closed ticket it
    follows up, if any."""
    if follows_up is None:
        return visible
    return f"Follows up on #{follows_up}, which is closed.\n\n{visible}".rstrip()


def cc_of(headers: MailHeaders, support_addresses: Iterable[str]) -> list[str]:
    """The people a new ticket keeps informed: the To and Cc addresses but the sender's, the
    support addresses and addresses no person reads."""
    support = {address.lower() for address in support_addresses}
    found: dict[str, None] = {}
    for address in (*headers.to, *headers.cc):
        if address != headers.sender and address not in support and not is_robot_address(address):
            found.setdefault(address)
    return list(found)
