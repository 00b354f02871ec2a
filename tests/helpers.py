"""Helpers the tests share: sample events from events/, running a handler as Lambda would,
reading an HTTP API result, a request through the local gateway, counting AWS requests, and a
stand-in for the @connections API."""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest

from deskless.auth import Principal, Role
from deskless.edge import ORIGIN_VERIFY_HEADER
from deskless.table import user_key
from local.functions import FunctionRegistry, LambdaContext
from local.gateway import Gateway

EVENTS = Path(__file__).resolve().parent.parent / "events"

ADMIN = Principal(user_id="a0a0a0a0a0a0a0a0", role=Role.ADMIN, name="Ada Admin", email="ada@example.com")
TECHNICIAN = Principal(user_id="7e7e7e7e7e7e7e7e", role=Role.TECHNICIAN, name="Ted Tech", email="ted@example.com")


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of events/<name>.json: tests change it freely."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def current(module: str) -> ModuleType:
    """A core module as the functions see it now.

    local.functions' registry reloads `deskless` and `functions` when their code changes, and
    a reload replaces the module objects a test file imported when it was collected; the
    functions then read the settings and clients cached in the new ones.
    """
    return importlib.import_module(module)


def invoke(function: str, event: dict[str, Any]) -> Any:
    """Run a catalog function's handler in this process with a Lambda-like context.

    The handler is looked up in the modules loaded now (see `current`), not kept from an
    earlier test; Python's import cache still makes each function's import happen once.
    """
    return FunctionRegistry(reload=False).invoke(function, event)


def lambda_context(function: str = "test") -> LambdaContext:
    return LambdaContext(function_name=f"deskless-{function}")


# --- HTTP API events -----------------------------------------------------------------------


def http_event(
    name: str,
    *,
    origin_secret: str | None,
    principal: Principal | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    route_key: str | None = None,
) -> dict[str, Any]:
    """A sample HTTP API v2 event with the origin secret (None: header removed), the caller
    (as the Lambda authorizer's context), a JSON body, extra headers and another route set."""
    event = load_event(name)
    if route_key is not None:
        method, path = route_key.split(" ", 1)
        event["routeKey"] = event["requestContext"]["routeKey"] = route_key
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["method"] = method
    if origin_secret is None:
        event["headers"].pop(ORIGIN_VERIFY_HEADER, None)
    else:
        event["headers"][ORIGIN_VERIFY_HEADER] = origin_secret
    if principal is not None:
        event["requestContext"]["authorizer"] = {"lambda": principal.to_context()}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-length"] = str(len(event["body"].encode()))
    event["headers"].update(headers or {})
    return event


def add_staff(*people: Principal) -> None:
    """Staff users as deskless.users stores them (no password: nobody logs in here)."""
    for person in people:
        current("deskless.data").table().put(
            {
                **user_key(person.user_id),
                "type": "user",
                "user_id": person.user_id,
                "email": person.email,
                "name": person.name,
                "role": person.role,
                "created_at": 1773000000,
            }
        )


def websocket_event(name: str, principal: Principal | None, **request_context: Any) -> dict[str, Any]:
    """A sample WebSocket event whose connection the authorizer let in as `principal` (None: no
    context, as before any authorizer ran); `request_context` overrides its requestContext."""
    event = load_event(name)
    event["requestContext"].update(request_context)
    if principal is None:
        event["requestContext"].pop("authorizer", None)
    else:
        event["requestContext"]["authorizer"] = {"principalId": principal.user_id, **principal.to_context()}
    return event


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def http_result(result: dict[str, Any]) -> HttpResult:
    assert not result.get("isBase64Encoded"), "tests expect text bodies"
    return HttpResult(status=result["statusCode"], headers=result.get("headers", {}), body=result.get("body", ""))


def call_http(function: str, event: dict[str, Any]) -> HttpResult:
    return http_result(invoke(function, event))


def ok(response: HttpResult, status: int = 200) -> Any:
    """The JSON body (None for none) of an answer that had `status`; the body is the failure's
    message otherwise."""
    assert response.status == status, response.body
    return response.json() if response.body else None


def refused(response: HttpResult) -> tuple[int, str]:
    """An error answer's status and its `error` code."""
    return response.status, response.json()["error"]


# --- the local gateway -----------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def call_gateway(gateway: Gateway, method: str, raw_path: str, headers: dict[str, str] | None = None) -> GatewayAnswer:
    """One HTTP request through the gateway's ASGI app, as uvicorn hands it over (path decoded)."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost:8123"), *((k.encode(), v.encode()) for k, v in (headers or {}).items())],
        "client": ("127.0.0.1", 5000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(gateway(scope, receive, send))
    start, body = sent
    return GatewayAnswer(start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body.get("body", b""))


# --- counting AWS requests -----------------------------------------------------------------


# --- the @connections management API -------------------------------------------------------


@dataclass
class ConnectionsStub:
    """API Gateway's @connections endpoint on 127.0.0.1: records each call and answers 410
    Gone for the connections listed in `gone` (as API Gateway does for a closed socket), 403
    Forbidden for those in `forbidden` (an error that is not Gone), and 200 for the others."""

    gone: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    posts: list[tuple[str, bytes]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    url: str = ""

    @contextmanager
    def running(self) -> Iterator[ConnectionsStub]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _connection_id(self) -> str:
                prefix = "/@connections/"
                assert self.path.startswith(prefix), self.path
                return unquote(self.path[len(prefix) :])

            def _answer(self, connection_id: str) -> None:
                if connection_id in stub.gone:
                    body = json.dumps({"message": None}).encode()
                    self.send_response(410)
                    self.send_header("x-amzn-ErrorType", "GoneException")
                elif connection_id in stub.forbidden:
                    body = json.dumps({"message": "Forbidden"}).encode()
                    self.send_response(403)
                    self.send_header("x-amzn-ErrorType", "ForbiddenException")
                else:
                    body = b""
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                connection_id = self._connection_id()
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stub.posts.append((connection_id, data))
                self._answer(connection_id)

            def do_DELETE(self) -> None:
                connection_id = self._connection_id()
                stub.deletes.append(connection_id)
                self._answer(connection_id)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    def serve_functions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point the functions' @connections client at this stub (a fresh cold start's settings)."""
        monkeypatch.setenv("DESKLESS_WEBSOCKET_CALLBACK_URL", self.url)
        current("deskless.settings").get_settings.cache_clear()
        current("deskless.aws").connections_client.cache_clear()

    def posted(self, connection_id: str) -> list[Any]:
        return [json.loads(data) for target, data in self.posts if target == connection_id]
