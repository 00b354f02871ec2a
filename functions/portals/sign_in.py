"""A contact's sign-in on their portal or the help centre, and their "Forgot your password?".

Sign-in is throttled as staff sign-in is (functions/auth/login.py): failures counted per address
(a hash of it, so unknown addresses are throttled alike and none is stored) and per source, the
same answer and the same work whether or not the address is a contact's. Its requests: one
BatchGetItem of both subjects' failure buckets and the address's guard, one BatchGetItem of the
contact, its password and its pending credential (keys nobody has for an unknown address), one
argon2id verification whatever is stored (deskless.credentials.check_sign_in), then one
UpdateItem per subject for a failure, or one TransactWriteItems for a success (the subjects
still under their limits, the new session, and the temporary password used up if that is what
signed in).

Only once the password checked out is the place looked at: a contact signs in on their company's
portal, or at the help centre when their company has none that is active; elsewhere they are
told where (they proved the password, so this tells nobody anything new).

A reset asked for is answered the same, after the same requests, whether or not the address is a
contact's: it is recorded either way, and the stream mails the link only for a contact's (so the
answer's time says nothing either); each source, and each address, may ask a few times per
window (deskless.throttle), so the form cannot be used to flood anyone's mailbox.
"""

from __future__ import annotations

import time

from deskless import guessing
from deskless.companies import PortalStatus, get_company
from deskless.contacts import email_guard, guarded_contact
from deskless.credentials import check_sign_in, portal_address, request_reset, session_actions, sign_in_keys
from deskless.data import TransactionCanceled, table
from deskless.errors import InvalidCredentials, TooManyAttempts, WrongPortal
from deskless.observability import logger
from deskless.throttle import Limit, spend

ACCOUNT_GUESSES = guessing.Guessable("contact-sign-in-account", max_failures=10)
SOURCE_GUESSES = guessing.Guessable("contact-sign-in-source", max_failures=30)
RESETS_PER_SOURCE = Limit("password_reset_source", count=5, window_seconds=3600)
RESETS_PER_ADDRESS = Limit("password_reset_address", count=3, window_seconds=3600)


def sign_in(
    email: str, password: str, *, portal: str, company_id: str | None, source: str, now: float | None = None
) -> tuple[str, int, bool]:
    """Sign a contact in where they are (`portal`: its subdomain, "" for the help centre, where
    `company_id` is None): the session's cookie value, its expiry, and whether a new password
    comes first."""
    now = time.time() if now is None else now
    subjects = [(ACCOUNT_GUESSES, guessing.address_subject(email)), (SOURCE_GUESSES, source)]
    failures, (guard,) = guessing.read_together(subjects, now, also=[email_guard(email.lower())])
    guessing.refuse_if_blocked(failures, guessing.SIGN_INS_BLOCKED)
    items = table().get_many(sign_in_keys(guarded_contact(guard)), consistent=True)
    checked = check_sign_in(items, password, now=now)
    if checked is None:
        guessing.refuse_sign_in(failures, "contact sign-in refused")
    contact = checked.contact
    if company_id is None:
        _, own = get_company(contact.company_id)
        elsewhere = own is not None and own.status == PortalStatus.ACTIVE
    else:
        elsewhere = contact.company_id != company_id
    if elsewhere:
        logger.info("contact sign-in on another portal", extra={"contact_id": contact.id})
        raise WrongPortal(portal_address(contact))
    token, actions, expires_at = session_actions(checked, portal=portal, now=now)
    try:
        table().transact([*(guessing.still_allowed(f) for f in failures), *actions])
    except TransactionCanceled as error:
        reasons = error.reasons
        if any(reason == "ConditionalCheckFailed" for reason in reasons[: len(failures)]):
            reached = [f.with_current(f.allowed_in_current) for f in failures]
            raise TooManyAttempts(guessing.SIGN_INS_BLOCKED, max(f.retry_after() for f in reached)) from error
        raise InvalidCredentials(guessing.WRONG_SIGN_IN) from error  # the temporary password was used meanwhile
    return token, expires_at, checked.temporary


def ask_for_reset(email: str, *, source: str, now: float | None = None) -> None:
    """Record a reset asked for this address; the stream mails the link if a contact has it
    (deskless.credentials.send_requested_reset). The same requests either way: the throttles' two
    UpdateItems, the address's guard (one GetItem), the request (one PutItem)."""
    spend(RESETS_PER_SOURCE, source, now=now)
    subject = guessing.address_subject(email)
    spend(RESETS_PER_ADDRESS, subject, now=now)
    contact_id = guarded_contact(table().get(email_guard(email.strip().lower()), consistent=True))
    request_reset(subject, contact_id, now=now)
