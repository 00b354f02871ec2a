"""Customer companies and their portal (at most one each, on a subdomain unique everywhere)."""

from __future__ import annotations

import secrets
import time
from enum import StrEnum

from pydantic import BaseModel

from .data import NEW_ITEM, TransactionCanceled, put_action, table
from .errors import PortalExists, SubdomainTaken
from .table import Entity, company_index, company_key, portal_key, subdomain_key


class PortalStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Company(BaseModel):
    id: str
    name: str
    created_at: int


class Portal(BaseModel):
    company_id: str
    company_name: str
    subdomain: str
    status: PortalStatus
    language: str


def create_company(name: str) -> Company:
    company = Company(id=secrets.token_hex(8), name=name, created_at=int(time.time()))
    item = {
        **company_key(company.id),
        **company_index(name, company.id),
        "type": Entity.COMPANY,
        "company_id": company.id,
        "name": name,
        "created_at": company.created_at,
    }
    table().put(item, condition=NEW_ITEM)
    return company


def create_portal(
    company: Company, subdomain: str, *, language: str = "en", status: PortalStatus = PortalStatus.ACTIVE
) -> Portal:
    portal = Portal(
        company_id=company.id, company_name=company.name, subdomain=subdomain.lower(), status=status, language=language
    )
    item = {**portal_key(company.id), "type": Entity.PORTAL, **portal.model_dump(mode="json")}
    guard = {**subdomain_key(portal.subdomain), "type": Entity.SUBDOMAIN, "company_id": company.id}
    try:
        table().transact([put_action(item, NEW_ITEM), put_action(guard, NEW_ITEM)])
    except TransactionCanceled as error:
        if error.reasons[1] == "ConditionalCheckFailed":
            raise SubdomainTaken(f"The subdomain {portal.subdomain} is taken.") from error
        raise PortalExists(f"{company.name} already has a portal.") from error
    return portal


def portal_by_subdomain(label: str) -> Portal | None:
    guard = table().get(subdomain_key(label))
    item = table().get(portal_key(guard["company_id"])) if guard else None
    return Portal.model_validate(item) if item else None
