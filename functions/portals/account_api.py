"""The endpoints of a contact's account pages (account.py) and the signed-in contact's own API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Cookie, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from deskless.bodies import parse_form
from deskless.credentials import SESSION_COOKIE, CustomerSession, portal_address
from deskless.errors import NotFound, PortalUnavailable
from deskless.http import customer, same_origin, viewer_address

from . import account
from .app import api
from .pages import Page
from .visit import visit_of

Customer = Annotated[CustomerSession, Depends(customer)]
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)]
MAX_FORM_BYTES = 4096
MAX_FORM_FIELDS = 10  # an account form has three at most
HTML: dict[str, Any] = {"response_class": HTMLResponse, "errors": [NotFound, PortalUnavailable]}


def page_answers(**said: str) -> dict[int | str, dict[str, Any]]:
    """The answers a page gives of its own (a status each, and what it means), as HTML."""
    page = {"text/html": {"schema": {"type": "string"}}}
    described: dict[int | str, dict[str, Any]] = {}
    for status, meaning in said.items():
        code = int(status.removeprefix("s"))
        described[code] = {"description": meaning} if code == 303 else {"description": meaning, "content": page}
    return described


SEE_OTHER = "Done: on to the next page (the session cookie set or cleared where it says)."
FORM_PROBLEM = "The form again, each problem next to its field."
OTHER_SITE = "The form was not sent from a page of this host."
SIGN_IN_FIRST = "Not signed in here: to the sign-in page (or, after a temporary password, to choose a new one)."


def _form(*fields: str) -> dict[str, Any]:
    """What the API's description says a form's body is."""
    properties = {name: {"type": "string", "maxLength": 512} for name in fields}
    schema = {"type": "object", "properties": properties}
    return {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


async def form_fields(request: Request) -> dict[str, str]:
    """A form's fields (application/x-www-form-urlencoded, deskless.bodies.parse_form; anything else: none)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES or "form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    return parse_form(body, max_fields=MAX_FORM_FIELDS)


Form = Annotated[dict[str, str], Depends(form_fields)]


def html_response(page: Page) -> HTMLResponse:
    return HTMLResponse(page.html, status_code=page.status, headers=page.headers)


@api.route("GET /help", **HTML, responses=page_answers(s303="A new password comes first: to that page."))
def help_centre(request: Request, session: SessionCookie = None, lang: str | None = None, done: str = "") -> Any:
    return html_response(account.account_page(visit_of(request, lang), session, done))


@api.route("GET /help/sign-in", **HTML)
def sign_in_page(request: Request, lang: str | None = None, done: str = "") -> Any:
    return html_response(account.sign_in_page(visit_of(request, lang), done=done))


@api.route(
    "POST /help/sign-in",
    **HTML,
    responses=page_answers(
        s303=SEE_OTHER,
        s400=FORM_PROBLEM,
        s401="The email or password is not right (one answer for both).",
        s403=f"{OTHER_SITE} Or the account is on another portal: the page says which.",
        s429="Too many sign-ins failed: Retry-After says when to try again.",
    ),
    openapi_extra=_form("email", "password"),
)
def sign_in(request: Request, form: Form, lang: str | None = None) -> Any:
    here = visit_of(request, lang)
    return html_response(
        account.sign_in_submit(here, form, same_origin=same_origin(request), source=viewer_address(request))
    )


@api.route("GET /help/forgot-password", **HTML)
def forgot_password_page(request: Request, lang: str | None = None) -> Any:
    return html_response(account.forgot_page(visit_of(request, lang)))


@api.route(
    "POST /help/forgot-password",
    **HTML,
    responses=page_answers(
        s400=FORM_PROBLEM, s403=OTHER_SITE, s429="Too many asked for: Retry-After says when to try again."
    ),
    openapi_extra=_form("email"),
)
def forgot_password(request: Request, form: Form, lang: str | None = None) -> Any:
    here = visit_of(request, lang)
    return html_response(
        account.forgot_submit(here, form, same_origin=same_origin(request), source=viewer_address(request))
    )


@api.route(
    "GET /help/set-password",
    **HTML,
    responses=page_answers(s410="The link does not work: used, replaced, expired or not ours."),
)
def set_password_page(request: Request, token: str = "", lang: str | None = None) -> Any:
    return html_response(account.set_password_page(visit_of(request, lang), token, check=True))


@api.route(
    "POST /help/set-password",
    **HTML,
    responses=page_answers(
        s303=SEE_OTHER,
        s400=FORM_PROBLEM,
        s403=OTHER_SITE,
        s410="The link does not work any more: used, replaced by a newer one, or expired.",
    ),
    openapi_extra=_form("token", "password"),
)
def set_password(request: Request, form: Form, lang: str | None = None) -> Any:
    return html_response(account.set_password_submit(visit_of(request, lang), form, same_origin=same_origin(request)))


@api.route("GET /help/change-password", **HTML, responses=page_answers(s303=SIGN_IN_FIRST))
def change_password_page(request: Request, caller: Customer, lang: str | None = None) -> Any:
    return html_response(account.change_page(visit_of(request, lang), caller))


@api.route(
    "POST /help/change-password",
    **HTML,
    responses=page_answers(s303=f"{SEE_OTHER} {SIGN_IN_FIRST}", s400=FORM_PROBLEM),
    openapi_extra=_form("csrf_token", "current_password", "password"),
)
def change_password(request: Request, caller: Customer, form: Form, lang: str | None = None) -> Any:
    return html_response(account.change_submit(visit_of(request, lang), caller, form))


@api.route(
    "POST /help/sign-out",
    **HTML,
    responses=page_answers(s303=f"{SEE_OTHER} {SIGN_IN_FIRST}"),
    openapi_extra=_form("csrf_token"),
)
def sign_out(caller: Customer) -> Any:
    return html_response(account.sign_out(caller))


class Me(BaseModel):
    """The signed-in contact, as their portal's pages show them."""

    id: str
    name: str
    email: str = Field(description="The address they sign in with.")
    company_id: str
    primary: bool = Field(description="A primary contact sees all of their company's tickets.")
    portal_address: str = Field(description="Where they sign in: their company's portal, or the help centre.")
    session_expires_at: int
    csrf_token: str = Field(description="Send it back in the X-CSRF-Token header with every change.")


@api.route("GET /api/portal/me")
def me(caller: Customer) -> Me:
    contact = caller.contact
    return Me(
        id=contact.id,
        name=contact.name,
        email=contact.emails[0],
        company_id=contact.company_id,
        primary=contact.primary,
        portal_address=portal_address(contact),
        session_expires_at=caller.expires_at,
        csrf_token=caller.csrf_token,
    )
