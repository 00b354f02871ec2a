"""Support sessions: a technician and a visitor (who came by a session code, an invitation, or a
chat request from a portal that the technician accepted),
their messages in order, and the connections taking part, which are the only recipients of
the session's events.

    SESSION#<id> / SESSION        the session
    SESSION#<id> / MSG#<ms>#<id>  each message, in time order
    SESSION#<id> / CONN#<conn>    each connected participant (one Query finds every recipient)

Screen sharing (issue 15) lives on the session item, one map per direction, `screen_visitor` and
`screen_technician` (at most one share each, enforced by conditional writes): the share's id,
state, when it entered it, who asked or shares, and the two connections it relays between (the
sharer's and the viewer's, never shown to clients). This module alone reads and writes them; each
change is one transaction with the event message it leaves in the transcript.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .auth import Principal, Role, issue_token
from .data import Condition, ConditionFailed, TransactionCanceled, put_action, table, update_action
from .errors import Conflict, NotFound, ScreenBusy, SessionEnded
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


ScreenSide = Literal["visitor", "technician"]
ScreenState = Literal["requested", "accepted", "live"]
ScreenEvent = Literal["screen_requested", "screen_accepted", "screen_declined", "screen_started", "screen_stopped"]
SCREEN_SIDES: tuple[ScreenSide, ...] = ("visitor", "technician")


class ScreenShare(BaseModel):
    """One screen shown over WebRTC in a session, in one direction, as both sides see it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    id: str = Field(description="The share's id (url-safe random): what screen.* actions name.")
    from_: ScreenSide = Field(alias="from", description="Whose screen: the visitor's or the technician's.")
    state: ScreenState = Field(
        description="requested: waiting for the visitor's consent; accepted: their picker is open; "
        "live: the sharer has a stream and WebRTC starts."
    )
    by_name: str = Field(description="Who asked to see it (requested), or whose screen it is.")
    at_ms: int = Field(description="When it entered its state (epoch milliseconds).")


@dataclass(frozen=True)
class StoredShare:
    """A share as stored: with the two connections signals are relayed between ("" for a sharer
    not known yet: a requested share's)."""

    share: ScreenShare
    sharer_connection: str
    viewer_connection: str

    def is_end(self, connection_id: str) -> bool:
        """Whether the connection is the share's sharer or viewer."""
        return bool(connection_id) and connection_id in (self.sharer_connection, self.viewer_connection)

    def other_end(self, connection_id: str) -> str | None:
        """The connection a signal from `connection_id` goes to; None unless both ends are known
        and it is one of them."""
        if not (self.sharer_connection and self.viewer_connection and self.is_end(connection_id)):
            return None
        return self.viewer_connection if connection_id == self.sharer_connection else self.sharer_connection


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
    screens: list[ScreenShare] = Field(
        default_factory=list, description="The screens being shared (or asked for) now: at most one per direction."
    )
    _stored_screens: dict[ScreenSide, StoredShare] = PrivateAttr(default_factory=dict)


class Message(BaseModel):
    id: str
    session_id: str
    sender_role: str  # technician or visitor
    sender_name: str
    text: str = Field(description="What was written; a screen event's sentence (see screen_event_text).")
    at_ms: int
    event: ScreenEvent | None = Field(
        default=None, description="A screen-sharing event: what happened; absent for a chat message."
    )
    screen: ScreenSide | None = Field(default=None, description="A screen event's screen: whose it is.")
    reason: str | None = Field(
        default=None,
        description="Why a share was stopped or declined: stopped, declined, cancelled (the picker was "
        "dismissed), unsupported (the browser cannot share), failed (WebRTC failed), left, session_ended.",
    )


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
        **session.model_dump(mode="json", exclude={"id", "screens"}, exclude_none=True),
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
    stored = {
        side: _stored_share(side, item[_screen_attribute(side)])
        for side in SCREEN_SIDES
        if item.get(_screen_attribute(side))
    }
    session = Session.model_validate({**item, "id": item["session_id"], "screens": [s.share for s in stored.values()]})
    session._stored_screens = stored
    return session


def find_session(session_id: str, *, consistent: bool = False) -> Session | None:
    item = table().get(session_key(session_id), consistent=consistent) if session_id else None
    return session_from_item(item) if item is not None else None


def find_sessions(session_ids: Sequence[str], *, consistent: bool = False) -> list[Session | None]:
    """Several sessions, in the order of `session_ids` (None for one that does not exist): one
    BatchGetItem (none for no ids)."""
    items = table().get_many([session_key(session_id) for session_id in session_ids], consistent=consistent)
    return [session_from_item(item) if item is not None else None for item in items]


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
    """End an active session (once: a second end is a Conflict), and every screen share with it
    (the caller announces those it read: see end_screens)."""
    ended_at = int(time.time() if now is None else now)
    active = Condition(
        "attribute_exists(pk) AND #state = :active", {"#state": "state"}, {":active": SessionState.ACTIVE}
    )
    try:
        item = table().update(
            session_key(session_id),
            set_values={"state": SessionState.ENDED, "ended_at": ended_at, "ended_by": by},
            remove=[_screen_attribute(side) for side in SCREEN_SIDES],
            condition=active,
        )
    except ConditionFailed as error:
        get_session(session_id)  # NotFound if there is no such session
        raise Conflict("This session has already ended.") from error
    return session_from_item(item)


def new_message(
    session_id: str,
    sender_role: str,
    sender_name: str,
    text: str,
    *,
    now: float | None = None,
    event: ScreenEvent | None = None,
    screen: ScreenSide | None = None,
    reason: str | None = None,
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
        event=event,
        screen=screen,
        reason=reason,
    )
    return message, _message_item(message)


def _message_item(message: Message) -> dict[str, Any]:
    stored = message.model_dump(mode="json", exclude_none=True)
    return stamped(Entity.MESSAGE, message_key(message.session_id, message.at_ms, message.id), **stored)


def add_message(session: Session, sender: Principal, text: str, *, now: float | None = None) -> Message:
    message, item = new_message(session.id, sender.role, sender.name, text, now=now)
    table().put(item)
    return message


def messages(session: Session) -> list[Message]:
    """The session's messages in time order, each screen event with its sentence (one Query)."""
    items = table().query(session_partition(session.id), sort_prefix=MESSAGE_PREFIX)
    return [_worded(session, Message.model_validate(item)) for item in items]


def _worded(session: Session, message: Message) -> Message:
    """A screen event stored before events were stored in words (its text empty) gets them now."""
    if message.event is None or message.text:
        return message
    return message.model_copy(update={"text": screen_event_text(session, message)})


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

    A screen event is a line of its own, its sentence (see screen_event_text):

    >>> print(transcript_text(s, [Message(id="m", session_id="s1", sender_role="technician",
    ...       sender_name="Ted", text="Ted asked to see the screen.", at_ms=1773342241000,
    ...       event="screen_requested", screen="visitor")]).splitlines()[-1])
    [19:04:01] Ted asked to see the screen.
    """
    started = datetime.fromtimestamp(session.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Chat between {session.technician_name} and {session.visitor_name}, {started}", ""]
    for message in said:
        at = datetime.fromtimestamp(message.at_ms / 1000, UTC).strftime("%H:%M:%S")
        if message.event is not None:
            lines.append(f"[{at}] {message.text}")
            continue
        text = message.text.replace("\n", "\n  ")
        lines.append(f"[{at}] {message.sender_name}: {text}")
    return "\n".join(lines)


_WHY = {
    "cancelled": "the screen picker was dismissed",
    "unsupported": "this browser cannot share a screen",
    "failed": "the connection failed",
    "left": "they left",
    "session_ended": "the session ended",
}


def screen_event_text(session: Session, message: Message) -> str:
    """A screen event as a sentence: the event message's text, stored with it (screen_message), so
    the console's thread, Recent chats, its downloaded transcript and the ticket's transcript all
    say the same words. (The customer's pages say them in the visitor's language: screen.js.)

    >>> s = Session(id="s1", technician_id="t", technician_name="Ted", visitor_name="Carla",
    ...             origin="code", origin_ref="123456789", created_at=1773342238)
    >>> def said(role, name, event, screen="visitor", reason=None):
    ...     m = Message(id="m", session_id="s1", sender_role=role, sender_name=name, text="",
    ...                 at_ms=0, event=event, screen=screen, reason=reason)
    ...     return screen_event_text(s, m)
    >>> said("technician", "Ted", "screen_requested")
    'Ted asked to see the screen.'
    >>> said("visitor", "Carla", "screen_declined", reason="unsupported")
    'Carla declined to share their screen (this browser cannot share a screen).'
    >>> said("visitor", "Carla", "screen_stopped", reason="failed")
    'Carla stopped sharing their screen (the connection failed).'
    >>> said("technician", "Ted", "screen_stopped", reason="stopped")
    "Ted stopped the sharing of Carla's screen."
    >>> said("technician", "Ted", "screen_started", screen="technician")
    'Ted shared their screen.'
    >>> said("visitor", "", "screen_stopped", reason="left")
    'The customer stopped sharing their screen (they left).'
    """
    reason = message.reason or ""
    who = message.sender_name or ("The customer" if message.sender_role == Role.VISITOR else "The technician")
    why = f" ({_WHY[reason]})" if reason in _WHY else ""
    own = message.screen == ("visitor" if message.sender_role == Role.VISITOR else "technician")
    owner = session.visitor_name if message.screen == "visitor" else session.technician_name
    match message.event:
        case "screen_requested":
            return f"{who} asked to see the screen."
        case "screen_accepted":
            return f"{who} agreed to share their screen."
        case "screen_declined":
            return f"{who} declined to share their screen{why}."
        case "screen_started":
            return f"{who} shared their screen." if own else f"{who} started the sharing of {owner}'s screen."
        case _:
            return (
                f"{who} stopped sharing their screen{why}."
                if own
                else f"{who} stopped the sharing of {owner}'s screen{why}."
            )


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


# --- screen sharing (issue 15): the session item's screen_visitor / screen_technician ----------


def _screen_attribute(side: ScreenSide) -> str:
    return f"screen_{side}"


def _stored_share(side: ScreenSide, stored: dict[str, Any]) -> StoredShare:
    share = ScreenShare.model_validate(
        {
            "id": stored["id"],
            "from": side,
            "state": stored["state"],
            "by_name": stored["by_name"],
            "at_ms": stored["at_ms"],
        }
    )
    return StoredShare(share, stored.get("sharer_connection", ""), stored.get("viewer_connection", ""))


def stored_share(session: Session, share_id: str) -> StoredShare | None:
    """The session's share with this id, with its connections, as the session was read."""
    return next((s for s in session._stored_screens.values() if s.share.id == share_id), None)


def stored_shares(session: Session) -> list[StoredShare]:
    """Every share of the session as it was read (the visitor's first)."""
    return [session._stored_screens[side] for side in SCREEN_SIDES if side in session._stored_screens]


def new_share(
    side: ScreenSide, state: ScreenState, by_name: str, *, sharer: str, viewer: str, now: float | None = None
) -> StoredShare:
    at_ms = int((time.time() if now is None else now) * 1000)
    share = ScreenShare.model_validate(
        {"id": secrets.token_urlsafe(12), "from": side, "state": state, "by_name": by_name, "at_ms": at_ms}
    )
    return StoredShare(share, sharer, viewer)


def moved_share(
    was: StoredShare, state: ScreenState, *, sharer: str | None = None, now: float | None = None
) -> StoredShare:
    """The share in its next state (entered now), with its sharer connection if it is known now."""
    at_ms = int((time.time() if now is None else now) * 1000)
    share = was.share.model_copy(update={"state": state, "at_ms": at_ms})
    return StoredShare(share, was.sharer_connection if sharer is None else sharer, was.viewer_connection)


def screen_message(
    session: Session, sender: Principal, event: ScreenEvent, screen: ScreenSide, reason: str | None = None
) -> tuple[Message, dict[str, Any]]:
    """The transcript's line for a screen event, its text the event in words, and its item."""
    bare, _ = new_message(session.id, sender.role, sender.name, "", event=event, screen=screen, reason=reason)
    message = bare.model_copy(update={"text": screen_event_text(session, bare)})
    return message, _message_item(message)


def open_share(session_id: str, stored: StoredShare, event: dict[str, Any]) -> None:
    """Store a new share, with its event message (one transaction), if the session is active and
    has no share from that side: SessionEnded if it has ended meanwhile (the refusal carries the
    session as the condition found it, so telling the two apart costs no request), ScreenBusy else."""
    attribute = _screen_attribute(stored.share.from_)
    free = Condition(
        "#state = :active AND attribute_not_exists(#screen)",
        {"#state": "state", "#screen": attribute},
        {":active": SessionState.ACTIVE},
    )
    action = update_action(
        session_key(session_id), set_values={attribute: _map(stored)}, condition=free, old_if_refused=True
    )
    try:
        table().transact([action, put_action(event)])
    except TransactionCanceled as error:
        found = error.items[0]
        if found is not None and found.get("state") != SessionState.ACTIVE:
            raise SessionEnded("This session has ended.") from error
        raise ScreenBusy("A screen is already shared (or asked for) in that direction.") from error


def change_share(session_id: str, was: StoredShare, now: StoredShare, event: dict[str, Any]) -> None:
    """Replace a share by its next state, with its event message, if it is still as it was read;
    NotFound else (it ended, or changed, meanwhile)."""
    attribute = _screen_attribute(was.share.from_)
    action = update_action(session_key(session_id), set_values={attribute: _map(now)}, condition=_still(was))
    _transact_or_gone([action, put_action(event)])


def close_share(session_id: str, was: StoredShare, event: dict[str, Any]) -> None:
    """Remove a share, with its event message, if it is still the one read; NotFound else."""
    action = update_action(session_key(session_id), remove=[_screen_attribute(was.share.from_)], condition=_still(was))
    _transact_or_gone([action, put_action(event)])


def _still(stored: StoredShare) -> Condition:
    return Condition(
        "#screen.#id = :id AND #screen.#state = :state",
        {"#screen": _screen_attribute(stored.share.from_), "#id": "id", "#state": "state"},
        {":id": stored.share.id, ":state": stored.share.state},
    )


def _transact_or_gone(actions: list[Any]) -> None:
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise NotFound("There is no such screen share.") from error


def _map(stored: StoredShare) -> dict[str, Any]:
    share = stored.share
    kept = {"id": share.id, "state": share.state, "at_ms": share.at_ms, "by_name": share.by_name}
    ends = {"sharer_connection": stored.sharer_connection, "viewer_connection": stored.viewer_connection}
    return kept | {name: value for name, value in ends.items() if value}


def add_screen_messages(items: Sequence[dict[str, Any]]) -> None:
    """Store event messages written without a share change (the session's end removed the shares)."""
    if items:
        table().write_batch(puts=items)
