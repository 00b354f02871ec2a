"""moto's server as local mode runs it, wherever it runs (a thread of the caller's process, or a
process of its own: local.services.MotoServer decides): moto's own WSGI application with local
mode's fast paths switched on or off, DynamoDB requests taking turns (local.moto_isolation), and
a few endpoints of local mode's own, next to moto's, for the moto state the platform reads:

GET    /_deskless/sent-mail                 every message moto's SES holds as sent, with when it
                                            was sent (moto does not say), oldest first (JSON)
DELETE /_deskless/sent-mail                 forget them
POST   /_deskless/shard-iterators/release   ["iterator", ...]: forget shard iterators used up;
                                            answers {"held": how many moto still holds}

And two calls of Kinesis Video Streams that moto 5.2.5 does not implement, so the realtime function
asks for ICE servers (functions/realtime/ice.py) the same way in both modes:

POST   /getSignalingChannelEndpoint         the channel's HTTPS endpoint: this server
POST   /v1/get-ice-server-config            no TURN servers (on loopback host candidates suffice)

The platform reads them over HTTP (local.mail.Outbox, local.streams.StreamPoller) whether moto
runs in its process or not: one way, which works across the process boundary. `/moto-api/reset`
is moto's own and keeps working.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from local.services import ACCOUNT, REGION

if TYPE_CHECKING:
    from local.cli import MotoMode

SIGNALING_ENDPOINT_PATH = "/getSignalingChannelEndpoint"
ICE_SERVER_CONFIG_PATH = "/v1/get-ice-server-config"
SENT_MAIL_PATH = "/_deskless/sent-mail"
RELEASE_ITERATORS_PATH = "/_deskless/shard-iterators/release"
_RESET_PATH = "/moto-api/reset"

StartResponse = Callable[..., Any]


def moto_app(moto: MotoMode) -> tuple[Any, type[Any]]:
    """moto's WSGI application and the request handler to serve it with. `moto` says whether local
    mode's fast paths replace what costs moto the most time (for the whole process: moto's backends
    are module-level): "fast", TransactWriteItems rolls back from a journal of the items it names
    (local.moto_transactions), Query reads one partition (local.moto_queries), a condition's text
    is lexed once (local.moto_conditions), item values are written into responses directly
    (local.moto_responses), the server lists its services once (local.moto_dispatch) and keeps
    connections alive (local.moto_keep_alive), and DynamoDB requests take turns only while moto
    answers them (local.moto_isolation); "as-is", moto 5.2.5's own of each (and whole requests
    taking turns), for comparison.
    The one place that reads the choice."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    from local import moto_conditions, moto_dispatch, moto_isolation, moto_queries, moto_responses, moto_transactions
    from local.moto_keep_alive import KeepAliveRequestHandler
    from local.moto_post_policy import PostPolicyChecks

    fast = moto == "fast"
    moto_transactions.use("journal" if fast else "copy")
    moto_queries.use("partition" if fast else "moto")
    moto_conditions.use("cached" if fast else "moto")
    moto_responses.use("direct" if fast else "moto")
    moto_dispatch.use("once" if fast else "moto")
    moto_isolation.use("action" if fast else "request")
    handler = KeepAliveRequestHandler if fast else MotoRequestHandler
    moto_itself = PostPolicyChecks(DomainDispatcherApplication(create_backend_app))  # S3's checks of a browser's upload
    app = _LocalEndpoints(moto_isolation.OneRequestAtATime(moto_itself), SentMail())
    return app, handler


class _LocalEndpoints:
    """WSGI dispatcher: local mode's /_deskless/ endpoints, every other path to moto."""

    def __init__(self, app: Any, sent_mail: SentMail) -> None:
        self.app = app
        self.sent_mail = sent_mail

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "POST" and path in (SIGNALING_ENDPOINT_PATH, ICE_SERVER_CONFIG_PATH):
            return _signaling(environ, start_response, path)
        if not path.startswith("/_deskless/"):
            answer = self.app(environ, start_response)
            if path.startswith(_RESET_PATH):
                self.sent_mail.watch()  # moto made new backends: time-stamp from now on
            return answer  # type: ignore[no-any-return]
        route = (environ.get("REQUEST_METHOD", "GET"), path.rstrip("/"))
        if route == ("GET", SENT_MAIL_PATH):
            return _json(start_response, "200 OK", self.sent_mail.messages())
        if route == ("DELETE", SENT_MAIL_PATH):
            self.sent_mail.clear()
            return _json(start_response, "200 OK", {"cleared": True})
        if route == ("POST", RELEASE_ITERATORS_PATH):
            try:
                iterators = json.loads(_body(environ) or b"[]")
                if not isinstance(iterators, list) or not all(isinstance(i, str) for i in iterators):
                    raise ValueError
            except ValueError:
                return _json(start_response, "400 Bad Request", {"error": "send a JSON list of shard iterators"})
            return _json(start_response, "200 OK", {"held": release_iterators(iterators)})
        return _json(start_response, "404 Not Found", {"error": f"no local endpoint {route[0]} {route[1]}"})


def _signaling(environ: dict[str, Any], start_response: StartResponse, path: str) -> list[bytes]:
    """Kinesis Video Streams' answers for the local channel, whichever channel is asked about."""
    _body(environ)  # read, and ignored
    if path == ICE_SERVER_CONFIG_PATH:
        return _json(start_response, "200 OK", {"IceServerList": []})
    here = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '127.0.0.1')}"
    return _json(start_response, "200 OK", {"ResourceEndpointList": [{"Protocol": "HTTPS", "ResourceEndpoint": here}]})


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _json(start_response: StartResponse, status: str, data: Any) -> list[bytes]:
    # ensure_ascii: a raw message moto holds may carry undecodable bytes as lone surrogates
    body = json.dumps(data).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def release_iterators(iterators: Iterable[str]) -> int:
    """Forget shard iterators used up (moto keeps every one it hands out, forever: a poller several
    times a second would grow its memory by tens of megabytes an hour); how many it still holds."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    held: dict[str, Any] = dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators
    for iterator in iterators:
        held.pop(iterator, None)
    return len(held)


class _StampedList(list[Any]):
    """moto's list of sent messages, remembering when each was appended (moto does not)."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        now = time.time()
        self.stamps: dict[int, float] = {id(item): now for item in self}

    def append(self, item: Any) -> None:
        self.stamps[id(item)] = time.time()
        super().append(item)

    def clear(self) -> None:
        super().clear()
        self.stamps.clear()


class SentMail:
    """Every email sent through moto's SES (v1 and v2; v2 keeps its mail in v1's backend), as moto
    holds it, with when each was sent. local.mail.Outbox says what each message is."""

    def __init__(self, account: str = ACCOUNT, region: str = REGION) -> None:
        self._account = account
        self._region = region
        self.watch()  # start time-stamping now

    def watch(self) -> None:
        self._sent()

    def _backend(self) -> Any:
        from moto.ses.models import ses_backends

        return ses_backends[self._account][self._region]

    def _sent(self) -> _StampedList:
        backend = self._backend()
        sent = backend.sent_messages
        if not isinstance(sent, _StampedList):  # new, or recreated by a moto reset
            sent = _StampedList(sent)
            backend.sent_messages = sent
        return sent

    def messages(self) -> list[dict[str, Any]]:
        """Each message as moto holds it: its id, source, destinations and when it was sent (epoch
        seconds), and its content: "raw" (the MIME message), "template" (its subject, text and html
        parts, unrendered) and "template_data", or "subject" and "body"."""
        sent = self._sent()
        templates = self._backend().templates
        return [_exported(message, sent.stamps.get(id(message), time.time()), templates) for message in list(sent)]

    def clear(self) -> None:
        self._sent().clear()


def _exported(message: Any, stamp: float, templates: dict[str, Any]) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "id": message.id,
        "source": message.source,
        "destinations": message.destinations,
        "sent_at": stamp,
    }
    if hasattr(message, "raw_data"):
        raw = message.raw_data
        exported["raw"] = raw if isinstance(raw, str) else raw.decode("utf-8", "surrogateescape")
    elif hasattr(message, "template"):
        template = templates.get(message.template, {})
        exported["template"] = {part: template.get(f"{part}_part") for part in ("subject", "text", "html")}
        exported["template_data"] = message.template_data
    else:
        exported |= {"subject": message.subject, "body": message.body}
    return exported
