"""The endpoints of the ticket form's suggestions (suggestions.py): a signed-in contact's, with the
session's CSRF token, from the form's script."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from deskless.credentials import CustomerSession
from deskless.errors import NotFound, TooManyRequests
from deskless.http import customer

from . import suggestions
from .app import api
from .visit import visit_of

Customer = Annotated[CustomerSession, Depends(customer)]


@api.route("POST /api/portal/knowledge/suggestions", errors=[TooManyRequests])
def suggest(request: Request, typed: suggestions.DraftText, caller: Customer) -> suggestions.Suggestions:
    return suggestions.suggest(caller, typed, typed.language or visit_of(request).language)


@api.route("POST /api/portal/knowledge/opened", status_code=204, response_class=Response, errors=[NotFound])
def opened(opening: suggestions.Opening, caller: Customer) -> Response:
    suggestions.record_opening(caller, opening)
    return Response(status_code=204)
