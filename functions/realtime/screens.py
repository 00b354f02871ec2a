"""Screen sharing in a support session (issue 15), signalled over the WebSocket: the technician
asks to see the visitor's screen or shares their own; WebRTC's offers, answers and ICE candidates
are relayed between the share's two connections and nobody else; either side stops it; the
session's end and a side's $disconnect end it too. Media never passes through here.

Each share is stored on the session item (deskless.sessions owns it: one share per direction,
by conditional writes) together with its event message in the transcript, in one transaction;
every change is announced to the session's participants as `screen.update` / `screen.ended`
with a `chat.message` carrying the event, so both sides' threads show it in order.

A signal is hot (a dozen ICE candidates per share): it costs the one strongly consistent read
every session action makes (the participant item and the session, one BatchGetItem) and one post.
"""

from __future__ import annotations

from typing import Any

from deskless.auth import Principal, Role
from deskless.data import Item
from deskless.errors import NotFound, ScreenBusy, SessionEnded, VisitorAbsent
from deskless.realtime import push
from deskless.sessions import (
    Message,
    ScreenSide,
    Session,
    SessionState,
    StoredShare,
    add_screen_messages,
    change_share,
    close_share,
    moved_share,
    new_share,
    open_share,
    participants,
    publish,
    screen_message,
    stored_share,
    stored_shares,
)
from deskless.websocket import WebSocketRequest

from . import ice
from .actions import OnSession, OnShare, ScreenAnswer, ScreenSignal, ScreenStop
from .callers import VISITOR_SIDE, public, side, speaker, taking_part_in

NO_SUCH_SHARE = "There is no such screen share."


def request(call: WebSocketRequest, body: OnSession) -> dict[str, Any]:
    """`screen.request`: the technician asks to see the visitor's screen; it waits for consent."""
    participant, session = _active(call.connection_id, body.session)
    people = participants(session.id)
    if not any(p.get("role") == Role.VISITOR for p in people):
        raise VisitorAbsent("The customer is not connected: there is nobody to ask.")
    _free(session, "visitor")
    technician = speaker(participant, session)
    stored = new_share("visitor", "requested", technician.name, sharer="", viewer=call.connection_id)
    message, item = screen_message(session, technician, "screen_requested", "visitor")
    open_share(session.id, stored, item)
    _announce(session.id, people, stored, message)
    return _ok(stored)


def answer(call: WebSocketRequest, body: ScreenAnswer) -> dict[str, Any]:
    """`screen.answer`: the visitor's consent to a request (their picker opens next), or a refusal."""
    participant, session = _active(call.connection_id, body.session)
    was = stored_share(session, body.share)
    if was is None or was.share.from_ != VISITOR_SIDE or was.share.state != "requested":
        raise NotFound(NO_SUCH_SHARE)
    visitor = speaker(participant, session)
    if not body.accept:
        message, item = screen_message(session, visitor, "screen_declined", "visitor", body.reason)
        close_share(session.id, was, item)
        _ended(session.id, was, message, by=VISITOR_SIDE, reason=body.reason)
        return _ok(was)
    now = moved_share(was, "accepted", sharer=call.connection_id)
    message, item = screen_message(session, visitor, "screen_accepted", "visitor")
    change_share(session.id, was, now, item)
    _announce(session.id, participants(session.id), now, message)
    return _ok(now)


def start(call: WebSocketRequest, body: OnShare) -> dict[str, Any]:
    """`screen.start`: the sharer has its stream; the share is live and WebRTC starts."""
    participant, session = _active(call.connection_id, body.session)
    was = stored_share(session, body.share)
    if was is None or was.sharer_connection != call.connection_id or was.share.state != "accepted":
        raise NotFound(NO_SUCH_SHARE)
    now = moved_share(was, "live")
    message, item = screen_message(session, speaker(participant, session), "screen_started", was.share.from_)
    change_share(session.id, was, now, item)
    _announce(session.id, participants(session.id), now, message)
    return _ok(now)


def share(call: WebSocketRequest, body: OnSession) -> dict[str, Any]:
    """`screen.share`: the technician shares their own screen (picked already) with the visitor
    who joined last."""
    participant, session = _active(call.connection_id, body.session)
    people = participants(session.id)
    visitors = sorted((p for p in people if p.get("role") == Role.VISITOR), key=lambda p: int(p.get("joined_at", 0)))
    if not visitors:
        raise VisitorAbsent("The customer is not connected: there is nobody to show your screen to.")
    _free(session, "technician")
    technician = speaker(participant, session)
    viewer = str(visitors[-1]["connection_id"])
    stored = new_share("technician", "live", technician.name, sharer=call.connection_id, viewer=viewer)
    message, item = screen_message(session, technician, "screen_started", "technician")
    open_share(session.id, stored, item)
    _announce(session.id, people, stored, message)
    return _ok(stored)


def signal(call: WebSocketRequest, body: ScreenSignal) -> dict[str, Any]:
    """`screen.signal`: an offer, answer or ICE candidate, relayed to the share's other end only."""
    _, session = _active(call.connection_id, body.session)
    found = stored_share(session, body.share)
    other = found.other_end(call.connection_id) if found is not None else None
    if found is None or other is None or found.share.state not in ("accepted", "live"):
        raise NotFound(NO_SUCH_SHARE)
    push([other], {"type": "screen.signal", "session": session.id, "share": found.share.id, **body.relayed()})
    return {"type": "screen.signal.ok"}


def stop(call: WebSocketRequest, body: ScreenStop) -> dict[str, Any]:
    """`screen.stop`: either side ends a share, whatever its state."""
    participant, session = _active(call.connection_id, body.session)
    was = stored_share(session, body.share)
    if was is None:
        raise NotFound(NO_SUCH_SHARE)
    who = speaker(participant, session)
    message, item = screen_message(session, who, "screen_stopped", was.share.from_, body.reason)
    close_share(session.id, was, item)
    _ended(session.id, was, message, by=side(participant["role"]), reason=body.reason)
    return _ok(was)


def ice_servers(call: WebSocketRequest, body: OnSession) -> dict[str, Any]:
    """`screen.ice`: the STUN and TURN servers both peers use (short-lived TURN credentials)."""
    _active(call.connection_id, body.session)
    servers, expires_at_ms = ice.servers()
    return {"type": "screen.ice", "ice_servers": servers, "expires_at_ms": expires_at_ms}


# --- ended by the session's end, or by a side leaving -------------------------------------------


def ended_with_session(session: Session, by: Principal, people: list[str]) -> None:
    """After `session.end` (which removed the shares): record and announce each share it ended,
    as the session was read just before, to the session's connections (`people`), so both sides
    tear down before `session.ended`."""
    shares = stored_shares(session)
    if not shares:
        return
    events = [screen_message(session, by, "screen_stopped", s.share.from_, "session_ended") for s in shares]
    add_screen_messages([item for _, item in events])
    for stored, (message, _) in zip(shares, events, strict=True):
        _ended(session.id, stored, message, by=side(by.role), reason="session_ended", recipients=people)


def left(session: Session, connection_id: str, connection: Item, *, recipients: list[str]) -> None:
    """$disconnect: the shares of the session (as read just before) this connection was the sharer
    or viewer of end (reason `left`), told to the session's other participants (`recipients`)."""
    mine = [s for s in stored_shares(session) if s.is_end(connection_id)]
    if not mine:
        return
    session_id = session.id
    role = Role.VISITOR if connection.get("role") == Role.VISITOR else Role.TECHNICIAN
    leaver = Principal(user_id=str(connection.get("user_id", "")), role=role, name=str(connection.get("name", "")))
    for stored in mine:
        message, item = screen_message(session, leaver, "screen_stopped", stored.share.from_, "left")
        try:
            close_share(session_id, stored, item)
        except NotFound:
            continue  # ended meanwhile, by someone else
        _ended(session_id, stored, message, by=side(role), reason="left", recipients=recipients)


# --- helpers -------------------------------------------------------------------------------------


def _active(connection_id: str, session_id: str) -> tuple[Item, Session]:
    participant, session = taking_part_in(connection_id, session_id)
    if session.state != SessionState.ACTIVE:
        raise SessionEnded("This session has ended.")
    return participant, session


def _free(session: Session, direction: ScreenSide) -> None:
    if any(s.share.from_ == direction for s in stored_shares(session)):
        raise ScreenBusy("A screen is already shared (or asked for) in that direction.")


def _announce(session_id: str, people: list[Item], stored: StoredShare, message: Message) -> None:
    """A share created or changed: `screen.update` and the event's `chat.message`, to every participant."""
    recipients = [p["connection_id"] for p in people]
    publish(
        session_id, {"type": "screen.update", "session": session_id, "share": _public(stored)}, recipients=recipients
    )
    publish(session_id, _chat_message(session_id, message), recipients=recipients)


def _ended(
    session_id: str,
    stored: StoredShare,
    message: Message,
    *,
    by: str,
    reason: str,
    recipients: list[str] | None = None,
) -> None:
    people = [p["connection_id"] for p in participants(session_id)] if recipients is None else recipients
    ended = {"type": "screen.ended", "session": session_id, "share": _public(stored), "by": by, "reason": reason}
    publish(session_id, ended, recipients=people)
    publish(session_id, _chat_message(session_id, message), recipients=people)


def _chat_message(session_id: str, message: Message) -> dict[str, Any]:
    return {"type": "chat.message", "session": session_id, "message": public(message)}


def _public(stored: StoredShare) -> dict[str, Any]:
    return stored.share.model_dump(mode="json")


def _ok(stored: StoredShare) -> dict[str, Any]:
    return {"type": "screen.ok", "share": _public(stored)}
