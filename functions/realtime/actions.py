"""What clients send over the WebSocket, validated: each action's body as a pydantic model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

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


# --- screen sharing (issue 15) --------------------------------------------------------------------

MAX_SDP_CHARS = 60_000
MAX_CANDIDATE_CHARS = 1_000
ShareId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
StopReason = Literal["stopped", "cancelled", "unsupported", "failed"]
DeclineReason = Literal["declined", "cancelled", "unsupported", "failed"]


class OnSession(BaseModel):
    """`screen.request`, `screen.share`, `screen.ice`: just the session."""

    session: SessionId


class OnShare(BaseModel):
    """`screen.start`: the session and one of its shares."""

    session: SessionId
    share: ShareId


class ScreenAnswer(OnShare):
    """`screen.answer`: the visitor's consent, or a refusal and why."""

    accept: StrictBool
    reason: DeclineReason = "declined"  # a refusal's: declined, or the browser could not share


class ScreenStop(OnShare):
    reason: StopReason = "stopped"


class Description(BaseModel):
    """An SDP offer or answer (RTCSessionDescriptionInit)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["offer", "answer"]
    sdp: Annotated[StrictStr, StringConstraints(max_length=MAX_SDP_CHARS)]


class Candidate(BaseModel):
    """An ICE candidate (RTCIceCandidateInit); "" is the end of candidates."""

    model_config = ConfigDict(extra="forbid")

    candidate: Annotated[StrictStr, StringConstraints(max_length=MAX_CANDIDATE_CHARS)]
    sdpMid: Annotated[StrictStr, StringConstraints(max_length=64)] | None = None  # WebRTC's names (RTCIceCandidateInit)
    sdpMLineIndex: Annotated[StrictInt, Field(ge=0, le=1024)] | None = None
    usernameFragment: Annotated[StrictStr, StringConstraints(max_length=256)] | None = None


class ScreenSignal(OnShare):
    """`screen.signal`: exactly one of a description or a candidate, relayed, never stored."""

    description: Description | None = None
    candidate: Candidate | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ScreenSignal:
        if (self.description is None) == (self.candidate is None):
            raise ValueError("send exactly one of description and candidate")
        return self

    def relayed(self) -> dict[str, Any]:
        """What goes to the other end: the one given, as sent."""
        if self.description is not None:
            return {"description": self.description.model_dump()}
        assert self.candidate is not None
        return {"candidate": self.candidate.model_dump(exclude_unset=True)}
