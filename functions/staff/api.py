"""Staff administration: admins create and list staff users, set a user's own code limit, and
read and change the global settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Depends
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from deskless.auth import Principal, Role
from deskless.http import Api, require
from deskless.preferences import Preferences
from deskless.users import StaffUser, create_staff, list_staff

from .admin_settings import StaffWithLimit, change_preferences, current_preferences, set_code_limit

api = Api("staff")
admin_only = Depends(require(Role.ADMIN))


class NewStaff(BaseModel):
    email: EmailStr
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Literal[Role.ADMIN, Role.TECHNICIAN]
    password: str = Field(min_length=12, max_length=256, description="The first password; at least 12 characters.")


class StaffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code_limit: Annotated[int, Field(strict=True, ge=1, le=100)] | None = Field(
        description="Active session codes this user may hold; null: the global setting applies."
    )


@api.route("list")
def list_users(_: Principal = admin_only) -> list[StaffUser]:
    return list_staff()


@api.route("create", status_code=201)
def create_user(user: NewStaff, _: Principal = admin_only) -> StaffUser:
    return create_staff(user.email, user.name, user.role, user.password)


@api.route("update")
def update_user(user_id: str, change: StaffChange, _: Principal = admin_only) -> StaffWithLimit:
    return set_code_limit(user_id, change.code_limit)


@api.route("settings")
def settings(_: Principal = admin_only) -> Preferences:
    return current_preferences()


@api.route("update_settings")
def update_settings(changes: Annotated[dict[str, Any], Body()], _: Principal = admin_only) -> Preferences:
    return change_preferences(changes)
