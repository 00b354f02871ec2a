"""The endpoints of a contact's ticket pages (ticket_pages.py); the forms post to the tickets
function's JSON API (`/api/portal/tickets...`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import StringConstraints

from deskless.credentials import CustomerSession
from deskless.errors import NotFound
from deskless.http import customer

from . import ticket_pages
from .account_api import SIGN_IN_FIRST, html_response, page_answers
from .app import api
from .visit import visit_of

Customer = Annotated[CustomerSession, Depends(customer)]
Number = Annotated[int, Path(ge=1, le=999_999_999, description="The ticket's number (#1001 is 1001).")]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=80)]
HTML: dict[str, Any] = {"response_class": HTMLResponse, "errors": [NotFound]}


@api.route("GET /help/tickets", **HTML, responses=page_answers(s303=SIGN_IN_FIRST))
def my_activities(
    request: Request,
    caller: Customer,
    list_: Annotated[str, Query(alias="list", max_length=20, description="mine, cc or company")] = "mine",
    status: Annotated[str, Query(max_length=20, description="active, or a status; empty: any.")] = "",
    q: Annotated[str, Query(max_length=100, description="A ticket's number, or words of titles.")] = "",
    after: Annotated[Cursor | None, Query(description="The page's `More tickets` link gives it.")] = None,
    lang: str | None = None,
) -> Any:
    return html_response(ticket_pages.activities_page(visit_of(request, lang), caller, list_, status, q, after))


@api.route("GET /help/tickets/new", **HTML, responses=page_answers(s303=SIGN_IN_FIRST))
def ticket_form(request: Request, caller: Customer, lang: str | None = None) -> Any:
    return html_response(ticket_pages.form_page(visit_of(request, lang), caller))


@api.route(
    "GET /help/tickets/{number}",
    **HTML,
    responses=page_answers(s303=SIGN_IN_FIRST, s404="No such ticket, or not one this contact may see: one answer."),
)
def ticket(
    request: Request,
    number: Number,
    caller: Customer,
    done: Annotated[
        str, Query(max_length=20, description="received, replied or closed: what the page says first.")
    ] = "",
    lang: str | None = None,
) -> Any:
    return html_response(ticket_pages.ticket_page(visit_of(request, lang), caller, number, done))
