"""What follows from a change in the table, looked up by (entity type, kind of change).

A record may come twice (Lambda retries a batch from its first failed record). Every reaction
here is safe to repeat: closing a closed socket is a no-op, and a console notification may be
pushed twice, which is acceptable for a notice (each names its code, session or chat request,
so a console can show it once). Notifications are not worth an idempotency store; emails are
claimed once per recipient (see chat.py), per contact (the welcome email, deskless.welcome) or
per request (a password reset, deskless.credentials).
The chat queue's reactions are in chat.py.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from deskless import deflection
from deskless.contacts import contact_from_item
from deskless.credentials import send_requested_reset
from deskless.data import Item
from deskless.observability import logger
from deskless.realtime import disconnect, push_to_user
from deskless.streams import is_ttl_delete, new_image, old_image
from deskless.table import TYPE_ATTRIBUTE, Entity
from deskless.welcome import welcome_once

from . import chat, tickets

# A code that is deleted on purpose (redeemed, cancelled) needs nothing; if a code item is
# kept after use, marked so, its later TTL delete is not an expiry either.
_SPENT_CODE_STATES = frozenset({"redeemed", "used", "cancelled"})


class Change(StrEnum):
    INSERTED = "inserted"
    MODIFIED = "modified"
    REMOVED = "removed"  # by a caller
    EXPIRED = "expired"  # by DynamoDB's TTL


def change_of(record: DynamoDBRecord) -> Change:
    name = record.raw_event.get("eventName")
    if name == "INSERT":
        return Change.INSERTED
    if name == "MODIFY":
        return Change.MODIFIED
    return Change.EXPIRED if is_ttl_delete(record) else Change.REMOVED


def connection_expired(item: Item) -> None:
    """A connection record outlived API Gateway's two-hour limit: make sure the socket is closed."""
    connection_id = item["connection_id"]
    closed = disconnect(connection_id)
    logger.info("expired connection", extra={"connection_id": connection_id, "was_open": closed})


def code_expired(item: Item) -> None:
    """A session code ran out unused: its technician's console says so at once."""
    if item.get("state") in _SPENT_CODE_STATES or item.get("redeemed_at"):
        return
    notice = {"type": "code.expired", "code": item["code"], "name": item.get("name", "")}
    delivery = push_to_user(item["technician_id"], notice)
    logger.info("code expired", extra={"technician_id": item["technician_id"], "consoles": len(delivery.delivered)})


def session_started(item: Item) -> None:
    """A customer redeemed a code or accepted an invitation: the technician's console is told."""
    session = {"id": item["session_id"], "visitor_name": item["visitor_name"], "created_at": item["created_at"]}
    origin = item.get("origin")
    if origin == "code":
        notice = {"type": "code.redeemed", "code": item["origin_ref"], "name": item.get("origin_name", "")}
    elif origin == "invitation":
        notice = {"type": "invitation.accepted", "invitation": item["origin_ref"], "name": item.get("origin_name", "")}
    elif origin == "chat":
        return  # the technician accepted the chat request from the console, which has joined it already
    else:
        logger.warning("session of unknown origin", extra={"session_id": session["id"], "origin": origin})
        return
    push_to_user(item["technician_id"], {**notice, "session": session})


def contact_created(item: Item) -> None:
    """A contact was created asking for the welcome email: it is sent, once (the filters pass
    only contacts with `welcome_requested`)."""
    if item.get("welcome_requested"):
        contact = contact_from_item(item)
        sent = welcome_once(contact)
        logger.info("new contact", extra={"contact_id": contact.id, "welcome_sent": sent})


def reset_asked_for(item: Item) -> None:
    """Someone asked for a contact's password reset on the portal: the link is mailed, once. A
    request for an address no contact has carries no contact id: nothing to send (the stream's
    filter lets every new request through, so this is where such a request stops)."""
    if not item.get("contact_id"):
        return
    sent = send_requested_reset(item)
    logger.info("password reset asked for", extra={"contact_id": item.get("contact_id"), "sent": sent})


# Each reaction reads the image that describes the item: the old one for removals, else the new.
REACTIONS: dict[tuple[Entity, Change], Callable[[Item], None]] = {
    (Entity.CONNECTION, Change.EXPIRED): connection_expired,
    (Entity.CODE, Change.EXPIRED): code_expired,
    (Entity.SESSION, Change.INSERTED): session_started,
    (Entity.CHAT_REQUEST, Change.INSERTED): chat.requested,
    (Entity.CHAT_REQUEST, Change.MODIFIED): chat.ended,  # the filters pass only accepted or withdrawn
    (Entity.QUEUE_ENTRY, Change.REMOVED): chat.queue_shrank,
    (Entity.QUEUE_ENTRY, Change.EXPIRED): chat.expired,
    (Entity.CONTACT, Change.INSERTED): contact_created,
    (Entity.RESET_REQUEST, Change.INSERTED): reset_asked_for,
    (Entity.TICKET_ENTRY, Change.INSERTED): tickets.reply_added,
    (Entity.TICKET_TIMER, Change.EXPIRED): tickets.auto_close,
    (Entity.KB_DRAFT, Change.EXPIRED): deflection.draft_expired,
}

# Projections read both images: what the item was and what it is (None where there is none).
PROJECTIONS: dict[Entity, Callable[[Item | None, Item | None], None]] = {
    Entity.TICKET: tickets.ticket_written,
}


def react(record: DynamoDBRecord) -> None:
    change = change_of(record)
    item = old_image(record) if change in (Change.REMOVED, Change.EXPIRED) else new_image(record)
    try:
        entity = Entity(item.get(TYPE_ATTRIBUTE, ""))
    except ValueError:
        return
    if entity in PROJECTIONS:
        old, new = old_image(record) or None, new_image(record) or None
        PROJECTIONS[entity](old, new)
    reaction = REACTIONS.get((entity, change))
    if reaction is not None:
        reaction(item)
