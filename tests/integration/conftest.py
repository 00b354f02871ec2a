"""Fixtures the integration tests share, and a visitor of a portal as the portals function sees one."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from deskless.auth import Role
from deskless.users import StaffUser, create_staff
from local.moto_transactions import Mode, use
from local.streams import StreamPoller, TtlLedger
from tests.conftest import LocalAws
from tests.helpers import ConnectionsStub, HttpResult, call_http, http_event, invoke

HOST = "acme.localhost:8000"


@pytest.fixture
def stream(aws: LocalAws) -> Iterator[StreamPoller]:
    """The table's stream, delivered to the events function through the catalog's mappings when
    the test polls it (`poll_once`)."""
    poller = StreamPoller(
        endpoint_url=aws.url, table_name=aws.names.table, invoke=invoke, ledger=TtlLedger(), interval_s=0.05
    )
    yield poller
    poller.stop()


@pytest.fixture
def moto_transactions() -> Iterator[Callable[[Mode], None]]:
    """Switches how moto rolls back a canceled transaction (local.moto_transactions) for one test;
    back to the journal, the default, after it."""
    yield use
    use("journal")


@dataclass
class Visitor:
    """A browser on a portal's host: each request as CloudFront passes it to the portals function."""

    aws: LocalAws
    host: str = HOST
    accept_language: str = "en-GB,en;q=0.9"
    ip: str = "198.51.100.7"

    def request(
        self, route_key: str, *, query: dict[str, str] | None = None, body: Any = None, **headers: str
    ) -> HttpResult:
        event = http_event(
            "http_portal_home",
            origin_secret=self.aws.origin_secret,
            body=body,
            route_key=route_key,
            headers={
                "x-deskless-host": self.host,
                "accept-language": self.accept_language,
                "x-deskless-viewer-ip": self.ip,
                **({"content-type": "application/json"} if body is not None else {}),
                **headers,
            },
        )
        if query:
            event["rawQueryString"] = urlencode(query)
            event["queryStringParameters"] = query
        return call_http("portals", event)

    def home(self, **query: str) -> HttpResult:
        return self.request("GET /", query=query)


def technician(name: str = "Tina Tech") -> StaffUser:
    return create_staff(f"{name.split()[0].lower()}-{time.time_ns()}@example.com", name, Role.TECHNICIAN, "pw-123456")


@pytest.fixture
def connections(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectionsStub]:
    """API Gateway's @connections on loopback, which the functions post to (and which records it)."""
    with ConnectionsStub().running() as stub:
        stub.serve_functions(monkeypatch)
        yield stub


@pytest.fixture
def tina(aws: LocalAws) -> StaffUser:
    """A technician, stored."""
    return technician()


@pytest.fixture
def visitor(aws: LocalAws) -> Visitor:
    return Visitor(aws)


def page_data(page: HttpResult, element_id: str = "support-data") -> dict[str, Any]:
    """The JSON data block a portal page hands its script."""
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page.body)
    assert found, "the page carries its data block"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def language_of(page: HttpResult) -> str:
    found = re.search(r'<html lang="(\w+)">', page.body)
    assert found
    return found.group(1)
