"""The caller's own profile, as the console starts from it: who they are, how many session codes
they may hold, and the admin settings that shape the console."""

from __future__ import annotations

from pydantic import BaseModel

from deskless.auth import Principal
from deskless.errors import AccountDeactivated
from deskless.preferences import Preferences, get_preferences
from deskless.users import StaffUser, staff_with_own_limit


class ConsoleSettings(BaseModel):
    """The part of the admin settings every console follows."""

    chat_limit: int
    auto_away_minutes: int
    channels_locked: bool
    away_reasons: list[str]
    notification_repeat_seconds: int

    @classmethod
    def of(cls, preferences: Preferences) -> ConsoleSettings:
        return cls.model_validate(preferences.model_dump(include=set(cls.model_fields)))


class Profile(StaffUser):
    code_limit: int  # the active session codes they may hold: their own limit, else the global one
    console: ConsoleSettings


def profile(caller: Principal) -> Profile:
    """One BatchGetItem (the user and their own code limit), and the cached preferences."""
    user, own_limit = staff_with_own_limit(caller.user_id)
    if not user.active:
        raise AccountDeactivated()
    preferences = get_preferences()
    limit = own_limit if own_limit is not None else preferences.code_limit
    return Profile(**user.model_dump(), code_limit=limit, console=ConsoleSettings.of(preferences))
