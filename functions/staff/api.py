"""Staff administration: admins create, list and change staff users (role, channels, active, own
code limit), and read and change the global settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends

from deskless.auth import Principal, Role
from deskless.http import Api, require
from deskless.preferences import Preferences

from .accounts import NewStaff, StaffChange, StaffWithLimit, add_staff, change_staff, staff_list
from .admin_settings import change_preferences, current_preferences

api = Api("staff")
admin_only = Depends(require(Role.ADMIN))


@api.route("list")
def list_users(_: Principal = admin_only) -> list[StaffWithLimit]:
    return staff_list()


@api.route("create", status_code=201)
def create_user(user: NewStaff, _: Principal = admin_only) -> StaffWithLimit:
    return add_staff(user)


@api.route("update")
def update_user(user_id: str, change: StaffChange, caller: Principal = admin_only) -> StaffWithLimit:
    return change_staff(caller, user_id, change)


@api.route("settings")
def settings(_: Principal = admin_only) -> Preferences:
    return current_preferences()


@api.route("update_settings")
def update_settings(changes: Annotated[dict[str, Any], Body()], _: Principal = admin_only) -> Preferences:
    return change_preferences(changes)
