"""Operator presence: status (online, or away with a reason), channels, notification methods and
the console's heartbeat, one item per staff user (USER#<id> / PRESENCE).

What an operator sees and what decides whether chats reach them combine three things: their
presence item, their user item (the channels an admin ASSIGNED them, and whether they are
active) and the admin settings (the channel lock, the away reasons). A channel is on when it is
assigned to the user and either the channels are locked (every assigned channel is on) or the
user's own switch for it is on. Switches are kept for unassigned channels too, so a channel
assigned again comes back as its user left it.

A technician is available for a company's chat requests when they are active, serve the
company, are online, have the chat channel on, and a console of theirs sent a heartbeat within
HEARTBEAT_SECONDS; for tickets (a team's round robin) the same, with the email channel on (the
channel tickets' alerts come by). The heartbeat is what keeps a closed or crashed console from
leaving a portal promising a chat: the console sends one every HEARTBEAT_EVERY_SECONDS, the last
console to disconnect clears it, and one that vanishes without a $disconnect stops counting two
minutes later.

A user who never set anything is online with every switch on: an absent presence item reads as
defaults. A user item that is absent assigns nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .data import Item, table
from .errors import ChannelsLocked, InvalidRequest
from .preferences import Preferences, get_preferences
from .table import Entity, presence_key, stamped, user_key
from .users import Channel, StaffUser, get_staff, staff_from_item

HEARTBEAT_SECONDS = 120
HEARTBEAT_EVERY_SECONDS = 30  # what consoles are told to keep to: four chances within the window


class Status(StrEnum):
    ONLINE = "online"
    AWAY = "away"


class Notifications(BaseModel):
    """How a technician wants to hear of a new chat request."""

    sound: bool = True
    browser: bool = True
    email: bool = False


class Presence(BaseModel):
    """A staff user's presence item: what they set themselves, and their consoles' heartbeat."""

    user_id: str
    status: Status = Status.ONLINE
    reason: str = ""  # why away ("" when online, or away without a reason)
    auto_away: bool = False  # away because their console was idle, not by their own choice
    channels: dict[Channel, bool] = Field(default_factory=lambda: dict.fromkeys(Channel, True))  # their switches
    notify: Notifications = Field(default_factory=Notifications)
    heartbeat_at: int = 0  # epoch seconds of the last heartbeat of any of their consoles; 0: none connected


class OperatorPresence(BaseModel):
    """A staff user's presence as their console shows it and as availability reads it."""

    user_id: str
    status: Status
    reason: str
    auto_away: bool
    assigned: list[Channel]  # the channels an admin assigned them, in Channel's order
    channels: dict[Channel, bool]  # on or off, for the assigned channels only
    locked: bool  # the admin locked the channels: every assigned one is on, the switches are ignored
    notify: Notifications
    heartbeat_at: int
    active: bool = Field(default=True, exclude=True)  # deactivated users take no chats

    def connected(self, now: float) -> bool:
        return self.heartbeat_at > now - HEARTBEAT_SECONDS

    def takes(self, channel: Channel, now: float) -> bool:
        """Whether work of `channel` would reach them now (see the module's docstring)."""
        online = self.active and self.status == Status.ONLINE
        return online and self.channels.get(channel, False) and self.connected(now)


def presence_from_item(user_id: str, item: Mapping[str, Any] | None) -> Presence:
    """A presence item as read (None: never set, the defaults)."""
    fields = {k: v for k, v in (item or {}).items() if k in Presence.model_fields}
    return Presence.model_validate({**fields, "user_id": user_id})


def combine(presence: Presence, user: StaffUser | None, *, locked: bool) -> OperatorPresence:
    """The presence with the user's assigned channels and the lock applied (no user: nothing
    assigned, and inactive)."""
    assigned = [channel for channel in Channel if user is not None and channel in user.channels]
    return OperatorPresence(
        user_id=presence.user_id,
        status=presence.status,
        reason=presence.reason,
        auto_away=presence.auto_away,
        assigned=assigned,
        channels={channel: locked or presence.channels.get(channel, True) for channel in assigned},
        locked=locked,
        notify=presence.notify,
        heartbeat_at=presence.heartbeat_at,
        active=user is not None and user.active,
    )


def _read(user_ids: list[str], *, consistent: bool = False) -> list[tuple[Item | None, StaffUser | None]]:
    """Each user's presence item and staff user: one BatchGetItem (per hundred keys) for all."""
    keys = [key for user_id in user_ids for key in (presence_key(user_id), user_key(user_id))]
    items = table().get_many(keys, consistent=consistent)
    users = [staff_from_item(item) if item is not None else None for item in items[1::2]]
    return list(zip(items[0::2], users, strict=True))


def get_presence(user_id: str, *, consistent: bool = False) -> Presence:
    """The presence item alone, as stored."""
    return presence_from_item(user_id, table().get(presence_key(user_id), consistent=consistent))


def operator_presence(user_id: str, *, consistent: bool = False) -> OperatorPresence:
    """What the user's console shows: presence, assignment and lock (one BatchGetItem)."""
    ((presence, user),) = _read([user_id], consistent=consistent)
    return combine(presence_from_item(user_id, presence), user, locked=get_preferences().channels_locked)


def with_assignment(presence: Presence) -> OperatorPresence:
    """A presence just written, with the user's assignment read (one GetItem) and the lock applied."""
    return combine(presence, get_staff(presence.user_id), locked=get_preferences().channels_locked)


def available(technician_ids: Iterable[str], channel: Channel, *, now: float | None = None) -> list[OperatorPresence]:
    """Those of the technicians who would take work of `channel` now (a chat request: CHAT; a
    ticket: EMAIL). Their presence and user items are read together: one BatchGetItem for up to
    fifty technicians (a hundred keys)."""
    moment = time.time() if now is None else now
    ids = list(technician_ids)
    locked = get_preferences().channels_locked
    found = [
        combine(presence_from_item(user_id, presence), user, locked=locked)
        for user_id, (presence, user) in zip(ids, _read(ids), strict=True)
    ]
    return [operator for operator in found if operator.takes(channel, moment)]


def update_presence(
    user_id: str,
    *,
    status: Status | None = None,
    reason: str | None = None,
    channels: Mapping[Channel, bool] | None = None,
    notify: Notifications | None = None,
) -> Presence:
    """Store what is given, unchecked (an operator's changes go through change_presence); going
    online clears the away reason."""
    changes: dict[str, Any] = {}
    if status is not None:
        changes.update(status=status.value, auto_away=False, reason=(reason or "") if status == Status.AWAY else "")
    elif reason is not None:
        changes["reason"] = reason
    if channels:
        current = get_presence(user_id, consistent=True).channels
        changes["channels"] = _switches({**current, **channels})
    if notify is not None:
        changes["notify"] = notify.model_dump()
    return presence_from_item(user_id, _set(user_id, changes))


def change_presence(
    user_id: str,
    *,
    status: Status | None = None,
    reason: str | None = None,
    auto: bool = False,
    channels: Mapping[Channel, bool] | None = None,
    notify: Mapping[str, bool] | None = None,
) -> OperatorPresence:
    """An operator changes their presence (`presence.set`); what is left out is kept.

    `status` away takes `reason` "" (none) or one of the admin's away reasons, matched without
    regard to case and stored as the admin wrote it; going online clears the reason. `auto` marks
    an away set by the console for idleness (no reason), which any later status or reason clears.
    A reason alone changes the reason of an operator who is away. Channels may be switched only
    while the admin has not locked them, and only those assigned to the operator; `notify`
    changes the methods it names. Raises InvalidRequest or ChannelsLocked, and then changes
    nothing."""
    preferences = get_preferences()
    ((presence_item, user),) = _read([user_id], consistent=True)
    current = presence_from_item(user_id, presence_item)
    changes: dict[str, Any] = {}
    if status is not None or reason is not None or auto:
        changes.update(_status_change(current, status, reason, auto, preferences))
    if channels:
        _check_switchable(channels, user, preferences)
        changes["channels"] = _switches({**current.channels, **channels})
    if notify:
        changes["notify"] = current.notify.model_copy(update=dict(notify)).model_dump()
    updated = presence_from_item(user_id, _set(user_id, changes)) if changes else current
    return combine(updated, user, locked=preferences.channels_locked)


def _status_change(
    current: Presence, status: Status | None, reason: str | None, auto: bool, preferences: Preferences
) -> dict[str, Any]:
    if auto and status != Status.AWAY:
        raise InvalidRequest("auto goes with status away only: the console sets it when its operator is idle.")
    if auto and reason:
        raise InvalidRequest("An automatic away takes no reason.")
    if status == Status.ONLINE:
        return {"status": Status.ONLINE.value, "reason": "", "auto_away": False}  # coming back clears the reason
    if status is None and current.status == Status.ONLINE:
        raise InvalidRequest("Only an away status takes a reason: send status away with it.")
    return {"status": Status.AWAY.value, "reason": _away_reason(reason or "", preferences), "auto_away": auto}


def _away_reason(reason: str, preferences: Preferences) -> str:
    """ "" or the admin's away reason that matches, as the admin wrote it."""
    if not reason:
        return ""
    for allowed in preferences.away_reasons:
        if allowed.casefold() == reason.casefold():
            return allowed
    listed = ", ".join(preferences.away_reasons) or "none are set"
    raise InvalidRequest(f"{reason!r} is not an away reason; choose one of: {listed} (or give no reason).")


def _check_switchable(channels: Mapping[Channel, bool], user: StaffUser | None, preferences: Preferences) -> None:
    if preferences.channels_locked:
        raise ChannelsLocked("Your administrator has locked the channels; ask them to change yours.")
    assigned = user.channels if user is not None else []
    unassigned = [channel.value for channel in Channel if channel in channels and channel not in assigned]
    if unassigned:
        names = ", ".join(unassigned)
        raise InvalidRequest(f"Not assigned to you: the {names} channel{'s' if len(unassigned) > 1 else ''}.")


def _switches(channels: Mapping[Channel, bool]) -> dict[str, bool]:
    return {channel.value: on for channel, on in channels.items()}


def heartbeat(user_id: str, *, now: float | None = None) -> Presence:
    moment = int(time.time() if now is None else now)
    return presence_from_item(user_id, _set(user_id, {"heartbeat_at": moment}))


def console_closed(user_id: str) -> None:
    """The user's last console disconnected: they stop counting as available at once."""
    _set(user_id, {"heartbeat_at": 0})


def _set(user_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return table().update(presence_key(user_id), set_values=stamped(Entity.PRESENCE, user_id=user_id, **values))
