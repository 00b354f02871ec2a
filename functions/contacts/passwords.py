"""A technician resets a contact's portal password from the contact's page: either the reset
email (a single-use link, as "Forgot your password?" sends), or a temporary password shown once to
the technician, to pass on by another channel (the phone); the contact must choose their own at
its first sign-in. Either replaces the contact's pending credential, and ends none of their
sessions (the contact's own new password does).

Each technician may reset a given contact's password a few times an hour, and any contacts'
passwords a few dozen times (deskless.throttle): enough for a help desk, too few for a script.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from deskless.auth import Principal
from deskless.credentials import (
    contact_for_reset,
    end_pending_credentials,
    issue_temporary_password,
    portal_address,
    send_reset_email,
)
from deskless.observability import logger
from deskless.throttle import Limit, spend

PER_CONTACT = Limit("staff_password_reset_contact", count=5, window_seconds=3600)
PER_TECHNICIAN = Limit("staff_password_reset", count=30, window_seconds=3600)


class ResetBy(StrEnum):
    EMAIL = "email"
    TEMPORARY = "temporary"


class PasswordResetRequest(BaseModel):
    send: ResetBy = Field(
        description='"email": the contact gets a single-use link to choose a new password; "temporary": a '
        "temporary password is made and shown once, here, for the technician to pass on."
    )


class PasswordReset(BaseModel):
    send: ResetBy
    portal_address: str = Field(description="Where the contact signs in.")
    sent_to: str | None = Field(default=None, description="The address the reset email went to.")
    temporary_password: str | None = Field(
        default=None, description="Shown this once: it is stored only as a hash. The contact must change it."
    )
    expires_at: int | None = Field(default=None, description="When the temporary password stops working.")


def reset_password(caller: Principal, contact_id: str, by: ResetBy) -> PasswordReset:
    contact = contact_for_reset(contact_id)
    spend(PER_TECHNICIAN, caller.user_id)
    spend(PER_CONTACT, f"{caller.user_id}:{contact.id}")
    logger.info("contact password reset", extra={"contact_id": contact.id, "by": caller.user_id, "send": by.value})
    if by is ResetBy.EMAIL:
        address = send_reset_email(contact)
        return PasswordReset(send=by, portal_address=address, sent_to=contact.emails[0])
    end_pending_credentials(contact.id)
    issued = issue_temporary_password(contact)
    return PasswordReset(
        send=by,
        portal_address=portal_address(contact),
        temporary_password=issued.secret,
        expires_at=issued.expires_at,
    )
