"""What clients send over the WebSocket, validated: each action's body as a pydantic model."""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool, StringConstraints, ValidationError

from deskless.errors import InvalidRequest
from deskless.presence import Channel, Status
from deskless.sessions import MAX_MESSAGE_CHARS
from deskless.websocket import WebSocketRequest

SessionId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_MESSAGE_CHARS), AfterValidator(_not_blank)]


class SessionJoin(BaseModel):
    session: SessionId


class ChatSend(BaseModel):
    session: SessionId
    text: Text  # kept as typed: leading spaces and line breaks are the sender's


class SessionEnd(BaseModel):
    session: SessionId


MAX_REASON_CHARS = 200
RequestId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON_CHARS)]


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


Action = TypeVar("Action", bound=BaseModel)


def parse(model: type[Action], request: WebSocketRequest) -> Action:
    """The message's body as `model`, or an invalid_request naming each field that is wrong."""
    try:
        return model.model_validate(request.json())
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())
        raise InvalidRequest(f"The message is not valid: {problems}") from error
