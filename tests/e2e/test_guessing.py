"""A guessing run against session codes is stopped, end to end.

Every local client reaches the gateway from 127.0.0.1, so the block this test provokes would
hold for ten minutes for every other test on the same platform: it gets a platform of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from local.seed import DEMO_STAFF, DEMO_SUBDOMAIN
from tests.e2e.conftest import Platform, started_platform

GUESSES_ALLOWED = 10


@pytest.fixture(scope="module")
def own_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with started_platform(tmp_path_factory.mktemp("guessing")) as started:
        yield started


def test_a_guessing_run_from_one_source_is_stopped(own_platform: Platform) -> None:
    technician = DEMO_STAFF[1]
    token = own_platform.login(technician.email, technician.password)
    with own_platform.http() as staff, own_platform.http(host=f"{DEMO_SUBDOMAIN}.localhost") as customer:
        code = staff.post(
            "/api/codes",
            headers={"authorization": f"Bearer {token}"},
            json={"name": "Carla Customer", "portal": DEMO_SUBDOMAIN},
        ).json()["code"]
        wrong = [f"{n:09d}" for n in range(1, GUESSES_ALLOWED + 2) if f"{n:09d}" != code][:GUESSES_ALLOWED]

        # Given ten wrong guesses, each refused as not valid
        answers = [customer.post("/api/join", json={"code": guess, "name": "Mallory"}) for guess in wrong]
        assert [a.status_code for a in answers] == [404] * GUESSES_ALLOWED

        # When the same source then tries the right code
        blocked: httpx.Response = customer.post("/api/join", json={"code": code, "name": "Mallory"})

    # Then it must wait, and is told how long
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert int(blocked.headers["retry-after"]) >= 600 - 60
