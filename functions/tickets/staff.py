"""Tickets for technicians and admins (the console) and for integrations (an API key): lists and
their counts, a ticket with its whole timeline, opening one for a contact, replies, internal
notes, changes and merges. Who may call each route is the catalog's to say."""

from __future__ import annotations

import re
import time
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from deskless.api_keys import NOT_VALID, used
from deskless.attachments import DOWNLOAD_SECONDS, download_url, store
from deskless.auth import Role
from deskless.categories import check_product_areas
from deskless.contacts import Contact, CreatedVia, contact_of
from deskless.data import TransactionCanceled
from deskless.errors import (
    AttachmentTooLarge,
    Conflict,
    ContactDeactivated,
    ContactEmailTaken,
    InvalidApiKey,
    InvalidFieldValues,
    InvalidRequest,
    NotFound,
    NotTeamMember,
    TicketChanged,
    TicketClosed,
    TransitionNotAllowed,
)
from deskless.fields import FullName
from deskless.http import ApiKeyId, SignedIn
from deskless.priorities import Level, Priority
from deskless.sessions import find_session, messages, transcript_text
from deskless.teams import team_of, teams_of_member
from deskless.ticket_intake import as_staff, category_checked, requester_for, submit
from deskless.ticket_lists import (
    ACTIVE_FILTER,
    ALL,
    UNASSIGNED,
    TicketPage,
    count_tickets,
    list_tickets,
    listed,
    search_tickets,
)
from deskless.tickets import (
    MAX_TAGS,
    TRANSITIONS,
    Author,
    AuthorKind,
    Changes,
    Entry,
    EntryKind,
    FileRef,
    Source,
    Status,
    Ticket,
    add_reply,
    change_ticket,
    file_of,
    merge_ticket,
    ticket_of,
    ticket_with_timeline,
    uploads,
)
from deskless.users import get_staff, list_staff

from .app import api
from .inputs import (
    MAX_DUE_MS,
    UPLOAD_ERRORS,
    Areas,
    Cursor,
    FieldValues,
    FileId,
    Id,
    Number,
    Reply,
    Tag,
    TicketForm,
    TicketWithFiles,
    submission,
)
from .suggestions import SuggestedArticle, suggested_articles

SessionId = Annotated[str, Path(min_length=1, max_length=64)]
_SCOPE = re.compile(r"^(all|mine|unassigned|(assignee|team|company|requester|priority):[A-Za-z0-9_-]{1,64})$")


class TicketView(BaseModel):
    ticket: Ticket
    timeline: list[Entry] = Field(description="Replies, internal notes and events, oldest first.")
    transitions: list[Status] = Field(description="The statuses the ticket may take from its own (none once final).")


class StaffTicket(TicketWithFiles):
    requester_id: Id = Field(description="The contact the ticket is for.")


class ApiTicket(TicketForm):
    requester_email: EmailStr = Field(description="The contact's address: a contact is created if none has it.")
    requester_name: FullName | None = Field(default=None, description="The name of a contact created for it.")


class StaffReply(Reply):
    status: Status | None = Field(
        default=None, description="The status the ticket takes with the reply (else: a new ticket becomes open)."
    )


class TicketChange(BaseModel):
    """Fields to change; those not given stay. `team_id` or `assignee_id` given as null clear it;
    `priority` "matrix" puts it back to the matrix's."""

    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1, description="The ticket's revision as the caller saw it.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    status: Status | None = None
    impact: Level | None = None
    urgency: Level | None = None
    priority: Priority | Literal["matrix"] | None = None
    team_id: Id | None = None
    assignee_id: Id | None = None
    cc: Annotated[list[EmailStr], Field(max_length=20)] | None = None
    category_id: Id | None = Field(default=None, description="With `fields`: the category and its values.")
    fields: FieldValues | None = Field(
        default=None, description="The category's values (the new category's, if given)."
    )
    product_areas: Areas | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = Field(
        default=None, description="The ticket's whole set of tags (trimmed, lower case); [] removes them all."
    )
    due_at: Annotated[int, Field(ge=0, le=MAX_DUE_MS)] | None = Field(
        default=None, description="When it is due, in milliseconds since the epoch; null clears it."
    )


class Merge(BaseModel):
    into: int = Field(ge=1, le=999_999_999, description="The ticket it is merged into.")
    revision: int = Field(ge=1, description="The merged ticket's revision as the caller saw it.")


def _view(number: int) -> TicketView:
    ticket, timeline = ticket_with_timeline(number)
    return TicketView(
        ticket=ticket, timeline=timeline, transitions=[s for s in Status if s in TRANSITIONS[ticket.status]]
    )


def _scope(scope: str, caller_id: str) -> str:
    if not _SCOPE.match(scope):
        raise InvalidRequest(
            "A list is all, mine, unassigned, or assignee:, team:, company:, requester: or priority: and an id."
        )
    return f"assignee:{caller_id}" if scope == "mine" else scope


@api.route("GET /api/tickets", errors=[InvalidRequest])  # an unknown list, or priority order without a status
def find(
    caller: SignedIn,
    scope: Annotated[
        str, Query(max_length=80, description="all, mine, unassigned, team:<id>, company:<id>, ...")
    ] = ALL,
    status: Annotated[Status | Literal["active"] | None, Query(description="Only tickets in this status.")] = None,
    sort: Annotated[Literal["updated", "priority"], Query()] = "updated",
    q: Annotated[str, Query(max_length=100, description="A ticket's number, or words of titles and requesters.")] = "",
    after: Annotated[Cursor | None, Query(description="The `next` of the page before.")] = None,
) -> TicketPage:
    wanted = q.strip().removeprefix("#")
    if wanted.isdigit():
        try:
            found = ticket_of(int(wanted))
        except NotFound:
            return TicketPage(tickets=[])
        return TicketPage(tickets=[listed(found)])
    if wanted:
        return TicketPage(tickets=search_tickets(ALL, wanted))
    return list_tickets(_scope(scope, caller.user_id), status, by_priority=sort == "priority", after=after)


class Counts(BaseModel):
    counts: dict[str, int] = Field(description="Tickets in each list, by view (scope|status).")


@api.route("GET /api/tickets/counts")
def counts(caller: SignedIn) -> Counts:
    """The console's lists with how many tickets each holds: every status, all active, unassigned,
    mine and each of my teams' (one Query for my teams, a counting Query per list)."""
    views = [f"{ALL}|{status}" for status in Status]
    views += [f"{ALL}|{ACTIVE_FILTER}", f"{UNASSIGNED}|{ACTIVE_FILTER}", f"assignee:{caller.user_id}|{ACTIVE_FILTER}"]
    views += [f"team:{team.id}|{ACTIVE_FILTER}" for team in teams_of_member(caller.user_id)]
    views += [f"priority:{priority}|{ACTIVE_FILTER}" for priority in Priority]
    found = count_tickets(views)
    return Counts(counts={name.replace(f"assignee:{caller.user_id}", "mine"): n for name, n in found.items()})


class Assignee(BaseModel):
    id: str
    name: str
    role: str = Field(description="technician or admin.")


@api.route("GET /api/tickets/assignees", errors=[NotFound])
def assignees(
    team_id: Annotated[Id | None, Query(description="Only this team's members (404 if there is no such team).")] = None,
) -> list[Assignee]:
    """Whom a ticket may be assigned to: the active technicians and admins (a team's members, if
    one is named), by name. One Query of the staff (and a GetItem of the team)."""
    members = None
    if team_id is not None:
        team = team_of(team_id)
        if team is None:
            raise NotFound("There is no team with this id.")
        members = team.members
    people = [user for user in list_staff() if user.active and (members is None or user.id in members)]
    return [Assignee(id=user.id, name=user.name, role=user.role) for user in sorted(people, key=lambda u: u.name)]


def _requester(contact_id: str) -> Contact:
    contact = contact_of(contact_id)
    if not contact.active:
        raise ContactDeactivated("This contact is deactivated: reactivate them first.")
    return contact


@api.route(
    "POST /api/tickets", status_code=201, errors=[NotFound, ContactDeactivated, InvalidFieldValues, *UPLOAD_ERRORS]
)
def open_for_contact(form: StaffTicket, caller: SignedIn) -> TicketView:
    ticket = submit(submission(form), _requester(form.requester_id), Source.CONSOLE, by=as_staff(caller))
    return _view(ticket.number)


@api.route("GET /api/tickets/{number}", errors=[NotFound])
def read(number: Number) -> TicketView:
    return _view(number)


@api.route("GET /api/tickets/{number}/articles", errors=[NotFound])
def suggested(number: Number) -> list[SuggestedArticle]:
    """Articles to suggest in a reply: up to five the requester may read, found for the ticket's
    title and description, in the requester's language first, each with its address on their portal."""
    return suggested_articles(number)


def _assignee(user_id: str) -> Author:
    user = get_staff(user_id)
    if user is None or not user.active:
        raise InvalidRequest("The assignee must be an active technician or admin.")
    return Author(kind=AuthorKind.STAFF, id=user.id, name=user.name, email=user.email)


@api.route(
    "PATCH /api/tickets/{number}",
    errors=[NotFound, TicketChanged, TransitionNotAllowed, InvalidRequest, NotTeamMember, InvalidFieldValues],
)
def change(number: Number, change: TicketChange, caller: SignedIn) -> TicketView:
    given = change.model_fields_set
    category_id, values = None, None
    if "category_id" in given or "fields" in given:
        category_id = change.category_id or ticket_of(number).category_id
        _, values = category_checked(category_id, change.fields or {})
    changes = Changes(
        title=change.title,
        status=change.status,
        impact=change.impact,
        urgency=change.urgency,
        priority=change.priority if isinstance(change.priority, Priority) else None,
        reset_priority=change.priority == "matrix",
        team_id=change.team_id,
        clear_team="team_id" in given and change.team_id is None,
        assignee=_assignee(change.assignee_id) if change.assignee_id else None,
        clear_assignee="assignee_id" in given and change.assignee_id is None,
        cc=[str(address) for address in change.cc] if change.cc is not None else None,
        category_id=category_id,
        fields=values,
        product_areas=check_product_areas(change.product_areas) if change.product_areas is not None else None,
        tags=change.tags,
        due_at=change.due_at,
        clear_due="due_at" in given and change.due_at is None,
    )
    change_ticket(number, as_staff(caller), change.revision, changes)
    return _view(number)


@api.route("POST /api/tickets/{number}/replies", status_code=201, errors=[NotFound, TicketClosed, TransitionNotAllowed])
def reply(number: Number, reply: StaffReply, caller: SignedIn) -> TicketView:
    by = as_staff(caller)
    add_reply(number, by, reply.body, via=Source.CONSOLE, status=reply.status, attach=uploads(by, reply.attachments))
    return _view(number)


@api.route("POST /api/tickets/{number}/notes", status_code=201, errors=[NotFound, TicketClosed, *UPLOAD_ERRORS])
def note(number: Number, note: Reply, caller: SignedIn) -> TicketView:
    by = as_staff(caller)
    add_reply(number, by, note.body, kind=EntryKind.NOTE, via=Source.CONSOLE, attach=uploads(by, note.attachments))
    return _view(number)


class Download(BaseModel):
    url: str = Field(description="A link that downloads the file (or shows an image or a PDF).")
    expires_at: int = Field(description="When the link stops working (epoch seconds).")


@api.route("GET /api/tickets/{number}/attachments/{attachment_id}", errors=[NotFound])
def download(number: Number, attachment_id: FileId) -> Download:
    ticket, timeline = ticket_with_timeline(number)
    file = file_of(ticket, timeline, attachment_id, public_only=False)
    return Download(url=download_url(file), expires_at=int(time.time()) + DOWNLOAD_SECONDS)


@api.route(
    "POST /api/tickets/{number}/merge", errors=[NotFound, TicketChanged, TicketClosed, TransitionNotAllowed, Conflict]
)
def merge(number: Number, merge: Merge, caller: SignedIn) -> TicketView:
    merge_ticket(number, merge.into, as_staff(caller), merge.revision)
    return _view(number)


@api.route(
    "POST /api/v1/tickets",
    status_code=201,
    errors=[InvalidApiKey, ContactEmailTaken, ContactDeactivated, InvalidFieldValues],
)
def open_with_key(form: ApiTicket, key_id: ApiKeyId) -> Ticket:
    email = str(form.requester_email)
    contact = requester_for(email, form.requester_name or email.split("@", 1)[0], created_via=CreatedVia.API)
    integration = Author(kind=AuthorKind.SYSTEM, id=key_id, name="API")
    try:
        return submit(submission(form), contact, Source.API, by=integration, also=[used(key_id, int(time.time()))])
    except TransactionCanceled as error:  # only the key's write is left to refuse: revoked meanwhile
        raise InvalidApiKey(NOT_VALID) from error


class ChatTicket(TicketForm):
    email: EmailStr = Field(description="The customer's address: their contact, or a new one made for it.")
    name: FullName | None = Field(default=None, description="A new contact's name (else the chat's visitor name).")


@api.route(
    "POST /api/sessions/{session_id}/ticket",
    status_code=201,
    errors=[NotFound, ContactDeactivated, InvalidFieldValues, AttachmentTooLarge],
)
def from_chat(session_id: SessionId, form: ChatTicket, caller: SignedIn) -> TicketView:
    """Turn a support session into a ticket for its customer, the chat's transcript attached as a
    file. A technician may do it for their own sessions; an admin for any."""
    session = find_session(session_id)
    if session is None or (caller.role == Role.TECHNICIAN and caller.user_id != session.technician_id):
        raise NotFound("There is no such session.")
    requester = requester_for(
        str(form.email),
        form.name or session.visitor_name,
        created_via=CreatedVia.CHAT,
        company_id=session.company_id or None,
    )
    transcript = transcript_text(session, messages(session)).encode()

    def attach(number: int, _already: int) -> list[FileRef]:
        return [FileRef.of(store(number, "chat-transcript.txt", "text/plain", transcript))]

    ticket = submit(submission(form), requester, Source.CHAT, by=as_staff(caller), attach=attach)
    return _view(ticket.number)
