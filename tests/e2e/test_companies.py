"""Company administration on `deskless dev`, as the admin console uses it: a company gets a portal
on its own subdomain, which answers at <subdomain>.localhost:<port> at once, moves when its
subdomain changes, and comes with its embed codes.

Each test makes its own company on a unique subdomain and cleans nothing up (the platform is
shared by the whole suite and `acme` is the demo company's)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local.seed import DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform


def unique_label() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


class Admin:
    """What the admin console sends."""

    def __init__(self, platform: Platform, token: str) -> None:
        self.client = platform.http()
        self.client.headers["authorization"] = f"Bearer {token}"

    def company(self, name: str) -> dict[str, Any]:
        response = self.client.post("/api/companies", json={"name": name, "technician_ids": []})
        assert response.status_code == 201, response.text
        company: dict[str, Any] = response.json()
        return company

    def create_portal(self, company_id: str, subdomain: str) -> httpx.Response:
        return self.client.post(f"/api/companies/{company_id}/portal", json={"subdomain": subdomain})

    def move_portal(self, company_id: str, subdomain: str) -> httpx.Response:
        return self.client.patch(f"/api/companies/{company_id}/portal", json={"subdomain": subdomain})


@pytest.fixture
def admin(platform: Platform, admin_token: str) -> Iterator[Admin]:
    console = Admin(platform, admin_token)
    yield console
    console.client.close()


def home(platform: Platform, label: str) -> httpx.Response:
    with platform.http(host=f"{label}.localhost") as visitor:
        return visitor.get("/")


def test_a_new_portal_answers_on_its_own_subdomain(platform: Platform, admin: Admin) -> None:
    label = unique_label()
    company = admin.company(f"Initech {label}")

    created = admin.create_portal(company["id"], label)

    assert created.status_code == 201, created.text
    page = home(platform, label)
    assert page.status_code == 200
    assert f"Initech {label}" in page.text
    listed = admin.client.get("/api/companies").json()
    assert {"id": company["id"], "subdomain": label} in [
        {"id": c["id"], "subdomain": c["portal"] and c["portal"]["subdomain"]} for c in listed
    ]


def test_a_second_portal_is_refused(admin: Admin) -> None:
    label = unique_label()
    company = admin.company(f"Globex {label}")
    assert admin.create_portal(company["id"], label).status_code == 201

    second = admin.create_portal(company["id"], f"{label}-two")

    assert (second.status_code, second.json()["error"]) == (409, "portal_exists")


@pytest.mark.parametrize(("subdomain", "why"), [("ab", "3 to 63"), ("www", "reserved"), ("shop_eu", "hyphens")])
def test_an_invalid_subdomain_is_refused_saying_why(admin: Admin, subdomain: str, why: str) -> None:
    company = admin.company(f"Hooli {unique_label()}")

    response = admin.create_portal(company["id"], subdomain)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_subdomain")
    assert why in response.json()["message"]


def test_a_taken_subdomain_is_refused(admin: Admin) -> None:
    company = admin.company(f"Acme Impostors {unique_label()}")

    response = admin.create_portal(company["id"], DEMO_SUBDOMAIN)

    assert (response.status_code, response.json()["error"]) == (409, "subdomain_taken")
    assert "is taken" in response.json()["message"]


def test_a_moved_portal_leaves_its_old_host_and_answers_on_the_new_one(platform: Platform, admin: Admin) -> None:
    old, new = unique_label(), unique_label()
    company = admin.company(f"Umbrella {old}")
    assert admin.create_portal(company["id"], old).status_code == 201
    assert home(platform, old).status_code == 200

    moved = admin.move_portal(company["id"], new)

    assert moved.status_code == 200, moved.text
    assert home(platform, old).status_code == 404
    assert home(platform, new).status_code == 200


def test_the_embed_codes_name_the_portals_local_address(platform: Platform, admin: Admin) -> None:
    label = unique_label()
    company = admin.company(f"Stark {label}")
    assert admin.create_portal(company["id"], label).status_code == 201

    codes = admin.client.get(f"/api/companies/{company['id']}/portal/embed").json()

    portal = f"http://{label}.localhost:{platform.port}"
    assert platform.urls["api"] == f"http://localhost:{platform.port}"  # the platform's public URL
    assert codes["url"] == portal
    assert codes["widget"] == f'<script src="{portal}/widget.js" async></script>'
    assert f'href="{portal}/"' in codes["popup"]


def test_a_technician_may_list_companies_but_not_create_one(platform: Platform, technician_token: str) -> None:
    with platform.http() as client:
        client.headers["authorization"] = f"Bearer {technician_token}"
        listed = client.get("/api/companies")
        created = client.post("/api/companies", json={"name": "Not allowed"})
    assert listed.status_code == 200
    assert DEMO_SUBDOMAIN in [c["portal"]["subdomain"] for c in listed.json() if c["portal"]]
    assert (created.status_code, created.json()["error"]) == (403, "forbidden")
