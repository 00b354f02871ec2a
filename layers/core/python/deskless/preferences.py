"""Admin settings kept in the table (one item), read through a short in-memory cache so hot
paths (creating a code) do not pay a read for them."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from .data import table
from .table import SETTINGS_KEY, Entity

CACHE_SECONDS = 30.0


class Preferences(BaseModel):
    code_limit: int = Field(default=8, ge=1, le=100, description="Active session codes a technician may hold.")
    code_lifetime_minutes: int = Field(default=20, ge=1, le=24 * 60, description="How long a code stays valid.")
    chat_wait_seconds: int = Field(
        default=180,
        ge=15,
        le=3600,
        description="How long a chat request waits for a technician before the visitor "
        "is offered the message form instead.",
    )


_cache: dict[str, Any] = {}


def get_preferences(*, fresh: bool = False) -> Preferences:
    cached = _cache.get("value")
    if not fresh and cached is not None and time.monotonic() - _cache["at"] < CACHE_SECONDS:
        return cached  # type: ignore[no-any-return]
    item = table().get(SETTINGS_KEY) or {}
    value = Preferences.model_validate({k: v for k, v in item.items() if k in Preferences.model_fields})
    _cache.update(value=value, at=time.monotonic())
    return value


def update_preferences(changes: dict[str, Any]) -> Preferences:
    updated = get_preferences(fresh=True).model_copy(update=changes)
    Preferences.model_validate(updated.model_dump())
    table().put({**SETTINGS_KEY, "type": Entity.SETTINGS, **updated.model_dump()})
    _cache.update(value=updated, at=time.monotonic())
    return updated


def forget_cached() -> None:
    _cache.clear()
