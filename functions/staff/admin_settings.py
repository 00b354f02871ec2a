"""What admins set for everyone: the global preferences (deskless.preferences)."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from deskless.errors import NotFound
from deskless.preferences import Preferences, get_preferences, update_preferences
from deskless.templates import email_template


def current_preferences() -> Preferences:
    return get_preferences(fresh=True)


def change_preferences(changes: dict[str, Any]) -> Preferences:
    """Validate changes to the preferences as a whole (unknown or invalid fields: 400), then store
    them as validated (an away reason without its surrounding spaces)."""
    unknown = sorted(set(changes) - set(Preferences.model_fields))
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("body", name), "msg": "this setting does not exist"}
                for name in unknown
            ]
        )
    try:
        valid = Preferences.model_validate({**current_preferences().model_dump(), **changes}, strict=True)
    except ValidationError as error:
        problems = [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
        raise RequestValidationError(problems) from error
    if "welcome_template_id" in changes:
        _check_template(valid.welcome_template_id)
    return update_preferences({name: getattr(valid, name) for name in changes})


def _check_template(template_id: str) -> None:
    """The welcome email's template must exist when it is chosen (one GetItem)."""
    try:
        email_template(template_id)
    except NotFound as error:
        problem = {
            "type": "value_error",
            "loc": ("body", "welcome_template_id"),
            "msg": f"there is no email template {template_id!r}: choose one of the email templates",
        }
        raise RequestValidationError([problem]) from error
