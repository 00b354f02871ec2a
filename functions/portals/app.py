"""The portals function's HTTP API object; its routes are registered by the modules that
handler.py imports (pages and the portal's own API in api.py, a contact's account in
account_api.py, company administration in admin.py).

A contact's signed-in pages are refused by the plumbing's gate like any route (deskless.http);
a browser is shown a page instead of the JSON refusal: the sign-in page when it is not signed in
(here), the new-password page when that comes first, a page saying the form expired for a CSRF
refusal."""

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from deskless.errors import DesklessError, Forbidden, PasswordChangeRequired, Unauthorized
from deskless.http import Api, domain_error

ACCOUNT_PAGES = "/help"

api = Api("portals")


def _see_other(location: str) -> HTMLResponse:
    return HTMLResponse("", status_code=303, headers={"location": location, "cache-control": "no-store"})


async def _account_refusal(request: Request, error: Exception) -> HTMLResponse | JSONResponse:
    if not request.url.path.startswith(ACCOUNT_PAGES):
        return await domain_error(request, error)
    if isinstance(error, PasswordChangeRequired):
        return _see_other(f"{ACCOUNT_PAGES}/change-password")
    if isinstance(error, Unauthorized):
        return _see_other(f"{ACCOUNT_PAGES}/sign-in")
    from .pages import error_page
    from .visit import visit_of

    assert isinstance(error, DesklessError)
    here = visit_of(request, request.query_params.get("lang"))
    page = error_page(here, error.status, here.text["error_form_expired"])
    return HTMLResponse(page.html, status_code=page.status, headers=page.headers)


api.app.add_exception_handler(Unauthorized, _account_refusal)
api.app.add_exception_handler(Forbidden, _account_refusal)
