"""What a contact's addresses must be, and what a search finds it by."""

from __future__ import annotations

import pytest

from deskless.contacts import (
    Contact,
    CreatedVia,
    contact_email,
    contact_emails,
    domain_of,
    folded,
    matches,
    search_terms,
)
from deskless.errors import InvalidRequest


def contact(name: str, *emails: str) -> Contact:
    return Contact(
        id="c1",
        name=name,
        emails=list(emails),
        company_id="unassigned",
        created_via=CreatedVia.CONSOLE,
        created_at=1,
        updated_at=1,
    )


def test_addresses_are_kept_in_lower_case_so_case_never_makes_two() -> None:
    assert contact_emails(["Carla@Acme.com", "carla@ACME.com", "c.diaz@acme.com"]) == [
        "carla@acme.com",
        "c.diaz@acme.com",
    ]


def test_a_contact_has_one_to_five_valid_addresses() -> None:
    with pytest.raises(InvalidRequest, match="at least one"):
        contact_emails([])
    with pytest.raises(InvalidRequest, match="at most 5"):
        contact_emails([f"p{n}@acme.com" for n in range(6)])
    with pytest.raises(InvalidRequest, match="not an email address"):
        contact_email("carla at acme")


def test_search_ignores_case_and_accents() -> None:
    assert folded("Zoë DVOŘÁK") == "zoe dvorak"
    dvorak = contact("Antonín Dvořák", "antonin@music.cz")

    assert matches(dvorak, "dvor")
    assert matches(dvorak, "ANTO dvo")


def test_a_contact_is_found_by_any_word_of_its_name_its_address_or_its_domain() -> None:
    carla = contact("Carla Díaz-Ruiz", "carla@acme.example.com")

    assert search_terms(carla.name, carla.emails) == [
        "carla",
        "diaz",
        "ruiz",
        "carla@acme.example.com",
        "acme.example.com",
    ]
    for query in ("ruiz", "carla@acme", "acme.example", "carla diaz"):
        assert matches(carla, query), query


def test_every_word_of_a_query_must_match() -> None:
    carla = contact("Carla Díaz", "carla@acme.example.com")

    assert not matches(carla, "carla smith")
    assert not matches(carla, "arla")  # words match from their start


def test_an_international_domain_is_looked_up_as_companies_hold_it() -> None:
    # a company holds bücher.de as xn--bcher-kva.de (deskless.companies.company_domain)
    assert domain_of(contact_email("Jana@Bücher.de")) == "xn--bcher-kva.de"
