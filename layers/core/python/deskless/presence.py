"""Operator presence: status (online, or away with a reason), channels, notification methods and
the console's heartbeat, one item per staff user (USER#<id> / PRESENCE).

A technician is available for a company's chat requests when they serve the company, are online,
have the chat channel on, and a console of theirs sent a heartbeat within HEARTBEAT_SECONDS. The
heartbeat is what keeps a closed or crashed console from leaving a portal promising a chat: the
console sends one every HEARTBEAT_EVERY_SECONDS, the last console to disconnect clears it, and
one that vanishes without a $disconnect stops counting two minutes later.

A user who never set anything is online with every channel on: an absent item reads as defaults.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .data import table
from .table import Entity, presence_key

HEARTBEAT_SECONDS = 120
HEARTBEAT_EVERY_SECONDS = 30  # what consoles are told to keep to: four chances within the window


class Status(StrEnum):
    ONLINE = "online"
    AWAY = "away"


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    PHONE = "phone"


class Notifications(BaseModel):
    """How a technician wants to hear of a new chat request."""

    sound: bool = True
    browser: bool = True
    email: bool = False


class Presence(BaseModel):
    user_id: str
    status: Status = Status.ONLINE
    reason: str = ""  # why away ("" when online, or away without a reason)
    channels: dict[Channel, bool] = Field(default_factory=lambda: dict.fromkeys(Channel, True))
    notify: Notifications = Field(default_factory=Notifications)
    heartbeat_at: int = 0  # epoch seconds of the last heartbeat of any of their consoles; 0: none connected

    def connected(self, now: float) -> bool:
        return self.heartbeat_at > now - HEARTBEAT_SECONDS

    def takes_chats(self, now: float) -> bool:
        return self.status == Status.ONLINE and self.channels.get(Channel.CHAT, False) and self.connected(now)


def _from_item(user_id: str, item: Mapping[str, Any] | None) -> Presence:
    fields = {k: v for k, v in (item or {}).items() if k in Presence.model_fields}
    return Presence.model_validate({**fields, "user_id": user_id})


def get_presence(user_id: str, *, consistent: bool = False) -> Presence:
    return _from_item(user_id, table().get(presence_key(user_id), consistent=consistent))


def presences(user_ids: Iterable[str]) -> list[Presence]:
    """The presence of each user, in order (one BatchGetItem per hundred)."""
    ids = list(user_ids)
    items = table().get_many([presence_key(user_id) for user_id in ids])
    return [_from_item(user_id, item) for user_id, item in zip(ids, items, strict=True)]


def available(technician_ids: Iterable[str], *, now: float | None = None) -> list[Presence]:
    """Those of the technicians who would take a chat request now."""
    moment = time.time() if now is None else now
    return [presence for presence in presences(technician_ids) if presence.takes_chats(moment)]


def update_presence(
    user_id: str,
    *,
    status: Status | None = None,
    reason: str | None = None,
    channels: Mapping[Channel, bool] | None = None,
    notify: Notifications | None = None,
) -> Presence:
    """Change what is given; going online clears the away reason."""
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = status.value
        changes["reason"] = (reason or "") if status == Status.AWAY else ""
    elif reason is not None:
        changes["reason"] = reason
    if channels:
        current = get_presence(user_id, consistent=True).channels
        changes["channels"] = {channel.value: on for channel, on in {**current, **channels}.items()}
    if notify is not None:
        changes["notify"] = notify.model_dump()
    return _from_item(user_id, _set(user_id, changes))


def heartbeat(user_id: str, *, now: float | None = None) -> Presence:
    moment = int(time.time() if now is None else now)
    return _from_item(user_id, _set(user_id, {"heartbeat_at": moment}))


def console_closed(user_id: str) -> None:
    """The user's last console disconnected: they stop counting as available at once."""
    _set(user_id, {"heartbeat_at": 0})


def _set(user_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return table().update(presence_key(user_id), set_values={"type": Entity.PRESENCE, "user_id": user_id, **values})
