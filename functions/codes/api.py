"""Session codes over HTTP: technicians create, list, cancel and send them; customers redeem them."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Request, Response
from pydantic import AfterValidator, BaseModel, EmailStr, StringConstraints

from deskless.errors import (
    CodeInvalid,
    CodeLimitReached,
    CodeNameTaken,
    NotFound,
    PortalInactive,
    TooManyAttempts,
    TryAgain,
    UnknownPortal,
)
from deskless.fields import Name
from deskless.http import Api, SignedIn, portal_host, viewer_address
from deskless.languages import Language
from deskless.sessions import SessionEntry

from .codes import ActiveCode, active_codes, cancel_code, create_code, normalise, owned_code
from .invitation import Invitation, SentInvitation, invitation, send_invitation
from .redemption import redeem

api = Api("codes")


def _code(text: str) -> str:
    code = normalise(text)
    if code is None:
        raise ValueError("a code has 9 digits")
    return code


class NewCode(BaseModel):
    name: Name
    portal: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=63)]


class SendRequest(BaseModel):
    to: EmailStr
    language: Language | None = None


class JoinRequest(BaseModel):
    code: Annotated[str, StringConstraints(max_length=40), AfterValidator(_code)]
    name: Name


@api.route(
    "POST /api/codes",
    status_code=201,
    errors=[UnknownPortal, PortalInactive, CodeNameTaken, CodeLimitReached, TryAgain],
)
def create(new: NewCode, caller: SignedIn) -> ActiveCode:
    return create_code(caller, new.name, new.portal)


@api.route("GET /api/codes")
def list_codes(caller: SignedIn) -> list[ActiveCode]:
    return active_codes(caller.user_id)


@api.route("DELETE /api/codes/{code}", status_code=204, response_class=Response, errors=[NotFound])
def cancel(code: str, caller: SignedIn) -> Response:
    cancel_code(caller, code)
    return Response(status_code=204)


@api.route("POST /api/codes/{code}/email", status_code=202, errors=[NotFound])
def email(code: str, send: SendRequest, caller: SignedIn) -> SentInvitation:
    return send_invitation(owned_code(caller, code), str(send.to), send.language, time.time())


@api.route("GET /api/codes/{code}/invitation", errors=[NotFound])
def invitation_text(code: str, caller: SignedIn, language: Language | None = None) -> Invitation:
    return invitation(owned_code(caller, code), language, time.time())


@api.route("POST /api/join", status_code=201, errors=[CodeInvalid, TooManyAttempts, TryAgain])
def join(request: Request, join: JoinRequest) -> SessionEntry:
    return redeem(join.code, join.name, source=viewer_address(request), host=portal_host(request))
