"""Support sessions over HTTP: a technician's sessions, and a session's transcript.

Who may read a transcript: the session's technician, an admin, and the visitor whose token is
scoped to that session (its join page reads it to catch up after a reconnect). A visitor's
scope is checked before anything is read, so a token for one session learns nothing of others.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel

from deskless.auth import Principal, Role
from deskless.errors import Forbidden
from deskless.http import Api, principal, require
from deskless.sessions import Message, Session, get_session, messages, session_scope, sessions_of

api = Api("sessions")
staff = Depends(require(Role.TECHNICIAN, Role.ADMIN))


class Transcript(BaseModel):
    session: Session
    messages: list[Message]  # in the order they were stored


@api.route("list")
def list_mine(caller: Principal = staff, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[Session]:
    """The caller's own sessions, newest first (one Query)."""
    return sessions_of(caller.user_id, limit=limit)


@api.route("messages")
def transcript(session_id: str, caller: Principal = Depends(principal)) -> Transcript:
    if caller.role == Role.VISITOR:
        if caller.scope != session_scope(session_id):
            raise Forbidden("This token is for another session.")
    elif caller.role not in (Role.TECHNICIAN, Role.ADMIN):
        raise Forbidden("Only the session's technician may read its transcript.")
    session = get_session(session_id)
    if caller.role == Role.TECHNICIAN and caller.user_id != session.technician_id:
        raise Forbidden("Only the session's technician may read its transcript.")
    return Transcript(session=session, messages=messages(session_id))
