"""Session codes over HTTP: technicians create, list, cancel and send them; customers redeem them."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import AfterValidator, BaseModel, EmailStr, StringConstraints

from deskless.auth import Principal, Role
from deskless.edge import PORTAL_HOST_HEADER, VIEWER_IP_HEADER
from deskless.http import Api, require
from deskless.languages import LANGUAGES
from deskless.sessions import SessionEntry

from .codes import ActiveCode, active_codes, cancel_code, create_code, normalise, owned_code
from .invitation import Invitation, SentInvitation, invitation, send_invitation
from .redemption import redeem

api = Api("codes")
staff = Depends(require(Role.TECHNICIAN, Role.ADMIN))

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


def _code(text: str) -> str:
    code = normalise(text)
    if code is None:
        raise ValueError("a code has 9 digits")
    return code


def _language(text: str) -> str:
    if text not in LANGUAGES:
        raise ValueError(f"the language must be one of {', '.join(LANGUAGES)}")
    return text


class NewCode(BaseModel):
    name: Name
    portal: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=63)]


class SendRequest(BaseModel):
    to: EmailStr
    language: Annotated[str, AfterValidator(_language)] | None = None


class JoinRequest(BaseModel):
    code: Annotated[str, StringConstraints(max_length=40), AfterValidator(_code)]
    name: Name


def source_of(request: Request) -> str:
    """The viewer's address, as the CDN saw it (API Gateway's sourceIp is the CDN's edge)."""
    event = request.scope.get("aws.event") or {}
    seen_by_api = str(event.get("requestContext", {}).get("http", {}).get("sourceIp", "unknown"))
    return request.headers.get(VIEWER_IP_HEADER, seen_by_api)


@api.route("create", status_code=201)
def create(new: NewCode, caller: Principal = staff) -> ActiveCode:
    return create_code(caller, new.name, new.portal)


@api.route("list")
def list_codes(caller: Principal = staff) -> list[ActiveCode]:
    return active_codes(caller.user_id)


@api.route("cancel", status_code=204, response_class=Response)
def cancel(code: str, caller: Principal = staff) -> Response:
    cancel_code(caller, code)
    return Response(status_code=204)


@api.route("email", status_code=202)
def email(code: str, send: SendRequest, caller: Principal = staff) -> SentInvitation:
    return send_invitation(owned_code(caller, code), str(send.to), send.language, time.time())


@api.route("invitation")
def invitation_text(code: str, language: str | None = None, caller: Principal = staff) -> Invitation:
    return invitation(owned_code(caller, code), language, time.time())


@api.route("redeem", status_code=201)
def join(request: Request, join: JoinRequest) -> SessionEntry:
    return redeem(join.code, join.name, source=source_of(request), host=request.headers.get(PORTAL_HOST_HEADER, ""))
