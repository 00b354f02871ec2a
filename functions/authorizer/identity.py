"""Who a token speaks for. A visitor's token stands on its signature alone; a staff token also
needs its user to exist and be active (one GetItem), and speaks with the user's role, name and
email as stored now, so a role taken away is taken away at once."""

from __future__ import annotations

from deskless.auth import STAFF_ROLES, Principal, verify_token
from deskless.errors import Unauthorized
from deskless.users import get_staff


def caller(token: str) -> Principal:
    """The verified caller, or Unauthorized saying why not."""
    principal = verify_token(token)
    if principal.role not in STAFF_ROLES:
        return principal
    user = get_staff(principal.user_id)
    if user is None:
        raise Unauthorized("The token's user no longer exists.")
    if not user.active:
        raise Unauthorized("The token's user is deactivated.")
    return principal.model_copy(update={"role": user.role, "name": user.name, "email": user.email})
