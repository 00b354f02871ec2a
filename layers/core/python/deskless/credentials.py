"""Portal credentials: a contact's password, the pending credentials that let them set one (a
temporary password, a set-password link: one of each, so a welcome email's link and a rule's
temporary password sent at the same moment both work until one is used), and the sessions of
contacts signed in to a portal.

    CONTACT#<id> / PASSWORD                 the password the contact chose (argon2id hash)
    CONTACT#<id> / CREDENTIAL               the pending credentials, one of each kind: a temporary
                                            password (argon2id hash) and a link's token (SHA-256
                                            hash), each with its expiry; issuing another of a kind
                                            replaces that kind's, so the previous one is dead, and
                                            using either (or setting a password) ends both
    CONTACT#<id> / PORTALSESSION#<sha256>   a signed-in browser: where it signed in, whether it
                                            must choose a password first, its expiry
    RESETREQUEST#<address hash> / <id>      a "Forgot your password?" for an address, known or
                                            not (with the contact's id when it is theirs); the
                                            stream sends its email; TTL an hour

Everything lives in the contact's partition: a sign-in reads the contact, its password and its
credential in one BatchGetItem; a session is read with its contact in one BatchGetItem (an
inactive contact, or one moved to another company, is signed out at once); signing out
everywhere is one Query of the partition's sessions and their deletes.

A link's token and a session's cookie are `<contact id>.<secret>`, the secret from
`secrets.token_urlsafe`; only the SHA-256 of the secret is stored, so a stolen table holds
nothing that signs anyone in. A temporary password is random and readable, stored as an argon2id
hash like every password (deskless.auth). Each is single use: using it deletes it in the same
transaction as what it grants, under the condition that it is still the one read. Expiry is
checked on read (DynamoDB's TTL deletes late).

A "Forgot your password?" costs the same whether or not the address is a contact's: one PutItem
of a request, after the same reads; the email is sent from the table's stream
(`send_requested_reset`), so how long the answer takes tells nothing either.

Where a contact signs in (`portal_address`): their company's portal when it is active, else the
help centre on the support domain itself (`<public url>/help`). Its pages are under `/help/` on
either host (ACCOUNT_PATH).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from .auth import Role, hash_password, verify_password
from .companies import Portal, PortalStatus, get_company
from .contacts import Contact, contact_from_item, contact_of
from .data import EXISTS, Condition, ConditionFailed, Item, TransactionCanceled, delete_action, put_action, table
from .edge import portal_url
from .errors import ContactDeactivated, CredentialInvalid, NotFound, PasswordRefused
from .preferences import get_preferences
from .settings import get_settings
from .table import (
    CUSTOMER_SESSION_PREFIX,
    TTL_ATTRIBUTE,
    Entity,
    Key,
    contact_key,
    contact_partition,
    contact_password_key,
    credential_key,
    customer_session_key,
    reset_request_key,
    stamped,
)

# The session's cookie: host-only (the __Host- prefix makes a browser refuse it with a Domain, without
# Secure or off Path=/), so a portal's session is never sent to another portal or the console.
SESSION_COOKIE = "__Host-deskless-session"
HELP_CENTRE_PATH = "/help"  # the help centre, on the support domain itself
ACCOUNT_PATH = "/help/"  # a contact's pages, under this path on their portal or the help centre's host
SET_PASSWORD_PAGE = "set-password"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# A temporary password: four groups of four from letters and digits nobody misreads (no 0/o, 1/l/i).
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP = 4, 4  # 31^16, about 2^79
# What a temporary password looks like: a sign-in with something of this shape is checked against
# the pending temporary password only, anything else against the password only (one argon2id
# verification either way), so a contact's own password may not have this shape.
_TEMPORARY_SHAPE = re.compile(rf"[{_READABLE}]{{{_GROUP}}}(-[{_READABLE}]{{{_GROUP}}}){{{_GROUPS - 1}}}")


class CredentialKind(StrEnum):
    TEMPORARY_PASSWORD = "temporary_password"
    LINK = "link"


# --- where a contact signs in ---------------------------------------------------------------------


def portal_address(contact: Contact) -> str:
    """The URL where this contact signs in (one Query of the company's partition)."""
    _, portal = get_company(contact.company_id)
    return sign_in_address(portal)


def sign_in_address(portal: Portal | None) -> str:
    """Where a contact of a company with this portal signs in: the portal, if it is active, else
    the help centre."""
    public_url = get_settings().public_url.rstrip("/")
    if portal is not None and portal.status == PortalStatus.ACTIVE:
        return portal_url(portal.subdomain, public_url) + "/"
    return public_url + HELP_CENTRE_PATH


def account_base(address: str) -> str:
    """Where a contact's pages are, from their portal address.

    >>> account_base("https://acme.support.example.com/")
    'https://acme.support.example.com/help/'
    >>> account_base("https://support.example.com/help")
    'https://support.example.com/help/'
    """
    base = address.removesuffix(HELP_CENTRE_PATH).rstrip("/")
    return base + ACCOUNT_PATH


# --- passwords ------------------------------------------------------------------------------------


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, as zxcvbn ranks them (its frequency list, from leaked
    password sets; lower case). Loaded on first use: only setting a password pays for it."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# Why a password may not be a contact's: a code (pages say it in the visitor's language) and the sentence.
PASSWORD_PROBLEMS: dict[str, str] = {
    "pw_too_short": f"A password has at least {MIN_PASSWORD_LENGTH} characters.",
    "pw_too_long": f"A password has at most {MAX_PASSWORD_LENGTH} characters.",
    "pw_common": "This password is one of the most common ones, which are tried first: choose another.",
    "pw_repetitive": "This password repeats one or two characters: choose another.",
    "pw_email": "A password is not your email address: choose another.",
    "pw_temporary": "This looks like a temporary password: choose one of your own.",
}


def password_problem(password: str, contact: Contact | None = None) -> str | None:
    """Why a password cannot be a contact's (a key of PASSWORD_PROBLEMS), or None when it can.

    >>> password_problem("short"), password_problem("violet tractor under the bridge")
    ('pw_too_short', None)
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "pw_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "pw_too_long"
    folded = password.casefold()
    common = _common_passwords()
    if folded in common or folded.strip() in common:
        return "pw_common"
    if len(set(folded.strip())) <= 2:
        return "pw_repetitive"
    if looks_temporary(password):
        return "pw_temporary"
    if contact is not None and any(folded in (email, email.split("@")[0]) for email in contact.emails):
        return "pw_email"
    return None


def check_password(password: str, contact: Contact | None = None) -> None:
    """PasswordRefused (400, naming the field `password` and the reason) unless the password may be a contact's."""
    if problem := password_problem(password, contact):
        raise PasswordRefused(PASSWORD_PROBLEMS[problem], reason=problem)


def looks_temporary(password: str) -> bool:
    """Whether a password has a temporary password's shape (whatever its case, as typed).

    >>> looks_temporary(" K7MQ-x3pt-9hwr-c2vd "), looks_temporary("k7mq-x3pt-9hwr")
    (True, False)
    """
    return _TEMPORARY_SHAPE.fullmatch(password.strip().lower()) is not None


def temporary_password() -> str:
    """A random password a person can read out and type.

    >>> len(temporary_password()), temporary_password().count("-")
    (19, 3)
    """
    groups = ("".join(secrets.choice(_READABLE) for _ in range(_GROUP)) for _ in range(_GROUPS))
    return "-".join(groups)


def _password_item(contact_id: str, password: str, now: int) -> Item:
    return stamped(
        Entity.CONTACT_PASSWORD,
        contact_password_key(contact_id),
        contact_id=contact_id,
        password_hash=hash_password(password),
        set_at=now,
    )


# --- tokens ---------------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(contact_id: str) -> tuple[str, str]:
    """A token that names its contact, and the hash of its secret (what is stored)."""
    secret = secrets.token_urlsafe(32)
    return f"{contact_id}.{secret}", secret_hash(secret)


def split_token(token: str) -> tuple[str, str] | None:
    """The contact id and the secret's hash a token carries, or None for what is no token of ours.

    >>> split_token("0123456789abcdef." + "x" * 43)[0]
    '0123456789abcdef'
    >>> split_token("nonsense") is None
    True
    """
    contact_id, _, secret = token.partition(".")
    if not (len(contact_id) == 16 and all(c in "0123456789abcdef" for c in contact_id)):
        return None
    if not 32 <= len(secret) <= 64:
        return None
    return contact_id, secret_hash(secret)


# --- issuing credentials --------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    secret: str  # the temporary password, or the link: shown or sent once, never stored
    expires_at: int


def _slot(credential: Item | None, kind: CredentialKind, now: float) -> str | None:
    """The hash of the contact's pending credential of this kind, unless it expired. (An item
    stored before credentials had a slot per kind holds one, as `kind` and `secret_hash`.)"""
    if credential is None:
        return None
    if credential.get("kind") == kind.value:
        stored, expires = credential.get("secret_hash"), credential.get(TTL_ATTRIBUTE, 0)
    else:
        stored, expires = credential.get(f"{kind.value}_hash"), credential.get(f"{kind.value}_expires_at", 0)
    return str(stored) if stored is not None and int(expires) > now else None


def _store_credential(contact: Contact, kind: CredentialKind, stored_hash: str, expires_at: int) -> None:
    """The contact's pending credential of this kind, replacing any previous one of it (one
    UpdateItem; a second moves the item's TTL to its latest expiry when this one outlives it)."""
    key = credential_key(contact.id)
    values = stamped(
        Entity.CREDENTIAL,
        contact_id=contact.id,
        **{f"{kind.value}_hash": stored_hash, f"{kind.value}_expires_at": expires_at},
        issued_at=int(time.time()),
    )
    stored = table().update(key, set_values=values, remove=["kind", "secret_hash"])
    latest = max(int(stored.get(f"{other.value}_expires_at", 0)) for other in CredentialKind)
    if int(stored.get(TTL_ATTRIBUTE, 0)) < latest:
        later = Condition(
            f"attribute_not_exists({TTL_ATTRIBUTE}) OR {TTL_ATTRIBUTE} < :latest", values={":latest": latest}
        )
        with suppress(ConditionFailed):  # another issue moved it further meanwhile
            table().update(key, set_values={TTL_ATTRIBUTE: latest}, condition=later)


def issue_temporary_password(contact: Contact, *, now: float | None = None) -> Issued:
    """A new temporary password for the contact (the previous one stops working)."""
    moment = int(time.time() if now is None else now)
    password = temporary_password()
    expires_at = moment + get_preferences().temporary_password_hours * 3600
    _store_credential(contact, CredentialKind.TEMPORARY_PASSWORD, hash_password(password), expires_at)
    return Issued(password, expires_at)


def issue_password_link(
    contact: Contact, *, lifetime_seconds: int | None = None, now: float | None = None, address: str | None = None
) -> Issued:
    """A new single-use link to set a password (the previous link stops working)."""
    moment = int(time.time() if now is None else now)
    lifetime = lifetime_seconds or get_preferences().password_link_hours * 3600
    token, stored_hash = new_token(contact.id)
    _store_credential(contact, CredentialKind.LINK, stored_hash, moment + lifetime)
    base = account_base(address or portal_address(contact))
    return Issued(f"{base}{SET_PASSWORD_PAGE}?token={token}", moment + lifetime)


@dataclass
class ContactCredentials:
    """deskless.snippets.CredentialIssuer for one contact: what a mail to them issues when sent."""

    contact: Contact
    link_lifetime_seconds: int | None = None
    address: str | None = None  # where the contact signs in, when the sender knows it already

    def temporary_password(self) -> str:
        return issue_temporary_password(self.contact).secret

    def password_link(self) -> str:
        issued = issue_password_link(self.contact, lifetime_seconds=self.link_lifetime_seconds, address=self.address)
        return issued.secret


def issuer_for(
    contact: Contact, *, link_lifetime_seconds: int | None = None, address: str | None = None
) -> ContactCredentials:
    """The CredentialIssuer of a mail to this contact (a welcome email's link lives as long as the
    setting says; a reset email passes its own, shorter, lifetime). `address`: portal_address's
    answer, if the sender has it (else the link asks for it)."""
    return ContactCredentials(contact, link_lifetime_seconds, address)


# --- using a credential ---------------------------------------------------------------------------


def _unchanged(kind: CredentialKind, stored_hash: str) -> Condition:
    """The pending credential of this kind is still the one read (in either shape, see `_slot`)."""
    return Condition(
        f"{kind.value}_hash = :hash OR (kind = :kind AND secret_hash = :hash)",
        values={":hash": stored_hash, ":kind": kind.value},
    )


def pending_link(contact_id: str, *, now: float | None = None) -> str | None:
    """The hash of the contact's pending set-password link, unless it expired."""
    moment = time.time() if now is None else now
    return _slot(table().get(credential_key(contact_id), consistent=True), CredentialKind.LINK, moment)


def link_works(token: str, *, now: float | None = None) -> bool:
    """Whether a set-password link would still set a password (one GetItem): its page says so at
    once instead of after the visitor chose a password."""
    parts = split_token(token)
    if parts is None:
        return False
    contact_id, stored_hash = parts
    pending = pending_link(contact_id, now=now)
    return pending is not None and hmac.compare_digest(pending, stored_hash)


def set_password_with_link(token: str, password: str, *, now: float | None = None) -> Contact:
    """Set the password of the contact a link was made for, and use the link up (the password
    and the link's end are one transaction, conditional on the link still being the one read);
    their other sessions end. CredentialInvalid for a link that is unknown, used, replaced or
    expired (one answer for all); PasswordRefused for a password that may not be one."""
    moment = int(time.time() if now is None else now)
    parts = split_token(token)
    if parts is None:
        raise CredentialInvalid(LINK_INVALID)
    contact_id, stored_hash = parts
    contact_item, credential = table().get_many([contact_key(contact_id), credential_key(contact_id)], consistent=True)
    pending = _slot(credential, CredentialKind.LINK, moment)
    valid = contact_item is not None and pending is not None and hmac.compare_digest(pending, stored_hash)
    if not valid or contact_item is None:
        raise CredentialInvalid(LINK_INVALID)
    contact = contact_from_item(contact_item)
    if not contact.active:
        raise CredentialInvalid(LINK_INVALID)
    check_password(password, contact)
    try:
        table().transact(
            [
                delete_action(credential_key(contact_id), condition=_unchanged(CredentialKind.LINK, stored_hash)),
                put_action(_password_item(contact_id, password, moment)),
            ]
        )
    except TransactionCanceled as error:  # used or replaced meanwhile
        raise CredentialInvalid(LINK_INVALID) from error
    end_sessions(contact_id)
    return contact


LINK_INVALID = "This link does not work any more: it was used, replaced by a newer one, or expired."


# --- sign-in --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """What a sign-in's password turned out to be."""

    contact: Contact
    temporary: bool  # it was the pending temporary password: used up, and a new password comes first
    credential_hash: str = ""


def sign_in_keys(contact_id: str | None) -> list[Key]:
    """What a sign-in reads of a contact (for an unknown address, keys of a contact nobody has,
    so the work is the same)."""
    contact_id = contact_id or "0" * 16
    return [contact_key(contact_id), contact_password_key(contact_id), credential_key(contact_id)]


def check_sign_in(items: list[Item | None], password: str, *, now: float) -> Checked | None:
    """The contact the password signs in, from the items read for `sign_in_keys`, or None. One
    argon2id verification whatever is stored (a dummy hash for what is missing): against the
    pending temporary password if what was typed has its shape, else against the password; so an
    unknown address, a contact without a password and a wrong password cost the same."""
    contact_item, password_item, credential = items
    temporary = looks_temporary(password)
    if temporary:
        stored = _slot(credential, CredentialKind.TEMPORARY_PASSWORD, now)
        valid = verify_password(stored, password.strip().lower())
    else:
        stored = password_item["password_hash"] if password_item else None
        valid = verify_password(stored, password)
    if contact_item is None or not valid:
        return None
    contact = contact_from_item(contact_item)
    if not contact.active:
        return None
    return Checked(contact, temporary=temporary, credential_hash=str(stored) if temporary else "")


def credential_used(checked: Checked) -> list[Any]:
    """The transaction actions that use up a temporary password a sign-in was made with."""
    if not checked.temporary:
        return []
    unchanged = _unchanged(CredentialKind.TEMPORARY_PASSWORD, checked.credential_hash)
    return [delete_action(credential_key(checked.contact.id), condition=unchanged)]


# --- sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSession:
    """A contact signed in on one portal (or the help centre: `portal` empty)."""

    contact: Contact
    portal: str  # the portal's subdomain; "" for the help centre
    company_id: str
    must_change_password: bool
    expires_at: int
    secret_hash: str

    @property
    def csrf_token(self) -> str:
        return csrf_token_of(self.secret_hash)

    @property
    def role(self) -> Role:
        return Role.PRIMARY_CONTACT if self.contact.primary else Role.CONTACT


def csrf_token_of(stored_hash: str) -> str:
    """The session's CSRF token: derived from its secret's hash with a key only the server has,
    so it needs no storage, is bound to the session, and says nothing of the cookie.
    The page gets it in a meta tag; every state-changing call sends it back in a header."""
    from .auth import signing_key

    return hmac.new(signing_key(), b"csrf:" + stored_hash.encode(), hashlib.sha256).hexdigest()


def session_actions(checked: Checked, *, portal: str, now: float) -> tuple[str, list[Any], int]:
    """A new session for a signed-in contact: its cookie value, the writes that store it (with
    the use of a temporary password), and its expiry."""
    token, stored_hash = new_token(checked.contact.id)
    expires_at = int(now) + get_preferences().customer_session_hours * 3600
    item = stamped(
        Entity.CUSTOMER_SESSION,
        customer_session_key(checked.contact.id, stored_hash),
        contact_id=checked.contact.id,
        company_id=checked.contact.company_id,
        portal=portal,
        must_change_password=checked.temporary,
        created_at=int(now),
        expires_at=expires_at,
    )
    return token, [put_action(item), *credential_used(checked)], expires_at


def start_session(checked: Checked, *, portal: str, now: float | None = None) -> tuple[str, int]:
    """Store a new session for the contact (one transaction); its cookie value and expiry."""
    token, actions, expires_at = session_actions(checked, portal=portal, now=time.time() if now is None else now)
    try:
        table().transact(actions)
    except TransactionCanceled as error:  # the temporary password was used or replaced meanwhile
        raise CredentialInvalid("This temporary password does not work any more.") from error
    return token, expires_at


def session_of(cookie: str | None, *, now: float | None = None) -> CustomerSession | None:
    """The live session a cookie names, with its contact as stored now (one BatchGetItem); None
    for no cookie, an unknown or expired session, an inactive contact, or a contact whose company
    changed since they signed in."""
    parts = split_token(cookie or "")
    if parts is None:
        return None
    contact_id, stored_hash = parts
    contact_item, item = table().get_many(
        [contact_key(contact_id), customer_session_key(contact_id, stored_hash)], consistent=True
    )
    moment = time.time() if now is None else now
    if contact_item is None or item is None or int(item["expires_at"]) <= moment:
        return None
    contact = contact_from_item(contact_item)
    if not contact.active or contact.company_id != item["company_id"]:
        return None
    return CustomerSession(
        contact=contact,
        portal=str(item["portal"]),
        company_id=str(item["company_id"]),
        must_change_password=bool(item.get("must_change_password")),
        expires_at=int(item["expires_at"]),
        secret_hash=stored_hash,
    )


def end_session(session: CustomerSession) -> None:
    table().delete(customer_session_key(session.contact.id, session.secret_hash))


def end_sessions(contact_id: str) -> int:
    """Sign the contact out everywhere (one Query, one DeleteItem per session); how many ended."""
    items = table().query(contact_partition(contact_id), sort_prefix=CUSTOMER_SESSION_PREFIX, consistent=True)
    for item in items:
        table().delete({"pk": item["pk"], "sk": item["sk"]})
    return len(items)


def change_password(session: CustomerSession, password: str, current: str | None) -> tuple[str, int]:
    """A signed-in contact's new password: the current one must be given, unless the session
    came from a temporary password (then choosing one is the first thing it does). Every session
    of the contact ends, and a new one starts for this browser: its cookie value and expiry."""
    contact = session.contact
    if not session.must_change_password:
        stored = table().get(contact_password_key(contact.id), consistent=True)
        if not verify_password(stored["password_hash"] if stored else None, current or ""):
            raise PasswordRefused(
                "The current password is not right.", field="current_password", reason="error_current_wrong"
            )
    check_password(password, contact)
    now = int(time.time())
    table().put(_password_item(contact.id, password, now))
    end_sessions(contact.id)
    return start_session(Checked(contact, temporary=False), portal=session.portal, now=now)


def has_password(contact_id: str) -> bool:
    return table().get(contact_password_key(contact_id), consistent=True) is not None


def contact_for_reset(contact_id: str) -> Contact:
    """A contact a technician resets the password of: it must exist and be active."""
    contact = contact_of(contact_id, consistent=True)
    if not contact.active:
        raise ContactDeactivated("This contact is deactivated: a deactivated contact cannot sign in.")
    return contact


# --- the reset email ------------------------------------------------------------------------------


RESET_REQUEST_SECONDS = 3600  # a request's record outlives any redelivery of its stream record


def request_reset(address_subject: str, contact_id: str | None, *, now: float | None = None) -> None:
    """Record a "Forgot your password?" for an address (its hash; `contact_id`: the contact whose
    address it is, if any), one PutItem either way; the stream mails the contact's
    (`send_requested_reset`)."""
    moment = int(time.time() if now is None else now)
    known = {"contact_id": contact_id} if contact_id else {}
    item = stamped(
        Entity.RESET_REQUEST,
        reset_request_key(address_subject, secrets.token_hex(8)),
        requested_at=moment,
        expires_at=moment + RESET_REQUEST_SECONDS,
        **known,
    )
    table().put(item)


def send_requested_reset(request: Item, *, now: float | None = None) -> bool:
    """Mail the reset link a request for a contact's address asked for, once however often the
    stream delivers it: claimed on the request first (`sent_at`, one conditional UpdateItem), given
    up again if sending fails (so the retry sends it). A contact gone or deactivated gets nothing.
    Whether it was sent now."""
    key = {"pk": request["pk"], "sk": request["sk"]}
    try:
        table().update(
            key,
            set_values={"sent_at": int(time.time() if now is None else now)},
            condition=Condition(f"{EXISTS.expression} AND attribute_not_exists(sent_at)"),
        )
    except ConditionFailed:
        return False
    try:
        contact = contact_of(str(request["contact_id"]))
    except NotFound:
        return False
    if not contact.active:
        return False
    try:
        send_reset_email(contact)
    except Exception:
        table().update(key, remove=["sent_at"], condition=EXISTS)
        raise
    return True


def send_reset_email(contact: Contact) -> str:
    """Email the contact a single-use link to choose a new password (the built-in "password reset"
    template, or an admin's edit of it, in the contact's language); every pending credential ends
    first, and the link lives as long as the reset setting says. Where the contact signs in."""
    from .contact_mail import send_template  # it sends through this module's issuer
    from .template_defaults import PASSWORD_RESET

    lifetime = get_preferences().reset_link_minutes * 60
    end_pending_credentials(contact.id)
    return send_template(contact, PASSWORD_RESET, link_lifetime_seconds=lifetime).address


def end_pending_credentials(contact_id: str) -> None:
    """A reset starts afresh: every credential pending for the contact stops working (one
    DeleteItem), whatever its kind, before the reset issues its own."""
    table().delete(credential_key(contact_id))
