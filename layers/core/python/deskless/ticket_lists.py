"""The lists tickets are read in: the console's views and a customer's "My activities", each one
Query, kept from the table's stream.

    TICKETS#<view> / <updated ms>#<number>                  a ticket's place in one list (latest
                                                             change last: read backwards)
    TICKETSBYPRIORITY#<view> / <rank>#<updated ms>#<number> the same by priority, for the lists
                                                             with a status filter
    TICKETWORDS#<scope> / <word>#<number>                   a ticket under a word of its title (and,
                                                             in `all`, its requester's name and address)

A view is a scope and, after `|`, a status filter: `all`, `all|pending`, `assignee:<id>|active`,
`requester:<contact id>`, `cc:<address>|resolved`... (`active`: new, open or pending). A ticket
has a listing in every view it belongs to: one per scope (everything; its assignee or
`unassigned`; its team; its company; its priority; its requester; each CC) times three filters
(any status, its status, active if it is), and one by priority in each view with a filter. A
ticket belongs to many lists at once, which one item with index keys cannot do, and each list
must be one Query with no filter that reads items only to drop them: hence one small item per
list, holding what a list shows. The order is the table's own sort key (no index: an index would
be one more copy of each write, and locally moto reads a whole index for an index query).

They are a projection of the ticket item: the events function calls `project` with each change's
old and new images (the stream keeps one item's changes in order), which deletes the listings the
ticket left (a change moves its sort keys) and puts the new ones, in BatchWriteItems. So a list
lags a change by the stream's delay (locally a fraction of a second; in AWS about a second), as
an index does; a ticket's own page reads the ticket, never a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from .contacts import folded
from .data import Item, table
from .errors import Forbidden, PriorityNeedsStatus
from .priorities import Priority
from .table import (
    Entity,
    stamped,
    ticket_list,
    ticket_listing_key,
    ticket_priority_key,
    ticket_priority_list,
    ticket_word_key,
    ticket_words,
)
from .tickets import ACTIVE, Author, Source, Status, Ticket, ticket_from_item, tickets_by_numbers

if TYPE_CHECKING:
    from .contacts import Contact

PAGE = 50
_WORD_ENTRIES = 200  # word entries one search reads
_WORD = re.compile(r"[^\W_]+")
ALL = "all"
UNASSIGNED = "unassigned"
ACTIVE_FILTER = "active"


class Listed(BaseModel):
    """A ticket as a list shows it."""

    number: int
    title: str
    status: Status
    priority: Priority
    priority_overridden: bool = Field(default=False, description="Set by a technician, not from the matrix.")
    requester: Author
    company_id: str
    source: Source
    team_id: str | None = None
    assignee: Author | None = None
    created_at: int
    updated_at: int = Field(description="The latest change, in milliseconds since the epoch.")


class TicketPage(BaseModel):
    tickets: list[Listed]
    next: str | None = Field(default=None, description="Pass as `after` for the next page; null on the last.")


# --- which lists a ticket is in ----------------------------------------------------------------------


def scopes(ticket: Ticket) -> list[str]:
    """Every scope the ticket is listed in."""
    found = [
        ALL,
        f"assignee:{ticket.assignee.id}" if ticket.assignee else UNASSIGNED,
        f"company:{ticket.company_id}",
        f"priority:{ticket.priority}",
        f"requester:{ticket.requester.id}" if ticket.requester.id else "",
        f"team:{ticket.team_id}" if ticket.team_id else "",
        *(f"cc:{address}" for address in ticket.cc),
    ]
    return [scope for scope in found if scope]


def views(ticket: Ticket) -> list[str]:
    """Every view the ticket is listed in: each scope, whatever the status, with its status, and
    with `active` while someone still has to act."""
    filters = ["", f"|{ticket.status}", f"|{ACTIVE_FILTER}" if ticket.status in ACTIVE else None]
    return [f"{scope}{suffix}" for scope in scopes(ticket) for suffix in filters if suffix is not None]


def view(scope: str, status: str | None = None) -> str:
    return f"{scope}|{status}" if status else scope


def _words(ticket: Ticket, scope: str) -> list[str]:
    text = ticket.title
    if scope == ALL:
        text += f" {ticket.requester.name} {ticket.requester.email}"
    return list(dict.fromkeys(_WORD.findall(folded(text))))


_SEARCHED_SCOPES = ("all", "requester:", "company:", "cc:")  # where people search: the console and customers


def listed(ticket: Ticket) -> Listed:
    """The ticket as a list shows it."""
    return Listed.model_validate(ticket.model_dump())


def projection(ticket: Ticket) -> dict[tuple[str, str], Item]:
    """The items that list the ticket, by key."""
    shown = listed(ticket).model_dump(mode="json", exclude_none=True)
    keys = []
    for name in views(ticket):
        keys.append(ticket_listing_key(name, ticket.updated_at, ticket.number))
        if "|" in name:
            keys.append(ticket_priority_key(name, ticket.priority.rank, ticket.updated_at, ticket.number))
    items = {(key["pk"], key["sk"]): stamped(Entity.TICKET_LISTING, key, **shown) for key in keys}
    for scope in scopes(ticket):
        if not scope.startswith(_SEARCHED_SCOPES):
            continue
        for word in _words(ticket, scope):
            key = ticket_word_key(scope, word, ticket.number)
            items[(key["pk"], key["sk"])] = stamped(Entity.TICKET_WORD, key, number=ticket.number)
    return items


def project(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> tuple[int, int]:
    """Bring the lists in line with a change of a ticket item (its stream images): delete the
    listings it left, put those that changed. Safe to repeat. Counts (put, deleted)."""
    before = projection(ticket_from_item(dict(old))) if old else {}
    after = projection(ticket_from_item(dict(new))) if new else {}
    puts = [item for key, item in after.items() if before.get(key) != item]
    deletes = [{"pk": pk, "sk": sk} for (pk, sk) in before if (pk, sk) not in after]
    table().write_batch(puts, deletes)
    return len(puts), len(deletes)


# --- reading them ---------------------------------------------------------------------------------------


def list_tickets(
    scope: str, status: str | None = None, *, by_priority: bool = False, after: str | None = None, limit: int = PAGE
) -> TicketPage:
    """One page of a view, latest change (or highest priority) first: one Query."""
    if by_priority and not status:
        raise PriorityNeedsStatus("Sorting by priority needs a status: active, or one status.")
    partition = ticket_priority_list(view(scope, status)) if by_priority else ticket_list(view(scope, status))
    items = table().query(partition, newest_first=True, after=after, limit=limit + 1)
    more = len(items) > limit
    shown = items[:limit]
    return TicketPage(tickets=[Listed.model_validate(item) for item in shown], next=shown[-1]["sk"] if more else None)


def count_tickets(views_wanted: Iterable[str]) -> dict[str, int]:
    """How many tickets each view holds: a counting Query each."""
    return {name: table().count(ticket_list(name)) for name in views_wanted}


def search_tickets(scope: str, query: str, *, limit: int = PAGE) -> list[Listed]:
    """Tickets of a scope each word of the query starts a word of (their title; in `all`, also
    the requester's name and address), latest change first: one Query of the longest word's
    entries and one BatchGetItem of their tickets. The query is cut into words as the tickets are
    (at every non-word character), so "jane.doe@acme.example" and "wi-fi" find what they name."""
    words = _WORD.findall(folded(query))
    if not words:
        return []
    longest = max(words, key=len)
    entries = table().query(ticket_words(scope), sort_prefix=longest, limit=_WORD_ENTRIES)
    numbers = list(dict.fromkeys(int(entry["number"]) for entry in entries))[:100]
    found = []
    for ticket in tickets_by_numbers(numbers):
        text = ticket.title + (f" {ticket.requester.name} {ticket.requester.email}" if scope == ALL else "")
        terms = _WORD.findall(folded(text))
        if all(any(term.startswith(word) for term in terms) for word in words):
            found.append(listed(ticket))
    found.sort(key=lambda shown: shown.updated_at, reverse=True)
    return found[:limit]


def listings_of(scope: str, numbers: Sequence[int]) -> list[Listed]:
    """These tickets as listed, those in the scope, in order: one BatchGetItem."""
    return [listed(ticket) for ticket in tickets_by_numbers(numbers) if scope in scopes(ticket)] if numbers else []


# --- a contact's "My activities" ------------------------------------------------------------------------

Activities = Literal["mine", "cc", "company"]
ACTIVITIES: tuple[Activities, ...] = ("mine", "cc", "company")


def activity_lists(contact: Contact) -> tuple[Activities, ...]:
    """The lists of "My activities" a contact has: theirs, those they are CC'd on and, for a
    primary contact, their company's."""
    return ACTIVITIES if contact.primary else ACTIVITIES[:2]


def activity_scopes(contact: Contact, which: Activities) -> list[str]:
    """The scopes one of a contact's lists reads (one per address for CC); Forbidden for a list
    they do not have."""
    if which not in activity_lists(contact):
        raise Forbidden("Only your company's primary contacts see all of its tickets.")
    return {
        "mine": [f"requester:{contact.id}"],
        "cc": [f"cc:{address}" for address in contact.emails],
        "company": [f"company:{contact.company_id}"],
    }[which]


def activities(
    contact: Contact, which: Activities, status: str | None = None, query: str = "", *, after: str | None = None
) -> TicketPage:
    """One page of a contact's list, latest change first, as their portal shows it: by status, or
    the ticket a number names, or those words of the query start words of the title of."""
    scopes = activity_scopes(contact, which)
    wanted = query.strip().removeprefix("#")
    if wanted.isdigit():
        found = [listed for scope in scopes for listed in listings_of(scope, [int(wanted)])]
        return TicketPage(tickets=found[:1])
    if wanted:
        return TicketPage(tickets=_merged([search_tickets(scope, wanted) for scope in scopes]))
    if len(scopes) == 1:
        return list_tickets(scopes[0], status, after=after)
    return TicketPage(tickets=_merged([list_tickets(scope, status).tickets for scope in scopes]))


def _merged(pages: list[list[Listed]]) -> list[Listed]:
    """Several lists as one, latest change first (a contact's addresses as CC each have theirs)."""
    seen = {listed.number: listed for page in pages for listed in page}
    return sorted(seen.values(), key=lambda listed: listed.updated_at, reverse=True)
