"""Lambda authorizers: the HTTP API's (bearer token) and WebSocket $connect's (token in the
query string, since browsers cannot set WebSocket headers). Both only establish who calls
(identity.caller: the token, and for staff their account); what a caller may do is decided by
each route."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deskless.auth import bearer_token
from deskless.catalog import WEBSOCKET_TOKEN_PARAMETER
from deskless.errors import Unauthorized
from deskless.observability import logger

from .identity import caller


@logger.inject_lambda_context
def http(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Payload format 2.0, simple responses."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        principal = caller(bearer_token(headers.get("authorization")) or "")
    except Unauthorized as refusal:
        logger.info("token refused", extra={"reason": refusal.message})
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": principal.to_context()}


@logger.inject_lambda_context
def websocket(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """REQUEST authorizer of $connect: an IAM policy for the route, and the caller as context."""
    token = (event.get("queryStringParameters") or {}).get(WEBSOCKET_TOKEN_PARAMETER, "")
    try:
        principal = caller(token)
    except Unauthorized as refusal:
        logger.info("token refused", extra={"reason": refusal.message})
        return _policy("anonymous", "Deny", event["methodArn"], {})
    return _policy(principal.user_id, "Allow", event["methodArn"], principal.to_context())


def _policy(principal_id: str, effect: str, resource: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": context,
    }
