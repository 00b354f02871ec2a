"""The local gateway: one ASGI app that plays CloudFront, the HTTP API, the WebSocket API and its
@connections management API, turning requests into the events API Gateway sends and invoking
the same handlers that run in Lambda, in this process.

  /@connections/{id}   POST send, GET info, DELETE disconnect (what boto3's apigatewaymanagementapi calls)
  /ws                  the WebSocket API ($connect with its authorizer, routes by body.action, $disconnect)
  /_local/...          local-only tools (outbox, TTL clock), see local/tools.py
  /static/...          the console's static files from the web root, as the CDN serves them (local/static.py)
  /api/openapi.json    the API's description and its reference page, likewise (deskless.edge.API_REFERENCE)
  /api/docs
  anything else        the HTTP API, routed by the catalog
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from anyio import to_thread

from deskless.catalog import HTTP_AUTHORIZER_CACHE_SECONDS, Auth, HttpRoute
from deskless.edge import (
    EDGE_HEADERS,
    ORIGIN_VERIFY_HEADER,
    PORTAL_HOST_HEADER,
    VIEWER_IP_HEADER,
    static_file_headers,
)
from local import apigateway as agw
from local.functions import Functions
from local.logs import log
from local.static import StaticFiles

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
LocalTools = Callable[[str, str, bytes], Awaitable[tuple[int, str, bytes] | None]]

WEBSOCKET_PATH = "/ws"
CONNECTIONS_PREFIX = "/@connections/"
MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's WebSocket message limit
AUTHORIZATION_HEADER = "authorization"  # the HTTP authorizer's identity source
MAX_VERDICTS = 10_000  # identities whose verdict is kept at once; past that, the expired ones go


@dataclass(frozen=True)
class WebSocketLimits:
    idle_timeout_s: float = 600.0  # API Gateway closes a connection idle for 10 minutes
    max_lifetime_s: float = 7200.0  # and any connection after 2 hours


@cache  # a route's pattern, made once: every request is matched against every route
def _compile(route: HttpRoute) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", route.path)
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


def _match(routes: tuple[HttpRoute, ...], method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
    """API Gateway's choice: the most specific route (fewest parameters) that matches."""
    candidates = []
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        if found := _compile(route).match(path):
            candidates.append((route.path.count("{"), route, found.groupdict()))
    if not candidates:
        return None
    _, route, parameters = min(candidates, key=lambda c: c[0])
    return route, parameters


async def _respond(
    send: Send, status: int, body: bytes, headers: Mapping[str, str] | None = None, cookies: list[str] | None = None
) -> None:
    raw = [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    raw += [(b"set-cookie", c.encode()) for c in cookies or []]
    if not any(k == b"content-type" for k, _ in raw) and body:
        raw.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def lambda_response(result: Any) -> tuple[int, dict[str, str], list[str], bytes]:
    """An HTTP API's reading of a payload 2.0 Lambda result."""
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        return int(result["statusCode"]), dict(result.get("headers") or {}), list(result.get("cookies") or []), raw
    return 200, {"content-type": "application/json"}, [], _json(result)


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


@dataclass
class _Socket:
    connection: agw.Connection
    outbox: asyncio.Queue[bytes | _Close] = field(default_factory=asyncio.Queue)  # what to send, in order


class Gateway:
    def __init__(
        self,
        registry: Functions,
        *,
        origin_secret: str,
        tools: LocalTools | None = None,
        limits: WebSocketLimits | None = None,
        web_root: Path | None = None,
        websocket_url: str = "ws://localhost:8000/ws",
        attachments_origin: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.origin_secret = origin_secret
        self.tools = tools
        self.limits = limits or WebSocketLimits()
        headers = static_file_headers(websocket_url, attachments_origin)
        self.static = StaticFiles(web_root, headers) if web_root is not None else None
        self.sockets: dict[str, _Socket] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # messages being handled (API Gateway runs them concurrently)
        self._clock = clock
        self._verdicts: dict[str, tuple[float, dict[str, Any]]] = {}  # identity -> (until, the authorizer's verdict)

    async def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return await to_thread.run_sync(self.registry.invoke, function, event)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    # --- HTTP ---------------------------------------------------------------------------

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = _request(scope, body)
        started = time.perf_counter()
        send = send if request.path.startswith(CONNECTIONS_PREFIX) else at_the_edge(send)
        if request.path.startswith(CONNECTIONS_PREFIX):
            status, payload, headers = await self._manage(request)
            await _respond(send, status, payload, headers)
        elif request.path.startswith("/_local/") and self.tools is not None:
            answer = await self.tools(request.method, request.path, body)
            status, content_type, payload = answer or (404, "application/json", _json({"message": "Not Found"}))
            await _respond(send, status, payload, {"content-type": content_type})
        elif self.static is not None and self.static.serves(request.path):
            status = await self._static(self.static, request, scope, send)
        else:
            status = await self._api(request, send)
        log.debug(
            "%s %s -> %s in %.1f ms", request.method, request.path, status, (time.perf_counter() - started) * 1000
        )

    async def _static(self, static: StaticFiles, request: agw.Request, scope: Scope, send: Send) -> int:
        raw_path = (scope.get("raw_path") or request.path.encode()).decode("latin-1")
        if_none_match = request.header_map().get("if-none-match", "")
        answer = await to_thread.run_sync(
            lambda: static.answer(request.method, request.path, raw_path, if_none_match=if_none_match)
        )
        await _respond(send, answer.status, answer.body, answer.headers)
        return answer.status

    def _as_cdn(self, request: agw.Request) -> None:
        request.headers = as_cdn(request.headers, viewer_ip=request.source_ip, origin_secret=self.origin_secret)

    async def _api(self, request: agw.Request, send: Send) -> int:
        catalog = self.registry.catalog()
        matched = _match(catalog.HTTP_ROUTES, request.method, request.path)
        if matched is None:
            await _respond(send, 404, _json({"message": "Not Found"}))
            return 404
        route, parameters = matched
        self._as_cdn(request)
        context = None
        if route.auth == Auth.TOKEN:
            identity = request.header_map().get(AUTHORIZATION_HEADER)
            if not identity:
                await _respond(send, 401, _json({"message": "Unauthorized"}))
                return 401
            verdict = await self._verdict(
                catalog.HTTP_AUTHORIZER,
                identity,
                lambda: agw.http_authorizer_event(request, route.route_key, parameters, [identity]),
            )
            if not isinstance(verdict, dict) or not verdict.get("isAuthorized"):
                status = 500 if verdict is None else 403
                await _respond(
                    send, status, _json({"message": "Internal Server Error" if verdict is None else "Forbidden"})
                )
                return status
            context = verdict.get("context") or {}
        result = await self._invoke_safely(
            route.function, agw.http_event(request, route.route_key, parameters, context)
        )
        if result is None:
            await _respond(send, 500, _json({"message": "Internal Server Error"}))
            return 500
        status, headers, cookies, payload = lambda_response(result)
        await _respond(send, status, payload, headers, cookies)
        return status

    async def _verdict(self, authorizer: str, identity: str, event: Callable[[], dict[str, Any]]) -> Any:
        """The HTTP authorizer's verdict on `identity`, reused for HTTP_AUTHORIZER_CACHE_SECONDS as
        API Gateway reuses it (on every route it guards, whatever the verdict was); a failed call is
        not kept."""
        now = self._clock()
        kept = self._verdicts.get(identity)
        if kept is not None and now < kept[0]:
            return kept[1]
        verdict = await self._invoke_safely(authorizer, event())
        if isinstance(verdict, dict):
            if len(self._verdicts) >= MAX_VERDICTS:
                self._verdicts = {key: value for key, value in self._verdicts.items() if now < value[0]}
            self._verdicts[identity] = (now + HTTP_AUTHORIZER_CACHE_SECONDS, verdict)
        return verdict

    async def _invoke_safely(self, function: str, event: dict[str, Any]) -> Any:
        try:
            return await self.invoke(function, event)
        except Exception:
            log.exception("function %s failed", function)
            return None

    # --- @connections -------------------------------------------------------------------

    async def _manage(self, request: agw.Request) -> tuple[int, bytes, dict[str, str]]:
        connection_id = request.path[len(CONNECTIONS_PREFIX) :]
        socket = self.sockets.get(connection_id)
        if socket is None:
            return 410, _json({"message": f"Connection {connection_id} is gone"}), {"x-amzn-errortype": "GoneException"}
        if request.method == "POST":
            if len(request.body) > MAX_MESSAGE_BYTES:
                return (
                    413,
                    _json({"message": "Request entity too large"}),
                    {"x-amzn-errortype": "PayloadTooLargeException"},
                )
            await socket.outbox.put(request.body)
            return 200, b"", {}
        if request.method == "GET":
            connection = socket.connection
            return (
                200,
                _json(
                    {
                        "connectedAt": _iso(connection.connected_at_ms),
                        "identity": {
                            "sourceIp": connection.handshake.source_ip,
                            "userAgent": connection.handshake.user_agent,
                        },
                        "lastActiveAt": _iso(connection.last_active_ms),
                    }
                ),
                {},
            )
        if request.method == "DELETE":
            await socket.outbox.put(_Close(1000, "Connection closed by the server"))
            return 204, b"", {}
        return 405, _json({"message": "Method Not Allowed"}), {}

    # --- WebSocket ----------------------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        request = _request(scope, b"")
        if request.path.rstrip("/") != WEBSOCKET_PATH:
            await send({"type": "websocket.close", "code": 1008})
            return
        catalog = self.registry.catalog()
        connection = agw.Connection(connection_id=agw.new_connection_id(), handshake=request)
        refusal = await self._connect(catalog, connection)
        if refusal is not None:
            log.info("WebSocket refused (%s)", refusal)
            await _refuse(scope, send, refusal)
            return
        socket = _Socket(connection)
        await send({"type": "websocket.accept"})
        self.sockets[connection.connection_id] = socket
        code, reason = 1000, "Client closed the connection"
        try:
            code, reason = await self._serve(catalog, socket, receive, send)
        finally:
            self.sockets.pop(connection.connection_id, None)
            await self._invoke_safely(
                _route_function(catalog, "$disconnect"), agw.websocket_disconnect_event(connection, code, reason)
            )

    async def _connect(self, catalog: Any, connection: agw.Connection) -> int | None:
        """Run the $connect authorizer and route; the status that refuses the handshake, or None."""
        token = connection.handshake.query().get(catalog.WEBSOCKET_TOKEN_PARAMETER)
        if not token:
            return 401  # the identity source is missing: API Gateway does not call the authorizer
        policy = await self._invoke_safely(catalog.WEBSOCKET_AUTHORIZER, agw.websocket_authorizer_event(connection))
        if not isinstance(policy, dict):
            return 500
        statements = policy.get("policyDocument", {}).get("Statement", [])
        if not statements or any(s.get("Effect") != "Allow" for s in statements):
            return 403
        connection.authorizer = {**(policy.get("context") or {}), "principalId": policy.get("principalId", "")}
        result = await self._invoke_safely(
            _route_function(catalog, "$connect"), agw.websocket_connect_event(connection)
        )
        status = int(result.get("statusCode", 200)) if isinstance(result, dict) else (500 if result is None else 200)
        return None if 200 <= status < 300 else status

    async def _serve(self, catalog: Any, socket: _Socket, receive: Receive, send: Send) -> tuple[int, str]:
        connection = socket.connection
        routes = {r.route_key: r for r in catalog.WEBSOCKET_ROUTES}
        lifetime_ends = time.monotonic() + self.limits.max_lifetime_s
        incoming: asyncio.Task[dict[str, Any]] | None = None
        outgoing: asyncio.Task[bytes | _Close] | None = None
        try:
            while True:
                incoming = incoming or asyncio.ensure_future(receive())
                outgoing = outgoing or asyncio.ensure_future(socket.outbox.get())
                idle_ends = connection.last_active_ms / 1000 + self.limits.idle_timeout_s
                timeout = max(0.0, min(idle_ends - time.time(), lifetime_ends - time.monotonic()))
                done, _ = await asyncio.wait({incoming, outgoing}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    idle = time.time() >= idle_ends
                    reason = "Connection idle for too long" if idle else "Connection reached its maximum duration"
                    await send({"type": "websocket.close", "code": 1001, "reason": reason})
                    return 1001, reason
                if outgoing in done:
                    item = outgoing.result()
                    outgoing = None
                    if isinstance(item, _Close):
                        await send({"type": "websocket.close", "code": item.code, "reason": item.reason})
                        return item.code, item.reason
                    await send({"type": "websocket.send", "text": item.decode("utf-8", "replace")})
                    connection.last_active_ms = int(time.time() * 1000)
                if incoming in done:
                    message = incoming.result()
                    incoming = None
                    if message["type"] == "websocket.disconnect":
                        return int(message.get("code", 1005)), "Client closed the connection"
                    data = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
                    connection.last_active_ms = int(time.time() * 1000)
                    if len(data.encode()) > MAX_MESSAGE_BYTES:
                        await send({"type": "websocket.close", "code": 1009, "reason": "Message too big"})
                        return 1009, "Message too big"
                    handling = asyncio.ensure_future(self._route_message(routes, connection, data, socket))
                    self._tasks.add(handling)
                    handling.add_done_callback(self._tasks.discard)
        finally:
            for pending in (incoming, outgoing):
                if pending is not None:
                    pending.cancel()

    async def _route_message(
        self, routes: Mapping[str, Any], connection: agw.Connection, data: str, socket: _Socket
    ) -> None:
        route_key = "$default"
        try:
            action = json.loads(data).get("action")
            if isinstance(action, str) and action in routes and not action.startswith("$"):
                route_key = action
        except (json.JSONDecodeError, AttributeError):
            pass
        route = routes.get(route_key)
        if route is None:
            return
        result = await self._invoke_safely(route.function, agw.websocket_message_event(connection, route_key, data))
        if route.returns_response and isinstance(result, dict) and result.get("body"):
            await socket.outbox.put(str(result["body"]).encode())
        elif result is None and route.returns_response:
            await socket.outbox.put(
                _json({"message": "Internal server error", "connectionId": connection.connection_id})
            )


def _route_function(catalog: Any, route_key: str) -> str:
    return str(next(r.function for r in catalog.WEBSOCKET_ROUTES if r.route_key == route_key))


def as_cdn(headers: list[tuple[str, str]], *, viewer_ip: str, origin_secret: str) -> list[tuple[str, str]]:
    """The headers the origin gets from CloudFront for a viewer's request: the viewer-request
    function (infra.constructs.portals_cdn) copies the Host and the viewer's address into their
    headers, and the origin's custom header carries the secret; each replaces whatever the viewer
    sent. tests/infra/test_edge.py runs both on the same cases."""
    host = next((value for name, value in headers if name.lower() == "host"), "")
    edge = {PORTAL_HOST_HEADER: host, VIEWER_IP_HEADER: viewer_ip, ORIGIN_VERIFY_HEADER: origin_secret}
    return [*((k, v) for k, v in headers if k.lower() not in edge), *edge.items()]


def at_the_edge(send: Send) -> Send:
    """`send` with deskless.edge.EDGE_HEADERS on the response, replacing any the origin set, as the
    CDN's response headers policies add them to everything it serves (the @connections API is API
    Gateway's own, reached without CloudFront)."""

    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            edge = {name.encode(): value.encode() for name, value in EDGE_HEADERS.items()}
            kept = [(name, value) for name, value in message["headers"] if name.lower() not in edge]
            message = {**message, "headers": [*kept, *edge.items()]}
        await send(message)

    return sending


async def _refuse(scope: Scope, send: Send, status: int) -> None:
    """Refuse a WebSocket handshake with an HTTP status, where the server supports it."""
    if "websocket.http.response" in scope.get("extensions", {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send(
            {
                "type": "websocket.http.response.body",
                "body": _json({"message": "Unauthorized" if status == 401 else "Forbidden"}),
            }
        )
    else:
        await send({"type": "websocket.close", "code": 1008})


def _request(scope: Scope, body: bytes) -> agw.Request:
    client = scope.get("client") or ("127.0.0.1", 0)
    return agw.Request(
        method=scope.get("method", "GET"),
        path=scope["path"],
        raw_query=scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
        source_ip=client[0],
        body=body,
    )


def _iso(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms / 1000)) + f".{epoch_ms % 1000:03d}Z"
