"""Tickets: what a customer asked for, numbered #1001, #1002, ..., with their timeline.

    COUNTER#TICKET / COUNTER               the last number given (one atomic ADD per ticket)
    TICKET#<number> / TICKET               the ticket
    TICKET#<number> / ENTRY#<ms>#<id>      its timeline: public replies, internal notes, events
    TICKET#<number> / AUTOCLOSE            a resolved ticket's timer: its TTL delete closes it

A ticket page is one Query of the ticket's partition. Every change is one transaction of the
ticket (its revision and `updated_at` moved on) and the timeline entry that records it, so the
timeline never misses a change nor shows one that did not happen. A change a technician makes to
the ticket's fields names the revision they saw: if someone changed it meanwhile, the change is
refused (`TicketChanged`) and nothing is lost silently. A reply needs no revision (two replies
at once are both kept); it is checked against the status it was decided on, and decided again
if the status moved.

The lists of tickets (the console's views, a customer's "My activities") are projections that
deskless.ticket_lists keeps from the table's stream; this module writes only the ticket's own
partition.

The status lifecycle is `TRANSITIONS`: every change of status goes through `check_transition`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, model_validator

from .attachments import Attachment, contact_uploader, staff_uploader, take_uploads
from .attachments import ticket_key as ticket_file_key
from .data import (
    NEW_ITEM,
    Action,
    Condition,
    ConditionFailed,
    Item,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
)
from .errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    NotTeamMember,
    TicketChanged,
    TicketClosed,
    TransitionNotAllowed,
)
from .guessing import address_subject
from .preferences import get_preferences
from .priorities import Level, Priority, priority_for
from .table import (
    TICKET_COUNTER_KEY,
    TICKET_ENTRY_PREFIX,
    TTL_ATTRIBUTE,
    Entity,
    stamped,
    ticket_entry_key,
    ticket_key,
    ticket_notice_key,
    ticket_partition,
    ticket_timer_key,
)
from .teams import team_of

if TYPE_CHECKING:
    from .contacts import Contact

FIRST_NUMBER = 1001
_ATTEMPTS = 3  # a reply decided on a status that moved meanwhile is decided again, this often


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting for the customer
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"


# What each status may become. Closed and merged are final: a customer writing about a closed
# ticket opens a new one. A resolved ticket reopens (a reply) or closes (by hand, or after the
# auto-close days).
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED, Status.MERGED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED, Status.MERGED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED, Status.MERGED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.MERGED: frozenset(),
}
ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.PENDING})  # someone still has to act
FINAL = frozenset({Status.CLOSED, Status.MERGED})
REOPENED_BY_CUSTOMER = frozenset({Status.PENDING, Status.RESOLVED})


class Source(StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    CHAT = "chat"
    OFFLINE_MESSAGE = "offline_message"  # a portal's message form, when nobody could chat
    API = "api"
    CONSOLE = "console"


class AuthorKind(StrEnum):
    STAFF = "staff"
    CONTACT = "contact"
    ADDRESS = "address"  # someone known only by their address (a CC who wrote by email)
    SYSTEM = "system"  # Deskless itself: the submission policy, auto-close
    RULE = "rule"  # an automation rule's action (id: the rule's, name: the rule's)


class Author(BaseModel):
    kind: AuthorKind
    id: str = Field(
        default="", description="The staff user's, contact's or rule's id; empty for an address or Deskless."
    )
    name: str
    email: str = ""


SYSTEM = Author(kind=AuthorKind.SYSTEM, name="Deskless")


class EntryKind(StrEnum):
    REPLY = "reply"  # public: the customer sees it (and gets it by email when staff wrote it)
    NOTE = "note"  # internal: staff only
    EVENT = "event"  # what changed, by whom


class FieldChange(BaseModel):
    field: str
    before: str | None = None
    after: str | None = None


class FileRef(BaseModel):
    """A file kept with a ticket (in the attachments bucket, under the ticket's number)."""

    id: str
    name: str
    content_type: str
    size: int = Field(description="Bytes.")

    @classmethod
    def of(cls, attachment: Attachment) -> FileRef:
        return cls(id=attachment.id, name=attachment.name, content_type=attachment.content_type, size=attachment.size)


# What attaches files to a ticket as it is written: given the ticket's number and the bytes it holds
# already, the files now kept under that number (uploads taken, an email's files stored).
Attach = Callable[[int, int], Sequence[FileRef]]


def uploads(by: Author, ids: Sequence[str]) -> Attach | None:
    """The files a staff user or a contact staged (deskless.attachments), taken by the ticket they
    go with."""
    if not ids:
        return None
    uploader = staff_uploader(by.id) if by.kind is AuthorKind.STAFF else contact_uploader(by.id)

    def attach(number: int, already: int) -> list[FileRef]:
        return [FileRef.of(taken) for taken in take_uploads(uploader, ids, number, already)]

    return attach


class Entry(BaseModel):
    id: str
    at: int = Field(description="When, in milliseconds since the epoch.")
    kind: EntryKind
    author: Author
    body: str = ""
    via: Source | None = Field(default=None, description="Where a reply or the ticket came from.")
    changes: list[FieldChange] = Field(default_factory=list, description="An event's changes.")
    reason: str = Field(default="", description="Why Deskless changed the ticket itself (an event by Deskless).")
    message_key: str = Field(
        default="", description="For what came by email: where the whole message is kept (the inbound mail bucket)."
    )
    attachments: list[FileRef] = Field(default_factory=list)

    @property
    def public(self) -> bool:
        return self.kind is not EntryKind.NOTE


class Ticket(BaseModel):
    number: int
    title: str
    description: str
    requester: Author = Field(description="The contact who asked (their name and address as they asked).")
    company_id: str
    source: Source
    category_id: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="The values of the category's fields.")
    product_areas: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list, description="Addresses that follow the ticket, lower case.")
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM
    priority: Priority
    priority_overridden: bool = Field(default=False, description="Set by a technician, not from the matrix.")
    team_id: str | None = None
    assignee: Author | None = None
    status: Status = Status.NEW
    status_reason: str = Field(default="", description="Why Deskless closed it on arrival (the submission policy).")
    merged_into: int | None = None
    created_at: int
    updated_at: int = Field(description="The latest change, in milliseconds since the epoch.")
    resolved_at: int | None = None
    attachments: list[FileRef] = Field(default_factory=list, description="The files sent with the description.")
    attachment_bytes: int = Field(default=0, description="The bytes of every file of the ticket and its timeline.")
    tags: list[str] = Field(default_factory=list, description="Staff's labels: lower case, sorted, at most 20.")
    destination: str = Field(default="", description="The support address an emailed ticket was sent to.")
    due_at: int | None = Field(default=None, description="When it is due (set by a technician), in milliseconds.")
    status_since: int = Field(
        default=0, description="When the status last changed (else when it was created), in milliseconds."
    )
    last_customer_reply_at: int | None = Field(
        default=None, description="The customer's latest public reply, in milliseconds."
    )
    last_staff_reply_at: int | None = Field(
        default=None, description="Staff's (or a rule's) latest public reply, in milliseconds."
    )
    changed_by_rule: str | None = Field(
        default=None, description="The rule whose action made this version; none when anyone else changed it."
    )
    revision: int = 1

    @model_validator(mode="after")
    def _status_since_known(self) -> Ticket:
        # a ticket stored before `status_since` was kept: its status dates from its creation
        if not self.status_since:
            self.status_since = self.created_at * 1000
        return self

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def normalised_tags(tags: Iterable[str]) -> list[str]:
    """Tags as a ticket keeps them: trimmed, lower case, sorted, each once; InvalidRequest for an
    empty or too long tag, or too many."""
    kept = sorted({tag.strip().lower() for tag in tags})
    for tag in kept:
        if not tag:
            raise InvalidRequest("A tag cannot be empty.")
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidRequest(f"The tag “{tag[:MAX_TAG_LENGTH]}…” is longer than {MAX_TAG_LENGTH} characters.")
    if len(kept) > MAX_TAGS:
        raise InvalidRequest(f"A ticket has at most {MAX_TAGS} tags ({len(kept)} given).")
    return kept


def check_transition(before: Status, after: Status) -> None:
    if after is not before and after not in TRANSITIONS[before]:
        allowed = ", ".join(sorted(TRANSITIONS[before])) or "nothing: it is final"
        raise TransitionNotAllowed(f"A {before} ticket cannot become {after} (it may become {allowed}).")


# --- storing ----------------------------------------------------------------------------------------


def _now_ms(now: float | None) -> int:
    return int((time.time() if now is None else now) * 1000)


def _ticket_item(ticket: Ticket) -> Item:
    return stamped(Entity.TICKET, ticket_key(ticket.number), **ticket.model_dump(mode="json", exclude_none=True))


def ticket_from_item(item: Item) -> Ticket:
    return Ticket.model_validate(item)


def _entry_item(number: int, entry: Entry) -> Item:
    return stamped(
        Entity.TICKET_ENTRY,
        ticket_entry_key(number, entry.at, entry.id),
        number=number,
        **entry.model_dump(mode="json", exclude_none=True),
    )


def entry_from_item(item: Item) -> Entry:
    return Entry.model_validate(item)


def _new_entry(kind: EntryKind, author: Author, at: int, **values: Any) -> Entry:
    return Entry(id=secrets.token_hex(6), at=at, kind=kind, author=author, **values)


def next_number() -> int:
    """The next ticket number, given once (one atomic ADD): a ticket whose write then fails leaves
    a gap, never a number given twice."""
    item = table().update(TICKET_COUNTER_KEY, add={"last": 1}, set_values=stamped(Entity.TICKET_COUNTER))
    return FIRST_NUMBER - 1 + int(item["last"])


@dataclass(frozen=True)
class Draft:
    """A ticket as its source submitted it, its values already checked against its category."""

    title: str
    description: str
    requester: Author
    company_id: str
    source: Source
    by: Author  # who opened it: the requester, a technician on their behalf, an integration
    category_id: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    product_areas: Sequence[str] = ()
    cc: Sequence[str] = ()
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM
    team_id: str | None = None
    refused_because: str = ""  # the submission policy refused the submitter: recorded, closed at once
    message_key: str = ""  # an emailed ticket's whole message, kept in the inbound mail bucket
    destination: str = ""  # the support address an emailed ticket was sent to
    attach: Attach | None = None


def open_ticket(draft: Draft, *, now: float | None = None, also: Sequence[Action] = ()) -> Ticket:
    """Store a new ticket (two requests: its number, then one transaction with its first timeline
    entry and `also`). A ticket the submission policy refuses is stored closed, with the reason."""
    at = _now_ms(now)
    refused = bool(draft.refused_because)
    number = next_number()
    files = list(draft.attach(number, 0)) if draft.attach else []
    ticket = Ticket(
        number=number,
        attachments=files,
        attachment_bytes=_bytes(files),
        title=draft.title,
        description=draft.description,
        requester=draft.requester,
        company_id=draft.company_id,
        source=draft.source,
        category_id=draft.category_id,
        fields=dict(draft.fields),
        product_areas=list(draft.product_areas),
        cc=sorted({address.lower() for address in draft.cc} - {draft.requester.email.lower()}),
        impact=draft.impact,
        urgency=draft.urgency,
        priority=priority_for(get_preferences().priority_matrix, draft.impact, draft.urgency),
        team_id=draft.team_id,
        status=Status.CLOSED if refused else Status.NEW,
        status_reason=draft.refused_because,
        created_at=at // 1000,
        updated_at=at,
        status_since=at,
        destination=draft.destination.lower(),
        changed_by_rule=_rule_of(draft.by),
    )
    opened = _new_entry(
        EntryKind.EVENT,
        draft.by,
        at,
        via=draft.source,
        changes=[FieldChange(field="opened")],
        message_key=draft.message_key,
    )
    actions = [put_action(_ticket_item(ticket), NEW_ITEM), put_action(_entry_item(ticket.number, opened))]
    if refused:
        closed = _new_entry(
            EntryKind.EVENT,
            SYSTEM,
            at + 1,
            changes=[FieldChange(field="status", before=Status.NEW, after=Status.CLOSED)],
            reason=draft.refused_because,
        )
        actions.append(put_action(_entry_item(ticket.number, closed)))
    table().transact([*actions, *also])
    return ticket


# --- reading ----------------------------------------------------------------------------------------


def ticket_of(number: int, *, consistent: bool = True) -> Ticket:
    item = table().get(ticket_key(number), consistent=consistent)
    if item is None:
        raise NotFound(f"There is no ticket #{number}.")
    return ticket_from_item(item)


def ticket_with_timeline(number: int) -> tuple[Ticket, list[Entry]]:
    """The ticket and its whole timeline, oldest first: one Query of its partition."""
    items = table().query(ticket_partition(number), consistent=True)
    ticket = next((item for item in items if item["type"] == Entity.TICKET.value), None)
    if ticket is None:
        raise NotFound(f"There is no ticket #{number}.")
    entries = [entry_from_item(item) for item in items if item["sk"].startswith(TICKET_ENTRY_PREFIX)]
    return ticket_from_item(ticket), entries


def tickets_by_numbers(numbers: Sequence[int]) -> list[Ticket]:
    """Several tickets in the order asked (one BatchGetItem per hundred), those that exist."""
    items = table().get_many([ticket_key(number) for number in numbers])
    return [ticket_from_item(item) for item in items if item is not None]


def may_see(ticket: Ticket, contact_id: str, emails: Iterable[str], *, primary: bool, company_id: str) -> bool:
    """Whether a contact may read (and reply to) a ticket: they asked, they are CC'd, or they are a
    primary contact of its company."""
    if ticket.requester.kind is AuthorKind.CONTACT and ticket.requester.id == contact_id:
        return True
    if {email.lower() for email in emails} & set(ticket.cc):
        return True
    return primary and ticket.company_id == company_id


def ticket_for_contact(number: int, contact: Contact) -> tuple[Ticket, list[Entry]]:
    """The ticket and its public timeline (replies and events, never internal notes), as a contact
    reads it on their portal; NotFound if they may not see it, as if it did not exist. One Query."""
    ticket, timeline = ticket_with_timeline(number)
    if not may_see(ticket, contact.id, contact.emails, primary=contact.primary, company_id=contact.company_id):
        raise NotFound(f"There is no ticket #{number}.")
    return ticket, customer_timeline(timeline)


def customer_timeline(timeline: Iterable[Entry]) -> list[Entry]:
    """What of a timeline a customer reads: public replies and events, without staff's own
    changes (tags, due dates; an event that changed only those is left out) and without the id
    of a rule that wrote one (its name stays, as a technician's does)."""
    shown = []
    for entry in timeline:
        if not entry.public:
            continue
        if entry.author.kind is AuthorKind.RULE:
            entry = entry.model_copy(update={"author": entry.author.model_copy(update={"id": ""})})
        if entry.kind is EntryKind.EVENT and any(change.field in STAFF_ONLY_CHANGES for change in entry.changes):
            changes = [change for change in entry.changes if change.field not in STAFF_ONLY_CHANGES]
            if not changes:
                continue
            entry = entry.model_copy(update={"changes": changes})
        shown.append(entry)
    return shown


def may_close(ticket: Ticket, contact_id: str) -> bool:
    """Whether a contact may close the ticket: they asked, and it is neither closed nor merged."""
    mine = ticket.requester.kind is AuthorKind.CONTACT and ticket.requester.id == contact_id
    return mine and ticket.status not in (Status.CLOSED, Status.MERGED)


# --- changing -----------------------------------------------------------------------------------------


def _rule_of(by: Author) -> str | None:
    return by.id if by.kind is AuthorKind.RULE else None


def _moved_on(ticket: Ticket, updates: Mapping[str, Any], at: int, by: Author) -> Ticket:
    """The ticket with the updates, its revision and time moved on (and `status_since`, when its
    status moved), marked as a rule's write when `by` is a rule and unmarked otherwise: so the
    automation never starts a round on what a rule did, and always on what anyone else did."""
    moved = {**updates, "updated_at": at, "revision": ticket.revision + 1, "changed_by_rule": _rule_of(by)}
    if updates.get("status", ticket.status) is not ticket.status:
        moved["status_since"] = at
    return ticket.model_copy(update=moved)


def _changed(ticket: Ticket, updates: Mapping[str, Any], at: int, by: Author, condition: Condition) -> Action:
    """The ticket's write: the updates, its revision and time moved on, if `condition` holds."""
    return put_action(_ticket_item(_moved_on(ticket, updates, at, by)), condition)


def _revision_is(revision: int) -> Condition:
    return Condition("#revision = :revision", names={"#revision": "revision"}, values={":revision": revision})


def _status_is(status: Status) -> Condition:
    return Condition("#status = :status", names={"#status": "status"}, values={":status": status.value})


def _timer(ticket: Ticket, after: Status, at: int) -> list[Action]:
    """A resolved ticket's auto-close timer: set on resolving, removed when it leaves resolved."""
    if after is Status.RESOLVED and ticket.status is not Status.RESOLVED:
        expires = at // 1000 + get_preferences().auto_close_days * 86400
        item = stamped(Entity.TICKET_TIMER, ticket_timer_key(ticket.number), number=ticket.number, resolved_at=at)
        return [put_action({**item, TTL_ATTRIBUTE: expires})]
    if ticket.status is Status.RESOLVED and after is not Status.RESOLVED:
        return [delete_action(ticket_timer_key(ticket.number))]
    return []


def _status_updates(ticket: Ticket, after: Status, at: int) -> dict[str, Any]:
    updates: dict[str, Any] = {"status": after}
    if after is Status.RESOLVED:
        updates["resolved_at"] = at
    elif ticket.status is Status.RESOLVED:
        updates["resolved_at"] = None
    return updates


def add_reply(
    number: int,
    author: Author,
    body: str,
    *,
    kind: EntryKind = EntryKind.REPLY,
    via: Source | None = None,
    status: Status | None = None,
    attach: Attach | None = None,
    now: float | None = None,
    message_key: str = "",
    also: Sequence[Action] = (),
) -> tuple[Ticket, Entry]:
    """Add a public reply or an internal note (two requests: the ticket, then one transaction,
    with `also` last: an emailed reply's claim on its message, whose failure is the caller's).

    A customer's reply reopens a pending or resolved ticket; a technician's first public reply
    opens a new one, unless they set a `status` with it. Nothing can be added to a closed ticket."""
    files: list[FileRef] | None = None
    for _ in range(_ATTEMPTS):
        ticket = ticket_of(number)
        if ticket.status in FINAL:
            raise TicketClosed(f"Ticket #{number} is {ticket.status}: nothing more can be added to it.")
        at = max(_now_ms(now), ticket.updated_at + 1)
        after = status or _status_after_reply(ticket, author, kind)
        check_transition(ticket.status, after)
        if files is None:  # taken once, whatever the attempts
            files = list(attach(number, ticket.attachment_bytes)) if attach else []
        entry = _new_entry(kind, author, at, body=body, via=via, attachments=files, message_key=message_key)
        updates = {
            **_status_updates(ticket, after, at),
            **_reply_time(author, kind, at),
            "attachment_bytes": ticket.attachment_bytes + _bytes(files),
        }
        actions = [
            _changed(ticket, updates, at, author, _status_is(ticket.status)),
            put_action(_entry_item(number, entry)),
            *_timer(ticket, after, at),
        ]
        if after is not ticket.status:
            moved = FieldChange(field="status", before=ticket.status, after=after)
            event = _new_entry(EntryKind.EVENT, author, at + 1, changes=[moved])
            actions.append(put_action(_entry_item(number, event)))
        try:
            table().transact([*actions, *also])
        except TransactionCanceled as error:
            if error.reasons[0] == "ConditionalCheckFailed":
                continue  # the status moved meanwhile: decide again
            raise
        return _moved_on(ticket, updates, at, author), entry
    raise TicketChanged(f"Ticket #{number} keeps changing; try again.")


def _bytes(files: Sequence[FileRef]) -> int:
    return sum(file.size for file in files)


def _reply_time(author: Author, kind: EntryKind, at: int) -> dict[str, int]:
    """A public reply's time, as the customer's or staff's latest (a rule replies as staff)."""
    if kind is not EntryKind.REPLY or author.kind is AuthorKind.SYSTEM:
        return {}
    if author.kind in (AuthorKind.CONTACT, AuthorKind.ADDRESS):
        return {"last_customer_reply_at": at}
    return {"last_staff_reply_at": at}


def _status_after_reply(ticket: Ticket, author: Author, kind: EntryKind) -> Status:
    if kind is not EntryKind.REPLY:
        return ticket.status
    if author.kind in (AuthorKind.CONTACT, AuthorKind.ADDRESS):
        return Status.OPEN if ticket.status in REOPENED_BY_CUSTOMER else ticket.status
    return Status.OPEN if ticket.status is Status.NEW else ticket.status


@dataclass(frozen=True)
class Changes:
    """What a technician changes on a ticket's fields: None leaves a field as it is."""

    title: str | None = None
    status: Status | None = None
    impact: Level | None = None
    urgency: Level | None = None
    priority: Priority | None = None  # an override of the matrix
    reset_priority: bool = False  # back to the matrix's
    team_id: str | None = None
    clear_team: bool = False
    assignee: Author | None = None
    clear_assignee: bool = False
    category_id: str | None = None
    fields: Mapping[str, Any] | None = None
    product_areas: Sequence[str] | None = None
    cc: Sequence[str] | None = None
    tags: Sequence[str] | None = None  # the whole set (normalised: see normalised_tags)
    due_at: int | None = None  # ms
    clear_due: bool = False


_SHOWN = ("title", "status", "impact", "urgency", "priority", "team_id", "assignee", "category_id", "tags", "due_at")
STAFF_ONLY_CHANGES = frozenset({"tags", "due_at", "automation"})  # changes a customer's timeline never shows


def change_ticket(
    number: int,
    by: Author,
    revision: int,
    changes: Changes,
    *,
    now: float | None = None,
) -> Ticket:
    """Change a ticket's fields as a technician saw it at `revision` (two requests: the ticket,
    then one transaction with the event that records what changed). Checks of team membership
    and category values are the caller's, before this."""
    ticket = ticket_of(number)
    if ticket.revision != revision:
        raise TicketChanged(f"Ticket #{number} was changed by someone else meanwhile; reload it.")
    updates = _updates(ticket, changes)
    if "team_id" in updates or "assignee" in updates:
        _check_member(updates.get("team_id", ticket.team_id), updates.get("assignee", ticket.assignee))
    after = updates.get("status", ticket.status)
    check_transition(ticket.status, after)
    at = max(_now_ms(now), ticket.updated_at + 1)
    updates.update(_status_updates(ticket, after, at) if after is not ticket.status else {})
    shown = [
        FieldChange(field=name, before=_shown(getattr(ticket, name)), after=_shown(updates[name]))
        for name in _SHOWN
        if name in updates and _shown(updates[name]) != _shown(getattr(ticket, name))
    ]
    if not updates:
        return ticket
    actions = [_changed(ticket, updates, at, by, _revision_is(revision)), *_timer(ticket, after, at)]
    if shown:
        actions.append(put_action(_entry_item(number, _new_entry(EntryKind.EVENT, by, at, changes=shown))))
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[0] == "ConditionalCheckFailed":
            raise TicketChanged(f"Ticket #{number} was changed by someone else meanwhile; reload it.") from error
        raise
    return _moved_on(ticket, updates, at, by)


def _check_member(team_id: str | None, assignee: Author | None) -> None:
    """The team exists, and the assignee (if any) is one of its members (one GetItem)."""
    if team_id is None:
        return
    team = team_of(team_id)
    if team is None:
        raise InvalidRequest("There is no such team.")
    if assignee is not None and assignee.id not in team.members:
        raise NotTeamMember(f"{assignee.name} is not a member of the team {team.name}.")


def _shown(value: Any) -> str | None:
    if isinstance(value, Author):
        return value.name
    if isinstance(value, list):
        return ", ".join(value) or None
    return None if value is None else str(value)


def _updates(ticket: Ticket, changes: Changes) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    for name in ("title", "status", "impact", "urgency", "category_id", "team_id", "assignee"):
        value = getattr(changes, name)
        if value is not None and value != getattr(ticket, name):
            updates[name] = value
    if changes.fields is not None:
        updates["fields"] = dict(changes.fields)
    if changes.product_areas is not None:
        updates["product_areas"] = list(changes.product_areas)
    if changes.cc is not None:
        updates["cc"] = sorted({address.lower() for address in changes.cc})
    if changes.tags is not None:
        updates["tags"] = normalised_tags(changes.tags)
    if changes.due_at is not None:
        updates["due_at"] = changes.due_at
    elif changes.clear_due and ticket.due_at is not None:
        updates["due_at"] = None
    if changes.clear_team and ticket.team_id is not None:
        updates["team_id"] = None
    if changes.clear_assignee and ticket.assignee is not None:
        updates["assignee"] = None
    impact, urgency = updates.get("impact", ticket.impact), updates.get("urgency", ticket.urgency)
    if changes.priority is not None:
        updates.update(priority=changes.priority, priority_overridden=True)
    elif changes.reset_priority or (not ticket.priority_overridden and ("impact" in updates or "urgency" in updates)):
        matrix = get_preferences().priority_matrix
        updates.update(priority=priority_for(matrix, impact, urgency), priority_overridden=False)
    return {name: value for name, value in updates.items() if value != getattr(ticket, name) or value is None}


def merge_ticket(number: int, into: int, by: Author, revision: int, *, now: float | None = None) -> Ticket:
    """Merge a ticket into another: it becomes `merged` (final), pointing at the other, whose
    timeline says so. One transaction; the other ticket must still be open to additions."""
    if number == into:
        raise Conflict("A ticket cannot be merged into itself.")
    ticket, target = ticket_of(number), ticket_of(into)
    if ticket.revision != revision:
        raise TicketChanged(f"Ticket #{number} was changed by someone else meanwhile; reload it.")
    check_transition(ticket.status, Status.MERGED)
    if target.status in FINAL:
        raise TicketClosed(f"Ticket #{into} is {target.status}: nothing can be merged into it.")
    at = max(_now_ms(now), ticket.updated_at + 1, target.updated_at + 1)
    moved = FieldChange(field="status", before=ticket.status, after=Status.MERGED)
    merged_in = FieldChange(field="merged", before=f"#{number}", after=f"#{into}")
    actions = [
        _changed(ticket, {"status": Status.MERGED, "merged_into": into}, at, by, _revision_is(revision)),
        put_action(_entry_item(number, _new_entry(EntryKind.EVENT, by, at, changes=[moved, merged_in]))),
        _changed(target, {"cc": sorted(set(target.cc) | set(ticket.cc))}, at, by, _revision_is(target.revision)),
        put_action(_entry_item(into, _new_entry(EntryKind.EVENT, by, at, changes=[merged_in]))),
        *_timer(ticket, Status.MERGED, at),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise TicketChanged("One of the two tickets changed meanwhile; reload and try again.") from error
    return _moved_on(ticket, {"status": Status.MERGED, "merged_into": into}, at, by)


def close_resolved(number: int, resolved_at: int, *, now: float | None = None) -> bool:
    """The auto-close timer of a ticket ran out: close it if it is still resolved since then
    (one GetItem and one transaction; a ticket reopened meanwhile stays open). Safe to repeat."""
    try:
        ticket = ticket_of(number)
    except NotFound:
        return False
    if ticket.status is not Status.RESOLVED or ticket.resolved_at != resolved_at:
        return False
    at = max(_now_ms(now), ticket.updated_at + 1)
    closed = FieldChange(field="status", before=Status.RESOLVED, after=Status.CLOSED)
    event = _new_entry(EntryKind.EVENT, SYSTEM, at, changes=[closed], reason="auto_close")
    try:
        closing = _changed(ticket, {"status": Status.CLOSED}, at, SYSTEM, _revision_is(ticket.revision))
        table().transact([closing, put_action(_entry_item(number, event))])
    except TransactionCanceled:
        return False  # changed meanwhile: whoever changed it decided
    return True


def file_of(ticket: Ticket, timeline: Sequence[Entry], file_id: str, *, public_only: bool) -> Attachment:
    """A file of the ticket (its description's or an entry's; a note's only for staff), as the
    attachments bucket keeps it; NotFound if it has none by that id."""
    entries = [entry for entry in timeline if not (public_only and entry.kind is EntryKind.NOTE)]
    for file in [*ticket.attachments, *(file for entry in entries for file in entry.attachments)]:
        if file.id == file_id:
            return Attachment(file.id, file.name, file.content_type, file.size, ticket_file_key(ticket.number, file.id))
    raise NotFound(f"Ticket #{ticket.number} has no such file.")


# --- notices by email (sent by the events function) ---------------------------------------------

NOTICE_CLAIM_KEPT = 30 * 86400  # far longer than the stream retries a record


def claim_notice(number: int, trigger: str, recipient: str, *, now: float | None = None) -> bool:
    """Claim the notice of `trigger` (what it tells: "received", a reply's entry id, ...) to
    `recipient` (one conditional PutItem): True for the first claim, False if it was claimed before,
    so a notice goes out once however often the stream delivers what triggered it."""
    moment = int(time.time() if now is None else now)
    item = stamped(Entity.TICKET_NOTICE, ticket_notice_key(number, trigger, address_subject(recipient)), number=number)
    try:
        table().put({**item, TTL_ATTRIBUTE: moment + NOTICE_CLAIM_KEPT}, condition=NEW_ITEM)
    except ConditionFailed:
        return False
    return True


def release_notice(number: int, trigger: str, recipient: str) -> None:
    """Give a claim up (sending failed), so that the stream's retry sends the notice."""
    table().delete(ticket_notice_key(number, trigger, address_subject(recipient)))


def record_suppressed_notice(number: int, recipient: str, why: str, *, now: float | None = None) -> Entry:
    """A notice Deskless did not send (the recipient's hourly cap was reached): an event on the
    ticket's timeline, naming the recipient and why, so staff see a customer was not told."""
    entry = _new_entry(
        EntryKind.EVENT,
        SYSTEM,
        _now_ms(now),
        changes=[FieldChange(field="notice_suppressed", after=recipient)],
        reason=why,
    )
    table().put(_entry_item(number, entry))
    return entry


# --- automation rules (issue 14: the automation function) -------------------------------------

AUTOMATION_FAILED = "automation_failed"


def record_failed_action(number: int, rule: Author, what: str, *, now: float | None = None) -> Entry:
    """An automation rule's action that failed after its retries (a webhook that timed out): an
    event on the ticket's timeline, by the rule, saying which action and why (one PutItem; the
    ticket itself is not changed, so no rule round starts from it)."""
    entry = _new_entry(
        EntryKind.EVENT,
        rule,
        _now_ms(now),
        changes=[FieldChange(field="automation", after=what[:500])],
        reason=AUTOMATION_FAILED,
    )
    table().put(_entry_item(number, entry))
    return entry
