"""What follows from a ticket changing: its lists are brought in line (deskless.ticket_lists), the
technicians who follow it see it live on their consoles, its people get their notices by email
(ticket_mail.py: received or refused, updated by a technician's reply, resolved), and a resolved
ticket whose time ran out is closed.

Who follows a ticket: deskless.ticket_people.followers. A console is told of every change
(`ticket.changed`, so an open list or ticket page refreshes); a new ticket and a customer's reply
come with `alert`, which the console sounds and shows as its operator's settings say, when their
email channel is on.

Each reaction is safe to repeat: the projection puts and deletes what the ticket's image says,
a console notice names its ticket, a notice by email is claimed per recipient before it is sent,
and closing checks the ticket is still resolved since then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deskless.data import Item
from deskless.errors import NotFound
from deskless.observability import logger
from deskless.realtime import connections_of, push
from deskless.ticket_lists import listed, project
from deskless.ticket_people import followers
from deskless.tickets import (
    AuthorKind,
    EntryKind,
    Status,
    Ticket,
    close_resolved,
    entry_from_item,
    ticket_from_item,
    ticket_of,
)

from .ticket_mail import staff_replied, ticket_opened, ticket_resolved


def _tell(ticket: Ticket, kind: str, *, alert: bool, **more: Any) -> int:
    consoles = [connection for user_id in followers(ticket) for connection in connections_of(user_id)]
    notice = {"type": kind, "ticket": listed(ticket).model_dump(mode="json"), "alert": alert, **more}
    return len(push(consoles, notice).delivered)


def ticket_written(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
    """A ticket was stored or changed: its lists follow, and its followers' consoles are told."""
    put, deleted = project(old, new)
    if new is None:
        return
    ticket = ticket_from_item(dict(new))
    told = _tell(ticket, "ticket.new" if old is None else "ticket.changed", alert=old is None)
    logger.info("ticket written", extra={"number": ticket.number, "listings": put, "unlisted": deleted, "told": told})
    if old is None:
        ticket_opened(ticket)
    elif ticket.status is Status.RESOLVED and old.get("status") != Status.RESOLVED.value:
        ticket_resolved(ticket)


def reply_added(item: Item) -> None:
    """A public reply: the ticket's followers hear of a customer's (on the portal or by email), its
    requester and CCs get a technician's by email (ticket_mail.py). Every new timeline entry comes
    here (the stream's filter lets all through): a note or an event needs nothing."""
    entry = entry_from_item(item)
    if entry.kind is not EntryKind.REPLY:
        return
    try:
        ticket = ticket_of(int(item["number"]))
    except NotFound:
        return
    if entry.author.kind in (AuthorKind.STAFF, AuthorKind.RULE):  # a rule replies as staff do
        staff_replied(ticket, entry)
    elif entry.author.kind in (AuthorKind.CONTACT, AuthorKind.ADDRESS):
        _tell(ticket, "ticket.reply", alert=True, by=entry.author.name)


def auto_close(item: Item) -> None:
    """A resolved ticket's timer ran out: it closes, unless it was reopened meanwhile."""
    closed = close_resolved(int(item["number"]), int(item["resolved_at"]))
    logger.info("auto-close", extra={"number": item["number"], "closed": closed})
