"""The WebSocket API: consoles and visitors connect; a connection is stored on $connect and
dropped on $disconnect (connections.py); `ping` keeps it alive; operators keep their presence
(presence.py) and work the chat queue, visitors wait on their chat request (chat_queue.py);
support sessions are joined, chatted in and ended (chat.py)."""

from __future__ import annotations

import time
from typing import Any

from deskless.errors import InvalidRequest
from deskless.websocket import WebSocketApp, WebSocketRequest

from . import chat, chat_queue, connections, presence
from .actions import ChatAccept, ChatSend, PresenceSet, SessionEnd, SessionJoin, parse

app = WebSocketApp("realtime")


@app.route("$connect")
def connect(request: WebSocketRequest) -> None:
    connections.opened(request.connection_id, request.principal, source_ip=request.source_ip)


@app.route("$disconnect")
def disconnect(request: WebSocketRequest) -> None:
    connections.closed(request.connection_id)


@app.route("ping")
def ping(request: WebSocketRequest) -> dict[str, Any]:
    return {"type": "pong", "echo": request.json().get("id"), "server_time": int(time.time() * 1000)}


# --- presence ---------------------------------------------------------------------------------


@app.route("heartbeat")
def heartbeat(request: WebSocketRequest) -> dict[str, Any]:
    return presence.beat(request.connection_id)


@app.route("presence.get")
def presence_get(request: WebSocketRequest) -> dict[str, Any]:
    return presence.get(request.connection_id)


@app.route("presence.set")
def presence_set(request: WebSocketRequest) -> dict[str, Any]:
    return presence.change(request.connection_id, parse(PresenceSet, request))


# --- the chat queue -----------------------------------------------------------------------------


@app.route("queue.list")
def queue_list(request: WebSocketRequest) -> dict[str, Any]:
    return chat_queue.waiting_for(request.connection_id)


@app.route("chat.accept")
def chat_accept(request: WebSocketRequest) -> dict[str, Any]:
    return chat_queue.take(request.connection_id, parse(ChatAccept, request))


@app.route("chat.status")
def chat_status(request: WebSocketRequest) -> dict[str, Any]:
    return chat_queue.status(request.connection_id)


@app.route("chat.withdraw")
def chat_withdraw(request: WebSocketRequest) -> dict[str, Any]:
    return chat_queue.withdraw_request(request.connection_id)


# --- support sessions ---------------------------------------------------------------------------


@app.route("session.join")
def session_join(request: WebSocketRequest) -> dict[str, Any]:
    return chat.join_as_staff(request.connection_id, parse(SessionJoin, request))


@app.route("chat.send")
def chat_send(request: WebSocketRequest) -> dict[str, Any]:
    return chat.send(request.connection_id, parse(ChatSend, request))


@app.route("session.end")
def session_end(request: WebSocketRequest) -> dict[str, Any]:
    return chat.end(request.connection_id, parse(SessionEnd, request))


@app.route("$default")
def unknown(request: WebSocketRequest) -> None:
    action = request.json().get("action")
    raise InvalidRequest(f"Unknown action {action!r}." if action else "Messages need an action.")
