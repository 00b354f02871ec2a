"""Which kind of visitor a token or a stored connection speaks for: a visitor waiting on a chat
request holds a token scoped chat:<request id>; a visitor of a support session, session:<id>."""

from __future__ import annotations

from deskless.auth import STAFF_ROLES, Principal, Role
from deskless.chat_requests import SCOPE_PREFIX
from deskless.data import Item
from deskless.errors import NotFound


def is_staff(item: Item) -> bool:
    return item.get("role") in STAFF_ROLES


def chat_request_of(scope: str) -> str | None:
    """The chat request a visitor's token is for (scope chat:<id>), or None."""
    request_id = scope.removeprefix(SCOPE_PREFIX) if scope.startswith(SCOPE_PREFIX) else ""
    return request_id or None


def is_chat_visitor(principal: Principal) -> bool:
    return principal.role == Role.VISITOR and chat_request_of(principal.scope) is not None


def chat_visitor(caller: Principal) -> str:
    """The id of the chat request this visitor waits on (a session's visitor waits on none)."""
    request_id = chat_request_of(caller.scope)
    if request_id is None:
        raise NotFound("This connection waits on no chat request.")
    return request_id
