"""`deskless dev --workers 2`: the functions run in worker processes (local.workers), and the
platform works as it does with them in its own process: HTTP through the authorizer, the
WebSocket API, and the stream's reactions reaching an open console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from local.seed import DEMO_STAFF
from tests.e2e.conftest import Platform, started_platform
from tests.e2e.test_sessions import create_code, receive, redeem, say


@pytest.fixture(scope="module")
def workers_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with started_platform(tmp_path_factory.mktemp("workers"), "--workers", "2") as started:
        yield started


def test_a_redeemed_code_reaches_the_technicians_console_through_the_workers(workers_platform: Platform) -> None:
    technician = DEMO_STAFF[1]
    token = workers_platform.login(technician.email, technician.password)
    with connect(workers_platform.websocket_url(token), open_timeout=30) as console:
        say(console, "ping")
        assert receive(console, "pong", timeout=30)
        code = create_code(workers_platform, token, "Workers")

        visit = redeem(workers_platform, str(code["code"]), "Carla")

        redeemed = receive(console, "code.redeemed", timeout=30)  # the stream, the events function, @connections
    assert (redeemed["code"], redeemed["name"]) == (code["code"], code["name"])
    assert redeemed["session"]["id"] == visit["session_id"]
