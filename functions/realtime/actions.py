"""What clients send over the WebSocket, validated: each action's body as a pydantic model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StrictBool, StringConstraints

from deskless.fields import LINES, ONE_LINE
from deskless.presence import Status
from deskless.sessions import MAX_MESSAGE_CHARS
from deskless.users import Channel

SessionId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_MESSAGE_CHARS), LINES]


class SessionJoin(BaseModel):
    session: SessionId


class ChatSend(BaseModel):
    session: SessionId
    text: Text  # kept as typed: leading spaces and line breaks are the sender's


class SessionEnd(BaseModel):
    session: SessionId


MAX_REASON_CHARS = 200
RequestId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON_CHARS), ONE_LINE]


class NotifyChange(BaseModel):
    """The notification methods to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    sound: StrictBool | None = None
    browser: StrictBool | None = None
    email: StrictBool | None = None


class PresenceSet(BaseModel):
    """`presence.set`: what to change of the caller's presence (nothing given: nothing changes);
    the rules are deskless.presence.change_presence's."""

    status: Status | None = None
    reason: Reason | None = None  # why away: "" or one of the admin's away reasons; going online clears it
    auto: StrictBool = False  # with status away: the console sets it because its operator is idle
    channels: dict[Channel, StrictBool] | None = None
    notify: NotifyChange | None = None


class ChatAccept(BaseModel):
    request: RequestId
