"""The console's WebSocket: a connection is stored on $connect and dropped on $disconnect;
`ping` is answered so clients can keep the connection alive and measure it."""

from __future__ import annotations

import time
from typing import Any

from deskless.errors import InvalidRequest
from deskless.realtime import remove_connection, save_connection
from deskless.websocket import WebSocketApp, WebSocketRequest

app = WebSocketApp("realtime")


@app.route("$connect")
def connect(request: WebSocketRequest) -> None:
    save_connection(request.connection_id, request.principal, source_ip=request.source_ip)


@app.route("$disconnect")
def disconnect(request: WebSocketRequest) -> None:
    remove_connection(request.connection_id)


@app.route("ping")
def ping(request: WebSocketRequest) -> dict[str, Any]:
    return {"type": "pong", "echo": request.json().get("id"), "server_time": int(time.time() * 1000)}


@app.route("$default")
def unknown(request: WebSocketRequest) -> None:
    action = request.json().get("action")
    raise InvalidRequest(f"Unknown action {action!r}." if action else "Messages need an action.")
