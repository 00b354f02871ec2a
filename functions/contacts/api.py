"""Contacts over HTTP: technicians and admins find, create, edit and deactivate contacts and send
one the welcome email again; admins import them from a CSV file (a preview first); an integration
with an API key creates them. Who may call each route is the catalog's to say.

A contact created here gets the welcome email if the email settings say so (sent from the table's
stream, deskless.welcome); an imported one only if the import asks for it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from deskless.api_keys import NOT_VALID, used
from deskless.contacts import (
    MAX_EMAILS,
    Contact,
    ContactPage,
    CreatedVia,
    contact_of,
    contacts_of_company,
    create_contact,
    deactivate_contact,
    list_contacts,
    search_contacts,
    update_contact,
)
from deskless.data import Action, TransactionCanceled
from deskless.errors import (
    Conflict,
    ContactDeactivated,
    ContactEmailTaken,
    InvalidApiKey,
    InvalidCsv,
    InvalidRequest,
    NotFound,
    TooManyRequests,
)
from deskless.fields import FullName
from deskless.http import Api, ApiKeyId, SignedIn
from deskless.languages import DEFAULT_LANGUAGE, Language
from deskless.preferences import get_preferences
from deskless.welcome import send_welcome_again

from .imports import MAX_BYTES, Plan, decoded, preview, run_import
from .passwords import PasswordReset, PasswordResetRequest, ResetBy, reset_password

api = Api("contacts")

Emails = Annotated[list[EmailStr], Field(min_length=1, max_length=MAX_EMAILS)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+()./ -]*$")]
CompanyId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class NewContact(BaseModel):
    name: FullName
    emails: Emails
    phone: Phone = ""
    company_id: CompanyId | None = Field(
        default=None, description="Omitted: the company whose domain the addresses match, else Unassigned."
    )
    language: Language = DEFAULT_LANGUAGE
    primary: bool = False
    welcome: bool | None = Field(
        default=None,
        description="Whether the contact gets the welcome email. Omitted: as the email settings say for a contact "
        "added in the console; none for one an integration creates.",
    )


class ContactChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FullName | None = None
    emails: Emails | None = None
    phone: Phone | None = None
    company_id: CompanyId | None = None
    language: Language | None = None
    primary: bool | None = None
    active: bool | None = None


class CsvFile(BaseModel):
    file: Annotated[str, StringConstraints(max_length=(MAX_BYTES // 3 + 1) * 4)] = Field(
        description="The CSV file, base64-encoded: UTF-8, a header row (name, email, phone, company, language, "
        "primary), a row per contact."
    )


class CsvImport(CsvFile):
    welcome: bool = Field(default=False, description="Whether the imported contacts are to get the welcome email.")


class WelcomeSent(BaseModel):
    contact_id: str
    sent_to: str = Field(description="The address the welcome email went to (the contact's first).")


def _new(contact: NewContact, via: CreatedVia, also: Sequence[Action] = (), *, welcome: bool) -> Contact:
    return create_contact(
        contact.name,
        contact.emails,
        created_via=via,
        phone=contact.phone,
        company_id=contact.company_id,
        language=contact.language,
        primary=contact.primary,
        welcome_requested=welcome,
        also=also,
    )


@api.route("GET /api/contacts")
def find(
    q: Annotated[str, Query(max_length=100, description="Words that start a name, an address or a domain.")] = "",
    company_id: Annotated[CompanyId | None, Query()] = None,
    after: Annotated[Cursor | None, Query(description="The `next` of the page before.")] = None,
) -> ContactPage:
    if q.strip():
        return search_contacts(q, company_id=company_id)
    return contacts_of_company(company_id, after=after) if company_id else list_contacts(after=after)


@api.route("POST /api/contacts", status_code=201, errors=[ContactEmailTaken, NotFound, InvalidRequest])
def create(contact: NewContact) -> Contact:
    welcome = get_preferences().welcome_new_contacts if contact.welcome is None else contact.welcome
    return _new(contact, CreatedVia.CONSOLE, welcome=welcome)


@api.route("GET /api/contacts/{contact_id}", errors=[NotFound])
def read(contact_id: str) -> Contact:
    return contact_of(contact_id)


@api.route("PATCH /api/contacts/{contact_id}", errors=[NotFound, ContactEmailTaken, Conflict, InvalidRequest])
def change(contact_id: str, change: ContactChange) -> Contact:
    return update_contact(contact_id, **change.model_dump(exclude_none=True))


@api.route("POST /api/contacts/{contact_id}/deactivate", errors=[NotFound, Conflict])
def deactivate(contact_id: str) -> Contact:
    return deactivate_contact(contact_id)


@api.route(
    "POST /api/contacts/{contact_id}/password-reset",
    errors=[NotFound, ContactDeactivated, TooManyRequests],
    responses={202: {"description": "The reset email is sent.", "model": PasswordReset}},
)
def password_reset(contact_id: str, reset: PasswordResetRequest, caller: SignedIn, response: Response) -> PasswordReset:
    if reset.send is ResetBy.EMAIL:
        response.status_code = 202
    return reset_password(caller, contact_id, reset.send)


@api.route(
    "POST /api/contacts/{contact_id}/welcome", status_code=202, errors=[NotFound, ContactDeactivated, TooManyRequests]
)
def welcome_again(contact_id: str) -> WelcomeSent:
    contact = send_welcome_again(contact_id)
    return WelcomeSent(contact_id=contact.id, sent_to=contact.emails[0])


@api.route("POST /api/contacts/import/preview", errors=[InvalidCsv])
def import_preview(csv: CsvFile) -> Plan:
    return preview(decoded(csv.file))


@api.route("POST /api/contacts/import", errors=[InvalidCsv])
def import_contacts(csv: CsvImport) -> Plan:
    return run_import(decoded(csv.file), welcome=csv.welcome)


@api.route(
    "POST /api/v1/contacts", status_code=201, errors=[ContactEmailTaken, NotFound, InvalidApiKey, InvalidRequest]
)
def create_with_key(contact: NewContact, key_id: ApiKeyId) -> Contact:
    try:
        return _new(contact, CreatedVia.API, also=[used(key_id, int(time.time()))], welcome=contact.welcome is True)
    except TransactionCanceled as error:  # only the key's write is left to refuse: revoked meanwhile
        raise InvalidApiKey(NOT_VALID) from error
