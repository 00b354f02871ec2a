"""A ticket's people: who its mail goes to, what a mail to one of them renders with, and which
technicians follow it. The events function's notices (functions/events/ticket_mail.py) and the
automation rules' emails and console notifications (functions/automation) both start here, and
both send each mail through `mail_one`: never to a deactivated contact, under the hourly cap,
threaded with the ticket.

Who follows a ticket: its assignee; else its team's members; else its company's technicians;
else, for a ticket nobody is named for yet, every staff user.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .companies import get_company
from .contact_mail import Recipient, recipient, send_template
from .contacts import Contact, find_contact_by_email
from .credentials import account_base
from .errors import NotFound
from .mail import AutoSubmitted, is_robot_address, send_email
from .mail_caps import allow_automatic
from .mail_threads import message_id, outgoing_thread, tagged_subject
from .preferences import get_preferences
from .snippets import SnippetContext, SnippetValues
from .teams import team_of
from .templates import email_template, render_email
from .tickets import Ticket, record_suppressed_notice
from .users import list_staff

REPLY_CHARS = 2000
RECEIVED = "received"  # the thread id of a ticket's first notice: every later mail refers to it
CAP_REACHED = "automatic_mail_cap"  # why a mail was not sent, on the ticket's timeline


class Mailing(StrEnum):
    """What became of one automatic mail about a ticket."""

    SENT = "sent"
    DEACTIVATED = "deactivated"  # Deskless sends a deactivated contact nothing
    CAPPED = "capped"  # over the recipient's hourly cap for the ticket: the timeline says so


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


def mail_one(
    ticket: Ticket,
    template_id: str,
    address: str,
    requester: Contact | None,
    *,
    mail_id: str,
    automatic: AutoSubmitted,
    technician: str = "",
    reply: str = "",
    credentials: bool = False,
) -> Mailing:
    """Send the email template about the ticket to `address`, an automatic mail of that kind,
    unless it belongs to a deactivated contact or is over the hourly cap (the ticket's timeline
    then says so). It joins the ticket's thread as `mail_id` (letters, digits, - and _), referring
    to the first notice, and its subject carries the ticket's tag. `credentials`: a contact's own
    mail, through deskless.contact_mail.send_template, so the credential snippets it names issue
    the contact's sign-in as it is sent."""
    contact = contact_for(address, requester)
    if contact is not None and not contact.active:
        return Mailing.DEACTIVATED
    if not allow_automatic(address, ticket.number, get_preferences().automatic_mail_cap):
        record_suppressed_notice(ticket.number, address, CAP_REACHED)
        return Mailing.CAPPED
    earlier = [] if mail_id == RECEIVED else [message_id(ticket.number, RECEIVED)]
    thread = outgoing_thread(ticket.number, mail_id, references=earlier)
    to = addressed(ticket, address, contact, requester, technician=technician, reply=reply)
    if credentials and contact is not None:
        send_template(
            contact,
            template_id,
            about=to.values,
            subject=lambda subject: tagged_subject(subject, ticket.number),
            thread=thread,
            automatic=automatic,
        )
        return Mailing.SENT
    _, mail = render_email(
        email_template(template_id).variants, SnippetContext.for_sending(to.values), to.language, to.portal_language
    )
    subject = tagged_subject(mail.subject, ticket.number)
    send_email([address], subject, mail.text, mail.html, automatic=automatic, thread=thread)
    return Mailing.SENT
