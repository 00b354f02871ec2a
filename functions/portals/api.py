"""Public portal pages: what a visitor to <company>.<support domain> sees, and the pages a
customer joins a support session from (by code on a portal, or by invitation anywhere)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from deskless.edge import PORTAL_HOST_HEADER

from .app import api
from .join import Page, invite_page, join_page
from .pages import home_page


def _host(request: Request) -> str:
    return request.headers.get(PORTAL_HOST_HEADER, "")


def _languages(request: Request) -> str:
    return request.headers.get("accept-language", "")


def _html(page: Page) -> HTMLResponse:
    return HTMLResponse(page.html, status_code=page.status, headers=page.headers)


@api.route("home", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    status, html = home_page(_host(request), _languages(request))
    return HTMLResponse(html, status_code=status)


@api.route("join", response_class=HTMLResponse)
def join(request: Request, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(_host(request), lang, _languages(request)))


@api.route("join_code", response_class=HTMLResponse)
def join_code(request: Request, code: str, lang: str | None = None) -> HTMLResponse:
    return _html(join_page(_host(request), lang, _languages(request), code))


@api.route("invite", response_class=HTMLResponse)
def invite(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
    return _html(invite_page(_host(request), lang, _languages(request), token))
