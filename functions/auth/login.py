"""Staff sign-in: one answer for a wrong email and a wrong password, and the same work for both.
Only once the password checked out does a deactivated account hear that it is deactivated."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from deskless.auth import STAFF_ROLES, Principal, issue_token, verify_password
from deskless.errors import AccountDeactivated, InvalidCredentials
from deskless.observability import Metric, logger, metrics
from deskless.users import StaffUser, find_login, staff_from_item


def login_staff(email: str, password: str) -> tuple[str, int, StaffUser]:
    item = find_login(email)
    valid = verify_password(item["password_hash"] if item else None, password)
    if item is None or not valid or item["role"] not in STAFF_ROLES:
        metrics.add_metric(name=Metric.FAILED_LOGINS, unit=MetricUnit.Count, value=1)
        logger.info("login refused")
        raise InvalidCredentials("The email or password is not right.")
    user = staff_from_item(item)
    if not user.active:
        logger.info("login refused: deactivated", extra={"user_id": user.id})
        raise AccountDeactivated()
    token, expires_at = issue_token(Principal(user_id=user.id, role=user.role, name=user.name, email=user.email))
    return token, expires_at, user
