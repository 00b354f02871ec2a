"""A WebSocket connection opening and closing, by who it is: a technician's console (also a
heartbeat, and the last one closing clears it), a visitor waiting on a chat request, or a
visitor of a support session."""

from __future__ import annotations

from deskless.auth import STAFF_ROLES
from deskless.websocket import WebSocketRequest

from . import callers, chat, chat_queue, presence


def opened(request: WebSocketRequest) -> None:
    """$connect (a refusal raises, and API Gateway closes the socket)."""
    connection_id, principal, source_ip = request.connection_id, request.caller, request.source_ip
    if callers.is_chat_visitor(principal):
        chat_queue.visitor_connected(connection_id, principal, source_ip=source_ip)
        return
    chat.connect(connection_id, principal, source_ip=source_ip)
    if principal.role in STAFF_ROLES:
        presence.console_opened(principal.user_id)


def closed(request: WebSocketRequest) -> None:
    """$disconnect (best effort: what it misses, TTL and the heartbeat's age make up for)."""
    connection_id = request.connection_id
    connection = chat.disconnect(connection_id)
    if connection is None:
        return
    request_id = callers.chat_request_of(connection.get("scope", ""))
    if callers.is_staff(connection):
        presence.console_left(connection_id, connection["user_id"])
    elif request_id is not None:
        chat_queue.visitor_left(connection_id, request_id)
