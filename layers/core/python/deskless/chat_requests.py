"""Chat requests from portals: a company's queue, the visitor waiting in it, the first technician
to accept.

    CHATREQ#<id> / CHATREQ         the request: visitor, question, state, the visitor's open
                                   connections, who accepted it and the session that followed
    QUEUE#<company> / <ms>#<id>    its place in the company's queue while it waits, with what a
                                   console shows of it (one Query lists a queue, oldest first)

A request waits until a technician accepts it, the visitor withdraws it (or leaves: their last
connection closes) or its time runs out at `accept_until`, which is also the queue entry's TTL:
reads hide the entry from then on, and accepting is refused. Accepting is one transaction: the
request goes from waiting to accepted on condition that it still waits and is in time, its queue
entry goes, and the support session is created with the visitor's question as its first
message. Under concurrent accepts exactly one transaction meets the condition; the others are
told ChatTaken. Withdrawing is the same move to `withdrawn`, so a request ends exactly once.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .auth import Principal, Role, issue_token
from .companies import Company, Portal, Via, company_from_item
from .data import (
    NEW_ITEM,
    Condition,
    ConditionFailed,
    TransactionCanceled,
    delete_action,
    put_action,
    table,
    update_action,
)
from .errors import ChatLimitReached, ChatTaken, Forbidden, NotFound, NotOnline, TryAgain
from .preferences import get_preferences
from .presence import Presence, Status, presence_from_item
from .sessions import Session, SessionState, new_message, new_session, sessions_of
from .table import Entity, chat_request_key, company_key, presence_key, queue_entry_key, queue_partition, stamped

KEEP_SECONDS = 30 * 24 * 3600  # an ended request is kept this long (its session is kept for good)
OPEN_CHATS_WINDOW = 50  # the newest sessions of a technician that are looked at for open chats
VISITOR_TOKEN_SECONDS = 2 * 3600
SCOPE_PREFIX = "chat:"


class ChatRequestState(StrEnum):
    WAITING = "waiting"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class QueuedChat(BaseModel):
    """What a technician's console shows of a waiting request."""

    id: str
    company_id: str
    company_name: str
    name: str
    email: str
    question: str
    language: str
    queued_ms: int
    accept_until: int
    via: Via = "portal"


class ChatRequest(QueuedChat):
    subdomain: str
    state: ChatRequestState = ChatRequestState.WAITING
    visitor_connections: set[str] = Field(default_factory=set)
    accepted_by: str = ""
    accepted_by_name: str = ""
    session_id: str = ""
    ended_at: int | None = None

    @property
    def queue_key(self) -> dict[str, str]:
        return queue_entry_key(self.company_id, self.queued_ms, self.id)

    def queued(self) -> QueuedChat:
        return QueuedChat.model_validate(self.model_dump(include=set(QueuedChat.model_fields)))


def request_from_item(item: dict[str, Any]) -> ChatRequest:
    return ChatRequest.model_validate({**item, "id": item["request_id"]})


def queued_from_item(item: dict[str, Any]) -> QueuedChat:
    return QueuedChat.model_validate({**item, "id": item["request_id"]})


def scope_of(request_id: str) -> str:
    return f"{SCOPE_PREFIX}{request_id}"


def create_chat_request(
    company: Company,
    portal: Portal,
    *,
    name: str,
    email: str,
    question: str,
    language: str,
    wait_seconds: int,
    via: Via = "portal",
    now: float | None = None,
) -> ChatRequest:
    """Queue a request: the request and its queue entry, written together."""
    moment = time.time() if now is None else now
    request = ChatRequest(
        id=secrets.token_urlsafe(12),
        company_id=company.id,
        company_name=company.name,
        subdomain=portal.subdomain,
        name=name,
        email=email,
        question=question,
        language=language,
        queued_ms=int(moment * 1000),
        accept_until=int(moment) + wait_seconds,
        via=via,
    )
    stored = request.model_dump(mode="json", exclude={"id", "visitor_connections", "ended_at"})
    item = stamped(
        Entity.CHAT_REQUEST,
        chat_request_key(request.id),
        **stored,
        request_id=request.id,
        expires_at=int(moment) + KEEP_SECONDS,
    )
    entry = stamped(
        Entity.QUEUE_ENTRY,
        request.queue_key,
        **request.queued().model_dump(mode="json", exclude={"id"}),
        request_id=request.id,
        expires_at=request.accept_until,
    )
    table().transact([put_action(item, NEW_ITEM), put_action(entry, NEW_ITEM)])
    return request


def get_chat_request(request_id: str) -> ChatRequest:
    return _found(table().get(chat_request_key(request_id), consistent=True))


def _found(item: dict[str, Any] | None) -> ChatRequest:
    if item is None:
        raise NotFound("There is no such chat request.")
    return request_from_item(item)


def queue_of(company_id: str) -> list[QueuedChat]:
    """A company's waiting requests, oldest first (those past their time are left out)."""
    return [queued_from_item(item) for item in table().query(queue_partition(company_id))]


def position(request: ChatRequest) -> int:
    """1 for the next in line; 0 once the request no longer waits."""
    ahead = [entry.id for entry in queue_of(request.company_id)]
    return ahead.index(request.id) + 1 if request.id in ahead else 0


def visitor_token(request: ChatRequest) -> tuple[str, int]:
    """The visitor's token: good for this request alone (and, once accepted, for fetching its session)."""
    principal = Principal(
        user_id=f"visitor-{request.id}", role=Role.VISITOR, name=request.name, scope=scope_of(request.id)
    )
    return issue_token(principal, ttl_seconds=VISITOR_TOKEN_SECONDS)


_WAITING = Condition("#state = :waiting", {"#state": "state"}, {":waiting": ChatRequestState.WAITING})


def attach_visitor(request_id: str, connection_id: str) -> ChatRequest | None:
    """Count a visitor's connection as waiting on the request; None if it no longer waits."""
    try:
        item = table().update(
            chat_request_key(request_id), add={"visitor_connections": {connection_id}}, condition=_WAITING
        )
    except ConditionFailed:
        return None
    return request_from_item(item)


def detach_visitor(request_id: str, connection_id: str) -> ChatRequest | None:
    """A visitor's connection closed; the request as it is now, None if it no longer waits."""
    try:
        item = table().update(
            chat_request_key(request_id), discard={"visitor_connections": {connection_id}}, condition=_WAITING
        )
    except ConditionFailed:
        return None
    return request_from_item(item)


def withdraw(request: ChatRequest, *, abandoned_only: bool = False, now: float | None = None) -> bool:
    """End a waiting request unaccepted; False if it had ended already. `abandoned_only`: only if
    no visitor connection waits on it any more (two tabs: closing one does not withdraw)."""
    condition = _WAITING
    if abandoned_only:
        condition = Condition(
            f"{_WAITING.expression} AND attribute_not_exists(visitor_connections)", _WAITING.names, _WAITING.values
        )
    ended = {"state": ChatRequestState.WITHDRAWN, "ended_at": int(time.time() if now is None else now)}
    try:
        table().transact(
            [
                update_action(chat_request_key(request.id), set_values=ended, condition=condition),
                delete_action(request.queue_key),
            ]
        )
    except TransactionCanceled:
        return False
    return True


def accept(request_id: str, technician: Principal, *, now: float | None = None) -> tuple[ChatRequest, Session]:
    """The technician takes the request: atomic, so exactly one of concurrent accepts wins. They
    must serve the company (admins need not), be online and below their chat limit."""
    moment = time.time() if now is None else now
    request_item, presence_item = table().get_many(
        [chat_request_key(request_id), presence_key(technician.user_id)], consistent=True
    )
    request = _found(request_item)
    company_item = table().get(company_key(request.company_id))
    if technician.role != Role.ADMIN and (
        company_item is None or technician.user_id not in company_from_item(company_item).technician_ids
    ):
        raise Forbidden("Only technicians who serve this company may accept its chat requests.")
    if request.state != ChatRequestState.WAITING or request.accept_until <= moment:
        raise ChatTaken("This chat request is no longer waiting.")
    check_may_take_a_chat(presence_from_item(technician.user_id, presence_item))
    session, session_item = new_session(
        technician_id=technician.user_id,
        technician_name=technician.name,
        visitor_name=request.name,
        origin="chat",
        origin_ref=request.id,
        origin_name=request.question[:80],
        company_id=request.company_id,
        now=moment,
    )
    _, question = new_message(session.id, Role.VISITOR, request.name, request.question, now=request.queued_ms / 1000)
    accepted = {
        "state": ChatRequestState.ACCEPTED,
        "accepted_by": technician.user_id,
        "accepted_by_name": technician.name,
        "session_id": session.id,
        "ended_at": int(moment),
    }
    in_time = Condition(
        f"{_WAITING.expression} AND accept_until > :now", _WAITING.names, {**_WAITING.values, ":now": int(moment)}
    )
    try:
        table().transact(
            [
                update_action(chat_request_key(request.id), set_values=accepted, condition=in_time),
                delete_action(request.queue_key),
                put_action(session_item, NEW_ITEM),
                put_action(question, NEW_ITEM),
            ]
        )
    except TransactionCanceled as error:
        # A conflict (another accept in flight) usually means that one is winning: look again.
        if error.reasons[0] == "ConditionalCheckFailed" or get_chat_request(request.id).state != request.state:
            raise ChatTaken("Another technician accepted this chat request first.") from error
        raise TryAgain("The chat request was being changed at that moment; accept it again.") from error
    return request.model_copy(update=accepted), session


def check_may_take_a_chat(presence: Presence) -> None:
    """An operator accepts a chat only while online and below the admin's `chat_limit` of open
    chats: active sessions of any origin (codes and invitations too), counted on the index of
    their sessions, newest first, among the latest OPEN_CHATS_WINDOW (one left open behind fifty
    newer ones is not counted).

    The count is read before the accept's transaction, from an index that lags writes by a
    moment, so two accepts by the same operator at the same instant may both see room for one
    and open one chat over the limit. That is acceptable: the limit paces one person's workload
    (only their own double click can race it, and they can end a chat), and making it exact would
    need a counter kept in step by every way a session starts and ends."""
    if presence.status != Status.ONLINE:
        raise NotOnline("Go online to accept chats.")
    limit = get_preferences().chat_limit
    newest = sessions_of(presence.user_id, limit=OPEN_CHATS_WINDOW)
    open_chats = sum(session.state == SessionState.ACTIVE for session in newest)
    if open_chats >= limit:
        chats = f"{open_chats} chat{'s' if open_chats != 1 else ''}"
        over = "your limit" if open_chats == limit else f"over your limit of {limit}"
        raise ChatLimitReached(f"You have {chats} open, {over}; end one to accept another.")


# --- what follows from the queue changing (the events function) -----------------------------------


def waiting_behind(company_id: str, gone_sort_key: str) -> list[tuple[int, ChatRequest]]:
    """Each request still waiting, with a visitor connected, behind a queue entry that went, and its
    new place. One Query of the queue, one BatchGetItem per hundred requests behind."""
    queue = table().query(queue_partition(company_id), consistent=True)
    behind = [
        (place, item["request_id"])
        for place, item in enumerate((i for i in queue if i["sk"] != gone_sort_key), start=1)
        if item["sk"] > gone_sort_key
    ]
    requests = table().get_many([chat_request_key(request_id) for _, request_id in behind])
    return [
        (place, request_from_item(item))
        for (place, _), item in zip(behind, requests, strict=True)
        if item and item.get("state") == ChatRequestState.WAITING and item.get("visitor_connections")
    ]


def claim_email(request_id: str, user_id: str) -> bool:
    """Note that this technician is being emailed about the request; False if they were already,
    or the request no longer waits (the claim's own MODIFY passes no stream filter: it still waits)."""
    first = Condition(
        f"{_WAITING.expression} AND NOT contains(emailed, :user)", _WAITING.names, {**_WAITING.values, ":user": user_id}
    )
    try:
        table().update(chat_request_key(request_id), add={"emailed": {user_id}}, condition=first)
    except ConditionFailed:
        return False
    return True


def release_email(request_id: str, user_id: str) -> None:
    """Drop a claim whose email could not be sent, so a retry sends it (nothing, if no longer waiting)."""
    with contextlib.suppress(ConditionFailed):
        table().update(chat_request_key(request_id), discard={"emailed": {user_id}}, condition=_WAITING)
