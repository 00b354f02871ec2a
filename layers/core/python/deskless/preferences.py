"""Admin settings kept in the table (one item), read through a short in-memory cache so hot
paths (creating a code) do not pay a read for them."""

from __future__ import annotations

import time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from .data import table
from .fields import ONE_LINE
from .table import SETTINGS_KEY, Entity, stamped

CACHE_SECONDS = 30.0
MAX_AWAY_REASONS = 10
AwayReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE]


def _distinct(reasons: list[str]) -> list[str]:
    if len({reason.casefold() for reason in reasons}) != len(reasons):
        raise ValueError("each away reason must be listed once")
    return reasons


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
    chat_limit: int = Field(default=3, ge=1, le=20, description="Chats an operator may have open at once.")
    auto_away_minutes: int = Field(
        default=0, ge=0, le=240, description="Idle minutes after which a console sets its operator away; 0: never."
    )
    channels_locked: bool = Field(
        default=False,
        description="Operators cannot switch their channels: every channel assigned to them is on.",
    )
    away_reasons: Annotated[list[AwayReason], Field(max_length=MAX_AWAY_REASONS), AfterValidator(_distinct)] = Field(
        default_factory=lambda: ["Lunch", "Personal", "Meeting"],
        description="Reasons an operator may give for being away (being away without a reason is always possible).",
    )
    notification_repeat_seconds: int = Field(
        default=30,
        ge=0,
        le=600,
        description="How often an unseen notification sounds again while the console is not looked at; 0: once.",
    )
    customer_session_hours: int = Field(
        default=12, ge=1, le=30 * 24, description="How long a contact stays signed in to the portal."
    )
    temporary_password_hours: int = Field(
        default=72,
        ge=1,
        le=30 * 24,
        description="How long a temporary portal password works; it must be changed at the first sign-in.",
    )
    password_link_hours: int = Field(
        default=72,
        ge=1,
        le=30 * 24,
        description="How long a set-password link in a welcome email works (the safer choice than a password).",
    )
    reset_link_minutes: int = Field(default=60, ge=10, le=24 * 60, description="How long a password-reset link works.")


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
    table().put(stamped(Entity.SETTINGS, SETTINGS_KEY, **updated.model_dump()))
    _cache.update(value=updated, at=time.monotonic())
    return updated


def forget_cached() -> None:
    _cache.clear()
