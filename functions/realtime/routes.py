"""The WebSocket API: consoles and visitors connect; a connection is stored on $connect and
dropped on $disconnect; `ping` keeps it alive; support sessions are joined, chatted in and
ended (the rules are in chat.py)."""

from __future__ import annotations

import time
from typing import Any

from deskless.errors import InvalidRequest
from deskless.websocket import WebSocketApp, WebSocketRequest

from . import chat
from .actions import ChatSend, SessionEnd, SessionJoin, parse

app = WebSocketApp("realtime")


@app.route("$connect")
def connect(request: WebSocketRequest) -> None:
    chat.connect(request.connection_id, request.principal, source_ip=request.source_ip)


@app.route("$disconnect")
def disconnect(request: WebSocketRequest) -> None:
    chat.disconnect(request.connection_id)


@app.route("ping")
def ping(request: WebSocketRequest) -> dict[str, Any]:
    return {"type": "pong", "echo": request.json().get("id"), "server_time": int(time.time() * 1000)}


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
