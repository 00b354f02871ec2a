"""Invitation links and API keys over HTTP: what each route takes and gives.

Operators (technicians and admins) make, list and invalidate their links; anyone holding a link
may accept it; admins manage API keys; an integration with a key makes reusable links (who may
call each route is the catalog's to say).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, EmailStr

from deskless.api_keys import ApiKey, IssuedApiKey, create_key, list_keys, revoke_key
from deskless.errors import InvalidApiKey, InvitationInvalid, NotFound, OperatorNotFound, TryAgain
from deskless.fields import Label, Name
from deskless.http import Api, ApiKeyId, SignedIn
from deskless.invitations import (
    Invitation,
    accept_invitation,
    create_invitation,
    invalidate_invitation,
    invitations_of,
)
from deskless.languages import DEFAULT_LANGUAGE, Language
from deskless.sessions import SessionEntry

from .integrations import create_reusable_invitation

api = Api("invitations")


class NewInvitation(BaseModel):
    label: Label = ""
    language: Language = DEFAULT_LANGUAGE  # what the invitation page speaks to the visitor


class Arrival(BaseModel):
    name: Name  # the visitor's name, as the operator will see it


class NewApiKey(BaseModel):
    name: Name  # what the key is for, e.g. the integration using it


class IntegrationInvitation(NewInvitation):
    operator_email: EmailStr


@api.route("POST /api/invitations", status_code=201)
def create(caller: SignedIn, request: NewInvitation | None = None) -> Invitation:
    request = request or NewInvitation()
    return create_invitation(caller, label=request.label, language=request.language)


@api.route("GET /api/invitations")
def list_mine(caller: SignedIn, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Invitation]:
    return invitations_of(caller.user_id, limit=limit)


@api.route("DELETE /api/invitations/{token}", errors=[NotFound])
def invalidate(token: str, caller: SignedIn) -> Invitation:
    return invalidate_invitation(token, caller)


@api.route("POST /api/invitations/{token}/accept", status_code=201, errors=[InvitationInvalid, TryAgain])
def accept(token: str, arrival: Arrival) -> SessionEntry:
    return accept_invitation(token, arrival.name)


@api.route("POST /api/v1/invitations", status_code=201, errors=[OperatorNotFound, InvalidApiKey])
def create_with_key(request: IntegrationInvitation, key_id: ApiKeyId) -> Invitation:
    return create_reusable_invitation(key_id, request.operator_email, label=request.label, language=request.language)


@api.route("POST /api/api-keys", status_code=201)
def new_key(request: NewApiKey, caller: SignedIn) -> IssuedApiKey:
    return create_key(request.name, caller)


@api.route("GET /api/api-keys")
def keys() -> list[ApiKey]:
    return list_keys()


@api.route("DELETE /api/api-keys/{key_id}", errors=[NotFound])
def revoke(key_id: str) -> ApiKey:
    return revoke_key(key_id)
