"""Company administration: companies, who serves them, their portal and its embed codes.

Admins change everything here; technicians may read the companies and their support requests."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from deskless.companies import (
    MAX_ALLOWED_ORIGINS,
    MAX_TECHNICIANS,
    Company,
    Portal,
    PortalStatus,
    add_domain,
    create_company,
    create_portal,
    get_company,
    list_companies,
    portal_of,
    remove_domain,
    update_company,
    update_portal,
    valid_subdomain,
)
from deskless.errors import (
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
from deskless.fields import FullName
from deskless.languages import DEFAULT_LANGUAGE, Language
from deskless.settings import get_settings

from .app import api
from .embed import EmbedCodes, embed_codes

__all__ = ["api"]

TechnicianIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Field(max_length=MAX_TECHNICIANS, description="Ids of the staff users who serve the company."),
]
# valid_subdomain raises InvalidSubdomain (400 invalid_subdomain, saying why), not a validation error.
Subdomain = Annotated[str, StringConstraints(max_length=255), AfterValidator(valid_subdomain)]
Origins = Annotated[
    list[Annotated[str, StringConstraints(max_length=300)]],
    # room for repeats, which collapse; the core refuses more than MAX_ALLOWED_ORIGINS distinct ones
    Field(
        max_length=5 * MAX_ALLOWED_ORIGINS, description="Website origins (scheme://host[:port]) the widget may show on."
    ),
]


class NewCompany(BaseModel):
    name: FullName
    technician_ids: TechnicianIds = []


class CompanyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    technician_ids: TechnicianIds | None = None


class NewPortal(BaseModel):
    subdomain: Subdomain
    language: Language = DEFAULT_LANGUAGE
    status: PortalStatus = PortalStatus.ACTIVE
    allowed_origins: Origins = []


class PortalChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subdomain: Subdomain | None = None
    status: PortalStatus | None = None
    language: Language | None = None
    allowed_origins: Origins | None = None


class NewDomain(BaseModel):
    domain: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        description="example.com, or *.example.com to match its subdomains too."
    )


class CompanyView(Company):
    portal: Portal | None


def _view(company: Company, portal: Portal | None) -> CompanyView:
    return CompanyView(**company.model_dump(), portal=portal)


@api.route("GET /api/companies")
def list_all() -> list[CompanyView]:
    return [_view(company, portal) for company, portal in list_companies()]


@api.route("POST /api/companies", status_code=201, errors=[InvalidRequest])
def create(new: NewCompany) -> CompanyView:
    return _view(create_company(new.name, new.technician_ids), None)


@api.route("GET /api/companies/{company_id}", errors=[NotFound])
def get(company_id: str) -> CompanyView:
    return _view(*get_company(company_id))


@api.route("PATCH /api/companies/{company_id}", errors=[NotFound, InvalidRequest, UnassignedCompany])
def update(company_id: str, change: CompanyChange) -> CompanyView:
    return _view(*update_company(company_id, name=change.name, technician_ids=change.technician_ids))


@api.route(
    "POST /api/companies/{company_id}/portal",
    status_code=201,
    errors=[NotFound, PortalExists, SubdomainTaken, InvalidSubdomain, InvalidRequest, UnassignedCompany],
)
def create_company_portal(company_id: str, new: NewPortal) -> Portal:
    company, _portal = get_company(company_id, consistent=True)  # consistent: it may have been created just now
    return create_portal(
        company, new.subdomain, language=new.language, status=new.status, allowed_origins=new.allowed_origins
    )


@api.route(
    "PATCH /api/companies/{company_id}/portal",
    errors=[NotFound, Conflict, SubdomainTaken, InvalidSubdomain, InvalidRequest],
)
def update_company_portal(company_id: str, change: PortalChange) -> Portal:
    return update_portal(
        company_id,
        subdomain=change.subdomain,
        status=change.status,
        language=change.language,
        allowed_origins=change.allowed_origins,
    )


@api.route("GET /api/companies/{company_id}/portal/embed", errors=[NotFound])
def embed(company_id: str) -> EmbedCodes:
    return embed_codes(portal_of(company_id), get_settings().public_url)


@api.route(
    "POST /api/companies/{company_id}/domains",
    status_code=201,
    errors=[NotFound, DomainTaken, DomainRefused, Conflict, UnassignedCompany, InvalidRequest],
)
def claim_domain(company_id: str, new: NewDomain) -> CompanyView:
    return _view(*add_domain(company_id, new.domain))


@api.route("DELETE /api/companies/{company_id}/domains/{domain}", errors=[NotFound, DomainRefused, Conflict])
def release_domain(company_id: str, domain: str) -> CompanyView:
    return _view(*remove_domain(company_id, domain))
