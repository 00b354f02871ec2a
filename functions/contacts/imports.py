"""Contacts from a CSV file: read it, plan what each row does (create, update or refuse, and why),
and carry out the plan.

The preview and the import make the same plan from the same file: the preview writes nothing,
the import writes what the plan says (each row in its own transaction, so a row a race refuses
is reported and the others stand). A file that cannot be read whole (not UTF-8, no header, a
column Deskless does not know, too many rows) is refused before anything is read or written.

Columns (header row, any order and case): `name` and `email` (several addresses separated by
spaces or semicolons) are required; `phone`, `company` (a company's name or id; empty: the
addresses' domain places the contact, else Unassigned), `language` (en, es, de, cs) and
`primary` (yes/no) are optional. Rows are separated by commas, semicolons or tabs, whichever
the header uses. A row whose address a contact has updates that contact: the values given,
and addresses added; imported contacts get no welcome email unless the import asks for it.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from deskless.companies import Company, companies_by_domain, list_companies
from deskless.contacts import (
    MAX_EMAILS,
    CreatedVia,
    contact_email,
    contacts_by_ids,
    contacts_with_emails,
    create_contact,
    domain_of,
    update_contact,
)
from deskless.errors import DesklessError, InvalidCsv, InvalidRequest
from deskless.fields import FullName
from deskless.languages import LANGUAGES, Language

MAX_ROWS = 500  # each row is a write: 500 of them finish well within API Gateway's 30 s
MAX_BYTES = 1024 * 1024
COLUMNS = ("name", "email", "phone", "company", "language", "primary")
REQUIRED = ("name", "email")
_YES = {"yes", "y", "true", "1", "x", "ano", "sí", "si", "ja"}
_NO = {"", "no", "n", "false", "0", "ne", "nein"}
_SEPARATORS = re.compile(r"[\s;,]+")
_PHONE = re.compile(r"[0-9+()./ -]{0,40}")

Action = Literal["create", "update", "refuse"]


class Row(BaseModel):
    """One row as the plan reads it: what it asks for, what it will do, and why."""

    line: int  # the file's line the row starts on (the header is line 1)
    action: Action
    name: str = ""
    emails: list[str] = []
    company: str = ""  # the name of the company the contact is or will be in
    reason: str = ""  # why it is refused, or what it updates
    contact_id: str | None = None  # the contact it updates, or (after the import) created


class Plan(BaseModel):
    rows: list[Row]
    create: int
    update: int
    refuse: int

    @classmethod
    def of(cls, rows: list[Row]) -> Plan:
        counts = {action: sum(row.action == action for row in rows) for action in ("create", "update", "refuse")}
        return cls(rows=rows, **counts)


@dataclass
class Parsed:
    """A row as the file has it, checked on its own (no store read yet)."""

    line: int
    name: str = ""
    emails: list[str] = field(default_factory=list)
    phone: str | None = None
    company: str = ""
    language: Language | None = None
    primary: bool | None = None
    problem: str = ""


# --- reading the file -----------------------------------------------------------------------------


def decoded(encoded: str) -> str:
    """The file's text from its base64 form: UTF-8 (with or without a byte-order mark), or InvalidCsv."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidCsv(
            "The file did not arrive whole (its base64 form is not valid); nothing was imported."
        ) from error
    if len(data) > MAX_BYTES:
        raise InvalidCsv(f"The file is larger than {MAX_BYTES // 1024} KiB; split it. Nothing was imported.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidCsv(
            f"The file is not UTF-8 text (line {line} holds a byte UTF-8 does not have): save it as "
            "'CSV UTF-8' and try again. Nothing was imported."
        ) from error
    if "\x00" in text:
        raise InvalidCsv("The file holds NUL characters: it is not a CSV text file. Nothing was imported.")
    return text


def read_rows(text: str) -> list[Parsed]:
    """Each row of the CSV text, checked on its own; InvalidCsv for a file that cannot be read whole."""
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise InvalidCsv("The file is empty: it needs a header row (name, email, ...) and a row per contact.")
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as error:
        raise InvalidCsv(f"Line {reader.line_num} cannot be read as CSV ({error}). Nothing was imported.") from error
    records = [(line, record) for line, record in records if any(cell.strip() for cell in record)]
    if not records:
        raise InvalidCsv("The file has no header row (name, email, ...): every line of it is blank.")
    (_, header), rows = records[0], records[1:]
    columns = [cell.strip().lower() for cell in header]
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown:
        raise InvalidCsv(
            f"Unknown column(s): {', '.join(repr(c) for c in unknown)}. The columns are {', '.join(COLUMNS)}."
        )
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise InvalidCsv(f"The header needs the column(s) {', '.join(missing)}; it has {', '.join(columns)}.")
    if len(set(columns)) != len(columns):
        raise InvalidCsv("A column appears twice in the header.")
    if not rows:
        raise InvalidCsv("The file has a header but no contacts.")
    if len(rows) > MAX_ROWS:
        raise InvalidCsv(f"The file has {len(rows)} contacts; at most {MAX_ROWS} are imported at once: split it.")
    return [
        _parsed(line, dict(zip(columns, record, strict=False)), len(record) - len(columns)) for line, record in rows
    ]


def _parsed(line: int, cells: dict[str, str], extra: int) -> Parsed:
    row = Parsed(line=line)
    if extra > 0:
        row.problem = f"the row has {extra} cell(s) more than the header"
        return row
    try:
        row.name = _name(cells.get("name", ""))
        row.emails = _emails(cells.get("email", ""))
        row.phone = _phone(cells["phone"]) if "phone" in cells else None
        row.company = cells.get("company", "").strip()
        row.language = _language(cells["language"]) if cells.get("language", "").strip() else None
        row.primary = _yes_or_no(cells["primary"]) if "primary" in cells else None
    except ValueError as error:
        row.problem = str(error)
    return row


_NAME: TypeAdapter[str] = TypeAdapter(FullName)


def _name(text: str) -> str:
    try:
        return _NAME.validate_python(text)
    except ValidationError as error:
        raise ValueError(f"the name {error.errors()[0]['msg'].lower()}") from error


def _emails(text: str) -> list[str]:
    given = [part for part in _SEPARATORS.split(text.strip()) if part]
    if not given:
        raise ValueError("the row has no email address")
    if len(given) > MAX_EMAILS:
        raise ValueError(f"a contact has at most {MAX_EMAILS} email addresses")
    try:
        return list(dict.fromkeys(contact_email(email) for email in given))
    except InvalidRequest as error:
        raise ValueError(error.message) from error


def _phone(text: str) -> str:
    phone = " ".join(text.split())
    if not _PHONE.fullmatch(phone):
        raise ValueError(f"{phone!r} is not a phone number (digits, spaces and + ( ) . / - only, 40 at most)")
    return phone


def _language(text: str) -> Language:
    language = text.strip().lower()
    for known in LANGUAGES:
        if language == known:
            return known
    raise ValueError(f"the language {text.strip()!r} is not one of {', '.join(LANGUAGES)}")


def _yes_or_no(text: str) -> bool:
    answer = text.strip().lower()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    raise ValueError(f"primary is yes or no, not {text.strip()!r}")


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class _Planned:
    row: Row
    parsed: Parsed
    company_id: str | None = None  # None: keep the existing contact's company


def _plan(rows: list[Parsed]) -> list[_Planned]:
    """What each row will do, from what is stored now: one Query (the companies), and a
    BatchGetItem per hundred addresses, domains and contacts to update."""
    companies = list_companies()
    by_name = {company.name.casefold(): company for company, _portal in companies}
    by_id = {company.id: company for company, _portal in companies}
    addresses = list(dict.fromkeys(email for row in rows for email in row.emails))
    holders = contacts_with_emails(addresses)
    unplaced = [row for row in rows if not row.problem and not row.company]
    placed = companies_by_domain(list(dict.fromkeys(domain_of(e) for row in unplaced for e in row.emails)))
    existing = {contact.id: contact for contact in contacts_by_ids(list(dict.fromkeys(holders.values())))}
    seen: dict[str, int] = {}
    planned = []
    for parsed in rows:
        row = Row(line=parsed.line, action="refuse", name=parsed.name, emails=parsed.emails)
        planned.append(_Planned(row, parsed))
        if parsed.problem:
            reason = parsed.problem[0].upper() + parsed.problem[1:]
            row.reason = reason if reason.endswith(".") else f"{reason}."
            continue
        repeated = next((email for email in parsed.emails if email in seen), None)
        if repeated:
            row.reason = f"{repeated} is on line {seen[repeated]} already."
            continue
        for email in parsed.emails:
            seen[email] = parsed.line
        company: Company | None = None
        if parsed.company:
            company = by_name.get(parsed.company.casefold()) or by_id.get(parsed.company)
            if company is None:
                row.reason = f"There is no company {parsed.company!r}."
                continue
        owners = list(dict.fromkeys(holders[email] for email in parsed.emails if email in holders))
        if len(owners) > 1:
            row.reason = "Its addresses belong to two different contacts."
            continue
        if owners:
            contact = existing[owners[0]]
            row.action, row.contact_id = "update", contact.id
            row.reason = f"Updates {contact.name} ({contact.emails[0]})."
            row.emails = list(dict.fromkeys([*contact.emails, *parsed.emails]))
            if len(row.emails) > MAX_EMAILS:
                row.action, row.reason = "refuse", f"{contact.name} would have more than {MAX_EMAILS} addresses."
                continue
            kept = by_id.get(contact.company_id)
            row.company = (company or kept or Company(id="", name="", created_at=0)).name
            planned[-1].company_id = company.id if company else None
            continue
        if company is None:
            domain_company = next((placed[domain_of(e)] for e in parsed.emails if domain_of(e) in placed), None)
            company = by_id.get(domain_company or "unassigned")
        row.action = "create"
        row.company = company.name if company else "Unassigned"
        planned[-1].company_id = company.id if company else "unassigned"
    return planned


def preview(text: str) -> Plan:
    """What importing this CSV text would do, row by row; nothing is written."""
    return Plan.of([planned.row for planned in _plan(read_rows(text))])


def run_import(text: str, *, welcome: bool) -> Plan:
    """Import the CSV text as its preview says; each row's outcome (a race may refuse a row)."""
    done = []
    for planned in _plan(read_rows(text)):
        row, parsed = planned.row, planned.parsed
        try:
            if row.action == "create":
                contact = create_contact(
                    parsed.name,
                    parsed.emails,
                    created_via=CreatedVia.IMPORT,
                    phone=parsed.phone or "",
                    company_id=planned.company_id,
                    language=parsed.language or "en",
                    primary=bool(parsed.primary),
                    welcome_requested=welcome,
                )
                row.contact_id = contact.id
            elif row.action == "update" and row.contact_id:
                update_contact(
                    row.contact_id,
                    name=parsed.name,
                    emails=row.emails,
                    phone=parsed.phone,
                    company_id=planned.company_id,
                    language=parsed.language,
                    primary=parsed.primary,
                )
        except DesklessError as error:
            row.action, row.reason = "refuse", error.message
        done.append(row)
    return Plan.of(done)
