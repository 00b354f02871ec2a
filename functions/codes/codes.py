"""Session codes: a technician creates one (a name and a portal), lists their active ones and
cancels one; each lives until redeemed, cancelled or its lifetime runs out.

Stored as (deskless.table):

    CODE#<digits> / CODE              the code: who made it, for which portal, until when
    TECH#<user> / CODESLOT#<n>        slot n (0 <= n < limit) holds a live code: the active list
    TECH#<user> / CODENAME#<name>     keeps a name unique among the technician's live codes
    TECH#<user> / CODELIMIT           an admin's own limit for this technician, if any

A counter cannot hold the limit (TTL deletes never decrement it), slots can: creating a code
puts the code, a free slot and the name guard in one transaction, each on condition that the
item is absent or expired, so neither a concurrent create nor an item that TTL has not removed
yet can make a technician hold more than `limit` live codes. One Query of the technician's
partition finds the live slots, the name guards and the limit before that.

Digits come from `secrets` and may start with 0 (all 10^9 codes are used); a code whose
digits are live already is refused by its condition and new digits are drawn.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from deskless.auth import Principal, Role
from deskless.companies import Portal, PortalStatus, portal_by_subdomain
from deskless.data import (
    Action,
    Condition,
    TransactionCanceled,
    delete_action,
    free_or_expired,
    put_action,
    table,
)
from deskless.edge import portal_url
from deskless.errors import CodeLimitReached, CodeNameTaken, NotFound, PortalInactive, TryAgain, UnknownPortal
from deskless.preferences import get_preferences
from deskless.settings import get_settings
from deskless.table import (
    Entity,
    code_key,
    code_name_key,
    code_slot_key,
    stamped,
    technician_partition,
)

DIGITS = 9
# A create that loses a race tries again; each loss means another create took a slot, so the
# limit is reached within `limit` losses. These are the tries beyond that.
SPARE_ATTEMPTS = 8
PORTAL_CACHE_SECONDS = 30.0

_NOT_DIGITS = re.compile(r"[\s\-.]")
_CODE = re.compile(rf"[0-9]{{{DIGITS}}}")


class Code(BaseModel):
    """A code as stored."""

    code: str
    name: str
    technician_id: str
    technician_name: str
    company_id: str
    subdomain: str
    slot: int
    created_at: int
    expires_at: int

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


class ActiveCode(BaseModel):
    """A code as its technician sees it."""

    code: str
    name: str
    portal: str
    expires_at: int
    seconds_left: int
    join_url: str


def new_digits() -> str:
    """Nine digits from the operating system's cryptographic source; leading zeros allowed."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def normalise(text: str) -> str | None:
    """The code in what a person typed ('123 456-789'), or None if it is not nine digits."""
    digits = _NOT_DIGITS.sub("", text)
    return digits if _CODE.fullmatch(digits) else None


def readable(code: str) -> str:
    """'123456789' as people read it: '123 456 789'."""
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))


def join_url(subdomain: str, code: str) -> str:
    return f"{portal_url(subdomain, get_settings().public_url)}/join/{code}"


def view(code: Code, now: float) -> ActiveCode:
    return ActiveCode(
        code=code.code,
        name=code.name,
        portal=code.subdomain,
        expires_at=code.expires_at,
        seconds_left=code.seconds_left(now),
        join_url=join_url(code.subdomain, code.code),
    )


# --- portals, cached briefly: creating a code must not pay two reads for its portal ------------
# A portal deactivated (or removed) gets no new codes once the cache has let it go: within
# PORTAL_CACHE_SECONDS. The create transaction does not check the portal item: every create and
# redemption on the portal would then include it, and concurrent transactions conflict on it.

_portals: dict[str, tuple[float, Portal]] = {}


def active_portal(label: str) -> Portal:
    """The active portal on subdomain `label` (from a short cache of active portals)."""
    cached = _portals.get(label)
    if cached is not None and time.monotonic() - cached[0] < PORTAL_CACHE_SECONDS:
        return cached[1]
    _portals.pop(label, None)
    portal = portal_by_subdomain(label)
    if portal is None:
        raise UnknownPortal(f"There is no portal {label!r}.")
    if portal.status != PortalStatus.ACTIVE:
        raise PortalInactive(f"The portal {label!r} is inactive; codes can be made only for an active portal.")
    _portals[label] = (time.monotonic(), portal)
    return portal


def forget_cached_portals() -> None:
    _portals.clear()


# --- what a technician holds: one Query ---------------------------------------------------


@dataclass(frozen=True)
class Holdings:
    """The live items of a technician's partition: slots by index, name guards, own limit."""

    slots: dict[int, dict[str, Any]] = field(default_factory=dict)
    names: frozenset[str] = frozenset()
    own_limit: int | None = None

    def limit(self) -> int:
        return self.own_limit if self.own_limit is not None else get_preferences().code_limit

    def free_slot(self) -> int:
        """The lowest free slot under the limit; CodeLimitReached if the technician holds `limit` codes."""
        limit = self.limit()
        free = [n for n in range(limit) if n not in self.slots]
        if len(self.slots) >= limit or not free:
            raise CodeLimitReached(
                f"You already have {len(self.slots)} active codes, the most allowed is {limit}. "
                "Cancel one, or wait until one is used or expires."
            )
        return free[0]

    def codes(self) -> list[dict[str, Any]]:
        return sorted(self.slots.values(), key=lambda slot: (slot["expires_at"], slot["code"]))


def holdings(technician_id: str) -> Holdings:
    slots: dict[int, dict[str, Any]] = {}
    names: set[str] = set()
    own_limit = None
    for item in table().query(technician_partition(technician_id)):  # expired items are left out
        if item["type"] == Entity.CODE_SLOT:
            slots[int(item["slot"])] = item
        elif item["type"] == Entity.CODE_NAME:
            names.add(item["sk"])
        elif item["type"] == Entity.CODE_LIMIT:
            own_limit = int(item["limit"])
    return Holdings(slots=slots, names=frozenset(names), own_limit=own_limit)


# --- create, list, cancel -----------------------------------------------------------------


def create_code(caller: Principal, name: str, subdomain: str, *, now: float | None = None) -> ActiveCode:
    """A new code for `caller`: one Query and one transaction, unless a race is lost."""
    now = time.time() if now is None else now
    portal = active_portal(subdomain)
    name_key = code_name_key(caller.user_id, name)
    digits = new_digits()
    held: Holdings | None = None
    losses = 0
    while True:
        if held is None:
            held = holdings(caller.user_id)
        if name_key["sk"] in held.names:
            raise CodeNameTaken(f"You already have an active code named {name!r}. Choose another name.")
        code = Code(
            code=digits,
            name=name,
            technician_id=caller.user_id,
            technician_name=caller.name,
            company_id=portal.company_id,
            subdomain=portal.subdomain,
            slot=held.free_slot(),
            created_at=int(now),
            expires_at=int(now) + get_preferences().code_lifetime_minutes * 60,
        )
        try:
            table().transact(_create_actions(code, now))
            return view(code, now)
        except TransactionCanceled as canceled:
            code_taken, slot_taken, name_taken = _refused(canceled)
        losses += 1
        if losses > held.limit() + SPARE_ATTEMPTS:
            raise TryAgain("Too many codes are being created at once; please try again.")
        if code_taken:
            digits = new_digits()
        if slot_taken or name_taken:
            held = None  # read again: another create got there first
        time.sleep(random.uniform(0, 0.005 * losses))  # noqa: S311  # jitter against the next collision, not a secret


def _create_actions(code: Code, now: float) -> list[Action]:
    common = {"code": code.code, "name": code.name, "expires_at": code.expires_at}
    return [
        put_action(
            stamped(Entity.CODE, code_key(code.code), **code.model_dump()),
            free_or_expired(now),
        ),
        put_action(
            stamped(
                Entity.CODE_SLOT,
                code_slot_key(code.technician_id, code.slot),
                **common,
                slot=code.slot,
                company_id=code.company_id,
                subdomain=code.subdomain,
                created_at=code.created_at,
            ),
            free_or_expired(now),
        ),
        put_action(
            stamped(Entity.CODE_NAME, code_name_key(code.technician_id, code.name), **common), free_or_expired(now)
        ),
    ]


def _refused(canceled: TransactionCanceled) -> tuple[bool, bool, bool]:
    """Which of the create's puts were refused (their item is live) or met another transaction: code, slot, name."""
    reasons = canceled.reasons
    if len(reasons) != 3 or any(r not in ("None", "ConditionalCheckFailed", "TransactionConflict") for r in reasons):
        raise canceled
    return reasons[0] != "None", reasons[1] != "None", reasons[2] != "None"


def active_codes(technician_id: str, *, now: float | None = None) -> list[ActiveCode]:
    """The technician's live codes, soonest to expire first: one Query."""
    now = time.time() if now is None else now
    return [
        ActiveCode(
            code=slot["code"],
            name=slot["name"],
            portal=slot["subdomain"],
            expires_at=slot["expires_at"],
            seconds_left=max(0, int(slot["expires_at"] - now)),
            join_url=join_url(slot["subdomain"], slot["code"]),
        )
        for slot in holdings(technician_id).codes()
    ]


def owned_code(caller: Principal, digits: str) -> Code:
    """A live code of the caller's (any technician's, for an admin); NotFound otherwise."""
    code = normalise(digits)
    item = table().get(code_key(code), consistent=True) if code else None
    if item is None or (item["technician_id"] != caller.user_id and caller.role != Role.ADMIN):
        raise NotFound("You have no active code with these digits.")
    return Code.model_validate(item)


def cancel_code(caller: Principal, digits: str) -> None:
    """Cancel a live code: it, its slot and its name guard go in one transaction."""
    code = owned_code(caller, digits)
    try:
        owner = Condition(
            "#technician = :technician", {"#technician": "technician_id"}, {":technician": code.technician_id}
        )
        table().transact(release_actions(code, owner))
    except TransactionCanceled as canceled:
        raise NotFound("This code has just been used or cancelled.") from canceled


def release_actions(code: Code, condition: Condition) -> list[Action]:
    """Delete the code (if it still exists and meets `condition`), its slot and its name guard."""
    exists = Condition(f"attribute_exists(pk) AND ({condition.expression})", condition.names, condition.values)
    same_code = Condition("#code = :code", {"#code": "code"}, {":code": code.code})
    return [
        delete_action(code_key(code.code), exists),
        delete_action(code_slot_key(code.technician_id, code.slot), same_code),
        delete_action(code_name_key(code.technician_id, code.name), same_code),
    ]
