"""A signed-in contact's own tickets, on their portal (the portal's cookie session; every change
with its CSRF token): "My activities" (mine, those I am CC'd on and, for a primary contact, my
company's), submitting one, reading one's public timeline, replying, closing my own.

A ticket the contact may not see answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, StringConstraints

from deskless.attachments import download_url
from deskless.contacts import Contact, contacts_of_company
from deskless.credentials import CustomerSession
from deskless.errors import Forbidden, InvalidFieldValues, NotFound, TicketChanged, TicketClosed, TransitionNotAllowed
from deskless.http import customer
from deskless.priorities import Priority
from deskless.ticket_intake import as_requester, submit
from deskless.ticket_lists import Listed, TicketPage, list_tickets, listings_of, search_tickets
from deskless.tickets import (
    Author,
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
    may_see,
    ticket_with_timeline,
    uploads,
)

from .app import api
from .inputs import UPLOAD_ERRORS, Reply, TicketWithFiles, submission

Customer = Annotated[CustomerSession, Depends(customer)]
Number = Annotated[int, Path(ge=1, le=999_999_999, description="The ticket's number (#1001 is 1001).")]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=80)]
FileId = Annotated[str, Path(min_length=1, max_length=64)]
Lists = Literal["mine", "cc", "company"]
_PRIMARIES_NAMED = 100  # contacts read to name who may submit


class CustomerTicket(BaseModel):
    """A ticket as its customers see it: never its internal notes, team or triage."""

    number: int
    title: str
    description: str
    status: Status
    status_reason: str = Field(default="", description="Why Deskless closed it on arrival.")
    priority: Priority
    requester: Author
    cc: list[str]
    category_id: str | None
    fields: dict[str, object]
    product_areas: list[str]
    source: Source
    attachments: list[FileRef] = Field(description="The files sent with the description.")
    created_at: int
    updated_at: int
    timeline: list[Entry] = Field(description="Public replies and events, oldest first.")
    may_close: bool = Field(description="Whether this contact may close it (the requester, while it is not closed).")
    may_submit: list[str] = Field(
        default_factory=list,
        description="When the submission policy closed it: the names of the company's contacts who may submit.",
    )


def _shown(ticket: Ticket, timeline: list[Entry], contact: Contact) -> CustomerTicket:
    public = [entry for entry in timeline if entry.kind is not EntryKind.NOTE]
    mine = ticket.requester.id == contact.id
    return CustomerTicket(
        **ticket.model_dump(include=set(CustomerTicket.model_fields)),
        timeline=public,
        may_close=mine and ticket.status not in (Status.CLOSED, Status.MERGED),
    )


def _visible(number: int, contact: Contact) -> tuple[Ticket, list[Entry]]:
    ticket, timeline = ticket_with_timeline(number)
    if not may_see(ticket, contact.id, contact.emails, primary=contact.primary, company_id=contact.company_id):
        raise NotFound(f"There is no ticket #{number}.")
    return ticket, timeline


def _primaries(company_id: str) -> list[str]:
    """The names of a company's primary contacts (who may submit when only they may)."""
    page = contacts_of_company(company_id, limit=_PRIMARIES_NAMED)
    return [contact.name for contact in page.contacts if contact.primary and contact.active]


@api.route("GET /api/portal/tickets", errors=[Forbidden])
def my_activities(
    caller: Customer,
    list_: Annotated[
        Lists, Query(alias="list", description="mine, cc (I follow them) or company (primary contacts)")
    ] = "mine",
    status: Annotated[Status | Literal["active"] | None, Query(description="Only tickets in this status.")] = None,
    q: Annotated[str, Query(max_length=100, description="A ticket's number, or words of titles.")] = "",
    after: Annotated[Cursor | None, Query(description="The `next` of the page before.")] = None,
) -> TicketPage:
    contact = caller.contact
    if list_ == "company" and not contact.primary:
        raise Forbidden("Only your company's primary contacts see all of its tickets.")
    scopes = {
        "mine": [f"requester:{contact.id}"],
        "cc": [f"cc:{address}" for address in contact.emails],
        "company": [f"company:{contact.company_id}"],
    }[list_]
    wanted = q.strip().removeprefix("#")
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


@api.route("POST /api/portal/tickets", status_code=201, errors=[InvalidFieldValues, *UPLOAD_ERRORS])
def submit_ticket(form: TicketWithFiles, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    ticket = submit(submission(form), contact, Source.PORTAL)
    shown = _shown(*ticket_with_timeline(ticket.number), contact)
    if ticket.status_reason:
        shown.may_submit = _primaries(contact.company_id)
    return shown


@api.route("GET /api/portal/tickets/{number}", errors=[NotFound])
def read_ticket(number: Number, caller: Customer) -> CustomerTicket:
    return _shown(*_visible(number, caller.contact), caller.contact)


@api.route(
    "POST /api/portal/tickets/{number}/replies", status_code=201, errors=[NotFound, TicketClosed, *UPLOAD_ERRORS]
)
def reply_as_customer(number: Number, reply: Reply, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    _visible(number, contact)
    by = as_requester(contact)
    add_reply(number, by, reply.body, via=Source.PORTAL, attach=uploads(by, reply.attachments))
    return _shown(*ticket_with_timeline(number), contact)


@api.route(
    "GET /api/portal/tickets/{number}/attachments/{attachment_id}",
    status_code=303,
    errors=[NotFound],
    response_class=RedirectResponse,
    responses={303: {"description": "To a link that downloads the file (five minutes)."}},
)
def download_as_customer(number: Number, attachment_id: FileId, caller: Customer) -> RedirectResponse:
    ticket, timeline = _visible(number, caller.contact)
    file = file_of(ticket, timeline, attachment_id, public_only=True)
    return RedirectResponse(download_url(file), status_code=303, headers={"cache-control": "no-store"})


@api.route("POST /api/portal/tickets/{number}/close", errors=[NotFound, Forbidden, TransitionNotAllowed, TicketChanged])
def close_as_customer(number: Number, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    ticket, _ = _visible(number, contact)
    if ticket.requester.id != contact.id:
        raise Forbidden("Only the person who asked may close a ticket.")
    change_ticket(number, as_requester(contact), ticket.revision, Changes(status=Status.CLOSED))
    return _shown(*ticket_with_timeline(number), contact)
