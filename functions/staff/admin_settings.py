"""What admins set: the global preferences (deskless.preferences), and a technician's own limit
of active session codes, which overrides the global one for them alone."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from deskless.data import table
from deskless.errors import NotFound
from deskless.preferences import Preferences, get_preferences, update_preferences
from deskless.table import Entity, code_limit_key
from deskless.users import StaffUser, get_staff


class StaffWithLimit(StaffUser):
    code_limit: int | None  # None: the global code_limit applies


def current_preferences() -> Preferences:
    return get_preferences(fresh=True)


def change_preferences(changes: dict[str, Any]) -> Preferences:
    """Validate changes to the preferences as a whole (unknown or invalid fields: 400), then store them."""
    unknown = sorted(set(changes) - set(Preferences.model_fields))
    problems: list[dict[str, Any]] = [
        {"type": "extra_forbidden", "loc": ("body", name), "msg": "this setting does not exist", "input": changes[name]}
        for name in unknown
    ]
    if not unknown:
        try:
            Preferences.model_validate({**current_preferences().model_dump(), **changes}, strict=True)
        except ValidationError as error:
            problems = [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
    if problems:
        raise RequestValidationError(problems)
    return update_preferences(changes)


def set_code_limit(user_id: str, limit: int | None) -> StaffWithLimit:
    """Give a staff user their own code limit, or (None) return them to the global one."""
    user = get_staff(user_id)
    if user is None:
        raise NotFound("There is no staff user with this id.")
    key = code_limit_key(user_id)
    if limit is None:
        table().delete(key)
    else:
        table().put({**key, "type": Entity.CODE_LIMIT, "user_id": user_id, "limit": limit})
    return StaffWithLimit(**user.model_dump(), code_limit=limit)
