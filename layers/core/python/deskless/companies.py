"""Customer companies, the technicians who serve each, and its portal: at most one per company,
on a subdomain unique across the whole deployment.

    COMPANY#<id> / COMPANY        name, the ids of the technicians who serve it
    COMPANY#<id> / PORTAL         subdomain, status, language, the websites allowed to embed it
    SUBDOMAIN#<label> / SUBDOMAIN the guard that keeps a subdomain unique: -> company id

Company and portal share a partition, so one Query reads both; in GSI1 the portal sorts right
after its company, so one Query lists them all. Both invariants are conditional writes: a
second portal is refused by its own key, a taken subdomain by its guard, and changing a
subdomain moves the guard in the same transaction as the portal.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from .data import (
    EXISTS,
    NEW_ITEM,
    Condition,
    ConditionFailed,
    Item,
    TransactionCanceled,
    check_action,
    delete_action,
    put_action,
    table,
    update_action,
)
from .errors import Conflict, InvalidRequest, InvalidSubdomain, NotFound, PortalExists, SubdomainTaken
from .languages import DEFAULT_LANGUAGE
from .table import (
    COMPANY_LIST,
    GSI1,
    PORTAL_SORT,
    Entity,
    company_index,
    company_key,
    company_partition,
    portal_index,
    portal_key,
    stamped,
    subdomain_key,
)
from .users import staff_of

MAX_TECHNICIANS = 99  # a company's technicians are checked in one BatchGetItem (100 keys)
MAX_ALLOWED_ORIGINS = 20

# Names a portal may not take: the deployment's own hosts, and names people would mistake for them.
RESERVED_SUBDOMAINS = frozenset(
    {
        "admin", "api", "app", "assets", "auth", "autoconfig", "autodiscover", "billing", "blog", "cdn",
        "console", "dashboard", "dev", "docs", "ftp", "help", "imap", "internal", "localhost", "login",
        "mail", "mx", "ns1", "ns2", "pop", "pop3", "portal", "root", "security", "smtp", "static", "status",
        "support", "test", "webmail", "widget", "ws", "www",
    }
)  # fmt: skip
_LABEL = re.compile(r"[a-z0-9-]{3,63}")


# How a visitor reached a portal: its own page, or the widget on a website.
Via = Literal["portal", "widget"]


class PortalStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Company(BaseModel):
    id: str
    name: str
    technician_ids: list[str] = Field(default_factory=list)
    created_at: int


class Portal(BaseModel):
    company_id: str
    company_name: str
    subdomain: str
    status: PortalStatus
    language: str
    allowed_origins: list[str] = Field(default_factory=list)


# --- validation ---------------------------------------------------------------------------------


def valid_subdomain(label: str) -> str:
    """The label, lower-cased, if a portal may have it; else InvalidSubdomain saying why.

    >>> valid_subdomain(" Acme-EU ")
    'acme-eu'
    """
    label = label.strip().lower()
    if not 3 <= len(label) <= 63:
        raise InvalidSubdomain("A subdomain has 3 to 63 characters.")
    if not _LABEL.fullmatch(label):
        raise InvalidSubdomain("A subdomain has only lower-case letters, digits and hyphens.")
    if label.startswith("-") or label.endswith("-"):
        raise InvalidSubdomain("A subdomain cannot start or end with a hyphen.")
    if label in RESERVED_SUBDOMAINS:
        raise InvalidSubdomain(f"The subdomain {label} is reserved.")
    return label


def valid_origin(origin: str) -> str:
    """A website origin as browsers send it (scheme://host[:port], lower case), or InvalidRequest.

    >>> valid_origin("https://Shop.Example.com/")
    'https://shop.example.com'
    """
    text = origin.strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise InvalidRequest(f"{text!r} is not a website origin such as https://www.example.com.")
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


# --- companies ----------------------------------------------------------------------------------


def _company_item(company: Company) -> Item:
    return stamped(
        Entity.COMPANY,
        company_key(company.id),
        company_index(company.name, company.id),
        company_id=company.id,
        **company.model_dump(mode="json", exclude={"id"}),
    )


def company_from_item(item: Item) -> Company:
    return Company.model_validate({**item, "id": item["company_id"]})


def _check_staff(technician_ids: Sequence[str]) -> list[str]:
    """The ids, without repeats, if each names a staff user (one BatchGetItem); else InvalidRequest."""
    ids = list(dict.fromkeys(technician_ids))
    if len(ids) > MAX_TECHNICIANS:
        raise InvalidRequest(f"A company can have at most {MAX_TECHNICIANS} technicians.")
    found = {user.id for user in staff_of(ids)}
    unknown = [user_id for user_id in ids if user_id not in found]
    if unknown:
        raise InvalidRequest(f"These are not staff users: {', '.join(unknown)}.")
    return ids


def create_company(name: str, technician_ids: Sequence[str] = ()) -> Company:
    company = Company(
        id=secrets.token_hex(8), name=name, technician_ids=_check_staff(technician_ids), created_at=int(time.time())
    )
    table().put(_company_item(company), condition=NEW_ITEM)
    return company


def get_company(company_id: str, *, consistent: bool = False) -> tuple[Company, Portal | None]:
    """A company and its portal, in one Query of their partition."""
    items = {item["sk"]: item for item in table().query(company_partition(company_id), consistent=consistent)}
    if "COMPANY" not in items:
        raise NotFound("There is no such company.")
    portal = items.get(PORTAL_SORT)
    return company_from_item(items["COMPANY"]), Portal.model_validate(portal) if portal else None


def list_companies() -> list[tuple[Company, Portal | None]]:
    """Every company by name, each with its portal (one Query: the portal sorts after its company)."""
    listed: list[tuple[Company, Portal | None]] = []
    for item in table().query(COMPANY_LIST, index=GSI1.name):
        if item["type"] == Entity.COMPANY:
            listed.append((company_from_item(item), None))
        elif listed and listed[-1][0].id == item["company_id"]:
            listed[-1] = (listed[-1][0], Portal.model_validate(item))
    return listed


def companies_served_by(user_id: str) -> list[tuple[Company, Portal | None]]:
    return [(company, portal) for company, portal in list_companies() if user_id in company.technician_ids]


def update_company(
    company_id: str, *, name: str | None = None, technician_ids: Sequence[str] | None = None
) -> tuple[Company, Portal | None]:
    """Rename a company (its portal's copy of the name with it) or choose who serves it; the
    company and its portal as they are now."""
    company, portal = get_company(company_id, consistent=True)
    changes: dict[str, Any] = {}
    if technician_ids is not None:
        changes["technician_ids"] = _check_staff(technician_ids)
    if name is not None and name != company.name:
        changes.update(name=name, **company_index(name, company_id))
    if not changes:
        return company, portal
    actions = [update_action(company_key(company_id), set_values=changes, condition=EXISTS)]
    if portal is not None and "name" in changes:
        renamed = {"company_name": name, **portal_index(changes["name"], company_id)}
        actions.append(update_action(portal_key(company_id), set_values=renamed, condition=EXISTS))
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise NotFound("There is no such company.") from error
    return get_company(company_id, consistent=True)


# --- portals ------------------------------------------------------------------------------------


def _portal_item(portal: Portal) -> Item:
    return stamped(
        Entity.PORTAL,
        portal_key(portal.company_id),
        portal_index(portal.company_name, portal.company_id),
        **portal.model_dump(mode="json"),
    )


def _guard(label: str, company_id: str) -> Item:
    return stamped(Entity.SUBDOMAIN, subdomain_key(label), company_id=company_id)


def _taken(label: str) -> SubdomainTaken:
    return SubdomainTaken(f"The subdomain {label} is taken; choose another.")


def create_portal(
    company: Company,
    subdomain: str,
    *,
    language: str = DEFAULT_LANGUAGE,
    status: PortalStatus = PortalStatus.ACTIVE,
    allowed_origins: Iterable[str] = (),
) -> Portal:
    portal = Portal(
        company_id=company.id,
        company_name=company.name,
        subdomain=valid_subdomain(subdomain),
        status=status,
        language=language,
        allowed_origins=_origins(allowed_origins),
    )
    actions = [
        put_action(_portal_item(portal), NEW_ITEM),
        put_action(_guard(portal.subdomain, company.id), NEW_ITEM),
        check_action(company_key(company.id), EXISTS),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        portal_refused, subdomain_refused, company_missing = (r == "ConditionalCheckFailed" for r in error.reasons)
        if company_missing:
            raise NotFound("There is no such company.") from error
        if portal_refused:
            raise PortalExists(f"{company.name} already has a portal; a company has at most one.") from error
        if subdomain_refused:
            raise _taken(portal.subdomain) from error
        raise
    return portal


def update_portal(
    company_id: str,
    *,
    subdomain: str | None = None,
    status: PortalStatus | None = None,
    language: str | None = None,
    allowed_origins: Iterable[str] | None = None,
) -> Portal:
    """Change a portal. A new subdomain takes its guard and frees the old one in one transaction."""
    current = portal_of(company_id)
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = status.value
    if language is not None:
        changes["language"] = language
    if allowed_origins is not None:
        changes["allowed_origins"] = _origins(allowed_origins)
    label = valid_subdomain(subdomain) if subdomain is not None else current.subdomain
    unchanged = Condition("subdomain = :old", values={":old": current.subdomain})
    if label == current.subdomain:
        if changes:
            try:
                table().update(portal_key(company_id), set_values=changes, condition=unchanged)
            except ConditionFailed as error:
                raise _changed_meanwhile() from error
        return portal_of(company_id)
    ours = Condition("company_id = :company", values={":company": company_id})
    actions = [
        update_action(portal_key(company_id), set_values={**changes, "subdomain": label}, condition=unchanged),
        delete_action(subdomain_key(current.subdomain), ours),
        put_action(_guard(label, company_id), NEW_ITEM),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[2] == "ConditionalCheckFailed":
            raise _taken(label) from error
        raise _changed_meanwhile() from error
    return portal_of(company_id)


def _changed_meanwhile() -> Conflict:
    return Conflict("The portal was changed by someone else at the same time; reload it and try again.")


def portal_of(company_id: str) -> Portal:
    item = table().get(portal_key(company_id), consistent=True)
    if item is None:
        raise NotFound("This company has no portal yet.")
    return Portal.model_validate(item)


def portal_by_subdomain(label: str) -> Portal | None:
    guard = table().get(subdomain_key(label))
    item = table().get(portal_key(guard["company_id"])) if guard else None
    return Portal.model_validate(item) if item else None


def company_by_subdomain(label: str) -> tuple[Company, Portal] | None:
    """The company whose portal has this subdomain, with the portal: GetItem + Query."""
    guard = table().get(subdomain_key(label))
    if guard is None:
        return None
    try:
        company, portal = get_company(guard["company_id"])
    except NotFound:
        return None
    return (company, portal) if portal is not None and portal.subdomain == label else None


def origin_allowed(portal: Portal, origin: str) -> bool:
    try:
        return valid_origin(origin) in portal.allowed_origins
    except InvalidRequest:
        return False


def _origins(origins: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(valid_origin(origin) for origin in origins))
    if len(unique) > MAX_ALLOWED_ORIGINS:
        raise InvalidRequest(f"A portal allows at most {MAX_ALLOWED_ORIGINS} website origins.")
    return unique
