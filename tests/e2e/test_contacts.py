"""Contacts on `deskless dev`, as the console and an integration use them: the seeded contacts are
found; a contact at a domain a company holds lands in that company, one at a free-mail address in
Unassigned; an address is one contact's only; an admin imports a CSV file after its preview.

The platform is shared by the whole suite: each test uses addresses of its own."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from deskless.companies import UNASSIGNED_ID
from local.seed import DEMO_COMPANY
from tests.e2e.conftest import Platform, bearer, unique


@pytest.fixture
def technician(platform: Platform, technician_token: str) -> Iterator[httpx.Client]:
    with platform.http() as client:
        client.headers.update(bearer(technician_token))
        yield client


@pytest.fixture
def admin(platform: Platform, admin_token: str) -> Iterator[httpx.Client]:
    with platform.http() as client:
        client.headers.update(bearer(admin_token))
        yield client


def company_id(client: httpx.Client, name: str) -> str:
    return str(next(c["id"] for c in client.get("/api/companies").json() if c["name"] == name))


def test_the_seeded_contacts_are_found_by_name_and_by_company(technician: httpx.Client) -> None:
    acme = company_id(technician, DEMO_COMPANY)

    by_name = technician.get("/api/contacts", params={"q": "carla díaz"}).json()["contacts"]
    in_unassigned = technician.get("/api/contacts", params={"company_id": UNASSIGNED_ID}).json()["contacts"]

    assert [(c["name"], c["company_id"], c["primary"]) for c in by_name] == [("Carla Díaz", acme, True)]
    assert "Gina Gómez" in [c["name"] for c in in_unassigned]


def test_a_new_contact_is_placed_by_its_domain_and_an_address_stays_one_contact_s(technician: httpx.Client) -> None:
    local = unique("dana")
    acme = company_id(technician, DEMO_COMPANY)

    at_acme = technician.post("/api/contacts", json={"name": "Dana Acme", "emails": [f"{local}@eu.acme.example.com"]})
    at_gmail = technician.post("/api/contacts", json={"name": "Dana Gmail", "emails": [f"{local}@gmail.com"]})
    again = technician.post("/api/contacts", json={"name": "Dana Again", "emails": [f"{local.upper()}@gmail.com"]})

    assert at_acme.status_code == 201, at_acme.text
    assert (at_acme.json()["company_id"], at_acme.json()["primary"]) == (acme, False)
    assert at_gmail.json()["company_id"] == UNASSIGNED_ID
    assert (again.status_code, again.json()["error"]) == (409, "contact_email_taken")


def test_a_technician_edits_and_deactivates_a_contact(technician: httpx.Client) -> None:
    address = f"{unique('erin')}@example.org"
    erin = technician.post("/api/contacts", json={"name": "Erin Example", "emails": [address]}).json()

    edited = technician.patch(f"/api/contacts/{erin['id']}", json={"phone": "+420 123 456 789", "language": "cs"})
    deactivated = technician.post(f"/api/contacts/{erin['id']}/deactivate")

    assert (edited.json()["phone"], edited.json()["language"]) == ("+420 123 456 789", "cs")
    assert deactivated.json()["active"] is False
    assert technician.get(f"/api/contacts/{erin['id']}").json()["active"] is False


def test_an_admin_previews_then_imports_a_csv_file_and_a_technician_may_not(
    admin: httpx.Client, technician: httpx.Client
) -> None:
    first, second = unique("fay"), unique("gus")
    data = f"name,email,company\nFay,{first}@acme.example.com,\nGus,{second}@example.org,No Such Company\n"
    body = {"file": base64.b64encode(data.encode()).decode()}

    preview = admin.post("/api/contacts/import/preview", json=body).json()
    before = admin.get("/api/contacts", params={"q": first}).json()["contacts"]
    done = admin.post("/api/contacts/import", json=body).json()
    refused = technician.post("/api/contacts/import/preview", json=body)

    assert [(row["action"], row["company"]) for row in preview["rows"]] == [("create", DEMO_COMPANY), ("refuse", "")]
    assert before == []
    assert [row["action"] for row in done["rows"]] == ["create", "refuse"]
    assert [c["created_via"] for c in admin.get("/api/contacts", params={"q": first}).json()["contacts"]] == ["import"]
    assert refused.status_code == 403


def test_an_admin_gives_a_company_a_domain_and_a_second_claim_names_the_holder(admin: httpx.Client) -> None:
    domain = f"{unique('d')}.example.net"
    one = admin.post("/api/companies", json={"name": unique("One"), "technician_ids": []}).json()
    two = admin.post("/api/companies", json={"name": unique("Two"), "technician_ids": []}).json()

    claimed = admin.post(f"/api/companies/{one['id']}/domains", json={"domain": f"*.{domain}"})
    second = admin.post(f"/api/companies/{two['id']}/domains", json={"domain": domain})
    free_mail = admin.post(f"/api/companies/{two['id']}/domains", json={"domain": "outlook.com"})

    assert claimed.status_code == 201
    assert claimed.json()["domains"] == [f"*.{domain}"]
    assert (second.status_code, second.json()["error"]) == (409, "domain_taken")
    assert one["name"] in second.json()["message"]
    assert (free_mail.status_code, free_mail.json()["error"]) == (400, "domain_refused")
