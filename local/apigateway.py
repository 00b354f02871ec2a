"""The events API Gateway sends to Lambda, built from a local request.

Shapes follow AWS's documentation for HTTP API payload format 2.0, its Lambda authorizer
request (2.0), and the WebSocket API's route and REQUEST-authorizer events; tests validate
them against Powertools' parser models.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from local.services import ACCOUNT, REGION

HTTP_API_ID = "deskless-local-http"
WEBSOCKET_API_ID = "deskless-local-ws"
WEBSOCKET_STAGE = "live"
TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml", "+json", "+xml")


@dataclass
class Request:
    """What the gateway saw of one HTTP request or WebSocket handshake."""

    method: str
    path: str
    raw_query: str
    headers: list[tuple[str, str]]
    source_ip: str
    body: bytes = b""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    epoch_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    def header_map(self) -> dict[str, str]:
        """Headers as API Gateway passes them: lower-case names, repeated values joined by commas."""
        merged: dict[str, str] = {}
        for name, value in self.headers:
            key = name.lower()
            if key == "cookie":
                continue
            merged[key] = f"{merged[key]},{value}" if key in merged else value
        return merged

    def cookies(self) -> list[str]:
        return [
            c.strip() for name, value in self.headers if name.lower() == "cookie" for c in value.split(";") if c.strip()
        ]

    def query(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for name, value in parse_qsl(self.raw_query, keep_blank_values=True):
            merged[name] = f"{merged[name]},{value}" if name in merged else value
        return merged

    def multi_query(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for name, value in parse_qsl(self.raw_query, keep_blank_values=True):
            merged.setdefault(name, []).append(value)
        return merged

    @property
    def host(self) -> str:
        return self.header_map().get("host", "localhost")

    @property
    def user_agent(self) -> str:
        return self.header_map().get("user-agent", "")

    def request_time(self) -> str:
        """API Gateway's format, e.g. 23/Nov/2026:10:00:00 +0000."""
        return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(self.epoch_ms / 1000))


def _is_text(content_type: str) -> bool:
    return not content_type or any(marker in content_type.lower() for marker in TEXT_TYPES)


def _body(request: Request) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    if _is_text(request.header_map().get("content-type", "")):
        try:
            return request.body.decode(), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode(), True


def http_event(
    request: Request, route_key: str, path_parameters: Mapping[str, str], authorizer_context: Mapping[str, Any] | None
) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event."""
    body, is_base64 = _body(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query,
        "headers": request.header_map(),
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": HTTP_API_ID,
            "domainName": request.host.split(":")[0],
            "domainPrefix": request.host.split(".")[0].split(":")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": request.user_agent,
            },
            "requestId": request.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": request.request_time(),
            "timeEpoch": request.epoch_ms,
        },
        "isBase64Encoded": is_base64,
    }
    if cookies := request.cookies():
        event["cookies"] = cookies
    if query := request.query():
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if authorizer_context is not None:
        event["requestContext"]["authorizer"] = {"lambda": dict(authorizer_context)}
    if body is not None:
        event["body"] = body
    return event


def http_authorizer_event(
    request: Request, route_key: str, path_parameters: Mapping[str, str], identity_source: Iterable[str]
) -> dict[str, Any]:
    """The HTTP API Lambda authorizer's request, payload format 2.0."""
    route_event = http_event(request, route_key, path_parameters, None)
    route_event.pop("body", None)
    route_event.pop("isBase64Encoded", None)
    method, path = route_key.split(" ", 1)
    return {
        **route_event,
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{HTTP_API_ID}/$default/{method}{path}",
        "identitySource": list(identity_source),
    }


def new_connection_id() -> str:
    """Like API Gateway's: 16 base64 characters ending in '='."""
    return base64.b64encode(secrets.token_bytes(11)).decode()[:15] + "="


@dataclass
class Connection:
    """One open WebSocket, as API Gateway tracks it."""

    connection_id: str
    handshake: Request
    connected_at_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    last_active_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    authorizer: dict[str, Any] = field(default_factory=dict)


def _websocket_context(connection: Connection, route_key: str, event_type: str, request_id: str) -> dict[str, Any]:
    """The requestContext of a connection's events; once $connect's authorizer has accepted the
    connection, API Gateway passes the context it returned on every event that follows."""
    now_ms = int(time.time() * 1000)
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now_ms / 1000)),
        "messageDirection": "IN",
        "stage": WEBSOCKET_STAGE,
        "connectedAt": connection.connected_at_ms,
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": connection.handshake.source_ip, "userAgent": connection.handshake.user_agent},
        "requestId": request_id,
        "domainName": connection.handshake.host.split(":")[0],
        "connectionId": connection.connection_id,
        "apiId": WEBSOCKET_API_ID,
    }
    if connection.authorizer:
        context["authorizer"] = dict(connection.authorizer)
    return context


def websocket_authorizer_event(connection: Connection) -> dict[str, Any]:
    """The REQUEST authorizer event of $connect."""
    handshake = connection.handshake
    headers = handshake.header_map()
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{WEBSOCKET_API_ID}/{WEBSOCKET_STAGE}/$connect",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": handshake.query(),
        "multiValueQueryStringParameters": handshake.multi_query(),
        "stageVariables": {},
        "requestContext": _websocket_context(connection, "$connect", "CONNECT", handshake.request_id),
    }


def websocket_connect_event(connection: Connection) -> dict[str, Any]:
    handshake = connection.handshake
    headers = handshake.header_map()
    context = _websocket_context(connection, "$connect", "CONNECT", handshake.request_id)
    event: dict[str, Any] = {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query := handshake.query():
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = handshake.multi_query()
    return event


def websocket_message_event(connection: Connection, route_key: str, body: str) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    context = _websocket_context(connection, route_key, "MESSAGE", request_id)
    context["messageId"] = base64.b64encode(secrets.token_bytes(11)).decode()[:15] + "="
    return {"requestContext": context, "body": body, "isBase64Encoded": False}


def websocket_disconnect_event(connection: Connection, status_code: int, reason: str) -> dict[str, Any]:
    headers = {"Host": connection.handshake.host, "x-api-key": "", "x-restapi": ""}
    context = _websocket_context(connection, "$disconnect", "DISCONNECT", str(uuid.uuid4()))
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }


def http_date(epoch_ms: int) -> str:
    return formatdate(epoch_ms / 1000, usegmt=True)
