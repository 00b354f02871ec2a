"""DynamoDB requests to moto take turns, as DynamoDB isolates each request.

Written against moto 5.2.5 (pinned in pyproject.toml). moto's server is threaded, and its DynamoDB
backend has no lock: a transaction checks, writes and rolls back item by item, and a Query walks a
partition another request may be writing. So one DynamoDB request at a time, which keeps
conditional and transactional writes exact under concurrent requests (the code limit under 50
concurrent creates, a code redeemed once, the first accept winning), as in AWS.

What takes turns is set per process, by local.moto_app.moto_app with the other local fast paths:

- "action" (the fast path): moto's answer to the request, from the backend's work to the answer
  written out (`call_action` of moto's DynamoDB and DynamoDB Streams handlers). Reading the HTTP
  request, finding its service and parsing its JSON against the service's model (about half of
  moto's time for a DynamoDB request) happen beside another request's turn.
- "request" (moto as local mode first ran it, kept for comparison): the whole HTTP request, from
  its first byte read to its last written (the WSGI middleware below).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Literal

from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

Mode = Literal["action", "request"]
StartResponse = Callable[..., Any]

_TURN = threading.Lock()
_MOTO_CALL_ACTION = {handler: handler.call_action for handler in (DynamoHandler, DynamoDBStreamsHandler)}
_whole_requests = False


def _in_turn(call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def taking_turns(handler: Any) -> Any:
        with _TURN:
            return call_action(handler)

    return taking_turns


def use(mode: Mode) -> None:
    """Make DynamoDB requests take turns by `mode`: their "action", or the whole "request"."""
    global _whole_requests
    _whole_requests = mode == "request"
    for handler, call_action in _MOTO_CALL_ACTION.items():
        handler.call_action = _in_turn(call_action) if mode == "action" else call_action  # type: ignore[method-assign]


class OneRequestAtATime:
    """WSGI middleware: in "request" mode, a DynamoDB request holds the turn from start to end."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _whole_requests or not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        with _TURN:
            return list(self.app(environ, start_response))
