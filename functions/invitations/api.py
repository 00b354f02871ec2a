"""Invitation links and API keys over HTTP: who may call each route, and what it takes and gives.

Operators (technicians and admins) make, list and invalidate their links; anyone holding a link
may accept it; admins manage API keys; an integration with a key makes reusable links.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query
from pydantic import AfterValidator, BaseModel, EmailStr, StringConstraints

from deskless.auth import Principal, Role
from deskless.http import Api, require
from deskless.languages import DEFAULT_LANGUAGE, LANGUAGES
from deskless.sessions import SessionEntry

from .keys import ApiKey, IssuedApiKey, authenticate, create_key, create_reusable_invitation, list_keys, revoke_key
from .links import (
    Invitation,
    accept_invitation,
    create_invitation,
    invalidate_invitation,
    invitations_of,
)

api = Api("invitations")
operator = Depends(require(Role.TECHNICIAN, Role.ADMIN))
admin_only = Depends(require(Role.ADMIN))


def _spoken(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
    return language


Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Language = Annotated[str, AfterValidator(_spoken)]


class NewInvitation(BaseModel):
    label: Label = ""
    language: Language = DEFAULT_LANGUAGE  # what the invitation page speaks to the visitor


class Arrival(BaseModel):
    name: Name  # the visitor's name, as the operator will see it


class NewApiKey(BaseModel):
    name: Name  # what the key is for, e.g. the integration using it


class IntegrationInvitation(NewInvitation):
    operator_email: EmailStr


def api_key(x_api_key: Annotated[str | None, Header()] = None) -> str:
    """The id of the caller's API key; checked before the body, so a stranger learns nothing."""
    return authenticate(x_api_key)


@api.route("create", status_code=201)
def create(request: NewInvitation | None = None, caller: Principal = operator) -> Invitation:
    request = request or NewInvitation()
    return create_invitation(caller, label=request.label, language=request.language)


@api.route("list")
def list_mine(caller: Principal = operator, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Invitation]:
    return invitations_of(caller.user_id, limit=limit)


@api.route("invalidate")
def invalidate(token: str, caller: Principal = operator) -> Invitation:
    return invalidate_invitation(token, caller)


@api.route("accept", status_code=201)
def accept(token: str, arrival: Arrival) -> SessionEntry:
    return accept_invitation(token, arrival.name)


@api.route("create_with_key", status_code=201)
def create_with_key(request: IntegrationInvitation, key_id: str = Depends(api_key)) -> Invitation:
    return create_reusable_invitation(key_id, request.operator_email, label=request.label, language=request.language)


@api.route("create_key", status_code=201)
def new_key(request: NewApiKey, caller: Principal = admin_only) -> IssuedApiKey:
    return create_key(request.name, caller)


@api.route("list_keys")
def keys(_: Principal = admin_only) -> list[ApiKey]:
    return list_keys()


@api.route("revoke_key")
def revoke(key_id: str, _: Principal = admin_only) -> ApiKey:
    return revoke_key(key_id)
