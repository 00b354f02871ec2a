"""Guessing runs are stopped, end to end: against session codes, and against staff passwords;
and no header a client sends makes it another source.

Every local client reaches the gateway from 127.0.0.1, so the blocks these tests provoke would
hold for ten minutes for every other test on the same platform: they get a platform of their own.
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

        # When the same source then tries the right code, as itself and claiming to be others
        blocked: httpx.Response = customer.post("/api/join", json={"code": code, "name": "Mallory"})
        disguised = [
            customer.post("/api/join", json={"code": code, "name": "Mallory"}, headers={name: value})
            for name, value in SPOOFED_SOURCES
        ]

    # Then it must wait, and is told how long; a forwarding header changes nothing (as behind
    # CloudFront, where the viewer's address is the one it saw, not one a header claims)
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert int(blocked.headers["retry-after"]) >= 600 - 60
    assert [answer.status_code for answer in disguised] == [429] * len(SPOOFED_SOURCES)


SPOOFED_SOURCES = [
    ("x-forwarded-for", "10.1.2.4"),
    ("x-forwarded-for", "10.1.2.5, 10.1.2.6"),
    ("forwarded", "for=10.1.2.7"),
    ("x-real-ip", "10.1.2.8"),
    ("x-deskless-viewer-ip", "10.1.2.9"),
]
SIGN_INS_ALLOWED_PER_SOURCE = 30


def test_a_password_guessing_run_from_one_source_is_stopped(own_platform: Platform) -> None:
    admin = DEMO_STAFF[0]
    with own_platform.http() as client:
        # Given thirty wrong passwords from one address, for accounts that exist and some that do not
        emails = [admin.email, "nobody@example.com", "someone@example.com"]
        answers = [
            client.post("/api/auth/login", json={"email": emails[n % 3], "password": f"guess {n}"})
            for n in range(SIGN_INS_ALLOWED_PER_SOURCE)
        ]
        assert {(a.status_code, a.json()["error"]) for a in answers} == {(401, "invalid_credentials")}

        # When the right password comes from there, as itself or behind a forwarding header
        right = {"email": admin.email, "password": admin.password}
        attempts = [client.post("/api/auth/login", json=right, headers=dict([h])) for h in SPOOFED_SOURCES[:2]]
        attempts.append(client.post("/api/auth/login", json=right))

    # Then it is refused until the failures stop counting
    assert [(a.status_code, a.json()["error"]) for a in attempts] == [(429, "too_many_attempts")] * len(attempts)
