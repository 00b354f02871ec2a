"""Contacts through the contacts function: technicians and admins create, find, edit and
deactivate contacts; an address belongs to one contact whatever its case, even under concurrent
creates; a contact without a company lands in the one its domain names, else in Unassigned; an
integration with an API key creates contacts too.

The handler runs in this process with real-shaped HTTP API events against moto; DynamoDB's
request counts are asserted where they are the design (nothing scans)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest

from deskless.api_keys import create_key, revoke_key
from deskless.auth import Principal, Role
from deskless.companies import UNASSIGNED_ID, add_domain, create_company
from deskless.data import table
from deskless.table import contact_email_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event, ok, refused


class ContactsApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret

    def call(
        self,
        route_key: str,
        *,
        caller: Principal | None = TECHNICIAN,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(
            base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key, headers=headers
        )
        if query:
            event["rawQueryString"] = urlencode(query)
            event["queryStringParameters"] = query
        return call_http("contacts", event)

    def create(self, caller: Principal = TECHNICIAN, **body: Any) -> HttpResult:
        return self.call("POST /api/contacts", caller=caller, body=body)

    def created(self, name: str, *emails: str, **more: Any) -> dict[str, Any]:
        contact: dict[str, Any] = ok(self.create(name=name, emails=list(emails), **more), 201)
        return contact

    def get(self, contact_id: str) -> HttpResult:
        return self.call(f"GET /api/contacts/{contact_id}")

    def update(self, contact_id: str, **body: Any) -> HttpResult:
        return self.call(f"PATCH /api/contacts/{contact_id}", body=body)

    def deactivate(self, contact_id: str) -> HttpResult:
        return self.call(f"POST /api/contacts/{contact_id}/deactivate", body={})

    def find(self, **query: str) -> dict[str, Any]:
        page: dict[str, Any] = ok(self.call("GET /api/contacts", query=query))
        return page

    def names(self, **query: str) -> list[str]:
        return [contact["name"] for contact in self.find(**query)["contacts"]]


@pytest.fixture
def contacts(aws: LocalAws) -> ContactsApi:
    return ContactsApi(aws)


def dynamodb_requests() -> Any:
    return count_requests(current("deskless.aws").client("dynamodb"))


# --- creating ---------------------------------------------------------------------------------


def test_a_technician_creates_a_contact_with_everything_a_contact_has(contacts: ContactsApi) -> None:
    acme = create_company("Acme")

    carla = contacts.created(
        "Carla Díaz",
        "Carla@Acme.example.com",
        "c.diaz@acme.example.com",
        phone="+34 600 000 000",
        company_id=acme.id,
        language="es",
        primary=True,
    )

    assert carla["emails"] == ["carla@acme.example.com", "c.diaz@acme.example.com"]
    assert (carla["company_id"], carla["language"], carla["primary"], carla["active"]) == (acme.id, "es", True, True)
    assert carla["created_via"] == "console"
    assert carla["created_at"] > 0
    assert carla["welcome_requested"] is True  # the email settings' default: new contacts are welcomed
    assert ok(contacts.get(carla["id"])) == carla


def test_creating_a_contact_is_one_domain_lookup_and_one_transaction(contacts: ContactsApi) -> None:
    with dynamodb_requests() as calls:
        contacts.created("Carla Díaz", "carla@eu.acme.example.com")

    # and a read of the settings (the welcome setting), which a warm function has cached
    assert calls == {"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}


def test_a_contact_without_a_company_lands_in_the_one_its_domain_names(contacts: ContactsApi) -> None:
    acme = create_company("Acme")
    add_domain(acme.id, "*.acme.example.com")

    carla = contacts.created("Carla Díaz", "carla@eu.acme.example.com")

    assert carla["company_id"] == acme.id
    assert carla["primary"] is False  # a domain places a contact; it never makes them primary


def test_a_contact_no_domain_places_lands_in_unassigned_which_then_exists(contacts: ContactsApi) -> None:
    gina = contacts.created("Gina Gmail", "gina@gmail.com")

    assert gina["company_id"] == UNASSIGNED_ID
    companies = ok(
        call_http(
            "portals",
            http_event(
                "http_staff_list", origin_secret=contacts.origin_secret, principal=ADMIN, route_key="GET /api/companies"
            ),
        )
    )
    assert [(c["id"], c["name"]) for c in companies] == [(UNASSIGNED_ID, "Unassigned")]


def test_an_address_another_contact_has_is_refused_whatever_its_case(contacts: ContactsApi) -> None:
    contacts.created("Carla Díaz", "carla@acme.example.com")

    response = contacts.create(name="Someone Else", emails=["other@acme.example.com", "CARLA@acme.example.com"])

    assert refused(response) == (409, "contact_email_taken")
    assert "carla@acme.example.com" in response.json()["message"]
    assert contacts.names() == ["Carla Díaz"]  # and nothing of the refused one was stored
    assert table().get(contact_email_key("other@acme.example.com"), consistent=True) is None


def test_of_concurrent_creates_with_one_address_exactly_one_wins(contacts: ContactsApi) -> None:
    contacts.created("Warm Up", "warm@up.example.com")  # cold start out of the way

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda n: contacts.create(name=f"Twin {n}", emails=["Twin@Acme.com"]), range(8)))

    assert Counter(response.status for response in responses) == {201: 1, 409: 7}
    assert [name for name in contacts.names(q="twin")] == [r.json()["name"] for r in responses if r.status == 201]


def test_a_contact_in_a_company_that_does_not_exist_is_refused(contacts: ContactsApi) -> None:
    response = contacts.create(name="Carla", emails=["carla@acme.com"], company_id="no-such-company")

    assert refused(response) == (404, "not_found")
    assert contacts.names() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Carla", "emails": []},
        {"name": "Carla", "emails": ["not an address"]},
        {"name": "", "emails": ["carla@acme.com"]},
        {"name": "Carla", "emails": ["carla@acme.com"], "language": "fr"},
        {"name": "Carla", "emails": ["carla@acme.com"], "phone": "call me <b>"},
    ],
)
def test_invalid_contacts_are_refused(contacts: ContactsApi, body: dict[str, Any]) -> None:
    assert refused(contacts.create(**body)) == (400, "invalid_request")


# --- finding ----------------------------------------------------------------------------------


@pytest.fixture
def people(contacts: ContactsApi) -> dict[str, dict[str, Any]]:
    acme, globex = create_company("Acme"), create_company("Globex")
    return {
        "carla": contacts.created("Carla Díaz", "carla@acme.example.com", company_id=acme.id),
        "antonin": contacts.created("Antonín Dvořák", "antonin@globex.example.com", company_id=globex.id),
        "bea": contacts.created("Bea Acosta", "bea@acme.example.com", company_id=acme.id),
        "acme": {"id": acme.id},
        "globex": {"id": globex.id},
    }


def test_contacts_are_listed_by_name_a_page_at_a_time(contacts: ContactsApi, people: dict[str, Any]) -> None:
    assert contacts.names() == ["Antonín Dvořák", "Bea Acosta", "Carla Díaz"]

    first = ok(contacts.call("GET /api/contacts", query={}))
    assert first["next"] is None


def test_search_finds_contacts_by_a_word_of_the_name_an_address_or_a_domain(
    contacts: ContactsApi, people: dict[str, Any]
) -> None:
    assert contacts.names(q="dvorak") == ["Antonín Dvořák"]
    assert contacts.names(q="DÍA") == ["Carla Díaz"]
    assert contacts.names(q="bea@acme") == ["Bea Acosta"]
    assert contacts.names(q="acme.example.com") == ["Bea Acosta", "Carla Díaz"]
    assert contacts.names(q="carla globex") == []


def test_a_name_with_punctuation_is_found_as_it_is_written(contacts: ContactsApi, people: dict[str, Any]) -> None:
    contacts.created("Mary-Jane O'Brien", "mj@globex.example.com", company_id=people["globex"]["id"])

    with dynamodb_requests() as calls:
        assert contacts.names(q="O'Brien") == ["Mary-Jane O'Brien"]
    assert contacts.names(q="mary-jane o'b") == ["Mary-Jane O'Brien"]
    assert contacts.names(q="mj@globex.example") == ["Mary-Jane O'Brien"]  # an address is one term
    assert contacts.names(q="o'connor") == []
    assert calls == {"Query": 2, "BatchGetItem": 1}  # the word as it is, and its longest piece


def test_a_company_s_contacts_are_found_by_the_company(contacts: ContactsApi, people: dict[str, Any]) -> None:
    acme = people["acme"]["id"]

    assert contacts.names(company_id=acme) == ["Bea Acosta", "Carla Díaz"]
    assert contacts.names(company_id=acme, q="carla") == ["Carla Díaz"]
    assert contacts.names(company_id=people["globex"]["id"], q="carla") == []


def test_searching_and_listing_never_scan(contacts: ContactsApi, people: dict[str, Any]) -> None:
    with dynamodb_requests() as search:
        contacts.find(q="carla")
    with dynamodb_requests() as by_company:
        contacts.find(company_id=people["acme"]["id"])
    with dynamodb_requests() as listing:
        contacts.find()

    assert search == {"Query": 1, "BatchGetItem": 1}
    assert by_company == {"Query": 1, "BatchGetItem": 1}
    assert listing == {"Query": 1}


def test_pages_follow_one_another_without_repeats_or_gaps(
    contacts: ContactsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        contacts.created(f"Person {n}", f"p{n}@example.org")
    monkeypatch.setattr(current("deskless.contacts"), "PAGE", 2)
    monkeypatch.setattr(current("functions.contacts.api"), "list_contacts", _small_pages(current("deskless.contacts")))

    seen: list[str] = []
    after: str | None = None
    while True:
        page = contacts.find(**({"after": after} if after else {}))
        seen += [contact["name"] for contact in page["contacts"]]
        after = page["next"]
        if after is None:
            break

    assert seen == [f"Person {n}" for n in range(5)]


def _small_pages(module: Any) -> Any:
    def listed(*, after: str | None = None) -> Any:
        return module.list_contacts(after=after, limit=2)

    return listed


# --- editing ----------------------------------------------------------------------------------


def test_an_edit_changes_what_is_given_and_search_follows(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Díaz", "carla@acme.example.com")

    changed = ok(contacts.update(carla["id"], name="Carla Ruiz", emails=["carla.ruiz@acme.example.com"], primary=True))

    assert (changed["name"], changed["emails"], changed["primary"]) == (
        "Carla Ruiz",
        ["carla.ruiz@acme.example.com"],
        True,
    )
    assert changed["language"] == carla["language"]
    assert contacts.names(q="ruiz") == ["Carla Ruiz"]
    assert contacts.names(q="diaz") == []
    # the address given up is free at once
    assert contacts.create(name="New Carla", emails=["carla@acme.example.com"]).status == 201


def test_an_edit_cannot_take_another_contact_s_address(contacts: ContactsApi) -> None:
    contacts.created("Carla Díaz", "carla@acme.example.com")
    bea = contacts.created("Bea Acosta", "bea@acme.example.com")

    assert refused(contacts.update(bea["id"], emails=["bea@acme.example.com", "CARLA@acme.example.com"])) == (
        409,
        "contact_email_taken",
    )
    assert ok(contacts.get(bea["id"]))["emails"] == ["bea@acme.example.com"]


def test_an_edit_is_a_read_and_one_transaction(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Díaz", "carla@acme.example.com")

    with dynamodb_requests() as calls:
        contacts.update(carla["id"], phone="123")

    assert calls == {"GetItem": 1, "TransactWriteItems": 1}


def test_a_deactivated_contact_keeps_its_addresses(contacts: ContactsApi) -> None:
    carla = contacts.created("Carla Díaz", "carla@acme.example.com")

    deactivated = ok(contacts.deactivate(carla["id"]))

    assert deactivated["active"] is False
    assert ok(contacts.get(carla["id"]))["active"] is False
    assert refused(contacts.create(name="Other", emails=["carla@acme.example.com"])) == (409, "contact_email_taken")
    assert ok(contacts.update(carla["id"], active=True))["active"] is True


def test_an_unknown_contact_is_not_found(contacts: ContactsApi) -> None:
    assert refused(contacts.get("nope")) == (404, "not_found")
    assert refused(contacts.update("nope", name="X")) == (404, "not_found")
    assert refused(contacts.deactivate("nope")) == (404, "not_found")


def test_customers_are_refused(contacts: ContactsApi) -> None:
    customer = Principal(user_id="c1", role=Role.CONTACT, name="Carla", email="carla@acme.com")
    assert refused(contacts.call("GET /api/contacts", caller=customer)) == (403, "forbidden")


# --- through the API, with a key ---------------------------------------------------------------


def test_an_integration_with_an_api_key_creates_a_contact_created_via_the_api(contacts: ContactsApi) -> None:
    issued = create_key("CRM", ADMIN)
    body = {"name": "Carla Díaz", "emails": ["carla@acme.example.com"]}

    made = contacts.call("POST /api/v1/contacts", caller=None, body=body, headers={"x-api-key": issued.key})
    revoke_key(issued.id)
    after_revoke = contacts.call(
        "POST /api/v1/contacts", caller=None, body={**body, "emails": ["x@y.org"]}, headers={"x-api-key": issued.key}
    )

    assert ok(made, 201)["created_via"] == "api"
    assert refused(after_revoke) == (401, "invalid_api_key")
    assert contacts.names() == ["Carla Díaz"]
