"""Which kind of visitor a token or a stored connection speaks for: a visitor waiting on a chat
request holds a token scoped chat:<request id>; a visitor of a support session, session:<id>.
And, in a session, who a connection speaks as there (chat.py and screens.py share it)."""

from __future__ import annotations

from typing import Any

from deskless.auth import STAFF_ROLES, Principal, Role
from deskless.chat_requests import SCOPE_PREFIX
from deskless.data import Item
from deskless.errors import NotFound, NotParticipant
from deskless.sessions import Message, Session, taking_part
from deskless.users import get_staff

TECHNICIAN_SIDE = "technician"
VISITOR_SIDE = "visitor"


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


# --- in a session -------------------------------------------------------------------------------


def side(role: str) -> str:
    """Which side of the conversation a role speaks for: staff speak as the technician."""
    return VISITOR_SIDE if role == Role.VISITOR else TECHNICIAN_SIDE


def taking_part_in(connection_id: str, session_id: str) -> tuple[Item, Session]:
    """The connection's participant item and the session (one BatchGetItem), or not_participant."""
    found = taking_part(session_id, connection_id)
    if found is None:
        raise NotParticipant("This connection is not taking part in that session.")
    return found


def speaker(participant: Item, session: Session) -> Principal:
    """Who a participant speaks as in the session: the visitor, or a technician with their name."""
    role = Role.VISITOR if participant["role"] == Role.VISITOR else Role.TECHNICIAN
    return Principal(user_id=participant["user_id"], role=role, name=_sender_name(participant, session))


def public(message: Message) -> dict[str, Any]:
    """A message as clients get it (a chat message has no event fields)."""
    return message.model_dump(mode="json", exclude={"session_id"}, exclude_none=True)


def _staff_name(user_id: str, session: Session) -> str:
    if user_id == session.technician_id:
        return session.technician_name
    staff = get_staff(user_id)  # an admin who is not the session's technician: rare, one GetItem
    return staff.name if staff else ""


def _sender_name(participant: Item, session: Session) -> str:
    if participant["role"] == Role.VISITOR:
        return session.visitor_name
    return _staff_name(participant["user_id"], session)
