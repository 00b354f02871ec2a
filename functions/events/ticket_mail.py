"""The emails a ticket's people get, sent from the table's stream: "ticket received" when it is
opened (or "ticket refused" when the submission policy closed it on arrival: it says why), "ticket
updated" with each public reply a technician writes, "ticket resolved" when it becomes resolved.
Each goes to the requester and every CC, from the template of that id (an admin may edit it), in
the recipient's language if they are a contact (else the requester's).

Each notice:

- is `Auto-Submitted: auto-replied` and carries Deskless' loop header (deskless.mail), so mail
  programs do not answer it and Deskless never takes it back as a person's mail;
- names its ticket in a signed Message-ID, repeated in References (SES replaces the Message-ID:
  deskless.mail_threads.outgoing_thread), and in the subject's `[#1001]` tag, so a reply joins it;
- never goes to an address no person reads (deskless.mail.is_robot_address), nor to a
  deactivated contact;
- is claimed per trigger and recipient first (deskless.tickets.claim_notice): sent once however
  often the stream delivers its record, and the claim given up if sending fails, so a retry sends it;
- counts against the recipient's hourly cap for the ticket (deskless.mail_caps): one over the cap
  is not sent, and the ticket's timeline says so (with the recipient and why), so an auto-responder
  that answers every notice with a new message stops the loop within a few rounds.
"""

from __future__ import annotations

from deskless.contacts import Contact
from deskless.mail import AutoSubmitted
from deskless.observability import logger
from deskless.template_defaults import TICKET_RECEIVED, TICKET_REFUSED, TICKET_RESOLVED, TICKET_UPDATED
from deskless.ticket_intake import requester_of
from deskless.ticket_people import RECEIVED, Mailing, mail_one, recipients_of
from deskless.tickets import Entry, Ticket, claim_notice, release_notice


def notify(ticket: Ticket, template_id: str, trigger: str, *, technician: str = "", reply: str = "") -> int:
    """Send the notice `trigger` names to each of the ticket's people who has not had it; how many
    were sent now."""
    requester = requester_of(ticket)
    sent = 0
    for address in recipients_of(ticket):
        if not claim_notice(ticket.number, trigger, address):
            continue
        try:
            sent += _send_one(ticket, template_id, trigger, address, requester, technician=technician, reply=reply)
        except Exception:
            release_notice(ticket.number, trigger, address)
            raise
    return sent


def _send_one(
    ticket: Ticket,
    template_id: str,
    trigger: str,
    address: str,
    requester: Contact | None,
    *,
    technician: str = "",
    reply: str = "",
) -> int:
    done = mail_one(
        ticket,
        template_id,
        address,
        requester,
        mail_id=trigger,
        automatic=AutoSubmitted.REPLIED,
        technician=technician,
        reply=reply,
    )
    log = {"number": ticket.number, "trigger": trigger}
    if done == Mailing.DEACTIVATED:
        logger.info("notice not sent: deactivated contact", extra=log)
    elif done == Mailing.CAPPED:
        logger.info("notice suppressed", extra=log)
    else:
        logger.info("notice sent", extra={**log, "template": template_id})
    return int(done == Mailing.SENT)


def ticket_opened(ticket: Ticket) -> int:
    """A new ticket: "received", or "refused" when the submission policy closed it on arrival."""
    return notify(ticket, TICKET_REFUSED if ticket.status_reason else TICKET_RECEIVED, RECEIVED)


def ticket_resolved(ticket: Ticket) -> int:
    """Resolved: the notice names the assignee as who resolved it (the stream's image says no more)."""
    by = ticket.assignee.name if ticket.assignee is not None else ""
    return notify(ticket, TICKET_RESOLVED, f"resolved-{ticket.resolved_at}", technician=by)


def staff_replied(ticket: Ticket, entry: Entry) -> int:
    return notify(ticket, TICKET_UPDATED, entry.id, technician=entry.author.name, reply=entry.body)
