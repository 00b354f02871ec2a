"""Support sessions: a technician and a visitor (who came by a session code, an invitation, or a
chat request from a portal that the technician accepted),
their messages in order, and the connections taking part, which are the only recipients of
the session's events.

    SESSION#<id> / SESSION        the session
    SESSION#<id> / MSG#<ms>#<id>  each message, in time order
    SESSION#<id> / CONN#<conn>    each connected participant (one Query finds every recipient)
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from .auth import Principal, Role, issue_token
from .data import Condition, ConditionFailed, table
from .errors import Conflict, NotFound
from .realtime import MAX_CONNECTION_SECONDS, RECORD_MARGIN_SECONDS, Delivery, push, settled
from .settings import get_settings
from .table import (
    GSI1,
    MESSAGE_PREFIX,
    PARTICIPANT_PREFIX,
    Entity,
    message_key,
    participant_key,
    session_index,
    session_key,
    session_partition,
    stamped,
    technician_sessions,
)

VISITOR_TOKEN_SECONDS = 8 * 3600
Origin = Literal["code", "invitation", "chat"]
MAX_MESSAGE_CHARS = 4000


class SessionState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Session(BaseModel):
    id: str
    technician_id: str
    technician_name: str
    visitor_name: str
    origin: Origin
    origin_ref: str  # the code's digits, the invitation's token, or the chat request's id
    origin_name: str = ""  # the code's name (what the technician called it), if any
    company_id: str = ""
    state: SessionState = SessionState.ACTIVE
    created_at: int
    ended_at: int | None = None
    ended_by: str | None = None


class Message(BaseModel):
    id: str
    session_id: str
    sender_role: str  # technician or visitor
    sender_name: str
    text: str
    at_ms: int


def new_session(
    *,
    technician_id: str,
    technician_name: str,
    visitor_name: str,
    origin: Origin,
    origin_ref: str,
    origin_name: str = "",
    company_id: str = "",
    now: float | None = None,
) -> tuple[Session, dict[str, Any]]:
    """A session and the item that stores it (to put in the same transaction as what starts it)."""
    session = Session(
        id=secrets.token_urlsafe(12),
        technician_id=technician_id,
        technician_name=technician_name,
        visitor_name=visitor_name,
        origin=origin,
        origin_ref=origin_ref,
        origin_name=origin_name,
        company_id=company_id,
        created_at=int(time.time() if now is None else now),
    )
    item = stamped(
        Entity.SESSION,
        session_key(session.id),
        session_index(technician_id, session.created_at, session.id),
        **session.model_dump(mode="json", exclude={"id"}, exclude_none=True),
        session_id=session.id,
    )
    return session, item


def visitor_token(session: Session) -> tuple[str, int]:
    """The visitor's access token: good for this one session only."""
    principal = Principal(
        user_id=f"visitor-{session.id}", role=Role.VISITOR, name=session.visitor_name, scope=session_scope(session.id)
    )
    return issue_token(principal, ttl_seconds=VISITOR_TOKEN_SECONDS)


class SessionEntry(BaseModel):
    """What a visitor needs to take part: their session, a token for it alone, where to connect."""

    session_id: str
    token: str
    expires_at: int
    websocket_url: str
    technician_name: str


def session_entry(session: Session) -> SessionEntry:
    token, expires_at = visitor_token(session)
    return SessionEntry(
        session_id=session.id,
        token=token,
        expires_at=expires_at,
        websocket_url=get_settings().websocket_url,
        technician_name=session.technician_name,
    )


def session_scope(session_id: str) -> str:
    return f"session:{session_id}"


def session_from_item(item: dict[str, Any]) -> Session:
    return Session.model_validate({**item, "id": item["session_id"]})


def find_session(session_id: str, *, consistent: bool = False) -> Session | None:
    item = table().get(session_key(session_id), consistent=consistent) if session_id else None
    return session_from_item(item) if item is not None else None


def get_session(session_id: str, *, consistent: bool = False) -> Session:
    session = find_session(session_id, consistent=consistent)
    if session is None:
        raise NotFound("There is no such session.")
    return session


def taking_part(session_id: str, connection_id: str) -> tuple[dict[str, Any], Session] | None:
    """The connection's participant item and the session, read together (strongly consistent: both
    were usually written a moment before); None unless both exist."""
    participant, item = table().get_many(
        [participant_key(session_id, connection_id), session_key(session_id)], consistent=True
    )
    return (participant, session_from_item(item)) if participant is not None and item is not None else None


def may_take_part(principal: Principal, session: Session) -> bool:
    if principal.role == Role.VISITOR:
        return principal.scope == session_scope(session.id)
    return principal.user_id == session.technician_id


def sessions_of(technician_id: str, *, limit: int = 50) -> list[Session]:
    items = table().query(technician_sessions(technician_id), index=GSI1.name, newest_first=True, limit=limit)
    return [session_from_item(item) for item in items]


def end_session(session_id: str, by: str, *, now: float | None = None) -> Session:
    """End an active session (once: a second end is a Conflict)."""
    ended_at = int(time.time() if now is None else now)
    active = Condition(
        "attribute_exists(pk) AND #state = :active", {"#state": "state"}, {":active": SessionState.ACTIVE}
    )
    try:
        item = table().update(
            session_key(session_id),
            set_values={"state": SessionState.ENDED, "ended_at": ended_at, "ended_by": by},
            condition=active,
        )
    except ConditionFailed as error:
        get_session(session_id)  # NotFound if there is no such session
        raise Conflict("This session has already ended.") from error
    return session_from_item(item)


def new_message(
    session_id: str, sender_role: str, sender_name: str, text: str, *, now: float | None = None
) -> tuple[Message, dict[str, Any]]:
    """A message and the item that stores it."""
    at_ms = int((time.time() if now is None else now) * 1000)
    message = Message(
        id=secrets.token_hex(4),
        session_id=session_id,
        sender_role=sender_role,
        sender_name=sender_name,
        text=text,
        at_ms=at_ms,
    )
    item = stamped(Entity.MESSAGE, message_key(session_id, at_ms, message.id), **message.model_dump(mode="json"))
    return message, item


def add_message(session: Session, sender: Principal, text: str, *, now: float | None = None) -> Message:
    message, item = new_message(session.id, sender.role, sender.name, text, now=now)
    table().put(item)
    return message


def messages(session_id: str) -> list[Message]:
    items = table().query(session_partition(session_id), sort_prefix=MESSAGE_PREFIX)
    return [Message.model_validate(item) for item in items]


def transcript_text(session: Session, said: Sequence[Message]) -> str:
    """A session's chat as plain text (a ticket keeps it as a file): a heading, then one line per
    message with its time (UTC) and who wrote it.

    >>> s = Session(id="s1", technician_id="t", technician_name="Ted", visitor_name="Carla",
    ...             origin="code", origin_ref="123456789", created_at=1773342238)
    >>> print(transcript_text(s, [Message(id="m", session_id="s1", sender_role="visitor",
    ...       sender_name="Carla", text="Hi\\nthere", at_ms=1773342240000)]))
    Chat between Ted and Carla, 2026-03-12 19:03 UTC
    <BLANKLINE>
    [19:04:00] Carla: Hi
      there
    """
    started = datetime.fromtimestamp(session.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Chat between {session.technician_name} and {session.visitor_name}, {started}", ""]
    for message in said:
        at = datetime.fromtimestamp(message.at_ms / 1000, UTC).strftime("%H:%M:%S")
        text = message.text.replace("\n", "\n  ")
        lines.append(f"[{at}] {message.sender_name}: {text}")
    return "\n".join(lines)


def join(session: Session, connection_id: str, principal: Principal, *, now: float | None = None) -> None:
    """Make a connection a recipient of the session's events until it closes."""
    joined_at = int(time.time() if now is None else now)
    table().put(
        stamped(
            Entity.PARTICIPANT,
            participant_key(session.id, connection_id),
            connection_id=connection_id,
            user_id=principal.user_id,
            role=principal.role,
            name=principal.name,
            joined_at=joined_at,
            expires_at=joined_at + MAX_CONNECTION_SECONDS + RECORD_MARGIN_SECONDS,
        )
    )


def leave(session_id: str, connection_id: str) -> None:
    table().delete(participant_key(session_id, connection_id))


def participants(session_id: str) -> list[dict[str, Any]]:
    """The participant items of a session (one Query): connection_id, user_id, role, name."""
    return table().query(session_partition(session_id), sort_prefix=PARTICIPANT_PREFIX)


def publish(
    session_id: str, event: dict[str, Any], *, exclude: str | None = None, recipients: list[str] | None = None
) -> Delivery:
    """Send an event to the session's participants only: one Query (none when the recipients are
    already known), parallel posts. A participant whose connection is gone is dropped from the
    session, unless it joined moments ago (its $connect may still be running: see realtime)."""
    targets = [p["connection_id"] for p in participants(session_id)] if recipients is None else recipients
    delivery = push([c for c in targets if c != exclude], event)
    for gone in delivery.gone:
        with contextlib.suppress(ConditionFailed):
            table().delete(participant_key(session_id, gone), condition=settled("joined_at"))
    return delivery
