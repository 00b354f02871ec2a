"""The welcome email: what a new contact gets with their portal access, from the template the email
settings name (deskless.preferences), in the contact's language (else their portal's, else
English: deskless.templates.variant_for), its credentials issued at the moment it is sent.

Two senders: the events function, for a contact created with `welcome_requested` (from an email,
in the console, or by an import that asked), once, however often the stream delivers the record:
the send is claimed on the contact first (deskless.contacts.claim_welcome) and given up again if
sending fails, so a retry sends it and a redelivery does not; and a technician's "send welcome
again", at once, throttled per contact so that it cannot be used to flood someone's mailbox.
A deactivated contact gets nothing.
"""

from __future__ import annotations

from .contact_mail import send_template
from .contacts import (
    Contact,
    claim_welcome,
    contact_of,
    release_welcome,
    welcomed,
)
from .errors import ContactDeactivated
from .observability import logger
from .preferences import get_preferences
from .throttle import Limit, spend

# A technician may send a contact's welcome again this often: enough to retry a lost mail, too
# few to flood anyone.
AGAIN = Limit("welcome-again", count=3, window_seconds=3600)


def send_welcome(contact: Contact) -> str:
    """Send the contact the welcome email (the template the email settings name); SES's message
    id. Its credentials are issued now (deskless.contact_mail)."""
    template_id = get_preferences().welcome_template_id
    sent = send_template(contact, template_id)
    logger.info("welcome sent", extra={"contact_id": contact.id, "template": template_id, "language": sent.language})
    return sent.message_id


def welcome_once(contact: Contact) -> bool:
    """Send a new contact's welcome email unless it was sent already (or the contact is
    deactivated now); whether it was sent now. Sending claims it on the contact first; a failure
    gives the claim up and raises, so the stream retries."""
    if not claim_welcome(contact.id):
        return False
    try:
        send_welcome(contact)
    except Exception:
        release_welcome(contact.id)
        raise
    return True


def send_welcome_again(contact_id: str) -> Contact:
    """A technician sends the welcome email again, now (new credentials: the earlier link or
    temporary password stops working). NotFound, ContactDeactivated, TooManyRequests."""
    contact = contact_of(contact_id)
    if not contact.active:
        raise ContactDeactivated("This contact is deactivated: Deskless sends them nothing. Reactivate them first.")
    spend(AGAIN, contact.id)
    send_welcome(contact)
    welcomed(contact.id)
    return contact
