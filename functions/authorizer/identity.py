"""Who a token speaks for: its verified claims, and for staff their account as stored now
(deskless.users.as_stored_now), so a deactivated or demoted user stops at once on a new WebSocket
connection, and over HTTP once API Gateway's reuse of the verdict on their token ends
(deskless.catalog.HTTP_AUTHORIZER_CACHE_SECONDS)."""

from __future__ import annotations

from deskless.auth import Principal, verify_token
from deskless.errors import AccountDeactivated, Unauthorized
from deskless.users import as_stored_now


def caller(token: str) -> Principal:
    """The verified caller, or Unauthorized saying why not."""
    try:
        return as_stored_now(verify_token(token))
    except AccountDeactivated as refusal:
        raise Unauthorized("The token's user is deactivated.") from refusal
