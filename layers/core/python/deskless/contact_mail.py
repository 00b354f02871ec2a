"""Mail to one contact from an email template: what its snippets render for them (their name and
address, their company's name, where and as whom they sign in), in their language (else their
portal's, else English: deskless.templates.variant_for), with their portal credentials issued at
the moment it is sent (deskless.credentials).

The welcome email (deskless.welcome) and the password reset email (deskless.credentials) are sent
through `send_template`; a template's preview for a chosen contact (the templates function) reads
the same values through `recipient`, and issues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .companies import get_company
from .contacts import Contact
from .credentials import issuer_for, sign_in_address
from .languages import Language
from .mail import AutoSubmitted, Thread, send_email
from .snippets import SnippetContext, SnippetValues
from .templates import email_template, render_email


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    values: SnippetValues  # what the snippets render for them
    address: str  # where they sign in ({[Portal Address]})
    portal_language: str | None  # their portal's, a template's fallback after theirs


def first_name(name: str) -> str:
    """
    >>> first_name("Carla Díaz"), first_name("  ")
    ('Carla', '')
    """
    words = name.split()
    return words[0][:100] if words else ""


def recipient(contact: Contact) -> Recipient:
    """The contact as a mail to them sees them (one Query of their company's partition)."""
    company, portal = get_company(contact.company_id)
    address = sign_in_address(portal)
    values = SnippetValues(
        portal_address=address,
        portal_username=contact.emails[0],
        contact_first_name=first_name(contact.name),
        contact_name=contact.name,
        contact_email=contact.emails[0],
        company_name=company.name,
    )
    return Recipient(contact, values, address, portal.language if portal else None)


@dataclass(frozen=True)
class Sent:
    language: Language  # the variant it went out in
    message_id: str  # SES's
    address: str  # where the contact signs in, as the mail said


def send_template(
    contact: Contact,
    template_id: str,
    *,
    link_lifetime_seconds: int | None = None,
    about: SnippetValues | None = None,
    subject: Callable[[str], str] | None = None,
    thread: Thread | None = None,
    automatic: AutoSubmitted = AutoSubmitted.GENERATED,
) -> Sent:
    """Send the email template to the contact's first address. A credential snippet the template
    names is issued now (a set-password link lives `link_lifetime_seconds`, else as long as the
    setting says) and replaces the contact's pending one. A mail about a ticket (an automation
    rule's) adds the ticket's values (`about`: those it sets), its tag to the subject and its thread.
    Every such mail is automatic, of the kind `automatic` says."""
    to = recipient(contact)
    values = to.values if about is None else to.values.model_copy(update=about.model_dump(exclude_none=True))
    issuer = issuer_for(contact, link_lifetime_seconds=link_lifetime_seconds, address=to.address)
    context = SnippetContext.for_sending(values, issuer)
    language, mail = render_email(email_template(template_id).variants, context, contact.language, to.portal_language)
    title = mail.subject if subject is None else subject(mail.subject)
    sent = send_email([contact.emails[0]], title, mail.text, mail.html, automatic=automatic, thread=thread)
    return Sent(language, sent, to.address)
