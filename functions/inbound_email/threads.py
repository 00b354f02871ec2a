"""Which ticket a received message answers, as far as the message itself can say.

Two signs, the stronger first:

- **references**: In-Reply-To or References names a Message-ID Deskless signed for a ticket
  (deskless.mail_threads.ticket_of_references). Only Deskless can write such an id, so the reply
  belongs to that ticket whoever sends it (a colleague the customer forwarded the thread to
  answers on the same ticket);
- **subject**: the subject carries a ticket's tag, `[#1001]`. Anyone can type a tag, so it is
  only a hint: the ticket code adds the message to that ticket only if the sender is its
  requester, one of its CCs or staff, and else opens a new ticket.

Everything this needs of a message is in `MailHeaders`, which the ticket code also uses for that
check (the sender, and the To and Cc addresses for a reply that adds CCs). A pure function of the
parsed message, so each case is a unit test.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses
from enum import StrEnum

from deskless.mail_threads import tag_in_subject, ticket_of_references

from .automatic import sender_address


class How(StrEnum):
    REFERENCES = "references"  # a Message-ID Deskless signed: the reply belongs to that ticket
    SUBJECT = "subject"  # the subject's [#number]: only if the sender is the requester, a CC or staff


@dataclass(frozen=True)
class ThreadHint:
    ticket_number: int
    how: How


@dataclass(frozen=True)
class MailHeaders:
    """What threading reads of a message: its reply headers, subject and addresses (lower case)."""

    in_reply_to: str | None
    references: str | None
    subject: str
    sender: str  # the From address, "" if there is none
    to: tuple[str, ...]
    cc: tuple[str, ...]


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    pairs = getaddresses([str(value) for value in message.get_all(name, [])])
    found: dict[str, None] = {}
    for _, address in pairs:
        if "@" in address:
            found.setdefault(address.strip().lower())
    return tuple(found)


def mail_headers(message: Message) -> MailHeaders:
    return MailHeaders(
        in_reply_to=_header(message, "in-reply-to"),
        references=_header(message, "references"),
        subject=_header(message, "subject") or "",
        sender=sender_address(message),
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
    )


def thread_of(message: Message | MailHeaders) -> ThreadHint | None:
    """The ticket the message names: by a signed Message-ID (how="references"), else by the
    subject's tag (how="subject", for the caller to allow only from its requester, CCs or staff);
    None for a message that names no ticket."""
    headers = message if isinstance(message, MailHeaders) else mail_headers(message)
    number = ticket_of_references(headers.in_reply_to, headers.references)
    if number is not None:
        return ThreadHint(number, How.REFERENCES)
    number = tag_in_subject(headers.subject)
    if number is not None:
        return ThreadHint(number, How.SUBJECT)
    return None
