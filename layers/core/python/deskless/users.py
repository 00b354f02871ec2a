"""Staff users: stored once under their id, with an email item that keeps emails unique."""

from __future__ import annotations

import secrets
import time
from typing import Any

from pydantic import BaseModel

from .auth import Role, hash_password
from .data import NEW_ITEM, TransactionCanceled, put_action, table
from .errors import EmailTaken
from .presence import Channel
from .table import GSI1, STAFF_LIST, Entity, email_key, staff_index, user_key


class StaffUser(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    created_at: int
    channels: list[Channel] = list(Channel)  # the channels assigned to them; each can be switched on or off
    active: bool = True  # a deactivated user cannot sign in, and their tokens stop working


def create_staff(email: str, name: str, role: Role, password: str) -> StaffUser:
    user = StaffUser(id=secrets.token_hex(8), email=email.lower(), name=name, role=role, created_at=int(time.time()))
    item = {
        **user_key(user.id),
        **staff_index(name, user.id),
        "type": Entity.USER,
        **user.model_dump(mode="json", exclude={"id"}),
        "user_id": user.id,
        "password_hash": hash_password(password),
    }
    guard = {**email_key(user.email), "type": Entity.EMAIL, "user_id": user.id}
    try:
        table().transact([put_action(item, NEW_ITEM), put_action(guard, NEW_ITEM)])
    except TransactionCanceled as error:
        raise EmailTaken(f"A user with the email {user.email} already exists.") from error
    return user


def staff_from_item(item: dict[str, Any]) -> StaffUser:
    fields = {k: v for k, v in item.items() if k in StaffUser.model_fields}
    return StaffUser.model_validate({**fields, "id": item["user_id"]})


def find_login(email: str) -> dict[str, Any] | None:
    """The stored user (with its password hash) for an email, or None."""
    guard = table().get(email_key(email))
    return table().get(user_key(guard["user_id"])) if guard else None


def get_staff(user_id: str) -> StaffUser | None:
    item = table().get(user_key(user_id))
    return staff_from_item(item) if item else None


def list_staff() -> list[StaffUser]:
    return [staff_from_item(item) for item in table().query(STAFF_LIST, index=GSI1.name)]
