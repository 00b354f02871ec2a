"""The WebSocket API, one row per action: consoles and visitors connect; a connection is stored on
$connect and dropped on $disconnect (connections.py); `ping` keeps it alive; operators keep their
presence (presence.py) and work the chat queue, visitors wait on their chat request
(chat_queue.py); support sessions are joined, chatted in and ended (chat.py), and screens shared
in them (screens.py, ice.py). Who may send each
action is the catalog's to say (deskless.catalog.WEBSOCKET_ROUTES), checked by deskless.websocket."""

from __future__ import annotations

import time
from typing import Any

from deskless.errors import InvalidRequest
from deskless.websocket import Action, WebSocketApp, WebSocketRequest

from . import chat, chat_queue, connections, presence, screens
from .actions import (
    ChatAccept,
    ChatSend,
    OnSession,
    OnShare,
    PresenceSet,
    ScreenAnswer,
    ScreenSignal,
    ScreenStop,
    SessionEnd,
    SessionJoin,
)


def ping(request: WebSocketRequest) -> dict[str, Any]:
    return {"type": "pong", "echo": request.message.get("id"), "server_time": int(time.time() * 1000)}


def unknown(request: WebSocketRequest) -> None:
    action = request.message.get("action")
    raise InvalidRequest(f"Unknown action {action!r}." if action else "Messages need an action.")


app = WebSocketApp(
    "realtime",
    {
        "$connect": Action(connections.opened),
        "$disconnect": Action(connections.closed),
        "$default": Action(unknown),
        "ping": Action(ping),
        # presence
        "heartbeat": Action(presence.beat),
        "presence.get": Action(presence.get),
        "presence.set": Action(presence.change, PresenceSet),
        # the chat queue
        "queue.list": Action(chat_queue.waiting_for),
        "chat.accept": Action(chat_queue.take, ChatAccept),
        "chat.status": Action(chat_queue.status),
        "chat.withdraw": Action(chat_queue.withdraw_request),
        # support sessions
        "session.join": Action(chat.join_as_staff, SessionJoin),
        "chat.send": Action(chat.send, ChatSend),
        "session.end": Action(chat.end, SessionEnd),
        # screen sharing in a session (issue 15)
        "screen.request": Action(screens.request, OnSession),
        "screen.answer": Action(screens.answer, ScreenAnswer),
        "screen.start": Action(screens.start, OnShare),
        "screen.share": Action(screens.share, OnSession),
        "screen.signal": Action(screens.signal, ScreenSignal),
        "screen.stop": Action(screens.stop, ScreenStop),
        "screen.ice": Action(screens.ice_servers, OnSession),
    },
)
