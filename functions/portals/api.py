"""Public portal pages: what a visitor to <company>.<support domain> sees."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from deskless.edge import PORTAL_HOST_HEADER
from deskless.http import Api

from .pages import home_page

api = Api("portals")


@api.route("home", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    status, html = home_page(request.headers.get(PORTAL_HOST_HEADER, ""), request.headers.get("accept-language", ""))
    return HTMLResponse(html, status_code=status)
