"""HTTP functions: a FastAPI app per function, each endpoint registered under the route key the
catalog lists for it (and only the callers the catalog allows let through), domain errors mapped
once, the caller's identity from the authorizer, and the Lambda entry point (Mangum) with
logging, tracing and metrics."""

from __future__ import annotations

import asyncio
import functools
import hmac
import inspect
import json
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from aws_lambda_powertools.logging import correlation_paths
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mangum import Mangum
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from .api_keys import authenticate
from .auth import Principal
from .bodies import parse_form, parse_json
from .catalog import Auth, Caller, HttpRoute, http_route, in_words
from .edge import ORIGIN_VERIFY_HEADER, PORTAL_HOST_HEADER, VIEWER_IP_HEADER, portal_label, source_key
from .entry import Entry
from .errors import DesklessError, Forbidden, InvalidRequest, PasswordChangeRequired, Unauthorized
from .observability import logger, metrics, tracer
from .settings import get_settings

if TYPE_CHECKING:
    from .credentials import CustomerSession

Endpoint = Callable[..., Any]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ErrorResponse(JSONResponse):
    """`{"error", "message"}`, always encodable: a message may quote what the caller sent, lone
    surrogates included, so it is written with ASCII escapes."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode()


class Problem(BaseModel):
    field: str = Field(description='Where in the request, e.g. "name" or "technician_ids.2"; "body" for all of it.')
    problem: str


class ErrorBody(BaseModel):
    """What every refusal and failure answers (error_response writes it; the API's description says it)."""

    error: str = Field(description="A stable, machine-readable code: the domain error's (deskless.errors).")
    message: str = Field(description="What went wrong, in a sentence a person can read.")
    details: list[Problem] | None = Field(
        default=None, description="Each problem of a request that did not validate (400 invalid_request)."
    )


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return ErrorResponse({"error": code, "message": message, **extra}, status_code=status)


async def domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DesklessError)
    details = getattr(error, "details", None)  # where in the request each problem is, when the error knows
    response = error_response(error.status, error.code, error.message, **({"details": details} if details else {}))
    if retry_after := getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        {"field": ".".join(str(part) for part in e["loc"][1:]) or "body", "problem": e["msg"]} for e in error.errors()
    ]
    summary = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
    return error_response(400, "invalid_request", f"The request is not valid: {summary}", details=details)


async def _unexpected(_: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected error")
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail))


def on_the_loop(call: Callable[..., Any]) -> Callable[..., Any]:
    """`call` (an endpoint or a dependency) as FastAPI awaits it on the invocation's event loop,
    not in its thread pool, which costs two thread hops per call. Nothing else waits on that loop:
    Mangum gives it one request (a Lambda environment serves one at a time; locally each
    invocation has a thread and a loop of its own, see _ensure_event_loop)."""
    if inspect.iscoroutinefunction(call):
        return call

    @functools.wraps(call)  # FastAPI reads the parameters of the function it wraps
    async def on_loop(*args: Any, **kwargs: Any) -> Any:
        return call(*args, **kwargs)

    return on_loop


def _origin_secret() -> str:
    from aws_lambda_powertools.utilities import parameters

    settings = get_settings()
    return str(parameters.get_secret(settings.origin_secret_id, max_age=settings.secret_cache_seconds))


@on_the_loop
def verify_origin(request: Request) -> None:
    """Refuse calls that did not come through the CDN (which adds the secret header)."""
    if not get_settings().origin_secret_id:
        return
    presented = request.headers.get(ORIGIN_VERIFY_HEADER, "")
    if not hmac.compare_digest(presented.encode(), _origin_secret().encode()):
        raise Forbidden("Requests must come through the Deskless CDN.")


# --- who is calling -----------------------------------------------------------------------------


@on_the_loop
def principal(request: Request) -> Principal:
    """The caller, as the API's Lambda authorizer verified them."""
    event = request.scope.get("aws.event") or {}
    context = (event.get("requestContext", {}).get("authorizer") or {}).get("lambda")
    if not context:
        raise Unauthorized("Sign in first.")
    return Principal.from_context(context)


API_KEY_HEADER = "x-api-key"  # where an integration presents its API key


@on_the_loop
def api_key(x_api_key: Annotated[str | None, Header(alias=API_KEY_HEADER)] = None) -> str:
    """The id of the integration's API key (refused before the body is read: a stranger learns nothing)."""
    return authenticate(x_api_key)


# What an endpoint asks for to learn who called it; the route's gate has already let them in.
SignedIn = Annotated[Principal, Depends(principal)]
ApiKeyId = Annotated[str, Depends(api_key)]


def viewer_address(request: Request) -> str:
    """The viewer's address as the CDN saw it, keyed for per-source limits (deskless.edge.source_key).

    API Gateway's own sourceIp is the CDN's edge, so it is only the fallback of a call that came
    some other way (which verify_origin refuses in AWS)."""
    event = request.scope.get("aws.event") or {}
    seen_by_api = str(event.get("requestContext", {}).get("http", {}).get("sourceIp", ""))
    return source_key(request.headers.get(VIEWER_IP_HEADER, seen_by_api))


def portal_host(request: Request) -> str:
    """The host the viewer asked for (the CDN copies it: API Gateway's Host is its own)."""
    return request.headers.get(PORTAL_HOST_HEADER, "")


# --- customers: a session cookie, and a CSRF token for every change ------------------------------

CSRF_HEADER = "x-csrf-token"  # where a page's script sends the session's CSRF token
CSRF_FIELD = "csrf_token"  # where a page's form does
MAX_FORM_FIELDS = 20  # the most fields a form sent with its CSRF token may have
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def account_host(request: Request) -> str | None:
    """Where on the deployment a customer's request came: a portal's subdomain, "" for the help
    centre (the support domain itself), None for any other host."""
    host = portal_host(request).strip().lower()
    settings = get_settings()
    if host == urlsplit(settings.public_url).netloc.lower():
        return ""
    return portal_label(host, settings.support_domain)


def same_origin(request: Request) -> bool:
    """The request was sent by a page of the host it went to (what a form or script on another
    website cannot fake in a browser): its Origin, when it has one, is that host's, and its
    Sec-Fetch-Site, when it has one, says so. A page whose Referrer-Policy is no-referrer (every
    portal page's) posts its forms with `Origin: null`: then Sec-Fetch-Site alone decides, and
    must be there. A client that is no browser sends neither, and has no victim's cookie to abuse."""
    scheme = urlsplit(get_settings().public_url).scheme
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    if origin == "null" and site is None:
        return False
    if origin not in (None, "null") and origin.lower() != f"{scheme}://{portal_host(request).strip().lower()}":
        return False
    return (site or "same-origin") in ("same-origin", "none")


def check_same_origin(request: Request) -> None:
    if not same_origin(request):
        raise Forbidden("This request did not come from this site's own page.")


async def _csrf_token_sent(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
        sent = parse_form(await request.body(), max_fields=MAX_FORM_FIELDS).get(CSRF_FIELD)
    return sent or ""


def _customer_gate(route: HttpRoute) -> list[Any]:
    """A customer's route: the session its cookie names, on the host it was started on; for a
    change, the session's CSRF token and a same-origin request; a new password first after a
    temporary one; and a caller the route names."""

    async def signed_in_customer(request: Request) -> None:
        from .credentials import SESSION_COOKIE, session_of  # only customers' routes pay for it

        session = session_of(request.cookies.get(SESSION_COOKIE))
        if session is None or session.portal != account_host(request):
            raise Unauthorized("Sign in first.")
        if route.method not in SAFE_METHODS:
            check_same_origin(request)
            if not hmac.compare_digest((await _csrf_token_sent(request)).encode(), session.csrf_token.encode()):
                raise Forbidden("This form has expired; reload the page and try again.")
        if session.must_change_password and not route.before_new_password:
            raise PasswordChangeRequired("Choose a new password first.")
        if Caller(session.role) not in route.allow:
            raise Forbidden(f"This is for {in_words(route.allow)} only.")
        request.state.customer = session

    return [Depends(signed_in_customer)]


def customer(request: Request) -> CustomerSession:
    """The customer's session, as the route's gate found it."""
    session: CustomerSession | None = getattr(request.state, "customer", None)
    if session is None:
        raise Unauthorized("Sign in first.")
    return session


def _gate(route: HttpRoute) -> list[Any]:
    """The dependencies that let in exactly the callers the route names, before anything else runs."""
    allow = route.allow
    if route.auth is Auth.COOKIE:
        return _customer_gate(route)
    if Caller.PUBLIC in allow:
        return []
    if Caller.API_KEY in allow:
        return [Depends(api_key)]

    @on_the_loop
    def allowed(caller: SignedIn) -> None:
        if Caller(caller.role) not in allow:
            raise Forbidden(f"This is for {in_words(allow)} only.")

    return [Depends(allowed)]


# --- the app ------------------------------------------------------------------------------------


class Api:
    """One function's HTTP API. Each endpoint names its route key, which the catalog must list for
    this function; the catalog's callers for it are enforced here."""

    def __init__(self, function: str) -> None:
        self.function = function
        self.app = FastAPI(
            title=f"deskless-{function}",
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
            dependencies=[Depends(verify_origin)],
        )
        self.app.add_exception_handler(DesklessError, domain_error)
        self.app.add_exception_handler(RequestValidationError, _invalid_request)
        self.app.add_exception_handler(HTTPException, _http_error)
        self.app.add_exception_handler(Exception, _unexpected)
        self.app.add_middleware(_ApiHeaders)
        self.app.add_middleware(_SaneJsonBodies)
        self.routes: dict[str, Endpoint] = {}
        self.errors: dict[str, tuple[type[DesklessError], ...]] = {}  # route key -> what its logic may answer

    def route(
        self, route_key: str, *, errors: Iterable[type[DesklessError]] = (), **options: Any
    ) -> Callable[[Endpoint], Endpoint]:
        """Serve the endpoint at `route_key` ("METHOD /path"), as the catalog lists it.

        `errors` names the domain errors its logic may answer with, for the API's description
        (local/openapi.py). The gate's refusals and the 400 of a request that does not validate are
        the plumbing's, described without being named. An endpoint whose answers are not JSON (a
        portal's page) answers its errors in its own media type."""
        route = self._declared(route_key)
        named = tuple(errors)
        if not all(issubclass(error, DesklessError) and error is not DesklessError for error in named):
            raise TypeError(f"{route_key}: errors= names domain errors (deskless.errors), got {named!r}")

        def register(endpoint: Endpoint) -> Endpoint:
            self.app.add_api_route(
                route.path,
                on_the_loop(endpoint),
                methods=[route.method],
                name=endpoint.__name__,
                dependencies=_gate(route),
                **options,
            )
            self.routes[route_key] = endpoint
            self.errors[route_key] = named
            return endpoint

        return register

    def _declared(self, route_key: str) -> HttpRoute:
        route = http_route(route_key)
        if route.function != self.function:
            raise KeyError(f"{route_key!r} belongs to {route.function!r} in the catalog, not {self.function!r}")
        return route

    def lambda_handler(self) -> Entry:
        asgi = Mangum(self.app, lifespan="off")

        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            _ensure_event_loop()
            return asgi(_with_sane_host(event), context)

        return Entry(handler, self.routes, api=self)


# --- what every answer and every request body is held to ------------------------------------------


class _ApiHeaders:
    """Every answer is sniff-proof, and a JSON answer is not kept by any cache unless its endpoint
    said otherwise (it is someone's data, or live state)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                kept = any(n.lower() == b"cache-control" for n, _ in headers)
                if not kept and any(n.lower() == b"content-type" and b"json" in v for n, v in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _SaneJsonBodies:
    """A JSON body that deskless.bodies refuses (not JSON, nested too deeply, a lone surrogate)
    gets its 400 here, before any endpoint meets it."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body.strip() and _is_json(scope):
            try:
                parse_json(body)
            except InvalidRequest as refusal:
                await error_response(refusal.status, refusal.code, refusal.message)(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            return b"json" in value.lower()
    return False


_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")


def _with_sane_host(event: dict[str, Any]) -> dict[str, Any]:
    """The event with a Host and X-Forwarded-Port Mangum can read. Mangum splits the Host on ':'
    and takes the rest for a number; an IPv6 literal, a second colon or a port that is not a
    number would crash it. Nothing here reads either (the viewer's host travels in the CDN's own
    header), so a malformed one is replaced by API Gateway's own domain name."""
    headers = event.get("headers")
    if not isinstance(headers, dict):
        return event
    host = str(headers.get("host", ""))
    port = str(headers.get("x-forwarded-port", "443"))
    if _HOST.fullmatch(host) and port.isdigit() and len(port) <= 5:
        return event
    sane = {k: v for k, v in headers.items() if k not in ("host", "x-forwarded-port")}
    sane["host"] = str(event.get("requestContext", {}).get("domainName") or "localhost")
    return {**event, "headers": sane}


_thread = threading.local()


def _ensure_event_loop() -> None:
    """Mangum runs the app on the thread's current event loop, which a fresh thread lacks."""
    loop = getattr(_thread, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread.loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
