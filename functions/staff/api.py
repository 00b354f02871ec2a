"""Staff administration: admins create, list and change staff users (role, channels, active, own
code limit), and read and change the global settings."""

from __future__ import annotations

from deskless.errors import CannotChangeSelf, Conflict, EmailTaken, NotFound
from deskless.http import Api, SignedIn
from deskless.preferences import Preferences, PreferencesChange

from .accounts import NewStaff, StaffChange, StaffWithLimit, add_staff, change_staff, staff_list
from .admin_settings import change_preferences, current_preferences

api = Api("staff")


@api.route("GET /api/staff")
def list_users() -> list[StaffWithLimit]:
    return staff_list()


@api.route("POST /api/staff", status_code=201, errors=[EmailTaken])
def create_user(user: NewStaff) -> StaffWithLimit:
    return add_staff(user)


@api.route("PATCH /api/staff/{user_id}", errors=[NotFound, CannotChangeSelf, Conflict])
def update_user(user_id: str, change: StaffChange, caller: SignedIn) -> StaffWithLimit:
    return change_staff(caller, user_id, change)


@api.route("GET /api/settings")
def settings() -> Preferences:
    return current_preferences()


@api.route("PATCH /api/settings")
def update_settings(changes: PreferencesChange) -> Preferences:  # type: ignore[valid-type]
    return change_preferences(changes.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
