"""WebSocket functions: a table of actions, each under the route key the catalog lists for it;
who may send each one (the catalog's callers) checked here, each message's body parsed into the
action's model, and the Lambda entry point.

Who calls: API Gateway passes the context the $connect authorizer returned on every event of the
connection. A staff caller's account is read again on each message (one GetItem), so a role
taken away or an account deactivated takes effect on sockets already open, at once, as the HTTP
authorizer's check does for requests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel, ValidationError

from .auth import Principal
from .bodies import parse_json
from .catalog import Caller, WebSocketRoute, in_words, websocket_route
from .entry import Entry
from .errors import DesklessError, Forbidden, InvalidRequest, Unauthorized
from .observability import logger, metrics, tracer
from .users import as_stored_now

Result = dict[str, Any] | None
Body = TypeVar("Body", bound=BaseModel)
MAX_ID_CHARS = 64
CONNECT, DISCONNECT, DEFAULT = "$connect", "$disconnect", "$default"


@dataclass(frozen=True)
class WebSocketRequest:
    """One event of a connection, with its caller as the plumbing let them in."""

    event: dict[str, Any]
    caller_: Principal | None = None  # None on $disconnect only: whoever it was, the socket is gone
    message: dict[str, Any] = field(default_factory=dict)  # the JSON object the client sent

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.event["requestContext"])

    @property
    def connection_id(self) -> str:
        return str(self.context["connectionId"])

    @property
    def source_ip(self) -> str:
        return str(self.context.get("identity", {}).get("sourceIp", ""))

    @property
    def caller(self) -> Principal:
        if self.caller_ is None:
            raise Unauthorized("This connection carries no identity.")
        return self.caller_


@dataclass(frozen=True)
class Action:
    """What an action runs, and the model its message is parsed into (None: it takes no fields)."""

    run: Callable[..., Result]
    body: type[BaseModel] | None = None


class WebSocketApp:
    def __init__(self, function: str, actions: Mapping[str, Action]) -> None:
        for route_key in actions:
            if websocket_route(route_key).function != function:
                raise KeyError(f"{route_key!r} is not a WebSocket route of {function!r} in the catalog")
        self.function = function
        self.actions = dict(actions)

    @property
    def routes(self) -> set[str]:
        return set(self.actions)

    def dispatch(self, event: dict[str, Any]) -> dict[str, Any]:
        """Run the route's action; the answer (and an error's) carries the message's `id`."""
        route_key = str(event["requestContext"]["routeKey"])
        if route_key not in self.actions:
            route_key = DEFAULT
        route = websocket_route(route_key)
        reply_to: str | int | None = None
        try:
            message = _message(event) if route_key not in (CONNECT, DISCONNECT) else {}
            reply_to = _reply_to(message)
            request = WebSocketRequest(event, _caller(route, event), message)
            action = self.actions[route_key]
            result = action.run(request) if action.body is None else action.run(request, parse(action.body, message))
        except DesklessError as error:
            failed = {"error": error.code, "message": error.message}
            return {"statusCode": error.status, "body": json.dumps(_replying(failed, reply_to))}
        return {"statusCode": 200, "body": json.dumps(_replying(result, reply_to)) if result is not None else ""}

    def lambda_handler(self) -> Entry:
        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return self.dispatch(event)

        return Entry(handler, {key: action.run for key, action in self.actions.items()})


def _caller(route: WebSocketRoute, event: dict[str, Any]) -> Principal | None:
    """Who sends this, if the catalog lets them: on $connect as the authorizer just verified them,
    on a message as their account is now; on $disconnect nobody is asked."""
    if route.route_key == DISCONNECT:
        return None
    caller = Principal.from_context(event["requestContext"].get("authorizer") or {})
    if route.route_key != CONNECT:
        caller = as_stored_now(caller)
    if Caller(caller.role) not in route.allow:
        raise Forbidden(f"This is for {in_words(route.allow)} only.")
    return caller


def _message(event: dict[str, Any]) -> dict[str, Any]:
    body = parse_json(event.get("body") or "{}")
    if not isinstance(body, dict):
        raise InvalidRequest("Messages must be JSON objects.")
    return body


def _reply_to(message: dict[str, Any]) -> str | int | None:
    """The `id` the client put on its message, to be echoed on the answer so that it can tell
    which request an answer is for; None when there is none."""
    value = message.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > MAX_ID_CHARS:
        raise InvalidRequest(f"A message's id must be a string or an integer of at most {MAX_ID_CHARS} characters.")
    return value


def parse(model: type[Body], message: dict[str, Any]) -> Body:
    """The message as `model`, or an invalid_request naming each field that is wrong."""
    try:
        return model.model_validate(message)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())
        raise InvalidRequest(f"The message is not valid: {problems}") from error


def _replying(answer: dict[str, Any], reply_to: str | int | None) -> dict[str, Any]:
    return answer if reply_to is None else {**answer, "id": reply_to}
