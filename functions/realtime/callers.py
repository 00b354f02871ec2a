"""Who is calling on a message route: messages carry no identity, so it is read from the
connection item $connect stored (role, user id, the token's scope), strongly consistent since
$connect wrote it moments before the first message."""

from __future__ import annotations

from deskless.auth import STAFF_ROLES, Principal, Role
from deskless.chat_requests import SCOPE_PREFIX
from deskless.data import Item, table
from deskless.errors import Forbidden, Unauthorized
from deskless.table import connection_key
from deskless.users import get_staff


def connection(connection_id: str) -> Item:
    item = table().get(connection_key(connection_id), consistent=True)
    if item is None:
        raise Unauthorized("This connection is not known; connect again.")
    return item


def is_staff(item: Item) -> bool:
    return item.get("role") in STAFF_ROLES


def chat_request_of(scope: str) -> str | None:
    """The chat request a visitor's token is for (scope chat:<id>), or None."""
    request_id = scope.removeprefix(SCOPE_PREFIX) if scope.startswith(SCOPE_PREFIX) else ""
    return request_id or None


def is_chat_visitor(principal: Principal) -> bool:
    return principal.role == Role.VISITOR and chat_request_of(principal.scope) is not None


def staff(connection_id: str) -> Principal:
    """The staff user on this connection (their name is not on it: see named_staff)."""
    item = connection(connection_id)
    if not is_staff(item):
        raise Forbidden("Only technicians and admins may do this, from their console.")
    return Principal(user_id=item["user_id"], role=item["role"], name="")


def named_staff(connection_id: str) -> Principal:
    """The staff user on this connection, with the name and email of their profile."""
    caller = staff(connection_id)
    user = get_staff(caller.user_id)
    if user is None:
        raise Forbidden("This staff user no longer exists.")
    return caller.model_copy(update={"name": user.name, "email": user.email})


def chat_visitor(connection_id: str) -> str:
    """The id of the chat request whose visitor is on this connection."""
    item = connection(connection_id)
    request_id = chat_request_of(item.get("scope", "")) if item.get("role") == Role.VISITOR else None
    if request_id is None:
        raise Forbidden("Only the visitor waiting on a chat request may do this.")
    return request_id
