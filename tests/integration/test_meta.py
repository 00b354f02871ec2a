"""The meta function, and the origin check every HTTP function makes: a request that did not
come through the CDN (which adds the secret header) is refused."""

from __future__ import annotations

import pytest

from deskless.edge import ORIGIN_VERIFY_HEADER
from tests.conftest import LocalAws
from tests.helpers import call_http, http_event

FUNCTIONS_AND_SAMPLES = [
    ("meta", "http_login", "GET /api/health"),
    ("auth", "http_login", None),
    ("auth", "http_me", None),
    ("staff", "http_staff_list", None),
    ("portals", "http_portal_home", None),
    ("templates", "http_email_template_preview", None),
]


@pytest.mark.parametrize(("function", "sample", "route_key"), FUNCTIONS_AND_SAMPLES)
def test_a_request_without_the_origin_header_is_forbidden(
    aws: LocalAws, function: str, sample: str, route_key: str | None
) -> None:
    response = call_http(function, http_event(sample, origin_secret=None, route_key=route_key))

    assert response.status == 403
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize(("function", "sample", "route_key"), FUNCTIONS_AND_SAMPLES)
def test_a_request_with_a_wrong_origin_secret_is_forbidden(
    aws: LocalAws, function: str, sample: str, route_key: str | None
) -> None:
    event = http_event(sample, origin_secret=aws.origin_secret[:-1] + "!", route_key=route_key)

    response = call_http(function, event)

    assert response.status == 403


def test_the_sample_secret_is_not_the_local_one(aws: LocalAws) -> None:
    event = http_event("http_login", origin_secret=None, route_key="GET /api/health")
    event["headers"][ORIGIN_VERIFY_HEADER] = "sample-origin-secret"

    assert call_http("meta", event).status == 403


def test_with_the_right_origin_secret_health_is_ok(aws: LocalAws) -> None:
    response = call_http("meta", http_event("http_login", origin_secret=aws.origin_secret, route_key="GET /api/health"))

    assert response.status == 200
    assert response.json() == {"status": "ok"}


def test_config_tells_a_browser_where_to_connect(aws: LocalAws) -> None:
    response = call_http("meta", http_event("http_login", origin_secret=aws.origin_secret, route_key="GET /api/config"))

    assert response.status == 200
    assert response.json() == {
        "public_url": "http://localhost:8000",
        "websocket_url": "ws://localhost:8000/ws",
        "support_domain": "localhost",
        "languages": ["en", "es", "de", "cs"],
        "stage": "local",
    }
