"""What an integration does with its API key: make reusable invitation links to an operator."""

from __future__ import annotations

from deskless.api_keys import NOT_VALID, used
from deskless.auth import STAFF_ROLES
from deskless.data import NEW_ITEM, TransactionCanceled, put_action, table
from deskless.errors import InvalidApiKey, OperatorNotFound
from deskless.invitations import Invitation, new_invitation
from deskless.languages import DEFAULT_LANGUAGE
from deskless.users import find_login


def create_reusable_invitation(
    key_id: str, operator_email: str, *, label: str = "", language: str = DEFAULT_LANGUAGE, now: float | None = None
) -> Invitation:
    """A reusable link to the operator with this email, made by an authenticated key. The
    invitation is stored in one transaction with the key's last use, which also refuses a key
    revoked since it was checked."""
    operator = find_login(operator_email)
    if operator is None or operator.get("role") not in STAFF_ROLES:
        raise OperatorNotFound("There is no operator with this email.")
    invitation, item = new_invitation(
        operator["user_id"],
        operator["name"],
        label=label,
        language=language,
        reusable=True,
        created_via=f"api:{key_id}",
        now=now,
    )
    try:
        table().transact([put_action(item, NEW_ITEM), used(key_id, invitation.created_at)])
    except TransactionCanceled as error:
        if error.reasons[1] == "ConditionalCheckFailed":
            raise InvalidApiKey(NOT_VALID) from error
        raise
    return invitation
