"""WebSocket functions: routes by route key (from the catalog) and the Lambda entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from .auth import Principal
from .catalog import WEBSOCKET_ROUTES
from .errors import DesklessError, InvalidRequest
from .observability import logger, metrics, tracer

Result = dict[str, Any] | None
MAX_ID_CHARS = 64


@dataclass(frozen=True)
class WebSocketRequest:
    event: dict[str, Any]

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.event["requestContext"])

    @property
    def connection_id(self) -> str:
        return str(self.context["connectionId"])

    @property
    def route_key(self) -> str:
        return str(self.context["routeKey"])

    @property
    def source_ip(self) -> str:
        return str(self.context.get("identity", {}).get("sourceIp", ""))

    @property
    def principal(self) -> Principal:
        """Set on $connect, from the WebSocket authorizer's context."""
        return Principal.from_context(self.context.get("authorizer") or {})

    def reply_to(self) -> str | int | None:
        """The `id` the client put on its message, to be echoed on the answer so that it can tell
        which request an answer is for; None when there is none (or no readable message)."""
        try:
            body = json.loads(self.event.get("body") or "{}")
        except json.JSONDecodeError:
            return None
        if not isinstance(body, dict) or body.get("id") is None:
            return None
        value = body["id"]
        if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > MAX_ID_CHARS:
            raise InvalidRequest(f"A message's id must be a string or an integer of at most {MAX_ID_CHARS} characters.")
        return value

    def json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.event.get("body") or "{}")
        except json.JSONDecodeError as error:
            raise InvalidRequest("Messages must be JSON objects.") from error
        if not isinstance(body, dict):
            raise InvalidRequest("Messages must be JSON objects.")
        return body


class WebSocketApp:
    def __init__(self, function: str) -> None:
        self.function = function
        self.routes: dict[str, Callable[[WebSocketRequest], Result]] = {}

    def route(
        self, route_key: str
    ) -> Callable[[Callable[[WebSocketRequest], Result]], Callable[[WebSocketRequest], Result]]:
        declared = {r.route_key for r in WEBSOCKET_ROUTES if r.function == self.function}
        if route_key not in declared:
            raise KeyError(f"{route_key!r} is not a WebSocket route of {self.function!r} in the catalog")

        def register(endpoint: Callable[[WebSocketRequest], Result]) -> Callable[[WebSocketRequest], Result]:
            self.routes[route_key] = endpoint
            return endpoint

        return register

    def dispatch(self, event: dict[str, Any]) -> dict[str, Any]:
        """Run the route's endpoint; the answer (and an error's) carries the message's `id`."""
        request = WebSocketRequest(event)
        endpoint = self.routes.get(request.route_key) or self.routes.get("$default")
        reply_to: str | int | None = None
        try:
            reply_to = request.reply_to()
            if endpoint is None:
                raise InvalidRequest(f"Unknown action {request.route_key!r}.")
            result = endpoint(request)
        except DesklessError as error:
            failed = {"error": error.code, "message": error.message}
            return {"statusCode": error.status, "body": json.dumps(_replying(failed, reply_to))}
        return {"statusCode": 200, "body": json.dumps(_replying(result, reply_to)) if result is not None else ""}

    def lambda_handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return self.dispatch(event)

        return handler


def _replying(answer: dict[str, Any], reply_to: str | int | None) -> dict[str, Any]:
    return answer if reply_to is None else {**answer, "id": reply_to}
