"""A ticket's people: who its mail goes to, what a mail to one of them renders with, and which
technicians follow it. The events function's notices (functions/events/ticket_mail.py) and the
automation rules' emails and console notifications (functions/automation) both start here.

Who follows a ticket: its assignee; else its team's members; else its company's technicians;
else, for a ticket nobody is named for yet, every staff user.
"""

from __future__ import annotations

from dataclasses import dataclass

from .companies import get_company
from .contact_mail import Recipient, recipient
from .contacts import Contact, find_contact_by_email
from .credentials import account_base
from .errors import NotFound
from .mail import is_robot_address
from .snippets import SnippetValues
from .teams import team_of
from .tickets import Ticket
from .users import list_staff

REPLY_CHARS = 2000


def recipients_of(ticket: Ticket) -> list[str]:
    """The requester and the CCs, each once, without addresses no person reads."""
    found: dict[str, None] = {}
    for address in (ticket.requester.email, *ticket.cc):
        if address and not is_robot_address(address):
            found.setdefault(address.lower())
    return list(found)


def contact_for(address: str, requester: Contact | None) -> Contact | None:
    """The contact an address is (the requester's own addresses first: no request for them)."""
    if requester is not None and address.lower() in (email.lower() for email in requester.emails):
        return requester
    return find_contact_by_email(address)


@dataclass(frozen=True)
class Addressed:
    """A mail about a ticket to one address: whom it reaches, and what its snippets render."""

    contact: Contact | None  # the address's contact, if it is one
    base: Recipient | None  # the contact (else the requester) as a mail sees them: portal, language
    values: SnippetValues

    @property
    def language(self) -> str | None:
        who = self.contact or (self.base.contact if self.base is not None else None)
        return who.language if who is not None else None

    @property
    def portal_language(self) -> str | None:
        return self.base.portal_language if self.base is not None else None


def addressed(
    ticket: Ticket,
    address: str,
    contact: Contact | None,
    requester: Contact | None,
    *,
    technician: str = "",
    reply: str = "",
) -> Addressed:
    """What a mail about the ticket to `address` (`contact`'s, if a contact has it: contact_for)
    renders with: the contact's own values (else only the address), the ticket's, and the link to
    it on the requester's portal."""
    who = contact or requester
    base = recipient(who) if who is not None else None  # the requester's portal, for a CC no contact has
    own = base.values if base is not None and contact is not None else SnippetValues(contact_email=address)
    values = own.model_copy(
        update={
            "ticket_number": str(ticket.number),
            "ticket_title": ticket.title,
            "ticket_status": ticket.status.value,
            "ticket_link": account_base(base.address) + f"tickets/{ticket.number}" if base is not None else None,
            "technician_name": technician or None,
            "ticket_reply": reply[:REPLY_CHARS] or None,
        }
    )
    return Addressed(contact, base, values)


def followers(ticket: Ticket) -> list[str]:
    """The staff users who follow a ticket (see the module's docstring)."""
    if ticket.assignee is not None:
        return [ticket.assignee.id]
    if ticket.team_id and (team := team_of(ticket.team_id)) is not None and team.members:
        return sorted(team.members)
    try:
        technicians = get_company(ticket.company_id)[0].technician_ids
    except NotFound:
        technicians = []
    return list(technicians) or [user.id for user in list_staff() if user.active]
