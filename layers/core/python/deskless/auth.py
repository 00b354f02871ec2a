"""Passwords (argon2id), signed access tokens (HS256 JWT through PyJWT, key in Secrets Manager), roles."""

from __future__ import annotations

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
#
# HS256 JSON Web Tokens through PyJWT, the algorithm pinned (a token naming "none" or another
# algorithm is refused before its signature is looked at). Every token names this issuer and, as
# its audience, the kind of caller it is for; a token whose role is not of its audience's kind is
# refused, so a visitor's token can never pass for a staff one even with a rewritten role claim.

ALGORITHM = "HS256"
ISSUER = "deskless"
REQUIRED_CLAIMS = ("sub", "iat", "exp", "iss", "aud", "role")


class Audience(StrEnum):
    STAFF = "deskless:staff"
    VISITOR = "deskless:visitor"
    CONTACT = "deskless:contact"


AUDIENCE_OF: dict[Role, Audience] = {
    Role.ADMIN: Audience.STAFF,
    Role.TECHNICIAN: Audience.STAFF,
    Role.VISITOR: Audience.VISITOR,
    Role.CONTACT: Audience.CONTACT,
    Role.PRIMARY_CONTACT: Audience.CONTACT,
}


def signing_key() -> bytes:
    from aws_lambda_powertools.utilities import parameters  # imported on first use: keeps cold start lean

    settings = get_settings()
    secret = parameters.get_secret(settings.signing_secret_id, max_age=settings.secret_cache_seconds)
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def issue_token(principal: Principal, *, ttl_seconds: int | None = None, now: float | None = None) -> tuple[str, int]:
    import jwt

    issued = int(time.time() if now is None else now)
    expires_at = issued + (ttl_seconds or get_settings().token_ttl_seconds)
    claims = {
        "sub": principal.user_id,
        "iat": issued,
        "exp": expires_at,
        "iss": ISSUER,
        "aud": AUDIENCE_OF[principal.role].value,
        **principal.model_dump(mode="json", exclude={"user_id"}),
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM), expires_at


def verify_token(token: str, *, now: float | None = None) -> Principal:
    """The principal a token of ours speaks for; Unauthorized saying why not."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=[audience.value for audience in Audience],
            # the expiry is checked below, against `now`, the same way (refused from its second on)
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": False},
        )
    except jwt.InvalidSignatureError as error:
        raise Unauthorized("The token's signature is not valid.") from error
    except (jwt.DecodeError, jwt.InvalidAlgorithmError) as error:
        raise Unauthorized("The token is malformed.") from error
    except jwt.InvalidTokenError as error:
        raise Unauthorized("The token is not one this service issued.") from error
    if not isinstance(claims["exp"], int) or claims["exp"] <= (time.time() if now is None else now):
        raise Unauthorized("The token has expired.")
    principal = Principal.from_context({**claims, "user_id": claims["sub"]})
    if AUDIENCE_OF[principal.role] != claims["aud"]:
        raise Unauthorized("The token is not one this service issued.")
    return principal


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None
