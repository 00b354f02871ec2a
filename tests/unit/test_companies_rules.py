"""deskless.companies' rules for what a portal may be called and which websites may embed it:
a subdomain is a DNS label of 3 to 63 lower-case letters, digits and inner hyphens that is not
reserved; an allowed origin is what a browser sends as Origin (scheme://host[:port])."""

from __future__ import annotations

import pytest

from deskless.companies import RESERVED_SUBDOMAINS, valid_origin, valid_subdomain
from deskless.errors import InvalidRequest, InvalidSubdomain


@pytest.mark.parametrize(
    "label",
    ["abc", "a" * 63, "acme", "acme-eu", "a-b", "123", "2nd-shop", "x9-y8-z7", "xn--mller-kva"],
)
def test_a_dns_label_of_3_to_63_characters_is_a_valid_subdomain(label: str) -> None:
    assert valid_subdomain(label) == label


def test_a_subdomain_is_lower_cased_and_trimmed() -> None:
    assert valid_subdomain("  Acme-EU ") == "acme-eu"


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("", "3 to 63 characters"),
        ("ab", "3 to 63 characters"),
        ("a" * 64, "3 to 63 characters"),
        ("-acme", "cannot start or end with a hyphen"),
        ("acme-", "cannot start or end with a hyphen"),
        ("acme_eu", "only lower-case letters, digits and hyphens"),
        ("acme.eu", "only lower-case letters, digits and hyphens"),
        ("acme eu", "only lower-case letters, digits and hyphens"),
        ("müller", "only lower-case letters, digits and hyphens"),
        ("café", "only lower-case letters, digits and hyphens"),
        ("\uff41\uff43\uff4d\uff45", "only lower-case letters, digits and hyphens"),  # full-width "acme"
    ],
)
def test_a_label_that_is_not_a_dns_label_is_refused_saying_why(label: str, why: str) -> None:
    with pytest.raises(InvalidSubdomain) as refused:
        valid_subdomain(label)
    assert why in refused.value.message
    assert refused.value.status == 400
    assert refused.value.code == "invalid_subdomain"


@pytest.mark.parametrize("label", ["www", "api", "admin", "console", "static", "mail", "WWW", " Admin "])
def test_a_reserved_name_is_refused(label: str) -> None:
    with pytest.raises(InvalidSubdomain) as refused:
        valid_subdomain(label)
    assert f"{label.strip().lower()} is reserved" in refused.value.message


@pytest.mark.parametrize("name", sorted(RESERVED_SUBDOMAINS))
def test_no_reserved_name_can_be_taken(name: str) -> None:
    with pytest.raises(InvalidSubdomain):
        valid_subdomain(name)


@pytest.mark.parametrize(
    ("origin", "normalised"),
    [
        ("https://www.example.com", "https://www.example.com"),
        ("https://www.example.com/", "https://www.example.com"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("https://Shop.Example.COM", "https://shop.example.com"),
        ("HTTPS://shop.example.com", "https://shop.example.com"),
        ("  https://shop.example.com  ", "https://shop.example.com"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_a_website_origin_is_kept_as_a_browser_sends_it(origin: str, normalised: str) -> None:
    assert valid_origin(origin) == normalised


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example.com/page",
        "https://shop.example.com/?q=1",
        "https://shop.example.com?q=1",
        "https://shop.example.com/#top",
        "https://user@shop.example.com",
        "https://user:secret@shop.example.com",
        "ftp://shop.example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,hi",
        "shop.example.com",
        "//shop.example.com",
        "https://",
        "https://shop.example.com:99999",
        "https://shop.example.com:port",
        "",
    ],
)
def test_anything_but_a_website_origin_is_refused(origin: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        valid_origin(origin)
    assert "is not a website origin" in refused.value.message
