"""`deskless invoke <function> <event.json>`: run one function's handler with one event against
fresh local services, and print what it returned.

It starts moto's server on loopback, provisions it as the stack does, seeds the demo data
(local.seed, unless told not to), sets the functions' environment, runs the handler in this
process as Lambda would, prints the result as JSON on stdout (logs go to stderr) and stops
everything again. The exit code is 0 if the handler returned, 1 if it raised (the error is
printed), 2 if the function or the event file does not exist.

The samples under events/ are shaped exactly as AWS sends them, so they carry AWS's values
where a local run needs local ones. Before the handler runs, invoke changes a copy of the event:

- origin: the `x-deskless-origin-verify` header (added by CloudFront in AWS) is set to the
  local origin secret, so the request passes the origin check;
- tokens: a bearer token (the `authorization` header, an authorizer request's
  `identitySource`) or a WebSocket `token` query parameter is signed again with the local
  signing key, for the same caller, with a fresh expiry;
- callers: where a token or an authorizer context names a caller by email and a local user has
  that email (the demo users do), the caller's id, name and role become that user's, so the
  function finds its caller in the table;
- mail: for an SES receipt event, the message is first stored in the inbound bucket under
  INBOUND_MAIL_PREFIX + messageId, built from the event's headers, as the receipt rule's S3
  action would have done, unless something is stored there already.

Portals are served under SAMPLE_SUPPORT_DOMAIN (the samples' `x-deskless-host` is
acme.support.example.com), and API Gateway's @connections endpoint is a stand-in on loopback
that answers 410 Gone: in a one-off run no WebSocket is open.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import logging
import sys
import threading
import traceback
from collections.abc import Iterator, MutableMapping
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from deskless.auth import Principal, bearer_token, issue_token
from deskless.catalog import INBOUND_MAIL_PREFIX, WEBSOCKET_TOKEN_PARAMETER
from deskless.edge import ORIGIN_VERIFY_HEADER
from deskless.errors import Unauthorized
from deskless.users import find_login
from local.functions import FunctionRegistry
from local.seed import seed as seed_demo_data
from local.services import LocalNames, local_client, local_run

SAMPLE_SUPPORT_DOMAIN = "support.example.com"
SAMPLE_BODY = "This message was stored by `deskless invoke` in place of the one SES received.\n"


def main(function: str, event_path: str, *, seed: bool = True) -> int:
    """Run `function` with the event in `event_path`; print its result; return the exit code."""
    try:
        event = json.loads(Path(event_path).read_text())
    except (OSError, ValueError) as error:
        print(f"deskless invoke: cannot read an event from {event_path}: {error}", file=sys.stderr)
        return 2
    registry = FunctionRegistry(reload=False)
    try:
        registry.catalog().function(function)
    except KeyError as error:
        print(f"deskless invoke: {error.args[0]}", file=sys.stderr)
        return 2
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    result: Any = None
    # Handlers log to stdout, as in Lambda; here stdout is kept for the result alone
    with contextlib.redirect_stdout(sys.stderr), local_platform(seed=seed) as (names, moto_url):
        prepared = prepare(event, names, moto_url)
        try:
            result = registry.invoke(function, prepared)
        except Exception as error:
            traceback.print_exc()
            print(f"deskless invoke: {function} raised {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


@contextlib.contextmanager
def local_platform(*, seed: bool) -> Iterator[tuple[LocalNames, str]]:
    """Fresh local services, provisioned, seeded, with the functions' environment set."""
    with (
        gone_connections() as callback_url,
        local_run(callback_url=callback_url, support_domain=SAMPLE_SUPPORT_DOMAIN, log_level="INFO") as run,
    ):
        if seed:
            seed_demo_data()
        yield run.names, run.moto_url


@contextlib.contextmanager
def gone_connections() -> Iterator[str]:
    """API Gateway's @connections endpoint for a run with no open WebSocket: everything is Gone."""

    class Gone(BaseHTTPRequestHandler):
        def _gone(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b'{"message":null}'
            self.send_response(410)
            self.send_header("x-amzn-ErrorType", "GoneException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _gone

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    thread = threading.Thread(target=server.serve_forever, name="gone-connections", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- making a sample event fit the local run -------------------------------------------------


def prepare(event: dict[str, Any], names: LocalNames, moto_url: str) -> dict[str, Any]:
    """A copy of `event` with local secrets, tokens and callers (see the module docstring)."""
    event = copy.deepcopy(event)
    resigned: dict[str, str] = {}  # one new token per sample token: a header and its identitySource stay equal
    headers = event.get("headers")
    if isinstance(headers, dict):
        _set_origin_secret(headers, names, moto_url)
        _resign_authorization(headers, resigned)
    if isinstance(event.get("identitySource"), list):
        event["identitySource"] = [_resign_bearer(source, resigned) for source in event["identitySource"]]
    _resign_query_token(event, resigned)
    _localize_authorizer_context(event)
    for record in event.get("Records") or []:
        if isinstance(record, dict) and record.get("eventSource") == "aws:ses":
            _store_received_mail(record["ses"], names, moto_url)
    return event


def _header_name(headers: MutableMapping[str, Any], wanted: str) -> str | None:
    return next((name for name in headers if name.lower() == wanted), None)


def _set_origin_secret(headers: dict[str, Any], names: LocalNames, moto_url: str) -> None:
    name = _header_name(headers, ORIGIN_VERIFY_HEADER)
    if name is not None:
        secret = local_client("secretsmanager", moto_url).get_secret_value(SecretId=names.origin_secret)
        headers[name] = secret["SecretString"]


def _resign_authorization(headers: dict[str, Any], resigned: dict[str, str]) -> None:
    name = _header_name(headers, "authorization")
    if name is not None:
        headers[name] = _resign_bearer(headers[name], resigned)


def _resign_bearer(value: Any, resigned: dict[str, str]) -> Any:
    token = bearer_token(value) if isinstance(value, str) else None
    return f"Bearer {_resign(token, resigned)}" if token else value


def _resign_query_token(event: dict[str, Any], resigned: dict[str, str]) -> None:
    single = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    if single.get(WEBSOCKET_TOKEN_PARAMETER):
        single[WEBSOCKET_TOKEN_PARAMETER] = _resign(single[WEBSOCKET_TOKEN_PARAMETER], resigned)
        if WEBSOCKET_TOKEN_PARAMETER in multi:
            multi[WEBSOCKET_TOKEN_PARAMETER] = [single[WEBSOCKET_TOKEN_PARAMETER]]


def _resign(token: str, resigned: dict[str, str]) -> str:
    """The same caller's token, signed with the local key; a token that is not ours stays as it is."""
    if token not in resigned:
        try:
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            principal = Principal.from_context({**claims, "user_id": claims.get("sub")})
        except (IndexError, ValueError, TypeError, AttributeError, Unauthorized):
            return token
        resigned[token] = issue_token(_local_caller(principal))[0]
    return resigned[token]


def _localize_authorizer_context(event: dict[str, Any]) -> None:
    authorizer = (event.get("requestContext") or {}).get("authorizer")
    if not isinstance(authorizer, dict):
        return
    # HTTP APIs nest a Lambda authorizer's context under "lambda"; WebSocket APIs do not
    context = authorizer["lambda"] if isinstance(authorizer.get("lambda"), dict) else authorizer
    try:
        principal = Principal.from_context(context)
    except Unauthorized:
        return
    local = _local_caller(principal)
    context.update(local.to_context())
    if "principalId" in context:
        context["principalId"] = local.user_id


def _local_caller(principal: Principal) -> Principal:
    """The local user with the caller's email, as a principal; the caller unchanged if none."""
    item = find_login(principal.email) if principal.email else None
    if item is None:
        return principal
    return Principal(
        user_id=item["user_id"], role=item["role"], name=item["name"], email=item["email"], scope=principal.scope
    )


def _store_received_mail(ses: dict[str, Any], names: LocalNames, moto_url: str) -> None:
    s3 = local_client("s3", moto_url)
    key = INBOUND_MAIL_PREFIX + ses["mail"]["messageId"]
    if s3.list_objects_v2(Bucket=names.inbound_bucket, Prefix=key).get("KeyCount", 0):
        return
    message = EmailMessage()
    skipped = {"content-type", "content-transfer-encoding", "mime-version"}  # set_content writes its own
    for header in ses["mail"].get("headers", []):
        if header["name"].lower() not in skipped:
            message[header["name"]] = header["value"]
    message.set_content(SAMPLE_BODY)
    s3.put_object(Bucket=names.inbound_bucket, Key=key, Body=bytes(message))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m local.invoke <function> <event.json>", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
