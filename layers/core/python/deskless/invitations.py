"""Operator invitation links: a token of 192 random bits that connects a visitor straight to
one operator. A link made in the console works once; a link an integration makes with an API
key works any number of times; any link can be invalidated. Links have no time limit.

A link that does not work says only that: unknown, used and invalidated links get the same
answer, so a visitor learns nothing about which it was.

    INVITE#<token> / INVITATION    the invitation; GSI1 INVITES#<operator> / <time>#<token>
"""

from __future__ import annotations

import re
import secrets
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from .auth import Principal, Role
from .data import (
    NEW_ITEM,
    Action,
    Condition,
    ConditionFailed,
    TransactionCanceled,
    put_action,
    table,
    update_action,
)
from .errors import InvitationInvalid, NotFound, TryAgain
from .languages import DEFAULT_LANGUAGE
from .sessions import SessionEntry, new_session, session_entry
from .settings import get_settings
from .table import GSI1, Entity, invitation_index, invitation_key, operator_invitations, stamped

TOKEN_BYTES = 24  # 192 bits; token_urlsafe spells them in 32 characters
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
NO_LONGER_VALID = "This invitation is no longer valid."
CONSOLE = "console"
# Two visitors arriving at once by one reusable link make DynamoDB cancel one transaction
# (TransactionConflict); it is tried again, a few times, before the visitor is told to retry.
CONFLICT_ATTEMPTS = 3
CONFLICT_PAUSE_S = 0.05


class InvitationState(StrEnum):
    UNUSED = "unused"
    USED = "used"
    INVALIDATED = "invalidated"
    REUSABLE = "reusable"  # an API key's link: it stays in this state however often it is used


OPEN_STATES = frozenset({InvitationState.UNUSED, InvitationState.REUSABLE})


class Invitation(BaseModel):
    token: str
    url: str
    operator_id: str
    operator_name: str
    label: str = ""
    language: str = DEFAULT_LANGUAGE
    reusable: bool
    state: InvitationState
    use_count: int
    created_at: int
    created_via: str  # "console", or "api:<key id>"
    last_used_at: int | None = None
    invalidated_at: int | None = None


def invitation_url(token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/invite/{token}"


def new_invitation(
    operator_id: str,
    operator_name: str,
    *,
    label: str = "",
    language: str = DEFAULT_LANGUAGE,
    reusable: bool = False,
    created_via: str = CONSOLE,
    now: float | None = None,
) -> tuple[Invitation, dict[str, Any]]:
    """An invitation and the item that stores it (to put with NEW_ITEM, alone or in a transaction)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    created_at = int(time.time() if now is None else now)
    invitation = Invitation(
        token=token,
        url=invitation_url(token),
        operator_id=operator_id,
        operator_name=operator_name,
        label=label,
        language=language,
        reusable=reusable,
        state=InvitationState.REUSABLE if reusable else InvitationState.UNUSED,
        use_count=0,
        created_at=created_at,
        created_via=created_via,
    )
    item = stamped(
        Entity.INVITATION,
        invitation_key(token),
        invitation_index(operator_id, created_at, token),
        **invitation.model_dump(mode="json", exclude={"url"}, exclude_none=True),
    )
    return invitation, item


def create_invitation(operator: Principal, *, label: str = "", language: str = DEFAULT_LANGUAGE) -> Invitation:
    """A single-use link to `operator`, made in the console."""
    invitation, item = new_invitation(operator.user_id, operator.name, label=label, language=language)
    table().put(item, condition=NEW_ITEM)
    return invitation


def open_invitation(token: str) -> Invitation | None:
    """The invitation a link names, if a visitor may still arrive by it (one GetItem; none for a
    token of the wrong shape); None for unknown, used and invalidated alike."""
    item = table().get(invitation_key(token)) if _TOKEN_SHAPE.fullmatch(token) else None
    invitation = _from_item(item) if item is not None else None
    return invitation if invitation is not None and invitation.state in OPEN_STATES else None


def invitations_of(operator_id: str, *, limit: int) -> list[Invitation]:
    """The operator's invitations, newest first (one Query)."""
    items = table().query(operator_invitations(operator_id), index=GSI1.name, newest_first=True, limit=limit)
    return [_from_item(item) for item in items]


def invalidate_invitation(token: str, caller: Principal, *, now: float | None = None) -> Invitation:
    """Make a link refuse visitors from now on; it stays in its operator's list. Only its
    operator or an admin may; anyone else is told there is no such invitation."""
    if not _TOKEN_SHAPE.fullmatch(token):
        raise _not_found()
    owner: dict[str, str] = {} if caller.role == Role.ADMIN else {":caller": caller.user_id}
    condition = Condition(
        "attribute_exists(pk) AND #state <> :invalidated" + (" AND operator_id = :caller" if owner else ""),
        {"#state": "state"},
        {":invalidated": InvitationState.INVALIDATED, **owner},
    )
    try:
        item = table().update(
            invitation_key(token),
            set_values={
                "state": InvitationState.INVALIDATED,
                "invalidated_at": int(time.time() if now is None else now),
                "invalidated_by": caller.user_id,
            },
            condition=condition,
        )
    except ConditionFailed as error:
        current = table().get(invitation_key(token), consistent=True)
        if current is None or (owner and current["operator_id"] != caller.user_id):
            raise _not_found() from error
        item = current  # already invalidated: invalidating again changes nothing
    return _from_item(item)


def accept_invitation(token: str, visitor_name: str, *, now: float | None = None) -> SessionEntry:
    """A visitor arrives by a link: a session with its operator starts, and the link is used
    (single use: the first visitor only; reusable: counted). One GetItem for the operator's
    data, then one transaction that uses the link only if it is still open, with the session."""
    item = table().get(invitation_key(token), consistent=True) if _TOKEN_SHAPE.fullmatch(token) else None
    if item is None or item["state"] not in OPEN_STATES:
        raise InvitationInvalid(NO_LONGER_VALID)
    invitation = _from_item(item)
    session, session_item = new_session(
        technician_id=invitation.operator_id,
        technician_name=invitation.operator_name,
        visitor_name=visitor_name,
        origin="invitation",
        origin_ref=token,
        now=now,
    )
    next_state = InvitationState.REUSABLE if invitation.reusable else InvitationState.USED
    use = update_action(
        invitation_key(token),
        set_values={"state": next_state, "last_used_at": session.created_at},
        add={"use_count": 1},
        condition=Condition("#state = :open", {"#state": "state"}, {":open": invitation.state}),
    )
    _commit_use([use, put_action(session_item, NEW_ITEM)])
    return session_entry(session)


def _commit_use(actions: list[Action]) -> None:
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            table().transact(actions)
            return
        except TransactionCanceled as error:
            if error.reasons[0] == "ConditionalCheckFailed":  # used or invalidated since it was read
                raise InvitationInvalid(NO_LONGER_VALID) from error
            if "TransactionConflict" not in error.reasons:
                raise
            if attempt == CONFLICT_ATTEMPTS:
                raise TryAgain("Many visitors are arriving by this link at once; please try again.") from error
            time.sleep(CONFLICT_PAUSE_S * attempt)


def _from_item(item: dict[str, Any]) -> Invitation:
    return Invitation.model_validate({**item, "url": invitation_url(item["token"])})


def _not_found() -> NotFound:
    return NotFound("There is no such invitation.")
