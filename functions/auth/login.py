"""Staff sign-in: one answer for a wrong email and a wrong password, and the same work for both;
failed sign-ins throttled per account and per source address (deskless.guessing, as failed code
redemptions are). Only once the password checked out does a deactivated account hear that it is
deactivated.

The same requests whether or not the account exists: one BatchGetItem of the account's and the
source's failure buckets, two GetItems (the email's guard, then its user or a key no user has),
then one UpdateItem per subject for a failure or one TransactWriteItems for a success (both
subjects still under their limits at that moment, for a burst of parallel guesses). The
account is counted by a hash of its normalised email, so unknown emails are throttled alike
and no address anyone typed is stored.
"""

from __future__ import annotations

import time

from deskless import guessing
from deskless.auth import STAFF_ROLES, Principal, issue_token, verify_password
from deskless.data import TransactionCanceled, table
from deskless.errors import AccountDeactivated, TooManyAttempts
from deskless.observability import logger
from deskless.users import StaffUser, find_login, staff_from_item

ACCOUNT_GUESSES = guessing.Guessable("sign-in-account", max_failures=10)
# Several people may sign in from one office's address: its budget is the larger.
SOURCE_GUESSES = guessing.Guessable("sign-in-source", max_failures=30)


def login_staff(email: str, password: str, *, source: str, now: float | None = None) -> tuple[str, int, StaffUser]:
    now = time.time() if now is None else now
    subjects = [(ACCOUNT_GUESSES, guessing.address_subject(email)), (SOURCE_GUESSES, source)]
    failures, _ = guessing.read_together(subjects, now)
    guessing.refuse_if_blocked(failures, guessing.SIGN_INS_BLOCKED)
    item = find_login(email)
    valid = verify_password(item["password_hash"] if item else None, password)
    if item is None or not valid or item["role"] not in STAFF_ROLES:
        guessing.refuse_sign_in(failures, "login refused")
    try:
        table().transact([guessing.still_allowed(f) for f in failures])
    except TransactionCanceled as error:  # the limit was reached while this request ran
        reached = [f.with_current(f.allowed_in_current) for f in failures]
        raise TooManyAttempts(guessing.SIGN_INS_BLOCKED, max(f.retry_after() for f in reached)) from error
    user = staff_from_item(item)
    if not user.active:
        logger.info("login refused: deactivated", extra={"user_id": user.id})
        raise AccountDeactivated()
    token, expires_at = issue_token(Principal(user_id=user.id, role=user.role, name=user.name, email=user.email))
    return token, expires_at, user
