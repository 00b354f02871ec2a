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

from .companies import get_company
from .contacts import (
    Contact,
    claim_welcome,
    contact_of,
    release_welcome,
    welcomed,
)
from .credentials import issuer_for, portal_address
from .errors import ContactDeactivated
from .mail import send_email
from .observability import logger
from .preferences import get_preferences
from .snippets import CredentialIssuer, SnippetContext, SnippetValues
from .templates import email_template, render_email
from .throttle import Limit, spend

# A technician may send a contact's welcome again this often: enough to retry a lost mail, too
# few to flood anyone.
AGAIN = Limit("welcome-again", count=3, window_seconds=3600)


def welcome_values(contact: Contact, company_name: str, address: str) -> SnippetValues:
    """The plain values a welcome email renders: the contact's, their company's, where and as
    whom they sign in."""
    first = contact.name.split()[0] if contact.name.split() else ""
    return SnippetValues(
        portal_address=address,
        portal_username=contact.emails[0],
        contact_first_name=first[:100],
        contact_name=contact.name,
        contact_email=contact.emails[0],
        company_name=company_name,
    )


def send_welcome(contact: Contact) -> str:
    """Render the welcome email for the contact and send it; SES's message id. The credentials
    are issued now, by the portal credentials' issuer (deskless.credentials)."""
    company, portal = get_company(contact.company_id)
    template = email_template(get_preferences().welcome_template_id)
    address, issuer = _portal_credentials(contact)
    values = welcome_values(contact, company.name, address)
    context = SnippetContext.for_sending(values, issuer)
    language, mail = render_email(template.variants, context, contact.language, portal.language if portal else None)
    message_id = send_email([contact.emails[0]], mail.subject, mail.text, mail.html)
    logger.info("welcome sent", extra={"contact_id": contact.id, "template": template.id, "language": language})
    return message_id


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


def _portal_credentials(contact: Contact) -> tuple[str, CredentialIssuer]:
    """Where the contact signs in, and the issuer of their credentials (deskless.credentials)."""
    return portal_address(contact), issuer_for(contact)
