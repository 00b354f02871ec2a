"""A message SES received: read its body from S3 (the Lambda action carries only headers), record
it once, whatever the number of deliveries and whatever charset it claims (decoding.py), link
it to the contact who sent it, creating that contact if the email settings say so, and file it:
a new ticket, or a reply on the ticket it answers (filing.py decides; `_file` applies it once).

What a message leads to (its `outcome`, recorded with it):

- not to a support address (SES hands over all mail for the mail domain; the email settings say
  which addresses are support addresses): recorded, nothing else;
- automatic mail (automatic.py: auto-replies, bounces, lists, no-reply senders, Deskless' own):
  recorded, never a contact;
- from a known contact's address: recorded and linked to the contact;
- from an unknown address, with "create a contact" on: a contact is created (named from the From
  header, placed by its domain, else in Unassigned, speaking the language its mail program
  declared in Content-Language if Deskless speaks it, else English; `welcome_requested` as the
  welcome setting is now) in the same transaction as the message's record, linked to it. The welcome email follows
  from the table's stream (deskless.welcome).

A person's message then becomes a ticket or a reply (never automatic mail, nor one from a
deactivated contact): a staff user's message about an open ticket is their public reply (outcome
`staff`); while creating contacts is off, an unknown sender's message is a reply (by their
address) only if it names its ticket by a signed reference, and else nothing. The filing
transaction marks the record `filed` only if it is not yet, so a message makes one ticket or one
reply however often it is delivered, and a delivery that finds it filed stores nothing.

Every delivery after the first changes nothing: the record is put only if absent, and the contact
is created with it or not at all, so a second delivery finds the contact and the record, and
creates no second contact (nor asks for a second welcome). Two messages from one new address at
once: the address's guard lets one contact in, and the other message is linked to it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from enum import StrEnum
from typing import Any

from deskless.attachments import check_total, store
from deskless.aws import client
from deskless.catalog import INBOUND_MAIL_PREFIX
from deskless.contacts import (
    Contact,
    CreatedVia,
    contact_email,
    create_contact,
    find_contact_by_email,
    new_contact_id,
)
from deskless.data import (
    NEW_ITEM,
    Action,
    Condition,
    ConditionFailed,
    Item,
    TransactionCanceled,
    put_action,
    table,
    update_action,
)
from deskless.errors import AttachmentTooLarge, ContactEmailTaken, InvalidRequest, NotFound
from deskless.languages import DEFAULT_LANGUAGE, LANGUAGES, Language
from deskless.observability import logger
from deskless.preferences import get_preferences
from deskless.reply_text import visible_reply
from deskless.settings import get_settings
from deskless.snippets import flat
from deskless.table import Entity, inbound_mail_key, stamped
from deskless.ticket_intake import Submission, as_requester, submit
from deskless.tickets import Attach, Author, AuthorKind, FileRef, Source, Ticket, add_reply, ticket_of
from deskless.users import StaffUser, find_login, staff_from_item

from .attachments import attachments_of
from .automatic import sender_address, why_automatic
from .decoding import LENIENT
from .filing import Decision, Filing, cc_of, decide, description_of, title_of
from .threads import How, MailHeaders, ThreadHint, mail_headers, thread_of

PREVIEW_CHARS = 2000
NAME_CHARS = 100


class Outcome(StrEnum):
    CONTACT_CREATED = "contact_created"
    KNOWN_CONTACT = "known_contact"
    UNKNOWN_SENDER = "unknown_sender"  # creating contacts from email is off
    AUTOMATIC = "automatic"
    NOT_SUPPORT = "not_to_a_support_address"
    NO_SENDER = "no_sender"  # no From address that is an email address
    STAFF = "staff"  # a staff user's mail about a ticket


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content().replace("\r\n", "\n") if part is not None else ""


def receive(ses: dict[str, Any]) -> str:
    message_id = str(ses["mail"]["messageId"])
    raw = (
        client("s3")
        .get_object(Bucket=get_settings().inbound_bucket, Key=INBOUND_MAIL_PREFIX + message_id)["Body"]
        .read()
    )
    message = BytesParser(policy=LENIENT).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    recipients = [str(address).lower() for address in ses["receipt"].get("recipients", [])]
    record = {
        "message_id": message_id,
        "sender": str(message.get("from", "")),
        "recipients": recipients,
        "subject": str(message.get("subject", "")),
        "text": _text_of(message)[:PREVIEW_CHARS],
        "received_at": int(time.time()),
    }
    outcome = _handle(message, ses["mail"], record)
    logger.info("message received", extra={"message_id": message_id, "outcome": outcome.value})
    return message_id


def _handle(message: EmailMessage, envelope: dict[str, Any], record: dict[str, Any]) -> Outcome:
    preferences = get_preferences()
    if not set(record["recipients"]) & set(preferences.support_addresses):
        return _record(record, Outcome.NOT_SUPPORT)
    reason = why_automatic(message, envelope)
    if reason is not None:
        return _record(record, Outcome.AUTOMATIC, automatic=reason)
    try:
        sender = contact_email(sender_address(message))
    except InvalidRequest:
        return _record(record, Outcome.NO_SENDER)
    headers = mail_headers(message)
    hint = thread_of(headers)
    ticket = _ticket_named(hint)
    staff = _staff_user(sender) if ticket is not None else None
    if staff is not None:
        outcome = _record(record, Outcome.STAFF)
        _file(message, headers, record, decide(hint, ticket, sender, staff=True), staff_author(staff))
        return outcome
    known = find_contact_by_email(sender)
    if known is not None:
        outcome = _record(record, Outcome.KNOWN_CONTACT, contact_id=known.id)
    elif not preferences.create_contacts_from_email:
        outcome = _record(record, Outcome.UNKNOWN_SENDER)
        decision = decide(hint, ticket, sender, staff=False)
        if hint is not None and hint.how is How.REFERENCES and decision.filing is Filing.REPLY:
            # a signed reference: whoever answers does so on that ticket, known only by address
            by = Author(kind=AuthorKind.ADDRESS, name=name_of(message, sender), email=sender)
            _file(message, headers, record, decision, by)
        return outcome
    else:
        outcome, known = _create_contact(
            record, sender, name_of(message, sender), language_of(message), welcome=preferences.welcome_new_contacts
        )
        known = known or find_contact_by_email(sender)
        if known is None:  # recorded by an earlier delivery whose contact is not readable yet
            raise RuntimeError(f"the contact of {sender} is not there yet; try again")
    if known.active:
        decision = decide(hint, ticket, sender, staff=False)
        _file(message, headers, record, decision, as_requester(known), requester=known)
    return outcome


def _ticket_named(hint: ThreadHint | None) -> Ticket | None:
    if hint is None:
        return None
    try:
        return ticket_of(hint.ticket_number)
    except NotFound:
        return None


def _staff_user(email: str) -> StaffUser | None:
    login = find_login(email)
    staff = staff_from_item(login) if login is not None else None
    return staff if staff is not None and staff.active else None


def staff_author(staff: StaffUser) -> Author:
    return Author(kind=AuthorKind.STAFF, id=staff.id, name=staff.name, email=staff.email)


def _filed_once(message_id: str) -> Action:
    """The message's record marked filed, in the transaction that files it: a second delivery's
    transaction fails on it, so a message makes one ticket or one reply."""
    condition = Condition("attribute_exists(pk) AND attribute_not_exists(#filed)", names={"#filed": "filed"})
    return update_action(inbound_mail_key(message_id), set_values={"filed": True}, condition=condition)


def _file(
    message: EmailMessage,
    headers: MailHeaders,
    record: dict[str, Any],
    decision: Decision,
    author: Author,
    *,
    requester: Contact | None = None,
) -> None:
    """Apply the decision: a new ticket for `requester`, or a reply by `author`, once."""
    message_id = record["message_id"]
    if decision.filing is Filing.IGNORED or _filed(message_id):
        return
    key = INBOUND_MAIL_PREFIX + message_id
    visible = visible_reply(*_texts(message))
    claim = _filed_once(message_id)
    attach = _files(message)
    try:
        if decision.filing is Filing.REPLY and decision.number is not None:
            _, entry = add_reply(
                decision.number, author, visible, via=Source.EMAIL, message_key=key, attach=attach, also=[claim]
            )
            logger.info("reply by email", extra={"number": decision.number, "entry": entry.id})
        elif decision.filing is Filing.NEW_TICKET and requester is not None:
            form = Submission(
                title=title_of(headers.subject),
                description=description_of(visible, decision.follows_up),
                cc=cc_of(headers, get_preferences().support_addresses),
            )
            to = destination_of(record["recipients"], get_preferences().support_addresses)
            ticket = submit(form, requester, Source.EMAIL, attach=attach, also=[claim], message_key=key, destination=to)
            logger.info("ticket by email", extra={"number": ticket.number, "status": ticket.status.value})
    except TransactionCanceled as error:
        if error.reasons[-1] != "ConditionalCheckFailed":
            raise
        logger.info("message already filed", extra={"message_id": message_id})


def destination_of(recipients: Iterable[str], support_addresses: Iterable[str]) -> str:
    """The support address a message was sent to (the first, if it went to several)."""
    ours = {address.lower() for address in support_addresses}
    return next((address for address in recipients if address.lower() in ours), "")


def _filed(message_id: str) -> bool:
    """Whether an earlier delivery filed the message (one consistent GetItem): then nothing is
    stored again, not even its files. Two deliveries at once are kept apart by `_filed_once`."""
    item = table().get(inbound_mail_key(message_id), consistent=True)
    return bool(item and item.get("filed"))


def _files(message: EmailMessage) -> Attach:
    """The message's files, kept under the ticket's number as they fit: one too large for a file,
    or for what the ticket may hold in all, is left out (the whole message stays in S3)."""

    def attach(number: int, already: int) -> list[FileRef]:
        kept: list[FileRef] = []
        total = already
        for file in attachments_of(message):
            try:
                check_total(total + len(file.data))
                kept.append(FileRef.of(store(number, file.name, file.content_type, file.data)))
            except AttachmentTooLarge:
                logger.info("attachment left out", extra={"number": number, "bytes": len(file.data)})
                continue
            total += len(file.data)
        return kept

    return attach


def _texts(message: EmailMessage) -> tuple[str | None, str | None]:
    plain, html = message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    return (
        plain.get_content() if plain is not None else None,
        html.get_content() if html is not None else None,
    )


def _item(record: dict[str, Any], outcome: Outcome, **more: Any) -> Item:
    return stamped(Entity.INBOUND_MAIL, inbound_mail_key(record["message_id"]), **record, outcome=outcome, **more)


def _record(record: dict[str, Any], outcome: Outcome, **more: Any) -> Outcome:
    """Record the message unless a delivery before this one did (one conditional PutItem)."""
    try:
        table().put(_item(record, outcome, **more), condition=NEW_ITEM)
    except ConditionFailed:
        logger.info("message already recorded", extra={"message_id": record["message_id"]})
    return outcome


def _create_contact(
    record: dict[str, Any], sender: str, name: str, language: Language, *, welcome: bool
) -> tuple[Outcome, Contact | None]:
    """The sender as a new contact, created in one transaction with the message's record; if
    another message from the address created the contact meanwhile, linked to that one. The
    contact, unless an earlier delivery created it (then the caller reads it)."""
    contact_id = new_contact_id()
    recorded = put_action(_item(record, Outcome.CONTACT_CREATED, contact_id=contact_id), NEW_ITEM)
    try:
        contact: Contact = create_contact(
            name,
            [sender],
            created_via=CreatedVia.EMAIL,
            language=language,
            welcome_requested=welcome,
            also=[recorded],
            contact_id=contact_id,
        )
    except ContactEmailTaken:
        return _link_to_winner(record, sender)
    except TransactionCanceled as error:
        if error.reasons[-1] == "ConditionalCheckFailed":  # the record: an earlier delivery made it
            logger.info("message already recorded", extra={"message_id": record["message_id"]})
            return Outcome.CONTACT_CREATED, None
        return _link_to_winner(record, sender)  # a transaction with the same address's guard at once
    logger.info("contact created from email", extra={"contact_id": contact.id, "company_id": contact.company_id})
    return Outcome.CONTACT_CREATED, contact


def _link_to_winner(record: dict[str, Any], sender: str) -> tuple[Outcome, Contact]:
    winner = find_contact_by_email(sender)
    if winner is None:  # the other transaction has not won yet (or failed): SES delivers again
        raise RuntimeError(f"another message from {sender} is creating its contact; try again")
    return _record(record, Outcome.KNOWN_CONTACT, contact_id=winner.id), winner


def name_of(message: EmailMessage, sender: str) -> str:
    """A new contact's name: the From header's display name, else made from the address's local
    part ("jane.doe" -> "Jane Doe").

    >>> message = EmailMessage()
    >>> message["From"] = "jane.doe@example.org"
    >>> name_of(message, "jane.doe@example.org")
    'Jane Doe'
    """
    pairs = getaddresses([str(value) for value in message.get_all("from", [])])
    display = next((flat(name) for name, address in pairs if address.strip().lower() == sender and flat(name)), "")
    if display:
        return display.strip("\"' ")[:NAME_CHARS] or sender
    words = sender.rsplit("@", 1)[0].replace(".", " ").replace("_", " ").replace("-", " ").split()
    return " ".join(word.capitalize() for word in words)[:NAME_CHARS] or sender


def language_of(message: EmailMessage) -> Language:
    """The first language of the message's Content-Language header that Deskless speaks, else
    English.

    >>> message = EmailMessage()
    >>> message["Content-Language"] = "de-AT, en"
    >>> language_of(message)
    'de'
    """
    declared = str(message.get("content-language", "")).lower().replace(";", ",").split(",")
    for tag in declared:
        primary = tag.strip().split("-", 1)[0]
        for language in LANGUAGES:
            if primary == language:
                return language
    return DEFAULT_LANGUAGE
