"""HTTP functions: a FastAPI app per function, endpoints registered by route name from the
catalog, domain errors mapped once, the caller's identity from the authorizer, and the Lambda
entry point (Mangum) with logging, tracing and metrics."""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mangum import Mangum
from starlette.exceptions import HTTPException

from .auth import Principal, Role
from .catalog import http_route
from .edge import ORIGIN_VERIFY_HEADER
from .errors import DesklessError, Forbidden, Unauthorized
from .observability import logger, metrics, tracer
from .settings import get_settings

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


async def _domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DesklessError)
    response = error_response(error.status, error.code, error.message)
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


def _origin_secret() -> str:
    from aws_lambda_powertools.utilities import parameters

    settings = get_settings()
    return str(parameters.get_secret(settings.origin_secret_id, max_age=settings.secret_cache_seconds))


def verify_origin(request: Request) -> None:
    """Refuse calls that did not come through the CDN (which adds the secret header)."""
    if not get_settings().origin_secret_id:
        return
    presented = request.headers.get(ORIGIN_VERIFY_HEADER, "")
    if not hmac.compare_digest(presented.encode(), _origin_secret().encode()):
        raise Forbidden("Requests must come through the Deskless CDN.")


def principal(request: Request) -> Principal:
    """The caller, as the API's Lambda authorizer verified them."""
    event = request.scope.get("aws.event") or {}
    context = (event.get("requestContext", {}).get("authorizer") or {}).get("lambda")
    if not context:
        raise Unauthorized("Sign in first.")
    return Principal.from_context(context)


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency that lets through only callers with one of `roles`."""

    def check(caller: Principal = Depends(principal)) -> Principal:
        if caller.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(roles)}.")
        return caller

    return check


class Api:
    """One function's HTTP API. Endpoints are named; their method and path come from the catalog."""

    def __init__(self, function: str) -> None:
        self.function = function
        self.app = FastAPI(
            title=f"deskless-{function}",
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
            dependencies=[Depends(verify_origin)],
        )
        self.app.add_exception_handler(DesklessError, _domain_error)
        self.app.add_exception_handler(RequestValidationError, _invalid_request)
        self.app.add_exception_handler(HTTPException, _http_error)
        self.app.add_exception_handler(Exception, _unexpected)

    def route(self, name: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        route = http_route(self.function, name)

        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            self.app.add_api_route(route.path, endpoint, methods=[route.method], name=name, **options)
            return endpoint

        return register

    def lambda_handler(self) -> LambdaHandler:
        asgi = Mangum(self.app, lifespan="off")

        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            _ensure_event_loop()
            return asgi(event, context)

        return handler


_thread = threading.local()


def _ensure_event_loop() -> None:
    """Mangum runs the app on the thread's current event loop, which a fresh thread lacks."""
    loop = getattr(_thread, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread.loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
