"""Staff accounts as admins manage them: create, list (each with their own code limit) and
change (name, role, assigned channels, active, own code limit).

Deactivating a user takes effect at once: they leave every team they were in (deskless.teams:
the tickets assigned to them keep their assignee), their open consoles are disconnected and their
presence heartbeat cleared, so no portal offers them; from then on the authorizers refuse
their tokens and sign-in refuses them (deskless.errors.AccountDeactivated)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from deskless.auth import Principal, Role
from deskless.errors import CannotChangeSelf
from deskless.fields import FullName
from deskless.presence import console_closed
from deskless.realtime import connections_of, disconnect
from deskless.teams import leave_teams
from deskless.users import (
    Channel,
    StaffUser,
    create_staff,
    list_staff,
    own_code_limits,
    set_own_code_limit,
    update_staff,
)

StaffRole = Literal[Role.ADMIN, Role.TECHNICIAN]
CodeLimit = Annotated[int, Field(strict=True, ge=1, le=100)]


class NewStaff(BaseModel):
    email: EmailStr
    name: FullName
    role: StaffRole
    password: str = Field(min_length=12, max_length=256, description="The first password; at least 12 characters.")
    channels: list[Channel] = Field(
        default_factory=lambda: list(Channel), description="Assigned channels; default all."
    )


class StaffChange(BaseModel):
    """A partial change: a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    role: StaffRole | None = None
    channels: list[Channel] | None = Field(default=None, description="Assigned channels; may be empty.")
    active: Annotated[bool, Field(strict=True)] | None = None
    code_limit: CodeLimit | None = Field(
        default=None, description="Active session codes this user may hold; null: the global setting applies."
    )

    @field_validator("name", "role", "channels", "active", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value

    @model_validator(mode="after")
    def _something(self) -> StaffChange:
        if not self.model_fields_set:
            raise ValueError(f"give at least one of {', '.join(type(self).model_fields)}")
        return self


class StaffWithLimit(StaffUser):
    code_limit: int | None  # None: the global code_limit applies


def with_limit(user: StaffUser, limit: int | None) -> StaffWithLimit:
    return StaffWithLimit(**user.model_dump(), code_limit=limit)


def add_staff(new: NewStaff) -> StaffWithLimit:
    return with_limit(create_staff(new.email, new.name, new.role, new.password, new.channels), None)


def staff_list() -> list[StaffWithLimit]:
    """Every staff user by name, with their own code limit: one Query and one BatchGetItem."""
    users = list_staff()
    limits = own_code_limits([user.id for user in users])
    return [with_limit(user, limit) for user, limit in zip(users, limits, strict=True)]


def change_staff(caller: Principal, user_id: str, change: StaffChange) -> StaffWithLimit:
    """Apply a change to a user (NotFound if there is none); an admin may not lock themselves out."""
    if user_id == caller.user_id and (change.active is False or change.role not in (None, Role.ADMIN)):
        raise CannotChangeSelf(
            "You cannot deactivate yourself or take away your own admin role; ask another administrator."
        )
    user = update_staff(user_id, name=change.name, role=change.role, channels=change.channels, active=change.active)
    if "code_limit" in change.model_fields_set:
        limit = set_own_code_limit(user_id, change.code_limit)
    else:
        [limit] = own_code_limits([user_id])
    if change.active is False:
        leave_teams(user_id)
        close_consoles(user_id)
    return with_limit(user, limit)


def close_consoles(user_id: str) -> None:
    """Every open console of the user is closed, then their heartbeat cleared (after, so a heartbeat
    in flight cannot restore it): no portal counts them as available from now on."""
    for connection_id in connections_of(user_id):
        disconnect(connection_id)
    console_closed(user_id)
