"""Importing contacts from a CSV file: the preview says, row by row, what will be created, updated
and refused (and why) and writes nothing; the import then does what the preview said. A file
that cannot be read whole is refused whole, and nothing is written."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from deskless.auth import Principal
from deskless.companies import UNASSIGNED_ID, add_domain, create_company, ensure_unassigned
from deskless.contacts import CreatedVia, create_contact, find_contact_by_email
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event, ok


class ImportApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret

    def call(self, route_key: str, body: Any, caller: Principal = ADMIN) -> HttpResult:
        event = http_event(
            "http_staff_create", origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key
        )
        return call_http("contacts", event)

    def preview(self, data: bytes | str, caller: Principal = ADMIN) -> HttpResult:
        return self.call("POST /api/contacts/import/preview", {"file": encoded(data)}, caller)

    def run(self, data: bytes | str, *, welcome: bool = False) -> HttpResult:
        return self.call("POST /api/contacts/import", {"file": encoded(data), "welcome": welcome})

    def listed(self) -> list[str]:
        event = http_event(
            "http_staff_list", origin_secret=self.origin_secret, principal=TECHNICIAN, route_key="GET /api/contacts"
        )
        return [contact["name"] for contact in call_http("contacts", event).json()["contacts"]]


def encoded(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


@pytest.fixture
def imports(aws: LocalAws) -> ImportApi:
    return ImportApi(aws)


@pytest.fixture
def acme(aws: LocalAws) -> str:
    company = create_company("Acme")
    add_domain(company.id, "*.acme.example.com")
    return company.id


FILE = """name,email,phone,company,language,primary
Carla Díaz,carla@acme.example.com,+34 600 000 000,,es,yes
Gina Gmail,gina@gmail.com,,,,
Old Friend,friend@acme.example.com; friend.new@acme.example.com,,,de,
Nobody,nobody@acme.example.com,,Initech,,
Twice,carla@acme.example.com,,,,
Bad Language,bad@acme.example.com,,,fr,
"""


@pytest.fixture
def friend(acme: str) -> str:
    return create_contact("Friend", ["friend@acme.example.com"], created_via=CreatedVia.CONSOLE, company_id=acme).id


def outcomes(plan: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(row["line"], row["action"], row["company"]) for row in plan["rows"]]


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(imports: ImportApi, acme: str, friend: str) -> None:
    plan = ok(imports.preview(FILE))

    assert outcomes(plan) == [
        (2, "create", "Acme"),  # placed by its domain
        (3, "create", "Unassigned"),
        (4, "update", "Acme"),
        (5, "refuse", ""),
        (6, "refuse", ""),
        (7, "refuse", ""),
    ]
    reasons = [row["reason"] for row in plan["rows"]]
    assert "Updates Friend" in reasons[2]
    assert reasons[3] == "There is no company 'Initech'."
    assert reasons[4] == "carla@acme.example.com is on line 2 already."
    assert "not one of en, es, de, cs" in reasons[5]
    assert (plan["create"], plan["update"], plan["refuse"]) == (2, 1, 3)
    assert imports.listed() == ["Friend"]


def test_the_import_does_what_the_preview_said(imports: ImportApi, acme: str, friend: str) -> None:
    preview = ok(imports.preview(FILE))

    done = ok(imports.run(FILE))

    assert outcomes(done) == outcomes(preview)
    assert imports.listed() == ["Carla Díaz", "Gina Gmail", "Old Friend"]
    carla = find_contact_by_email("CARLA@acme.example.com")
    assert carla is not None
    assert (carla.company_id, carla.language, carla.primary, carla.phone) == (acme, "es", True, "+34 600 000 000")
    assert carla.created_via == "import"
    assert carla.welcome_requested is False  # imported contacts get no welcome email unless asked
    updated = find_contact_by_email("friend.new@acme.example.com")
    assert updated is not None
    assert updated.id == friend
    assert (updated.name, updated.emails, updated.language) == (
        "Old Friend",
        ["friend@acme.example.com", "friend.new@acme.example.com"],
        "de",
    )
    gina = find_contact_by_email("gina@gmail.com")
    assert gina is not None
    assert gina.company_id == UNASSIGNED_ID


def test_an_import_that_asks_for_the_welcome_email_marks_the_contacts_it_creates(imports: ImportApi) -> None:
    ok(imports.run("name,email\nCarla,carla@acme.example.com\n", welcome=True))

    carla = find_contact_by_email("carla@acme.example.com")
    assert carla is not None
    assert carla.welcome_requested is True


def test_a_company_is_named_by_its_name_in_any_case(imports: ImportApi, acme: str) -> None:
    ok(imports.run("name,email,company\nBea,bea@elsewhere.example,ACME\n"))

    bea = find_contact_by_email("bea@elsewhere.example")
    assert bea is not None
    assert bea.company_id == acme


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name,email\nAntonín,antonin@music.cz\n".encode("cp1250"), "not UTF-8"),
        ("name,email,title\nCarla,carla@acme.com,Boss\n", "Unknown column"),
        ("name,email\n" + "".join(f"P{n},p{n}@acme.com\n" for n in range(501)), "at most 500"),
    ],
)
def test_a_file_that_cannot_be_read_whole_is_refused_and_nothing_is_written(
    imports: ImportApi, data: bytes | str, message: str
) -> None:
    for response in (imports.preview(data), imports.run(data)):
        assert response.status == 400
        assert response.json()["error"] == "invalid_csv"
        assert message in response.json()["message"]
    assert imports.listed() == []


def test_the_preview_reads_in_batches_and_never_scans(imports: ImportApi, acme: str, friend: str) -> None:
    ensure_unassigned()  # as it is after a deployment's first listing of companies

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        ok(imports.preview(FILE))

    # the companies, then the file's addresses, their domains and the contacts they update
    assert calls == {"Query": 1, "BatchGetItem": 3}


def test_technicians_may_not_import(imports: ImportApi) -> None:
    response = imports.preview("name,email\nCarla,carla@acme.com\n", caller=TECHNICIAN)

    assert (response.status, response.json()["error"]) == (403, "forbidden")
