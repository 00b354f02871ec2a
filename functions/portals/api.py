"""What a visitor to <company>.<support domain> reaches: the portal's support page and its chat
widget (support.py, widget.py), the pages a customer joins a support session from (join.py),
and the portal's own API (public.py). No sign-in: the portal is the one the host names."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from deskless.edge import PORTAL_HOST_HEADER, STATIC_PATH, VIEWER_IP_HEADER
from deskless.settings import get_settings

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
from .widget import MEDIA_TYPE, widget_script

CONSOLE_PATH = f"{STATIC_PATH}console/"  # where the operator console is served, on the console's own host


def _host(request: Request) -> str:
    return request.headers.get(PORTAL_HOST_HEADER, "")


def _is_console_host(host: str) -> bool:
    """The host of the public URL (the support domain itself), where the console lives, not a portal's."""
    return host.strip().lower() == urlsplit(get_settings().public_url).netloc.lower()


def _languages(request: Request) -> str:
    return request.headers.get("accept-language", "")


def _source(request: Request) -> str:
    """The viewer's address, as the CDN saw it (API Gateway's sourceIp is the CDN's edge)."""
    event = request.scope.get("aws.event") or {}
    seen_by_api = str(event.get("requestContext", {}).get("http", {}).get("sourceIp", "unknown"))
    return request.headers.get(VIEWER_IP_HEADER, seen_by_api)


def _html(page: Page) -> HTMLResponse:
    return HTMLResponse(page.html, status_code=page.status, headers=page.headers)


# --- pages ---------------------------------------------------------------------------------


@api.route("home", response_class=HTMLResponse)
def home(request: Request, lang: str | None = None) -> Response:
    if _is_console_host(_host(request)):
        return RedirectResponse(CONSOLE_PATH, status_code=302)
    return _html(home_page(_host(request), lang, _languages(request)))


@api.route("widget", response_class=HTMLResponse)
def widget(request: Request, origin: str = "", lang: str | None = None) -> HTMLResponse:
    return _html(widget_page(_host(request), origin, lang, _languages(request)))


@api.route("widget_script", response_class=Response)
def widget_loader(request: Request) -> Response:
    loader = widget_script(_host(request))
    return Response(loader.source, status_code=loader.status, headers=loader.headers, media_type=MEDIA_TYPE)


@api.route("join", response_class=HTMLResponse)
def join(request: Request, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(_host(request), lang, _languages(request)))


@api.route("join_code", response_class=HTMLResponse)
def join_code(request: Request, code: str, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(_host(request), lang, _languages(request), code))


@api.route("invite", response_class=HTMLResponse)
def invite(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
    return _html(invite_page(_host(request), lang, _languages(request), token))


# --- the portal's own API ------------------------------------------------------------------


@api.route("portal_state")
def portal_state(request: Request, response: Response) -> PortalView:
    response.headers["cache-control"] = "no-store"  # it follows who is available
    return describe(_host(request))


@api.route("request_chat", status_code=201)
def chat_request(request: Request, body: ChatRequestBody) -> ChatRequestCreated:
    return request_chat(_host(request), body, source=_source(request))


@api.route("leave_message", status_code=201)
def message(request: Request, body: MessageBody) -> MessageLeft:
    return leave_message(_host(request), body, source=_source(request))
