"""A rule's `send_email`: an email template to the ticket's requester, its CCs, its assignee, its
team's members or one address, rendered for each recipient with the ticket's snippets.

To the requester it goes through deskless.contact_mail.send_template, so credential snippets
({[Portal Password]}, {[Portal Password Link]}) issue the contact's credentials as it is sent:
that is how the [Portal Credentials] rule mails a contact their sign-in. Every other recipient gets
the template with the ticket's values (deskless.ticket_people.addressed).

Every mail is automatic (`Auto-Submitted: auto-generated`), threads with the ticket (its signed
Message-ID, the subject's [#1001] tag), never goes to an address no person reads
(deskless.mail.is_robot_address) nor to a deactivated contact, and counts against the recipient's
hourly cap for the ticket (deskless.mail_caps): a mail over the cap is not sent, and the ticket's
timeline says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from deskless.automation_rules import Action
from deskless.contact_mail import send_template
from deskless.contacts import Contact
from deskless.mail import AutoSubmitted, is_robot_address, send_email
from deskless.mail_caps import allow_automatic
from deskless.mail_threads import message_id, outgoing_thread, tagged_subject
from deskless.preferences import get_preferences
from deskless.snippets import SnippetContext
from deskless.teams import team_of
from deskless.templates import email_template, render_email
from deskless.ticket_intake import requester_of
from deskless.ticket_people import addressed, contact_for
from deskless.tickets import Ticket, record_suppressed_notice
from deskless.users import get_staff

CAP_REACHED = "automatic_mail_cap"
RECEIVED = "received"  # the ticket's first notice (functions/events): every later mail refers to it


@dataclass(frozen=True)
class Mailed:
    sent: int
    capped: int


def recipients(ticket: Ticket, action: Action, requester: Contact | None) -> list[str]:
    """The addresses the action names, each once, lower case, without those no person reads."""
    match action.to:
        case "requester":
            wanted = [requester.emails[0] if requester is not None else ticket.requester.email]
        case "cc":
            wanted = list(ticket.cc)
        case "assignee":
            user = get_staff(ticket.assignee.id) if ticket.assignee is not None else None
            wanted = [user.email] if user is not None and user.active else []
        case "team":
            team = team_of(ticket.team_id) if ticket.team_id else None
            members = [get_staff(member) for member in sorted(team.members)] if team is not None else []
            wanted = [user.email for user in members if user is not None and user.active]
        case _:
            wanted = [action.address or ""]
    found: dict[str, None] = {}
    for address in wanted:
        if address and not is_robot_address(address):
            found.setdefault(address.lower())
    return list(found)


def send(ticket: Ticket, action: Action, mail_id: str) -> Mailed:
    """Send the action's template to each of its recipients under the cap; `mail_id` names this
    mail in the ticket's thread (letters, digits, - and _)."""
    requester = requester_of(ticket)
    cap = get_preferences().automatic_mail_cap
    thread = outgoing_thread(ticket.number, mail_id, references=[message_id(ticket.number, RECEIVED)])
    sent = capped = 0
    for address in recipients(ticket, action, requester):
        contact = contact_for(address, requester)
        if contact is not None and not contact.active:
            continue  # Deskless sends a deactivated contact nothing
        if not allow_automatic(address, ticket.number, cap):
            record_suppressed_notice(ticket.number, address, CAP_REACHED)
            capped += 1
            continue
        template_id = action.template_id or ""
        if contact is not None and action.to == "requester":
            about = addressed(ticket, address, contact, requester).values
            send_template(
                contact,
                template_id,
                about=about,
                subject=lambda subject: tagged_subject(subject, ticket.number),
                thread=thread,
            )
        else:
            to = addressed(ticket, address, contact, requester)
            _, mail = render_email(
                email_template(template_id).variants,
                SnippetContext.for_sending(to.values),
                to.language,
                to.portal_language,
            )
            subject = tagged_subject(mail.subject, ticket.number)
            send_email([address], subject, mail.text, mail.html, automatic=AutoSubmitted.GENERATED, thread=thread)
        sent += 1
    return Mailed(sent, capped)


def mail_id(change_id: str, rule_id: str, index: int) -> str:
    """A thread id for one action's mail (a Message-ID carries 64 of A-Z a-z 0-9 - _ at most)."""
    return "rule-" + hashlib.sha256(f"{change_id}|{rule_id}|{index}".encode()).hexdigest()[:40]
