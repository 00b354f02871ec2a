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
timeline says so. Each mail is sent by deskless.ticket_people.mail_one, as the ticket's notices are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from deskless.automation_rules import Action
from deskless.contacts import Contact
from deskless.mail import AutoSubmitted, is_robot_address
from deskless.teams import team_of
from deskless.ticket_intake import requester_of
from deskless.ticket_people import Mailing, mail_one
from deskless.tickets import Ticket
from deskless.users import get_staff, staff_of


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
            members = staff_of(sorted(team.members)) if team is not None else []
            wanted = [user.email for user in members if user.active]
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
    done = [
        mail_one(
            ticket,
            action.template_id or "",
            address,
            requester,
            mail_id=mail_id,
            automatic=AutoSubmitted.GENERATED,
            credentials=action.to == "requester",
        )
        for address in recipients(ticket, action, requester)
    ]
    return Mailed(done.count(Mailing.SENT), done.count(Mailing.CAPPED))


def mail_id(change_id: str, rule_id: str, index: int) -> str:
    """A thread id for one action's mail (a Message-ID carries 64 of A-Z a-z 0-9 - _ at most)."""
    return "rule-" + hashlib.sha256(f"{change_id}|{rule_id}|{index}".encode()).hexdigest()[:40]
