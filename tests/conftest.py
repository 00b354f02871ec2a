"""Shared fixtures: local AWS (moto's server on loopback, provisioned like the stack) for the
integration tests, with the functions' environment set as the local platform sets it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.functions import forget_cold_start
from local.mail import Outbox
from local.services import LocalNames, MotoServer, local_client, provisioned_environment, secret_value

EVENTS = Path(__file__).resolve().parent.parent / "events"


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = MotoServer()
    url = server.start()
    yield url
    server.stop()


class LocalAws:
    def __init__(self, url: str, names: LocalNames) -> None:
        self.url = url
        self.names = names

    def client(self, service: str) -> Any:
        return local_client(service, self.url)

    def secret(self, name: str) -> str:
        return secret_value(self.names, self.url, name)

    @property
    def origin_secret(self) -> str:
        return self.secret(self.names.origin_secret)


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    """Fresh, provisioned local AWS for one test, and the functions' environment pointing at it."""
    import requests

    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    names = LocalNames()
    for name, value in provisioned_environment(names, moto_url).items():
        monkeypatch.setenv(name, value)
    forget_cold_start()
    yield LocalAws(moto_url, names)
    forget_cold_start()
    assert os.environ["DESKLESS_STAGE"] == "local"


@pytest.fixture
def outbox(aws: LocalAws) -> Outbox:
    """What moto's SES sends from now on, in this test (what it held before is forgotten)."""
    box = Outbox(aws.url)
    box.clear()
    return box
