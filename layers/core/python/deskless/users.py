"""Staff users: stored once under their id, with an email item that keeps emails unique, and
(optionally) their own limit of active session codes, which overrides the global one for them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from .auth import STAFF_ROLES, Principal, Role, hash_password
from .data import EXISTS, NEW_ITEM, ConditionFailed, TransactionCanceled, put_action, table
from .errors import AccountDeactivated, EmailTaken, NotFound, Unauthorized
from .table import GSI1, STAFF_LIST, Entity, code_limit_key, email_key, staff_index, stamped, user_key


class Channel(StrEnum):
    """The ways a staff user is reached; an admin assigns each user theirs (presence switches them)."""

    CHAT = "chat"
    EMAIL = "email"
    PHONE = "phone"


class StaffUser(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    created_at: int
    channels: list[Channel] = list(Channel)  # the channels assigned to them; each can be switched on or off
    active: bool = True  # a deactivated user cannot sign in, and their tokens stop working


def assigned(channels: Iterable[Channel]) -> list[Channel]:
    """Channels as stored: each once, in the order of Channel."""
    wanted = set(channels)
    return [channel for channel in Channel if channel in wanted]


def create_staff(
    email: str, name: str, role: Role, password: str, channels: Iterable[Channel] = tuple(Channel)
) -> StaffUser:
    user = StaffUser(
        id=secrets.token_hex(8),
        email=email.lower(),
        name=name,
        role=role,
        created_at=int(time.time()),
        channels=assigned(channels),
    )
    item = stamped(
        Entity.USER,
        user_key(user.id),
        staff_index(name, user.id),
        **user.model_dump(mode="json", exclude={"id"}),
        user_id=user.id,
        password_hash=hash_password(password),
    )
    guard = stamped(Entity.EMAIL, email_key(user.email), user_id=user.id)
    try:
        table().transact([put_action(item, NEW_ITEM), put_action(guard, NEW_ITEM)])
    except TransactionCanceled as error:
        raise EmailTaken(f"A user with the email {user.email} already exists.") from error
    return user


def update_staff(
    user_id: str,
    *,
    name: str | None = None,
    role: Role | None = None,
    channels: Iterable[Channel] | None = None,
    active: bool | None = None,
) -> StaffUser:
    """Change what is given (one conditional update; the list's sort key follows the name) and
    return the user as stored now; NotFound if there is no such user."""
    values: dict[str, Any] = {}
    if name is not None:
        values.update(name=name, **staff_index(name, user_id))
    if role is not None:
        values["role"] = role.value
    if channels is not None:
        values["channels"] = [channel.value for channel in assigned(channels)]
    if active is not None:
        values["active"] = active
    if not values:
        return _existing(get_staff(user_id))
    try:
        return staff_from_item(table().update(user_key(user_id), set_values=values, condition=EXISTS))
    except ConditionFailed as error:
        raise NotFound("There is no staff user with this id.") from error


def staff_from_item(item: dict[str, Any]) -> StaffUser:
    fields = {k: v for k, v in item.items() if k in StaffUser.model_fields}
    return StaffUser.model_validate({**fields, "id": item["user_id"]})


NO_USER = "-"  # no user has this id (ids are hex): read in place of one, so a miss costs a hit's work


def find_login(email: str) -> dict[str, Any] | None:
    """The stored user (with its password hash) for an email, or None: two GetItems either way,
    so a sign-in takes as long whether or not the account exists."""
    guard = table().get(email_key(email))
    return table().get(user_key(guard["user_id"] if guard else NO_USER))


def get_staff(user_id: str) -> StaffUser | None:
    item = table().get(user_key(user_id))
    return staff_from_item(item) if item else None


def as_stored_now(principal: Principal) -> Principal:
    """A token's caller as their account says now (one GetItem for staff): the role, name and email
    stored now, so a role taken away is taken away at once; refused if the account is gone or
    deactivated. A customer's token stands on its signature."""
    if principal.role not in STAFF_ROLES:
        return principal
    user = get_staff(principal.user_id)
    if user is None:
        raise Unauthorized("The token's user no longer exists.")
    if not user.active:
        raise AccountDeactivated()
    return principal.model_copy(update={"role": user.role, "name": user.name, "email": user.email})


def staff_of(user_ids: Sequence[str]) -> list[StaffUser]:
    """The staff users with these ids that exist, in order (one BatchGetItem per hundred)."""
    items = table().get_many([user_key(user_id) for user_id in user_ids]) if user_ids else []
    return [staff_from_item(item) for item in items if item is not None]


def list_staff() -> list[StaffUser]:
    return [staff_from_item(item) for item in table().query(STAFF_LIST, index=GSI1.name)]


def _existing(user: StaffUser | None) -> StaffUser:
    if user is None:
        raise NotFound("There is no staff user with this id.")
    return user


# --- a user's own code limit ------------------------------------------------------------


def own_code_limits(user_ids: Sequence[str]) -> list[int | None]:
    """Each user's own code limit, in order (None: the global one applies); one BatchGetItem per hundred."""
    items = table().get_many([code_limit_key(user_id) for user_id in user_ids]) if user_ids else []
    return [_limit(item) for item in items]


def staff_with_own_limit(user_id: str) -> tuple[StaffUser, int | None]:
    """A user and their own code limit, in one BatchGetItem; NotFound if there is no such user."""
    user_item, limit_item = table().get_many([user_key(user_id), code_limit_key(user_id)])
    return _existing(staff_from_item(user_item) if user_item else None), _limit(limit_item)


def set_own_code_limit(user_id: str, limit: int | None) -> int | None:
    """Give a user their own code limit, or (None) return them to the global one."""
    key = code_limit_key(user_id)
    if limit is None:
        table().delete(key)
    else:
        table().put(stamped(Entity.CODE_LIMIT, key, user_id=user_id, limit=limit))
    return limit


def _limit(item: dict[str, Any] | None) -> int | None:
    return int(item["limit"]) if item else None
