"""What Deskless is made of: its functions, HTTP routes, WebSocket routes and stream filters.

This module is the one place these facts live. The CDK app builds functions, routes,
authorizers and event source mappings from it; the local platform builds its gateway, its
stream poller and its function registry from it; each function's API registers its
endpoints by route name through it (deskless.http.Api), so a path is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .table import TYPE_ATTRIBUTE, Entity


class Trigger(StrEnum):
    HTTP = "http"
    WEBSOCKET = "websocket"
    HTTP_AUTHORIZER = "http_authorizer"
    WEBSOCKET_AUTHORIZER = "websocket_authorizer"
    STREAM = "stream"
    EMAIL = "email"


class Access(StrEnum):
    """What a function may touch; the CDK app turns each into a scoped grant."""

    TABLE_READ = "table:read"
    TABLE_WRITE = "table:write"
    SIGNING_KEY = "secret:signing-key"
    ORIGIN_SECRET = "secret:origin"
    SEND_EMAIL = "ses:send"
    INBOUND_MAIL = "s3:inbound-mail"
    CONNECTIONS = "websocket:connections"


class Auth(StrEnum):
    PUBLIC = "public"  # no authorizer
    TOKEN = "token"  # the HTTP Lambda authorizer must accept a bearer token


@dataclass(frozen=True)
class Function:
    name: str
    trigger: Trigger
    access: frozenset[Access]
    description: str
    package: str = ""  # folder under functions/; defaults to the name
    entry: str = "handler.handler"  # module.attribute inside the package
    memory_mb: int = 512
    timeout_s: int = 10

    @property
    def folder(self) -> str:
        return self.package or self.name

    @property
    def lambda_handler(self) -> str:
        """The handler string Lambda is given: the package is the asset's top-level folder."""
        return f"{self.folder}.{self.entry}"

    @property
    def module(self) -> str:
        """Where the handler module is imported from in this repository."""
        return f"functions.{self.folder}.{self.entry.rsplit('.', 1)[0]}"

    @property
    def attribute(self) -> str:
        return self.entry.rsplit(".", 1)[1]


@dataclass(frozen=True)
class HttpRoute:
    route_key: str  # "METHOD /path/{param}", as API Gateway spells it
    function: str
    name: str  # the endpoint's name inside its function's API
    auth: Auth

    @property
    def method(self) -> str:
        return self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class WebSocketRoute:
    route_key: str  # $connect, $disconnect, $default, or the value of body.action
    function: str
    returns_response: bool = False  # the handler's body is sent back to the caller


@dataclass(frozen=True)
class StreamSubscription:
    """A DynamoDB stream event source mapping: which records reach which function."""

    function: str
    filters: tuple[Mapping[str, Any], ...]
    batch_size: int = 25
    retry_attempts: int = 5
    max_batching_window_s: int = 0


_RW = frozenset({Access.TABLE_READ, Access.TABLE_WRITE})

FUNCTIONS: tuple[Function, ...] = (
    Function(
        "meta",
        Trigger.HTTP,
        frozenset({Access.ORIGIN_SECRET}),
        "Health check and the public configuration a browser client starts from.",
        memory_mb=256,
    ),
    Function(
        "auth",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET},
        "Staff login, token issue, the caller's own profile.",
    ),
    Function(
        "staff",
        Trigger.HTTP,
        _RW | {Access.CONNECTIONS, Access.ORIGIN_SECRET},
        "Admins manage staff users (deactivating one closes their consoles) and the global settings.",
    ),
    Function(
        "codes",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.SEND_EMAIL, Access.ORIGIN_SECRET},
        "9-digit session codes: create, list, cancel, send, redeem (rate-limited).",
    ),
    Function(
        "invitations",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET},
        "Operator invitation links, and the API keys that create reusable ones.",
    ),
    Function(
        "sessions",
        Trigger.HTTP,
        frozenset({Access.TABLE_READ, Access.ORIGIN_SECRET}),
        "Support sessions: a technician's sessions and their transcripts.",
    ),
    Function(
        "portals",
        Trigger.HTTP,
        _RW | {Access.SIGNING_KEY, Access.ORIGIN_SECRET},
        "Companies and their portals; each portal's pages, chat widget, chat requests and messages.",
    ),
    Function(
        "http_authorizer",
        Trigger.HTTP_AUTHORIZER,
        frozenset({Access.TABLE_READ, Access.SIGNING_KEY}),
        "Lambda authorizer of the HTTP API: verifies the bearer token (and that a staff user is active).",
        package="authorizer",
        entry="handler.http",
        memory_mb=256,
        timeout_s=5,
    ),
    Function(
        "websocket_authorizer",
        Trigger.WEBSOCKET_AUTHORIZER,
        frozenset({Access.TABLE_READ, Access.SIGNING_KEY}),
        "Lambda authorizer of WebSocket $connect: verifies the token in the query string (and that a staff "
        "user is active).",
        package="authorizer",
        entry="handler.websocket",
        memory_mb=256,
        timeout_s=5,
    ),
    Function(
        "realtime",
        Trigger.WEBSOCKET,
        _RW | {Access.CONNECTIONS, Access.SIGNING_KEY},
        "The WebSocket API: presence and heartbeat, the chat queue, support session chat.",
    ),
    Function(
        "events",
        Trigger.STREAM,
        _RW | {Access.CONNECTIONS, Access.SEND_EMAIL},
        "Side effects of state changes, from the table's stream.",
        timeout_s=30,
    ),
    Function(
        "inbound_email",
        Trigger.EMAIL,
        _RW | {Access.INBOUND_MAIL},
        "Email received by SES: stored in S3, then recorded here.",
        timeout_s=30,
    ),
)

HTTP_ROUTES: tuple[HttpRoute, ...] = (
    HttpRoute("GET /api/health", "meta", "health", Auth.PUBLIC),
    HttpRoute("GET /api/config", "meta", "config", Auth.PUBLIC),
    HttpRoute("POST /api/auth/login", "auth", "login", Auth.PUBLIC),
    HttpRoute("GET /api/me", "auth", "me", Auth.TOKEN),
    HttpRoute("GET /api/staff", "staff", "list", Auth.TOKEN),
    HttpRoute("POST /api/staff", "staff", "create", Auth.TOKEN),
    HttpRoute("GET /api/settings", "staff", "settings", Auth.TOKEN),
    HttpRoute("PATCH /api/settings", "staff", "update_settings", Auth.TOKEN),
    HttpRoute("PATCH /api/staff/{user_id}", "staff", "update", Auth.TOKEN),
    HttpRoute("POST /api/codes", "codes", "create", Auth.TOKEN),
    HttpRoute("GET /api/codes", "codes", "list", Auth.TOKEN),
    HttpRoute("DELETE /api/codes/{code}", "codes", "cancel", Auth.TOKEN),
    HttpRoute("POST /api/codes/{code}/email", "codes", "email", Auth.TOKEN),
    HttpRoute("GET /api/codes/{code}/invitation", "codes", "invitation", Auth.TOKEN),
    HttpRoute("POST /api/join", "codes", "redeem", Auth.PUBLIC),
    HttpRoute("POST /api/invitations", "invitations", "create", Auth.TOKEN),
    HttpRoute("GET /api/invitations", "invitations", "list", Auth.TOKEN),
    HttpRoute("DELETE /api/invitations/{token}", "invitations", "invalidate", Auth.TOKEN),
    HttpRoute("POST /api/invitations/{token}/accept", "invitations", "accept", Auth.PUBLIC),
    HttpRoute("POST /api/v1/invitations", "invitations", "create_with_key", Auth.PUBLIC),  # API key checked inside
    HttpRoute("POST /api/api-keys", "invitations", "create_key", Auth.TOKEN),
    HttpRoute("GET /api/api-keys", "invitations", "list_keys", Auth.TOKEN),
    HttpRoute("DELETE /api/api-keys/{key_id}", "invitations", "revoke_key", Auth.TOKEN),
    HttpRoute("GET /api/sessions", "sessions", "list", Auth.TOKEN),
    HttpRoute("GET /api/sessions/{session_id}/messages", "sessions", "messages", Auth.TOKEN),
    HttpRoute("GET /api/companies", "portals", "list_companies", Auth.TOKEN),
    HttpRoute("POST /api/companies", "portals", "create_company", Auth.TOKEN),
    HttpRoute("GET /api/companies/{company_id}", "portals", "get_company", Auth.TOKEN),
    HttpRoute("PATCH /api/companies/{company_id}", "portals", "update_company", Auth.TOKEN),
    HttpRoute("POST /api/companies/{company_id}/portal", "portals", "create_portal", Auth.TOKEN),
    HttpRoute("PATCH /api/companies/{company_id}/portal", "portals", "update_portal", Auth.TOKEN),
    HttpRoute("GET /api/companies/{company_id}/portal/embed", "portals", "embed", Auth.TOKEN),
    HttpRoute("GET /api/companies/{company_id}/support-requests", "portals", "support_requests", Auth.TOKEN),
    # A portal's own API: the portal is the one whose host the request came to.
    HttpRoute("GET /api/portal", "portals", "portal_state", Auth.PUBLIC),
    HttpRoute("POST /api/portal/chat-requests", "portals", "request_chat", Auth.PUBLIC),
    HttpRoute("POST /api/portal/messages", "portals", "leave_message", Auth.PUBLIC),
    HttpRoute("GET /", "portals", "home", Auth.PUBLIC),
    HttpRoute("GET /widget", "portals", "widget", Auth.PUBLIC),
    HttpRoute("GET /widget.js", "portals", "widget_script", Auth.PUBLIC),
    HttpRoute("GET /join", "portals", "join", Auth.PUBLIC),
    HttpRoute("GET /join/{code}", "portals", "join_code", Auth.PUBLIC),
    HttpRoute("GET /invite/{token}", "portals", "invite", Auth.PUBLIC),
)

WEBSOCKET_ROUTES: tuple[WebSocketRoute, ...] = (
    WebSocketRoute("$connect", "realtime"),
    WebSocketRoute("$disconnect", "realtime"),
    WebSocketRoute("$default", "realtime", returns_response=True),
    WebSocketRoute("ping", "realtime", returns_response=True),
    WebSocketRoute("session.join", "realtime", returns_response=True),
    WebSocketRoute("chat.send", "realtime", returns_response=True),
    WebSocketRoute("session.end", "realtime", returns_response=True),
    WebSocketRoute("heartbeat", "realtime", returns_response=True),
    WebSocketRoute("presence.get", "realtime", returns_response=True),
    WebSocketRoute("presence.set", "realtime", returns_response=True),
    WebSocketRoute("queue.list", "realtime", returns_response=True),
    WebSocketRoute("chat.accept", "realtime", returns_response=True),
    WebSocketRoute("chat.status", "realtime", returns_response=True),
    WebSocketRoute("chat.withdraw", "realtime", returns_response=True),
)

# The route selection expression of the WebSocket API.
WEBSOCKET_ROUTE_SELECTION = "$request.body.action"
# Where the WebSocket authorizer finds the token (browsers cannot set WebSocket headers).
WEBSOCKET_TOKEN_PARAMETER = "token"
WEBSOCKET_AUTHORIZER = "websocket_authorizer"
# SES stores each received message in the inbound bucket under this prefix + its message id.
INBOUND_MAIL_PREFIX = "inbound/"
HTTP_AUTHORIZER = "http_authorizer"


def _removed(entity: Entity) -> Mapping[str, Any]:
    return {"eventName": ["REMOVE"], "dynamodb": {"OldImage": {TYPE_ATTRIBUTE: {"S": [entity.value]}}}}


def _inserted(entity: Entity) -> Mapping[str, Any]:
    return {"eventName": ["INSERT"], "dynamodb": {"NewImage": {TYPE_ATTRIBUTE: {"S": [entity.value]}}}}


def _ended_chat_request() -> Mapping[str, Any]:
    """A chat request that stopped waiting: accepted or withdrawn (its only other changes are the
    visitor's connections coming and going while it waits)."""
    image = {TYPE_ATTRIBUTE: {"S": [Entity.CHAT_REQUEST.value]}, "state": {"S": ["accepted", "withdrawn"]}}
    return {"eventName": ["MODIFY"], "dynamodb": {"NewImage": image}}


STREAM_SUBSCRIPTIONS: tuple[StreamSubscription, ...] = (
    StreamSubscription(
        "events",
        filters=(
            _removed(Entity.CONNECTION),
            _removed(Entity.CODE),
            _inserted(Entity.SESSION),
            _inserted(Entity.CHAT_REQUEST),
            _ended_chat_request(),
            _removed(Entity.QUEUE_ENTRY),
        ),
    ),
)


def function(name: str) -> Function:
    for candidate in FUNCTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no function named {name!r}")


def http_route(function_name: str, name: str) -> HttpRoute:
    for route in HTTP_ROUTES:
        if route.function == function_name and route.name == name:
            return route
    raise KeyError(f"no HTTP route {name!r} for function {function_name!r}")
