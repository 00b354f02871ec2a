"""The chat queue over the WebSocket: technicians list and accept chat requests; the visitor who
asked waits on a connection of its own (token scope chat:<id>), asks where it stands, or
withdraws.

The visitor's connections are kept on the request while it waits (attach / detach): accepting
tells exactly those that the chat was accepted, with the entry to its session; the last of them
closing withdraws the request, since nobody is left waiting for an answer.
"""

from __future__ import annotations

from typing import Any

from deskless.auth import Principal, Role
from deskless.chat_requests import (
    ChatRequest,
    ChatRequestState,
    QueuedChat,
    accept,
    attach_visitor,
    detach_visitor,
    get_chat_request,
    position,
    queue_of,
    withdraw,
)
from deskless.companies import companies_served_by, list_companies
from deskless.errors import Conflict, Forbidden, NotFound, TryAgain
from deskless.realtime import push, save_connection
from deskless.sessions import get_session, session_entry
from deskless.websocket import WebSocketRequest

from . import callers, chat
from .actions import ChatAccept

# --- the visitor's connection -------------------------------------------------------------------


def visitor_connected(connection_id: str, principal: Principal, *, source_ip: str) -> None:
    """$connect with a chat request's token: the connection waits on the request. A request that
    no longer waits still lets the visitor in, to learn what became of it (chat.status)."""
    request_id = callers.chat_request_of(principal.scope) or ""
    try:
        request = get_chat_request(request_id)
    except NotFound as error:
        raise Forbidden("This token does not name a chat request.") from error
    save_connection(connection_id, principal, source_ip=source_ip)
    if request.state == ChatRequestState.WAITING:
        attach_visitor(request.id, connection_id)


def visitor_left(connection_id: str, request_id: str) -> None:
    """$disconnect of a visitor's connection: the last one to close withdraws a waiting request."""
    request = detach_visitor(request_id, connection_id)
    if request is not None and not request.visitor_connections:
        withdraw(request, abandoned_only=True)  # a tab that connected meanwhile keeps it waiting


def status(call: WebSocketRequest) -> dict[str, Any]:
    """`chat.status`: where the visitor's request stands; once accepted, the entry to its session."""
    request = get_chat_request(callers.chat_visitor(call.caller))
    waiting = request.state == ChatRequestState.WAITING
    return {
        "type": "chat.status",
        "request": request.id,
        "state": request.state,
        "position": position(request) if waiting else 0,
        "accept_until": request.accept_until,
        "entry": _entry(request) if request.state == ChatRequestState.ACCEPTED else None,
    }


def withdraw_request(call: WebSocketRequest) -> dict[str, Any]:
    """`chat.withdraw`: the visitor gives up waiting (again: the same answer)."""
    request = get_chat_request(callers.chat_visitor(call.caller))
    withdrawn = {"type": "chat.withdrawn", "request": request.id}
    if request.state == ChatRequestState.WAITING:
        if withdraw(request):
            return withdrawn
        request = get_chat_request(request.id)  # it ended meanwhile, or the write met another one
    if request.state == ChatRequestState.ACCEPTED:
        raise Conflict("A technician has accepted this chat request already; join the chat instead.")
    if request.state == ChatRequestState.WAITING:
        raise TryAgain("The chat request could not be withdrawn just now; try again.")
    return withdrawn


def _entry(request: ChatRequest) -> dict[str, Any]:
    return session_entry(get_session(request.session_id)).model_dump(mode="json")


# --- the technician's side ----------------------------------------------------------------------


def waiting_for(call: WebSocketRequest) -> dict[str, Any]:
    """`queue.list`: the waiting requests of every company the caller serves (admins: all), oldest first."""
    caller = call.caller
    companies = list_companies() if caller.role == Role.ADMIN else companies_served_by(caller.user_id)
    requests: list[QueuedChat] = []
    for company, portal in companies:
        if portal is not None:  # no portal, no requests
            requests += queue_of(company.id)
    requests.sort(key=lambda queued: (queued.queued_ms, queued.id))
    return {"type": "queue", "requests": [queued.model_dump(mode="json") for queued in requests]}


def take(call: WebSocketRequest, body: ChatAccept) -> dict[str, Any]:
    """`chat.accept`: the first technician to accept gets the chat (the others: chat_taken). Their
    console joins the new session, and the visitor's waiting connections are given its entry."""
    technician = call.caller
    request, session = accept(body.request, technician)
    # Read again: a connection may have attached after accept() read the request, none can now.
    waiting = get_chat_request(request.id).visitor_connections
    accepted = {"type": "chat.accepted", "request": request.id}
    push(waiting, {**accepted, "entry": session_entry(session).model_dump(mode="json")})
    joined = chat.enter(call.connection_id, session, technician)
    return {**accepted, **{key: joined[key] for key in ("session", "messages", "visitor_present")}}
