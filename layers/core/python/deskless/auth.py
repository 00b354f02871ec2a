"""Passwords (argon2id), signed access tokens (HS256 JWT, key in Secrets Manager), roles."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .errors import Unauthorized
from .settings import get_settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher


class Role(StrEnum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    CONTACT = "contact"
    PRIMARY_CONTACT = "primary_contact"
    VISITOR = "visitor"  # a customer in one support session, known by the name they gave; scope session:<id>


STAFF_ROLES = frozenset({Role.ADMIN, Role.TECHNICIAN})


class Principal(BaseModel, frozen=True):
    """Who is calling: the verified claims of an access token."""

    user_id: str
    role: Role
    name: str
    email: str = ""
    scope: str = ""  # empty: everything the role allows; else one resource (e.g. a session)

    def to_context(self) -> dict[str, str]:
        """Authorizer context: API Gateway passes only flat string/number/bool values."""
        return {key: str(value) for key, value in self.model_dump(mode="json").items()}

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Principal:
        try:
            return cls.model_validate({key: context.get(key, "") for key in cls.model_fields})
        except ValidationError as error:
            raise Unauthorized("The request carries no valid identity.") from error


# --- passwords --------------------------------------------------------------------------


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # only the functions that hash or check passwords pay for it

    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: a missing hash is checked against a dummy."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password anyone has")


# --- tokens -----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


def signing_key() -> bytes:
    from aws_lambda_powertools.utilities import parameters  # imported on first use: keeps cold start lean

    settings = get_settings()
    secret = parameters.get_secret(settings.signing_secret_id, max_age=settings.secret_cache_seconds)
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def issue_token(principal: Principal, *, ttl_seconds: int | None = None, now: float | None = None) -> tuple[str, int]:
    issued = int(time.time() if now is None else now)
    expires_at = issued + (ttl_seconds or get_settings().token_ttl_seconds)
    claims = {
        "sub": principal.user_id,
        "iat": issued,
        "exp": expires_at,
        **principal.model_dump(mode="json", exclude={"user_id"}),
    }
    body = f"{_HEADER}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    signature = hmac.new(signing_key(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}", expires_at


def verify_token(token: str, *, now: float | None = None) -> Principal:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _HEADER:
        raise Unauthorized("The token is malformed.")
    expected = hmac.new(signing_key(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        valid = hmac.compare_digest(expected, _unb64(parts[2]))
        claims = json.loads(_unb64(parts[1])) if valid else {}
    except (ValueError, TypeError):
        valid = False
    if not valid or not isinstance(claims, dict):
        raise Unauthorized("The token's signature is not valid.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= (time.time() if now is None else now):
        raise Unauthorized("The token has expired.")
    return Principal.from_context({**claims, "user_id": claims.get("sub")})


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None
