"""Support sessions over the WebSocket: who may take part, chat messages both ways, ending.

A session's events go to its participants only: one Query finds their connections
(SESSION#<id> / CONN#...), the posts go out in parallel, and a connection API Gateway answers
410 Gone for is dropped, its participant item with it, never retried.

Who sends a message comes with it (deskless.websocket); whether they take part in a session is
read from what $connect and `session.join` stored: the participant item of this connection in
that session (chat.send, session.end), read in one BatchGetItem with the session, strongly
consistent, since both were usually written a moment before (redemption, then $connect, then
the first message).

The connection item also keeps `name` and the set `sessions` it joined, so $disconnect can
leave each of them and tell the others who left.
"""

from __future__ import annotations

from typing import Any

from deskless.auth import Principal, Role
from deskless.data import ConditionFailed, Item
from deskless.errors import Conflict, Forbidden, NotFound, NotParticipant, SessionEnded
from deskless.realtime import get_connection, remember_session, remove_connection, save_connection
from deskless.sessions import (
    Session,
    SessionState,
    add_message,
    end_session,
    find_session,
    find_sessions,
    get_session,
    join,
    leave,
    may_take_part,
    messages,
    participants,
    publish,
)
from deskless.websocket import WebSocketRequest

from . import screens
from .actions import ChatSend, SessionEnd, SessionJoin
from .callers import TECHNICIAN_SIDE, VISITOR_SIDE, public, side, speaker, taking_part_in

# --- entering and leaving -------------------------------------------------------------------


def connect(connection_id: str, principal: Principal, *, source_ip: str) -> None:
    """$connect: staff connect to their console; a visitor's token must name an active session,
    which the connection joins at once (the others are told; API Gateway forbids posting to a
    connection during its own $connect, so the visitor learns its state from the transcript)."""
    session = _visitors_session(principal) if principal.role == Role.VISITOR else None
    save_connection(connection_id, principal, source_ip=source_ip)
    if session is None:
        return
    remember_session(connection_id, session.id, principal.name)  # before joining: nothing posts to it until then
    join(session, connection_id, principal)
    joined = {"type": "participant.joined", "session": session.id, "role": VISITOR_SIDE, "name": principal.name}
    publish(session.id, joined, exclude=connection_id)


def join_as_staff(call: WebSocketRequest, request: SessionJoin) -> dict[str, Any]:
    """`session.join`: the session's technician (or an admin) joins from the console and gets
    the transcript so far; another technician's session is not found, as if it did not exist."""
    caller = call.caller
    session = get_session(request.session, consistent=True)
    if caller.role != Role.ADMIN and caller.user_id != session.technician_id:
        raise NotFound("There is no such session.")
    if session.state != SessionState.ACTIVE:
        raise SessionEnded("This session has ended; its transcript can still be read.")
    return enter(call.connection_id, session, caller)


def enter(connection_id: str, session: Session, staff: Principal) -> dict[str, Any]:
    """A staff connection joins an active session it may take part in (session.join, or accepting
    a chat request): the others are told, and it gets the transcript so far."""
    join(session, connection_id, staff)
    try:
        remember_session(connection_id, session.id, staff.name)
    except ConditionFailed as error:  # the socket closed while joining
        leave(session.id, connection_id)
        raise NotParticipant("This connection has closed.") from error
    people = participants(session.id)
    joined = {"type": "participant.joined", "session": session.id, "role": TECHNICIAN_SIDE, "name": staff.name}
    publish(session.id, joined, exclude=connection_id, recipients=[p["connection_id"] for p in people])
    return {
        "type": "session.joined",
        "session": session.model_dump(mode="json"),
        "messages": [public(message) for message in messages(session)],
        "visitor_present": any(p.get("role") == Role.VISITOR for p in people),
    }


def disconnect(connection_id: str) -> Item | None:
    """$disconnect (best effort: TTL removes what it misses): forget the connection, leave each
    session it joined, and tell the others there. The connection as it was, if it was known."""
    connection = get_connection(connection_id, consistent=True)  # `sessions` may be moments old
    remove_connection(connection_id)
    if connection is None:
        return None
    left = {"type": "participant.left", "role": side(connection["role"]), "name": connection.get("name", "")}
    session_ids = sorted(connection.get("sessions", ()))
    joined = find_sessions(session_ids, consistent=True)  # their shares, in one BatchGetItem
    for session_id, session in zip(session_ids, joined, strict=True):
        leave(session_id, connection_id)
        people = [p["connection_id"] for p in participants(session_id)]  # one Query for every announcement
        if session is not None:
            screens.left(session, connection_id, connection, recipients=people)
        publish(session_id, {**left, "session": session_id}, recipients=people)
    return connection


# --- in a session -----------------------------------------------------------------------------


def send(call: WebSocketRequest, request: ChatSend) -> dict[str, Any]:
    """`chat.send`: store the message, then publish it to every participant, the sender too, so
    each screen shows the stored order."""
    participant, session = taking_part_in(call.connection_id, request.session)
    if session.state != SessionState.ACTIVE:
        raise SessionEnded("This session has ended; messages can no longer be sent.")
    message = add_message(session, speaker(participant, session), request.text)
    publish(session.id, {"type": "chat.message", "session": session.id, "message": public(message)})
    return {"type": "chat.sent", "message_id": message.id, "at_ms": message.at_ms}


def end(call: WebSocketRequest, request: SessionEnd) -> dict[str, Any]:
    """`session.end`: either side ends the session once; every participant is told who did."""
    participant, session = taking_part_in(call.connection_id, request.session)
    by = side(participant["role"])
    try:
        end_session(session.id, by)  # and its screen shares
    except Conflict as error:
        raise SessionEnded("This session has already ended.") from error
    people = [p["connection_id"] for p in participants(session.id)]  # one Query for both announcements
    screens.ended_with_session(session, speaker(participant, session), people)
    publish(session.id, {"type": "session.ended", "session": session.id, "by": by}, recipients=people)
    return {"type": "session.end.ok", "session": session.id}


# --- helpers ----------------------------------------------------------------------------------


def _visitors_session(principal: Principal) -> Session:
    """The active session a visitor's token is scoped to, or a refusal of the connection."""
    session_id = principal.scope.removeprefix("session:") if principal.scope.startswith("session:") else ""
    session = find_session(session_id, consistent=True)
    if session is None:
        raise Forbidden("This token does not name a support session.")
    if not may_take_part(principal, session):
        raise Forbidden("This token is for another session.")
    if session.state != SessionState.ACTIVE:
        raise SessionEnded("This session has ended.")
    return session
