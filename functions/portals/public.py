"""A portal's own API, for its support page and its chat widget (no sign-in; the portal is the
one the request's host names, visit.py):

    GET  /api/portal                  the portal's state: available, unavailable or inactive
    POST /api/portal/chat-requests    queue a chat request (only while someone can take it)
    POST /api/portal/messages         leave a message: a support request with the visitor's contact data

Both forms are open to anyone, so each source (the viewer's address, as the CDN saw it) may send
only a few of each per window (deskless.throttle).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from deskless.chat_requests import create_chat_request, get_chat_request, position, visitor_token, withdraw
from deskless.companies import Company, Portal, Via
from deskless.contacts import CreatedVia
from deskless.errors import NoTechnicianAvailable, NotFound, PortalUnavailable
from deskless.fields import LINES, Name
from deskless.languages import Language, spoken
from deskless.observability import logger
from deskless.preferences import get_preferences
from deskless.settings import get_settings
from deskless.throttle import Limit, spend
from deskless.ticket_intake import Submission, requester_for, submit
from deskless.tickets import Source

from .visit import State, Visit

CHAT_REQUESTS = Limit("chat_request", count=5, window_seconds=600)
MESSAGES = Limit("portal_message", count=5, window_seconds=600)
QUESTION_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 4000


RequestId = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUESTION_MAX_CHARS), LINES]
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX_CHARS), LINES]


class PortalView(BaseModel):
    company: str
    subdomain: str
    language: str
    state: State
    wait_seconds: int


class ChatRequestBody(BaseModel):
    name: Name
    email: EmailStr
    question: Question
    language: Language | None = None
    via: Via = "portal"


class ChatRequestCreated(BaseModel):
    """What the visitor's page needs to wait in the queue: the request's token opens the WebSocket."""

    request_id: str
    token: str
    expires_at: int
    websocket_url: str
    position: int
    accept_until: int
    wait_seconds: int


OFFLINE = Source.OFFLINE_MESSAGE
TITLE_CHARS = 80


class MessageBody(BaseModel):
    name: Name
    email: EmailStr
    message: Message
    language: Language | None = None
    via: Via = "portal"
    chat_request_id: RequestId = ""  # the chat request nobody accepted in time, which this message follows


class MessageLeft(BaseModel):
    number: int = Field(description="The ticket the message became.")


def describe(here: Visit) -> PortalView:
    _company, portal = here.found()
    return PortalView(
        company=portal.company_name,
        subdomain=portal.subdomain,
        language=portal.language,
        state=here.state,
        wait_seconds=get_preferences().chat_wait_seconds,
    )


def request_chat(here: Visit, body: ChatRequestBody, *, source: str) -> ChatRequestCreated:
    """Queue the visitor's request, if the portal is active and someone would take it now."""
    company, portal = _open(here)
    if here.state == State.UNAVAILABLE:
        raise NoTechnicianAvailable("No technician is available right now; leave a message instead.")
    spend(CHAT_REQUESTS, source)
    wait_seconds = get_preferences().chat_wait_seconds
    request = create_chat_request(
        company,
        portal,
        name=body.name,
        email=str(body.email),
        question=body.question,
        language=body.language or portal.language,
        wait_seconds=wait_seconds,
        via=body.via,
    )
    token, expires_at = visitor_token(request)
    return ChatRequestCreated(
        request_id=request.id,
        token=token,
        expires_at=expires_at,
        websocket_url=get_settings().websocket_url,
        position=position(request),
        accept_until=request.accept_until,
        wait_seconds=wait_seconds,
    )


def leave_message(here: Visit, body: MessageBody, *, source: str) -> MessageLeft:
    """The visitor's message becomes a ticket (source: an offline message) for the contact their
    address belongs to, or a new one in this portal's company; one that follows an unanswered
    chat request takes its place (the request is withdrawn if it still waits)."""
    company, portal = _open(here)
    spend(MESSAGES, source)
    follows = ""
    if body.chat_request_id:
        try:
            request = get_chat_request(body.chat_request_id)
        except NotFound:
            request = None
        if request is not None and request.company_id == company.id:
            follows = request.id
            withdraw(request)  # no-op if it ended already
    requester = requester_for(
        str(body.email),
        body.name,
        created_via=CreatedVia.PORTAL,
        company_id=company.id,
        language=body.language or spoken(portal.language),
    )
    ticket = submit(Submission(title=_title_of(body.message), description=body.message), requester, OFFLINE)
    if follows:
        logger.info("message after an unanswered chat", extra={"chat_request": follows, "ticket": ticket.number})
    return MessageLeft(number=ticket.number)


def _title_of(message: str) -> str:
    """A ticket's title from a message: its first line, cut at a word to fit."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _open(here: Visit) -> tuple[Company, Portal]:
    """The company and the portal, if it takes chat requests and messages: NotFound where there is
    no portal, PortalUnavailable while it is inactive (asking costs no read of who is available)."""
    company, portal = here.found()
    if not here.active:
        raise PortalUnavailable("Service unavailable. We apologise for the inconvenience.")
    return company, portal
