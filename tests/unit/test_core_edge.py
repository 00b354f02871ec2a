"""deskless.edge.portal_label: which portal a Host header names (the CDN passes the viewer's Host)."""

from __future__ import annotations

import pytest

from deskless.edge import portal_label


@pytest.mark.parametrize(
    ("host", "support_domain", "label"),
    [
        ("acme.support.example.com", "support.example.com", "acme"),
        ("acme.localhost:8000", "localhost", "acme"),
        ("acme.support.example.com:443", "support.example.com", "acme"),
        ("ACME.Support.Example.COM", "support.example.com", "acme"),
        ("acme.support.example.com", "Support.Example.com", "acme"),
        ("  acme.localhost:8000 ", "localhost", "acme"),
        ("my-shop-2.localhost", "localhost", "my-shop-2"),
    ],
)
def test_a_subdomain_of_the_support_domain_names_a_portal(host: str, support_domain: str, label: str) -> None:
    assert portal_label(host, support_domain) == label


@pytest.mark.parametrize(
    ("host", "support_domain"),
    [
        ("support.example.com", "support.example.com"),  # the apex: the console, not a portal
        ("localhost:8000", "localhost"),
        ("a.b.support.example.com", "support.example.com"),  # deeper names are nobody's portal
        ("acme.evil.com", "support.example.com"),  # a stranger
        ("acmesupport.example.com", "support.example.com"),  # a suffix without the dot is not a subdomain
        ("support.example.com.evil.com", "support.example.com"),
        (".support.example.com", "support.example.com"),
        ("", "support.example.com"),
    ],
)
def test_anything_but_one_label_under_the_support_domain_is_no_portal(host: str, support_domain: str) -> None:
    assert portal_label(host, support_domain) is None
