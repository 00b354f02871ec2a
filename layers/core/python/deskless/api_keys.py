"""API keys: what an integration presents (header x-api-key) to call the routes the catalog
opens to Caller.API_KEY (deskless.http checks the key before the endpoint runs).

A key reads `dsk_<id>_<secret>`. Only the SHA-256 of the secret is stored: the secret holds 256
random bits, so there is nothing to guess and a fast hash is the right one; a check is one
GetItem by id and a constant-time comparison. The whole key is shown once, when it is made.
A revoked key stays in the list and is refused from then on.

    APIKEY#<id> / APIKEY    the key; GSI1 APIKEYS / <time>#<id>
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Any

from pydantic import BaseModel

from .auth import Principal
from .data import NEW_ITEM, Action, Condition, ConditionFailed, table, update_action
from .errors import InvalidApiKey, NotFound
from .observability import logger
from .table import API_KEY_LIST, GSI1, Entity, api_key_index, api_key_key, stamped

ID_BYTES = 6  # 12 hex digits: names the key, is not secret
SECRET_BYTES = 32  # 256 bits; token_urlsafe spells them in 43 characters
_ID_SHAPE = re.compile(r"[0-9a-f]{12}")
_KEY_SHAPE = re.compile(r"dsk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
NOT_VALID = "The API key is missing or not valid."
_NOT_REVOKED = Condition("attribute_exists(pk) AND revoked = :no", values={":no": False})


class ApiKey(BaseModel):
    """A key as admins see it: never its secret."""

    id: str
    name: str
    created_at: int
    created_by: str  # the admin's user id
    created_by_name: str
    revoked: bool
    revoked_at: int | None = None
    last_used_at: int | None = None


class IssuedApiKey(BaseModel):
    """A new key, the one time its secret is shown."""

    id: str
    name: str
    key: str
    created_at: int


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_NO_KEY_DIGEST = _digest("no key has this secret")


def create_key(name: str, creator: Principal, *, now: float | None = None) -> IssuedApiKey:
    key_id, secret = secrets.token_hex(ID_BYTES), secrets.token_urlsafe(SECRET_BYTES)
    created_at = int(time.time() if now is None else now)
    table().put(
        stamped(
            Entity.API_KEY,
            api_key_key(key_id),
            api_key_index(created_at, key_id),
            key_id=key_id,
            name=name,
            secret_sha256=_digest(secret),
            created_at=created_at,
            created_by=creator.user_id,
            created_by_name=creator.name,
            revoked=False,
        ),
        condition=NEW_ITEM,
    )
    logger.info("api key created", extra={"key_id": key_id})
    return IssuedApiKey(id=key_id, name=name, key=f"dsk_{key_id}_{secret}", created_at=created_at)


def list_keys() -> list[ApiKey]:
    """Every key, newest first (one Query)."""
    return [_from_item(item) for item in table().query(API_KEY_LIST, index=GSI1.name, newest_first=True)]


def revoke_key(key_id: str, *, now: float | None = None) -> ApiKey:
    """Refuse a key from now on; revoking it again changes nothing."""
    if not _ID_SHAPE.fullmatch(key_id):
        raise NotFound("There is no such API key.")
    try:
        item = table().update(
            api_key_key(key_id),
            set_values={"revoked": True, "revoked_at": int(time.time() if now is None else now)},
            condition=_NOT_REVOKED,
        )
    except ConditionFailed as error:
        current = table().get(api_key_key(key_id), consistent=True)
        if current is None:
            raise NotFound("There is no such API key.") from error
        item = current
    logger.info("api key revoked", extra={"key_id": key_id})
    return _from_item(item)


def authenticate(presented: str | None) -> str:
    """The id of the key presented, if it is one of ours and not revoked; else InvalidApiKey,
    with the same message whatever was wrong."""
    shape = _KEY_SHAPE.fullmatch(presented or "")
    item = table().get(api_key_key(shape.group(1))) if shape else None
    stored = item["secret_sha256"] if item else _NO_KEY_DIGEST
    matches = hmac.compare_digest(stored, _digest(shape.group(2) if shape else ""))
    if shape is None or item is None or not matches or item["revoked"]:
        logger.info("api key refused", extra={"key_id": shape.group(1) if shape else None})
        raise InvalidApiKey(NOT_VALID)
    return shape.group(1)


def used(key_id: str, at: int) -> Action:
    """A transaction's write of the key's last use, which also refuses a key revoked since it was checked."""
    return update_action(api_key_key(key_id), set_values={"last_used_at": at}, condition=_NOT_REVOKED)


def _from_item(item: dict[str, Any]) -> ApiKey:
    return ApiKey.model_validate({**item, "id": item["key_id"]})
