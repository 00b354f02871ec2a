"""deskless.edge: which portal a Host header names (the CDN passes the viewer's Host), and the headers answers carry."""

from __future__ import annotations

import pytest

from deskless.edge import (
    EDGE_HEADERS,
    STRICT_TRANSPORT_SECURITY,
    StrictTransportSecurity,
    page_permissions,
    portal_label,
    source_key,
    static_file_headers,
    websocket_origin,
)


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


# --- the static files' headers -------------------------------------------------------------------


def test_static_files_may_load_from_the_deployment_and_connect_to_its_websocket_api_only() -> None:
    headers = static_file_headers("wss://abc123.execute-api.eu-west-1.amazonaws.com/live").as_dict()

    assert headers == {
        "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; media-src 'self' data:; "
        "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'; object-src 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-cache",  # the files keep their names across deploys: always revalidated
        # a technician may share their screen from the console; it uses no camera, microphone or location
        "permissions-policy": "camera=(), microphone=(), geolocation=(), display-capture=(self)",
    }


def test_a_page_may_capture_a_screen_only_when_it_says_so_and_never_use_camera_microphone_or_location() -> None:
    allowed = page_permissions(display_capture=True).split(", ")
    refused = page_permissions(display_capture=False).split(", ")

    assert allowed == ["camera=()", "microphone=()", "geolocation=()", "display-capture=(self)"]
    assert refused == ["camera=()", "microphone=()", "geolocation=()", "display-capture=()"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("wss://abc123.execute-api.eu-west-1.amazonaws.com/live", "wss://abc123.execute-api.eu-west-1.amazonaws.com"),
        ("ws://localhost:8000/ws", "ws://localhost:8000"),
        ("ws://localhost:8000/ws?token=x", "ws://localhost:8000"),
        ("wss://support.example.com", "wss://support.example.com"),
        # what the CDK app hands over before deploy: placeholders a URL parser would refuse
        ("wss://${Token[TOKEN.1]}.execute-api.${Token[AWS.Region.2]}.${Token[AWS.URLSuffix.3]}/live",
         "wss://${Token[TOKEN.1]}.execute-api.${Token[AWS.Region.2]}.${Token[AWS.URLSuffix.3]}"),
    ],
)  # fmt: skip
def test_the_websocket_origin_is_the_urls_scheme_and_host(url: str, origin: str) -> None:
    assert websocket_origin(url) == origin


# --- what per-source limits count by ----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "source"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("::1", "::/64"),
        ("not an address", "not an address"),
        ("", "unknown"),
    ],
)
def test_an_ipv4_viewer_counts_by_its_address_and_an_ipv6_viewer_by_its_slash_64(address: str, source: str) -> None:
    assert source_key(address) == source


def test_every_address_of_one_ipv6_slash_64_is_one_source_and_the_next_slash_64_another() -> None:
    rotated = {source_key(f"2001:db8:1:2:{n:x}::{n:x}") for n in range(1, 500)}

    assert rotated == {"2001:db8:1:2::/64"}
    assert source_key("2001:db8:1:3::1") != source_key("2001:db8:1:2::1")


def test_hsts_is_two_years_with_the_portals_subdomains_and_not_preloaded() -> None:
    assert str(STRICT_TRANSPORT_SECURITY) == "max-age=63072000; includeSubDomains"
    assert dict(EDGE_HEADERS) == {"strict-transport-security": str(STRICT_TRANSPORT_SECURITY)}
    assert str(StrictTransportSecurity(max_age_s=60, include_subdomains=False, preload=True)) == "max-age=60; preload"
