"""Operator presence over the WebSocket: the console's heartbeat, reading and changing one's
status, channels and notification methods. Each answer is the caller's presence as the console
shows it: with the channels an admin assigned them and the channel lock applied
(deskless.presence.OperatorPresence).

A console connecting counts as a heartbeat, the console then sends one every
HEARTBEAT_EVERY_SECONDS, and the user's last console closing clears it at once, so a portal
never promises a chat that nobody's console would hear of (deskless.presence.available).
"""

from __future__ import annotations

from typing import Any

from deskless.presence import (
    OperatorPresence,
    change_presence,
    console_closed,
    heartbeat,
    operator_presence,
    with_assignment,
)
from deskless.realtime import connections_of
from deskless.websocket import WebSocketRequest

from .actions import PresenceSet


def console_opened(user_id: str) -> None:
    heartbeat(user_id)


def console_left(connection_id: str, user_id: str) -> None:
    """A staff connection closed: if it was the user's last, they stop being available now.

    A console that connects meanwhile (a page reloading) saves its connection before its
    heartbeat: if it did so between our look and our clearing, the second look finds it and
    the heartbeat is given back; if later, its own heartbeat comes after our clearing. The
    closed connection's item is already deleted, but the index that lists a user's connections
    may still show it for a moment, so it is left out by id."""

    def others() -> list[str]:
        return [other for other in connections_of(user_id) if other != connection_id]

    if not others():
        console_closed(user_id)
        if others():
            heartbeat(user_id)


def beat(request: WebSocketRequest) -> dict[str, Any]:
    """`heartbeat`: the console is still there (the answer also brings an admin's changes to it)."""
    return _answer(with_assignment(heartbeat(request.caller.user_id)))


def get(request: WebSocketRequest) -> dict[str, Any]:
    """`presence.get`: the caller's presence."""
    return _answer(operator_presence(request.caller.user_id, consistent=True))


def change(request: WebSocketRequest, change: PresenceSet) -> dict[str, Any]:
    """`presence.set`: change what is given."""
    notify = change.notify.model_dump(exclude_none=True) if change.notify is not None else None
    updated = change_presence(
        request.caller.user_id,
        status=change.status,
        reason=change.reason,
        auto=change.auto,
        channels=change.channels,
        notify=notify,
    )
    return _answer(updated)


def _answer(presence: OperatorPresence) -> dict[str, Any]:
    return {"type": "presence", "presence": presence.model_dump(mode="json")}
