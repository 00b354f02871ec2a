"""Company administration through the portals function: admins create, edit and list customer
companies, choose who serves each, give each at most one portal on a subdomain unique across
the deployment, and get its URLs and embed codes; technicians may read companies and their
support requests.

The handler runs in this process with real-shaped HTTP API events against moto."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest

from deskless.auth import Principal
from deskless.companies import UNASSIGNED_ID, portal_by_subdomain
from deskless.data import table
from deskless.table import portal_key, subdomain_key
from deskless.users import StaffUser, create_staff
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, HttpResult, call_http, current, http_event, ok, refused

# --- the API, as API Gateway calls it ----------------------------------------------------------


class CompaniesApi:
    def __init__(self, aws: LocalAws) -> None:
        self.origin_secret = aws.origin_secret  # read once: each read makes a new boto3 client

    def call(self, route_key: str, *, caller: Principal = ADMIN, body: Any = None) -> HttpResult:
        base = "http_staff_create" if body is not None else "http_staff_list"
        event = http_event(base, origin_secret=self.origin_secret, principal=caller, body=body, route_key=route_key)
        return call_http("portals", event)

    def listed(self, caller: Principal = ADMIN) -> list[dict[str, Any]]:
        """The customer companies listed, without Unassigned (which is always there)."""
        return [company for company in self.everything(caller) if company["id"] != UNASSIGNED_ID]

    def everything(self, caller: Principal = ADMIN) -> list[dict[str, Any]]:
        companies: list[dict[str, Any]] = ok(self.call("GET /api/companies", caller=caller))
        return companies

    def create(self, body: dict[str, Any], caller: Principal = ADMIN) -> HttpResult:
        return self.call("POST /api/companies", caller=caller, body=body)

    def created(self, name: str, technician_ids: list[str] | None = None) -> dict[str, Any]:
        company: dict[str, Any] = ok(self.create({"name": name, "technician_ids": technician_ids or []}), 201)
        return company

    def get(self, company_id: str, caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"GET /api/companies/{company_id}", caller=caller)

    def update(self, company_id: str, body: dict[str, Any], caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"PATCH /api/companies/{company_id}", caller=caller, body=body)

    def create_portal(self, company_id: str, body: dict[str, Any], caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"POST /api/companies/{company_id}/portal", caller=caller, body=body)

    def portal_created(self, company_id: str, subdomain: str, **more: Any) -> dict[str, Any]:
        portal: dict[str, Any] = ok(self.create_portal(company_id, {"subdomain": subdomain, **more}), 201)
        return portal

    def update_portal(self, company_id: str, body: dict[str, Any], caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"PATCH /api/companies/{company_id}/portal", caller=caller, body=body)

    def add_domain(self, company_id: str, domain: str, caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"POST /api/companies/{company_id}/domains", caller=caller, body={"domain": domain})

    def remove_domain(self, company_id: str, domain: str, caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"DELETE /api/companies/{company_id}/domains/{quote(domain)}", caller=caller)

    def embed(self, company_id: str, caller: Principal = ADMIN) -> HttpResult:
        return self.call(f"GET /api/companies/{company_id}/portal/embed", caller=caller)


@pytest.fixture
def companies(aws: LocalAws) -> CompaniesApi:
    return CompaniesApi(aws)


@pytest.fixture
def technicians(aws: LocalAws) -> list[StaffUser]:
    return [
        create_staff("alice@example.com", "Alice Tech", TECHNICIAN.role, "a-long-password"),
        create_staff("bob@example.com", "Bob Tech", TECHNICIAN.role, "a-long-password"),
    ]


@pytest.fixture
def acme(companies: CompaniesApi) -> dict[str, Any]:
    return companies.created("Acme")


def stored_portal(company_id: str) -> dict[str, Any] | None:
    return table().get(portal_key(company_id), consistent=True)


def guard_of(label: str) -> str | None:
    guard = table().get(subdomain_key(label), consistent=True)
    return None if guard is None else str(guard["company_id"])


# --- companies --------------------------------------------------------------------------------


def test_an_admin_creates_a_company_served_by_chosen_technicians(
    companies: CompaniesApi, technicians: list[StaffUser]
) -> None:
    ids = [t.id for t in technicians]

    company = ok(companies.create({"name": "  Acme  ", "technician_ids": ids}), 201)

    assert company["name"] == "Acme"
    assert company["technician_ids"] == ids
    assert company["portal"] is None
    assert company["created_at"] > 0
    assert ok(companies.get(company["id"])) == company
    assert companies.listed() == [company]


def test_repeated_technicians_are_kept_once(companies: CompaniesApi, technicians: list[StaffUser]) -> None:
    alice = technicians[0].id

    company = companies.created("Acme", [alice, alice])

    assert company["technician_ids"] == [alice]


def test_companies_are_listed_by_name_whatever_the_case(companies: CompaniesApi) -> None:
    for name in ("globex", "Acme", "Initech", "beta Corp"):
        companies.created(name)

    assert [c["name"] for c in companies.listed()] == ["Acme", "beta Corp", "globex", "Initech"]


def test_the_list_shows_each_company_with_its_portal(companies: CompaniesApi) -> None:
    acme = companies.created("Acme")
    globex = companies.created("Globex")
    portal = companies.portal_created(globex["id"], "globex")

    listed = {c["name"]: c["portal"] for c in companies.listed()}

    assert listed == {"Acme": None, "Globex": portal}
    assert ok(companies.get(acme["id"]))["portal"] is None


def test_listing_companies_with_their_portals_is_one_query(companies: CompaniesApi) -> None:
    for name in ("Acme", "Globex", "Initech"):
        company = companies.created(name)
        companies.portal_created(company["id"], name.lower())

    companies.listed()  # the first listing of a deployment makes Unassigned (see below)

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        listed = companies.listed()

    assert calls == {"Query": 1}
    assert all(c["portal"] is not None for c in listed)


# --- Unassigned -------------------------------------------------------------------------------


def test_unassigned_exists_from_the_first_listing_without_a_manual_step(companies: CompaniesApi) -> None:
    companies.created("Acme")

    with count_requests(current("deskless.aws").client("dynamodb")) as first:
        listed = companies.everything()
    with count_requests(current("deskless.aws").client("dynamodb")) as second:
        again = companies.everything()

    assert [c["name"] for c in listed] == ["Acme", "Unassigned"]
    assert again == listed
    assert first == {"Query": 1, "PutItem": 1}  # written once, conditionally
    assert second == {"Query": 1}
    assert ok(companies.get(UNASSIGNED_ID))["name"] == "Unassigned"


def test_unassigned_keeps_its_name_and_gets_neither_a_portal_nor_domains(companies: CompaniesApi) -> None:
    companies.everything()

    assert refused(companies.update(UNASSIGNED_ID, {"name": "Misc"})) == (409, "unassigned_company")
    assert refused(companies.create_portal(UNASSIGNED_ID, {"subdomain": "misc"})) == (409, "unassigned_company")
    assert refused(companies.add_domain(UNASSIGNED_ID, "misc.example.com")) == (409, "unassigned_company")
    assert ok(companies.get(UNASSIGNED_ID))["portal"] is None


# --- email domains ----------------------------------------------------------------------------


def test_an_admin_gives_a_company_several_domains(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    ok(companies.add_domain(acme["id"], "Acme.com"), 201)
    company = ok(companies.add_domain(acme["id"], "*.acme-eu.example"), 201)

    assert company["domains"] == ["acme.com", "*.acme-eu.example"]
    assert ok(companies.get(acme["id"]))["domains"] == ["acme.com", "*.acme-eu.example"]
    assert [c["domains"] for c in companies.listed()] == [["acme.com", "*.acme-eu.example"]]


def test_a_domain_claimed_twice_is_refused_naming_the_company_that_holds_it(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    globex = companies.created("Globex")
    ok(companies.add_domain(acme["id"], "*.acme.com"), 201)

    response = companies.add_domain(globex["id"], "ACME.com")

    assert refused(response) == (409, "domain_taken")
    assert "Acme" in response.json()["message"]
    assert ok(companies.get(globex["id"]))["domains"] == []


def test_two_admins_claiming_one_domain_at_once_leave_it_to_one_company(companies: CompaniesApi) -> None:
    ids = [companies.created(f"Company {n}")["id"] for n in range(6)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda company_id: companies.add_domain(company_id, "shared.example"), ids))

    assert Counter(r.status for r in responses) == {201: 1, 409: 5}
    assert sum(c["domains"] == ["shared.example"] for c in companies.listed()) == 1


def test_a_free_mail_domain_is_refused(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    response = companies.add_domain(acme["id"], "gmail.com")

    assert refused(response) == (400, "domain_refused")
    assert "free-mail" in response.json()["message"]


def test_a_company_switches_a_domain_to_its_wildcard_and_gives_it_up(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    globex = companies.created("Globex")
    ok(companies.add_domain(acme["id"], "acme.com"), 201)

    assert ok(companies.add_domain(acme["id"], "*.acme.com"), 201)["domains"] == ["*.acme.com"]
    assert ok(companies.remove_domain(acme["id"], "*.acme.com"))["domains"] == []
    assert ok(companies.add_domain(globex["id"], "acme.com"), 201)["domains"] == ["acme.com"]
    assert refused(companies.remove_domain(acme["id"], "acme.com")) == (404, "not_found")


def test_reading_one_company_with_its_portal_is_one_query(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")

    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        company = ok(companies.get(acme["id"]))

    assert calls == {"Query": 1}
    assert company["portal"]["subdomain"] == "acme"


def test_an_unknown_company_is_not_found(companies: CompaniesApi) -> None:
    for response in (
        companies.get("0123456789abcdef"),
        companies.update("0123456789abcdef", {"name": "Nobody"}),
        companies.create_portal("0123456789abcdef", {"subdomain": "nobody"}),
        companies.update_portal("0123456789abcdef", {"status": "inactive"}),
    ):
        assert refused(response) == (404, "not_found")
    assert guard_of("nobody") is None


def test_a_technician_may_read_companies_but_not_change_them(
    companies: CompaniesApi, acme: dict[str, Any], technicians: list[StaffUser]
) -> None:
    assert [c["id"] for c in companies.listed(caller=TECHNICIAN)] == [acme["id"]]
    assert ok(companies.get(acme["id"], caller=TECHNICIAN)) == acme

    attempts = (
        companies.create({"name": "Globex"}, caller=TECHNICIAN),
        companies.update(acme["id"], {"name": "Acme Evil"}, caller=TECHNICIAN),
        companies.update(acme["id"], {"technician_ids": [technicians[0].id]}, caller=TECHNICIAN),
        companies.create_portal(acme["id"], {"subdomain": "acme"}, caller=TECHNICIAN),
        companies.embed(acme["id"], caller=TECHNICIAN),
    )

    assert [refused(response) for response in attempts] == [(403, "forbidden")] * len(attempts)
    assert companies.listed() == [acme]
    assert guard_of("acme") is None


def test_technicians_must_be_staff_users_and_the_refusal_names_the_strangers(
    companies: CompaniesApi, technicians: list[StaffUser]
) -> None:
    alice = technicians[0].id

    response = companies.create({"name": "Acme", "technician_ids": [alice, "nobody01", "nobody02"]})

    assert refused(response) == (400, "invalid_request")
    message = response.json()["message"]
    assert "nobody01" in message
    assert "nobody02" in message
    assert alice not in message
    assert companies.listed() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"technician_ids": []},
        {"name": "Acme", "technician_ids": "alice"},
        {"name": "Acme", "technician_ids": [""]},
    ],
)
def test_a_company_needs_a_name_of_1_to_100_characters(companies: CompaniesApi, body: dict[str, Any]) -> None:
    assert refused(companies.create(body)) == (400, "invalid_request")
    assert companies.listed() == []


def test_an_admin_chooses_who_serves_a_company(
    companies: CompaniesApi, acme: dict[str, Any], technicians: list[StaffUser]
) -> None:
    alice, bob = (t.id for t in technicians)

    both = ok(companies.update(acme["id"], {"technician_ids": [alice, bob]}))
    only_bob = ok(companies.update(acme["id"], {"technician_ids": [bob]}))

    assert both["technician_ids"] == [alice, bob]
    assert only_bob["technician_ids"] == [bob]
    assert only_bob["name"] == "Acme"
    assert ok(companies.get(acme["id"]))["technician_ids"] == [bob]


def test_changing_technicians_to_strangers_changes_nothing(
    companies: CompaniesApi, technicians: list[StaffUser]
) -> None:
    alice = technicians[0].id
    acme = companies.created("Acme", [alice])

    response = companies.update(acme["id"], {"technician_ids": [alice, "nobody01"]})

    assert refused(response) == (400, "invalid_request")
    assert "nobody01" in response.json()["message"]
    assert ok(companies.get(acme["id"]))["technician_ids"] == [alice]


def test_renaming_a_company_renames_its_portal_and_keeps_the_list_in_name_order(companies: CompaniesApi) -> None:
    acme = companies.created("Acme")
    companies.created("Globex")
    companies.portal_created(acme["id"], "acme")

    renamed = ok(companies.update(acme["id"], {"name": "Zenith"}))

    assert renamed["name"] == "Zenith"
    assert renamed["portal"]["company_name"] == "Zenith"
    assert [(c["name"], c["portal"] and c["portal"]["company_name"]) for c in companies.listed()] == [
        ("Globex", None),
        ("Zenith", "Zenith"),
    ]
    portal = portal_by_subdomain("acme")
    assert portal is not None
    assert portal.company_name == "Zenith"


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "Acme", "portal": None}, {"id": "mine"}, {"created_at": 1}])
def test_a_company_change_is_a_name_or_technicians_and_nothing_else(
    companies: CompaniesApi, acme: dict[str, Any], body: dict[str, Any]
) -> None:
    assert refused(companies.update(acme["id"], body)) == (400, "invalid_request")
    assert ok(companies.get(acme["id"])) == acme


def test_an_empty_change_changes_nothing(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    assert ok(companies.update(acme["id"], {})) == acme


# --- portals ----------------------------------------------------------------------------------


def test_an_admin_gives_a_company_a_portal(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    portal = ok(companies.create_portal(acme["id"], {"subdomain": "Acme-EU"}), 201)

    assert portal == {
        "company_id": acme["id"],
        "company_name": "Acme",
        "subdomain": "acme-eu",
        "status": "active",
        "language": "en",
        "allowed_origins": [],
    }
    assert ok(companies.get(acme["id"]))["portal"] == portal
    found = portal_by_subdomain("acme-eu")
    assert found is not None
    assert found.company_id == acme["id"]


def test_a_portal_is_created_with_its_language_status_and_origins(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    portal = companies.portal_created(
        acme["id"],
        "acme",
        language="cs",
        status="inactive",
        allowed_origins=["https://Shop.Acme.example/", "https://shop.acme.example"],
    )

    assert (portal["language"], portal["status"]) == ("cs", "inactive")
    assert portal["allowed_origins"] == ["https://shop.acme.example"]


@pytest.mark.parametrize(
    "body",
    [
        {"subdomain": "acme", "language": "fr"},
        {"subdomain": "acme", "status": "paused"},
        {"subdomain": "acme", "allowed_origins": ["https://shop.acme.example/page"]},
        {"subdomain": "acme", "allowed_origins": ["javascript:alert(1)"]},
        {},
    ],
)
def test_a_portal_with_a_bad_field_is_refused_and_not_stored(
    companies: CompaniesApi, acme: dict[str, Any], body: dict[str, Any]
) -> None:
    assert refused(companies.create_portal(acme["id"], body)) == (400, "invalid_request")
    assert stored_portal(acme["id"]) is None
    assert guard_of("acme") is None


def test_a_second_portal_for_a_company_is_refused_and_nothing_changes(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    first = companies.portal_created(acme["id"], "acme")

    response = companies.create_portal(acme["id"], {"subdomain": "acme-two", "language": "de"})

    assert refused(response) == (409, "portal_exists")
    assert "at most one" in response.json()["message"]
    assert ok(companies.get(acme["id"]))["portal"] == first
    assert guard_of("acme-two") is None
    assert portal_by_subdomain("acme-two") is None


def test_a_taken_subdomain_is_refused_saying_it_is_taken(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")
    impostor = companies.created("Acme Impostors")

    response = companies.create_portal(impostor["id"], {"subdomain": "ACME"})

    assert refused(response) == (409, "subdomain_taken")
    assert response.json()["message"] == "The subdomain acme is taken; choose another."
    assert stored_portal(impostor["id"]) is None
    assert guard_of("acme") == acme["id"]


INVALID_SUBDOMAINS = [
    ("ab", "3 to 63 characters"),
    ("a" * 64, "3 to 63 characters"),
    ("-acme", "hyphen"),
    ("acme_eu", "lower-case letters, digits and hyphens"),
    ("acme.eu", "lower-case letters, digits and hyphens"),
    ("müller", "lower-case letters, digits and hyphens"),
    ("www", "reserved"),
    ("admin", "reserved"),
    ("mail", "reserved"),
]


@pytest.mark.parametrize(("subdomain", "why"), INVALID_SUBDOMAINS)
def test_an_invalid_or_reserved_subdomain_is_refused_saying_why(
    companies: CompaniesApi, acme: dict[str, Any], subdomain: str, why: str
) -> None:
    response = companies.create_portal(acme["id"], {"subdomain": subdomain})

    assert refused(response) == (400, "invalid_subdomain")
    assert why in response.json()["message"]
    assert stored_portal(acme["id"]) is None


def test_an_invalid_subdomain_is_refused_before_anything_is_read(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    with count_requests(current("deskless.aws").client("dynamodb")) as calls:
        response = companies.create_portal(acme["id"], {"subdomain": "www"})

    assert refused(response) == (400, "invalid_subdomain")
    assert calls == {}


@pytest.mark.parametrize(("subdomain", "why"), INVALID_SUBDOMAINS)
def test_a_portal_cannot_move_to_an_invalid_or_reserved_subdomain(
    companies: CompaniesApi, acme: dict[str, Any], subdomain: str, why: str
) -> None:
    portal = companies.portal_created(acme["id"], "acme")

    response = companies.update_portal(acme["id"], {"subdomain": subdomain})

    assert refused(response) == (400, "invalid_subdomain")
    assert why in response.json()["message"]
    assert ok(companies.get(acme["id"]))["portal"] == portal


def test_a_new_subdomain_frees_the_old_one_for_another_company(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")

    moved = ok(companies.update_portal(acme["id"], {"subdomain": "acme-eu"}))

    assert moved["subdomain"] == "acme-eu"
    found = portal_by_subdomain("acme-eu")
    assert found is not None
    assert found.company_id == acme["id"]
    assert portal_by_subdomain("acme") is None
    assert guard_of("acme") is None
    # and another company may now take the old label
    other = companies.created("Acme Two")
    assert companies.portal_created(other["id"], "acme")["subdomain"] == "acme"
    taken = portal_by_subdomain("acme")
    assert taken is not None
    assert taken.company_id == other["id"]


def test_moving_to_a_taken_subdomain_changes_nothing(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    acme_portal = companies.portal_created(acme["id"], "acme")
    globex = companies.created("Globex")
    globex_portal = companies.portal_created(globex["id"], "globex")

    response = companies.update_portal(acme["id"], {"subdomain": "globex", "status": "inactive"})

    assert refused(response) == (409, "subdomain_taken")
    assert "globex is taken" in response.json()["message"]
    assert ok(companies.get(acme["id"]))["portal"] == acme_portal
    assert ok(companies.get(globex["id"]))["portal"] == globex_portal
    assert (guard_of("acme"), guard_of("globex")) == (acme["id"], globex["id"])


def test_keeping_the_same_subdomain_is_not_a_move(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")

    portal = ok(companies.update_portal(acme["id"], {"subdomain": "ACME", "language": "de"}))

    assert (portal["subdomain"], portal["language"]) == ("acme", "de")
    assert guard_of("acme") == acme["id"]


def test_an_admin_changes_a_portals_status_language_and_allowed_origins(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    companies.portal_created(acme["id"], "acme")

    inactive = ok(companies.update_portal(acme["id"], {"status": "inactive"}))
    spanish = ok(companies.update_portal(acme["id"], {"language": "es"}))
    origins = ok(
        companies.update_portal(
            acme["id"],
            {"allowed_origins": ["https://shop.acme.example", "HTTPS://Shop.Acme.example/", "http://localhost:3000"]},
        )
    )

    assert inactive["status"] == "inactive"
    assert (spanish["status"], spanish["language"]) == ("inactive", "es")
    assert origins["allowed_origins"] == ["https://shop.acme.example", "http://localhost:3000"]
    assert ok(companies.get(acme["id"]))["portal"] == {**origins, "status": "inactive", "language": "es"}
    cleared = ok(companies.update_portal(acme["id"], {"allowed_origins": []}))
    assert cleared["allowed_origins"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"allowed_origins": ["https://shop.acme.example/checkout"]},
        {"allowed_origins": ["https://shop.acme.example", "ftp://files.acme.example"]},
        {"language": "fr"},
        {"status": "paused"},
        {"company_name": "Evil"},
        {"company_id": "0123456789abcdef"},
    ],
)
def test_a_bad_portal_change_is_refused_and_changes_nothing(
    companies: CompaniesApi, acme: dict[str, Any], body: dict[str, Any]
) -> None:
    portal = companies.portal_created(acme["id"], "acme", allowed_origins=["https://shop.acme.example"])

    response = companies.update_portal(acme["id"], body)

    assert refused(response) == (400, "invalid_request")
    assert ok(companies.get(acme["id"]))["portal"] == portal


def test_a_portal_allows_at_most_twenty_websites(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")
    sites = [f"https://shop{n}.acme.example" for n in range(21)]

    too_many = companies.update_portal(acme["id"], {"allowed_origins": sites})
    twenty = companies.update_portal(acme["id"], {"allowed_origins": sites[:20] + sites[:20]})

    assert refused(too_many) == (400, "invalid_request")
    assert "at most 20" in too_many.json()["message"]
    assert ok(twenty)["allowed_origins"] == sites[:20]


def test_a_bad_origin_is_named_in_the_refusal(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")

    response = companies.update_portal(acme["id"], {"allowed_origins": ["https://shop.acme.example/checkout"]})

    assert "https://shop.acme.example/checkout" in response.json()["message"]


def test_changing_a_portal_is_admin_only(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    portal = companies.portal_created(acme["id"], "acme")

    response = companies.update_portal(acme["id"], {"status": "inactive"}, caller=TECHNICIAN)

    assert refused(response) == (403, "forbidden")
    assert ok(companies.get(acme["id"]))["portal"] == portal


# --- "Show URLs and code" -----------------------------------------------------------------------


class Tags(HTMLParser):
    """The start tags of a snippet with their attributes as a browser reads them (unescaped)."""

    def __init__(self, snippet: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(snippet)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def test_the_embed_codes_give_the_portal_url_a_popup_link_and_a_widget_script(
    companies: CompaniesApi, acme: dict[str, Any]
) -> None:
    companies.portal_created(acme["id"], "acme", allowed_origins=["https://shop.acme.example"])

    codes = ok(companies.embed(acme["id"]))

    assert codes["url"] == "http://acme.localhost:8000"
    assert codes["widget"] == '<script src="http://acme.localhost:8000/widget.js" async></script>'
    assert codes["allowed_origins"] == ["https://shop.acme.example"]
    assert "allowed origins" in codes["note"]
    [(tag, link)] = Tags(codes["popup"]).tags
    assert tag == "a"
    assert link["href"] == "http://acme.localhost:8000/"  # a plain link without JavaScript
    onclick = link["onclick"] or ""
    assert "window.open(this.href, 'deskless-acme', 'width=420,height=640" in onclick
    assert onclick.startswith("return !window.open(")  # false once the popup opened; the link if it was blocked


def test_the_embed_codes_follow_a_subdomain_change(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    companies.portal_created(acme["id"], "acme")
    companies.update_portal(acme["id"], {"subdomain": "acme-eu"})

    codes = ok(companies.embed(acme["id"]))

    assert codes["url"] == "http://acme-eu.localhost:8000"
    assert "http://acme-eu.localhost:8000/widget.js" in codes["widget"]
    assert "No website may show the widget yet" in codes["note"]


def test_what_goes_into_the_snippets_is_escaped(companies: CompaniesApi, monkeypatch: pytest.MonkeyPatch) -> None:
    company = companies.created('<img src=x onerror="alert(1)"> & Co')
    companies.portal_created(company["id"], "xss")
    # a public URL no one would set, but a snippet must not be broken by whatever it holds
    monkeypatch.setenv("DESKLESS_PUBLIC_URL", 'http://localhost:8000/a"b&c<d>')
    current("deskless.settings").get_settings.cache_clear()  # the aws fixture clears it again after the test

    codes = ok(companies.embed(company["id"]))

    popup, widget = Tags(codes["popup"]), Tags(codes["widget"])
    assert [tag for tag, _ in popup.tags] == ["a"]  # the name is text, not markup
    assert popup.text == '<img src=x onerror="alert(1)"> & Co support'
    assert popup.tags[0][1]["href"] == 'http://xss.localhost:8000/a"b&c<d>/'
    assert widget.tags == [("script", {"src": 'http://xss.localhost:8000/a"b&c<d>/widget.js', "async": None})]
    assert "<img" not in codes["popup"]


def test_a_company_without_a_portal_has_no_embed_codes(companies: CompaniesApi, acme: dict[str, Any]) -> None:
    response = companies.embed(acme["id"])

    assert refused(response) == (404, "not_found")
    assert "no portal" in response.json()["message"]
