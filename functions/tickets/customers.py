"""A signed-in contact's own tickets, on their portal (the portal's cookie session; every change
with its CSRF token): "My activities" (mine, those I am CC'd on and, for a primary contact, my
company's), submitting one, reading one's public timeline, replying, closing my own.

A ticket the contact may not see answers 404, as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from deskless import deflection
from deskless.attachments import download_url
from deskless.contacts import Contact, primary_contact_names
from deskless.credentials import CustomerSession
from deskless.errors import Forbidden, InvalidFieldValues, NotFound, TicketChanged, TicketClosed, TransitionNotAllowed
from deskless.http import customer
from deskless.priorities import Priority
from deskless.ticket_intake import as_requester, submit
from deskless.ticket_lists import Activities, TicketPage, activities
from deskless.tickets import (
    Author,
    Changes,
    Entry,
    FileRef,
    Source,
    Status,
    Ticket,
    add_reply,
    change_ticket,
    customer_timeline,
    file_of,
    may_close,
    ticket_for_contact,
    ticket_with_timeline,
    uploads,
)

from .app import api
from .inputs import UPLOAD_ERRORS, Cursor, FileId, Number, PortalTicket, Reply, submission

Customer = Annotated[CustomerSession, Depends(customer)]


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
    return CustomerTicket(
        **ticket.model_dump(include=set(CustomerTicket.model_fields)),
        timeline=customer_timeline(timeline),
        may_close=may_close(ticket, contact.id),
    )


@api.route("GET /api/portal/tickets", errors=[Forbidden])
def my_activities(
    caller: Customer,
    list_: Annotated[
        Activities, Query(alias="list", description="mine, cc (I follow them) or company (primary contacts)")
    ] = "mine",
    status: Annotated[Status | Literal["active"] | None, Query(description="Only tickets in this status.")] = None,
    q: Annotated[str, Query(max_length=100, description="A ticket's number, or words of titles.")] = "",
    after: Annotated[Cursor | None, Query(description="The `next` of the page before.")] = None,
) -> TicketPage:
    return activities(caller.contact, list_, status, q, after=after)


@api.route("POST /api/portal/tickets", status_code=201, errors=[InvalidFieldValues, *UPLOAD_ERRORS])
def submit_ticket(form: PortalTicket, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    ticket = submit(submission(form), contact, Source.PORTAL)
    if form.draft is not None:
        deflection.submitted(str(form.draft), contact.id, ticket.number)
    shown = _shown(*ticket_with_timeline(ticket.number), contact)
    if ticket.status_reason:
        shown.may_submit = primary_contact_names(contact.company_id)
    return shown


@api.route("GET /api/portal/tickets/{number}", errors=[NotFound])
def read_ticket(number: Number, caller: Customer) -> CustomerTicket:
    return _shown(*ticket_for_contact(number, caller.contact), caller.contact)


@api.route(
    "POST /api/portal/tickets/{number}/replies", status_code=201, errors=[NotFound, TicketClosed, *UPLOAD_ERRORS]
)
def reply_as_customer(number: Number, reply: Reply, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    ticket_for_contact(number, contact)
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
    ticket, timeline = ticket_for_contact(number, caller.contact)
    file = file_of(ticket, timeline, attachment_id, public_only=True)
    return RedirectResponse(download_url(file), status_code=303, headers={"cache-control": "no-store"})


@api.route("POST /api/portal/tickets/{number}/close", errors=[NotFound, Forbidden, TransitionNotAllowed, TicketChanged])
def close_as_customer(number: Number, caller: Customer) -> CustomerTicket:
    contact = caller.contact
    ticket, _ = ticket_for_contact(number, contact)
    if ticket.requester.id != contact.id:
        raise Forbidden("Only the person who asked may close a ticket.")
    change_ticket(number, as_requester(contact), ticket.revision, Changes(status=Status.CLOSED))
    return _shown(*ticket_with_timeline(number), contact)
