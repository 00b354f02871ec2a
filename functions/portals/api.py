"""What a visitor to <company>.<support domain> reaches: the portal's support page and its chat
widget (support.py, widget.py), the pages a customer joins a support session from (join.py),
and the portal's own API (public.py). No sign-in: the portal is the one the host names, and each
endpoint starts from the visit (visit.py): that portal, the language asked for, the state."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from deskless.errors import (
    InvitationInvalid,
    NoTechnicianAvailable,
    NotFound,
    OriginNotAllowed,
    PortalUnavailable,
    TooManyRequests,
)
from deskless.http import portal_host, viewer_address

from .app import api
from .join import invite_page, join_page
from .pages import Page
from .public import (
    ChatRequestBody,
    ChatRequestCreated,
    MessageBody,
    MessageLeft,
    PortalView,
    describe,
    leave_message,
    request_chat,
)
from .support import home_page, widget_page
from .visit import visit, visit_of
from .widget import MEDIA_TYPE, widget_script


def _html(page: Page) -> HTMLResponse:
    return HTMLResponse(page.html, status_code=page.status, headers=page.headers)


# --- pages ---------------------------------------------------------------------------------


@api.route(
    "GET /",
    response_class=HTMLResponse,
    errors=[NotFound, PortalUnavailable],
    responses={302: {"description": "On the console's own host: to the console."}},
)
def home(request: Request, lang: str | None = None) -> HTMLResponse:
    return _html(home_page(visit_of(request, lang)))


@api.route("GET /widget", response_class=HTMLResponse, errors=[NotFound, OriginNotAllowed])
def widget(request: Request, origin: str = "", lang: str | None = None) -> HTMLResponse:
    return _html(widget_page(visit_of(request, lang), origin))


@api.route("GET /widget.js", response_class=Response, errors=[NotFound], responses={200: {"content": {MEDIA_TYPE: {}}}})
def widget_loader(request: Request) -> Response:
    loader = widget_script(visit(portal_host(request)))  # the same for every visitor: the portal's language
    return Response(loader.source, status_code=loader.status, headers=loader.headers, media_type=MEDIA_TYPE)


@api.route("GET /join", response_class=HTMLResponse, errors=[NotFound])
def join(request: Request, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(visit_of(request, lang)))


@api.route("GET /join/{code}", response_class=HTMLResponse, errors=[NotFound])
def join_code(request: Request, code: str, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(visit_of(request, lang), code))


@api.route("GET /invite/{token}", response_class=HTMLResponse, errors=[NotFound, InvitationInvalid])
def invite(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
    return _html(invite_page(visit_of(request, lang), token))


# --- the portal's own API ------------------------------------------------------------------


@api.route("GET /api/portal", errors=[NotFound])
def portal_state(request: Request, response: Response) -> PortalView:
    response.headers["cache-control"] = "no-store"  # it follows who is available
    return describe(visit_of(request))


@api.route(
    "POST /api/portal/chat-requests",
    status_code=201,
    errors=[NotFound, PortalUnavailable, NoTechnicianAvailable, TooManyRequests],
)
def chat_request(request: Request, body: ChatRequestBody) -> ChatRequestCreated:
    return request_chat(visit_of(request), body, source=viewer_address(request))


@api.route("POST /api/portal/messages", status_code=201, errors=[NotFound, PortalUnavailable, TooManyRequests])
def message(request: Request, body: MessageBody) -> MessageLeft:
    return leave_message(visit_of(request), body, source=viewer_address(request))
