"""Support sessions over HTTP: a technician's sessions, and a session's transcript.

Who may read a transcript: the session's technician, an admin, and the visitor whose token is
scoped to that session (its join page reads it to catch up after a reconnect). A visitor's
scope is checked before anything is read, so a token for one session learns nothing of others;
another technician's session is "not found", as one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from deskless.auth import Role
from deskless.errors import NotFound
from deskless.http import Api, SignedIn
from deskless.sessions import Message, Session, get_session, messages, session_scope, sessions_of

api = Api("sessions")
NO_SUCH_SESSION = "There is no such session."


class Transcript(BaseModel):
    session: Session
    messages: list[Message]  # in the order they were stored


@api.route("GET /api/sessions")
def list_mine(caller: SignedIn, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[Session]:
    """The caller's own sessions, newest first (one Query)."""
    return sessions_of(caller.user_id, limit=limit)


@api.route("GET /api/sessions/{session_id}/messages", errors=[NotFound])
def transcript(session_id: str, caller: SignedIn) -> Transcript:
    if caller.role == Role.VISITOR and caller.scope != session_scope(session_id):
        raise NotFound(NO_SUCH_SESSION)
    session = get_session(session_id)
    if caller.role == Role.TECHNICIAN and caller.user_id != session.technician_id:
        raise NotFound(NO_SUCH_SESSION)
    return Transcript(session=session, messages=messages(session))
