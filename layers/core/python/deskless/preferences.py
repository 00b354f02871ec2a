"""Admin settings kept in the table (one item), read through a short in-memory cache so hot
paths (creating a code, receiving a message) do not pay a read for them.

The email settings are fields here too: the support addresses (the addresses at the mail domain
whose mail counts: SES hands every message for the domain to inbound_email, which acts on those
to a support address), whether an unknown sender becomes a contact, and whether a new contact
(made from an email or in the console) gets the welcome email, from which template. That the
template exists is checked where settings are changed (a table read: functions/staff)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model

from .data import table
from .fields import ONE_LINE
from .mail import mail_domain
from .priorities import DEFAULT_MATRIX, PriorityMatrix
from .settings import get_settings
from .table import SETTINGS_KEY, Entity, stamped
from .template_defaults import WELCOME

CACHE_SECONDS = 30.0
MAX_AWAY_REASONS = 10
MAX_SUPPORT_ADDRESSES = 20
AwayReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE]


def _distinct(reasons: list[str]) -> list[str]:
    if len({reason.casefold() for reason in reasons}) != len(reasons):
        raise ValueError("each away reason must be listed once")
    return reasons


def _support_address(text: str) -> str:
    try:
        address = str(validate_email(text.strip(), check_deliverability=False).normalized).lower()
    except EmailNotValidError as error:
        raise ValueError(f"{text.strip()!r} is not an email address") from error
    if address.rsplit("@", 1)[1] != mail_domain():
        raise ValueError(f"{address} is not at the mail domain {mail_domain()}, where Deskless receives mail")
    return address


SupportAddress = Annotated[str, StringConstraints(max_length=254), AfterValidator(_support_address)]


def _distinct_addresses(addresses: list[str]) -> list[str]:
    if len(set(addresses)) != len(addresses):
        raise ValueError("each support address must be listed once")
    return addresses


def deployment_support_addresses() -> list[str]:
    """The support addresses a deployment starts with: those it was deployed with, else mail_from."""
    listed = [part.strip().lower() for part in get_settings().support_addresses.split(",") if part.strip()]
    return listed or [get_settings().mail_from.lower()]


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
    support_addresses: Annotated[
        list[SupportAddress], Field(min_length=1, max_length=MAX_SUPPORT_ADDRESSES), AfterValidator(_distinct_addresses)
    ] = Field(
        default_factory=list,  # until an admin sets them: the deployment's (get_preferences fills them in)
        description="Addresses at the mail domain whose mail is support mail (lower case); mail to other addresses "
        "is kept but creates nothing.",
    )
    create_contacts_from_email: bool = Field(
        default=True,
        description="An email to a support address from an unknown address creates a contact (never for automatic "
        "mail: auto-replies, bounces, lists).",
    )
    welcome_new_contacts: bool = Field(
        default=True,
        description="A contact created from an email or in the console gets the welcome email (imported contacts "
        "only if the import asks; existing contacts never).",
    )
    welcome_template_id: str = Field(
        default=WELCOME,
        min_length=1,
        max_length=40,
        description="The email template of the welcome email (an existing template's id).",
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
    # Tickets (issue 12): how a priority is reached, who may submit, when resolved tickets close, how
    # much automatic mail one person gets.
    priority_matrix: PriorityMatrix = Field(
        default_factory=lambda: DEFAULT_MATRIX,
        description="The priority a ticket gets for each urgency (outer) and impact (inner); all 25 given. The "
        "default is GLPI's (deskless.priorities).",
    )
    ticket_submission: Literal["everyone", "primary_contacts"] = Field(
        default="everyone",
        description="Who may submit tickets: everyone, or only primary contacts (another's ticket is recorded and "
        "closed at once, with the reason).",
    )
    auto_close_days: int = Field(default=7, ge=1, le=90, description="Days after which a resolved ticket closes.")
    automatic_mail_cap: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Automatic emails one recipient gets about one ticket in an hour at most; the rest are not sent "
        "(recorded on the ticket), which cuts auto-reply loops.",
    )


_cache: dict[str, Any] = {}


def get_preferences(*, fresh: bool = False) -> Preferences:
    cached = _cache.get("value")
    if not fresh and cached is not None and time.monotonic() - _cache["at"] < CACHE_SECONDS:
        return cached  # type: ignore[no-any-return]
    item = table().get(SETTINGS_KEY) or {}
    value = Preferences.model_validate({k: v for k, v in item.items() if k in Preferences.model_fields})
    if not value.support_addresses:
        value = value.model_copy(update={"support_addresses": deployment_support_addresses()})
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


def _optional(name: str) -> Any:
    field = Preferences.model_fields[name]
    return (field.rebuild_annotation() | None, Field(default=None, description=field.description))


# What PATCH /api/settings takes: any of the settings, each as Preferences describes it (strictly
# typed: "3" is not a number); those not given stay. A setting given as null is refused.
PreferencesChange: type[BaseModel] = create_model(
    "PreferencesChange",
    __config__=ConfigDict(extra="forbid", strict=True),
    **{name: _optional(name) for name in Preferences.model_fields},
)
