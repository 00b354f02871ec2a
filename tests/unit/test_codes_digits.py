"""Session code digits: nine, from a cryptographic source, leading zeros kept; what people type
(spaces, dashes) is read back to the nine digits, anything else is not a code."""

from __future__ import annotations

import re
import secrets

import pytest

from deskless.settings import get_settings
from functions.codes.codes import join_url, new_digits, normalise, readable


def test_a_code_is_nine_digits() -> None:
    for _ in range(1000):
        assert re.fullmatch(r"[0-9]{9}", new_digits())


def test_the_digits_come_from_secrets_over_the_whole_range(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def randbelow(n: int) -> int:
        asked.append(n)
        return 42

    monkeypatch.setattr(secrets, "randbelow", randbelow)

    assert new_digits() == "000000042"  # a leading zero is kept: all 10^9 codes are used
    assert asked == [10**9]


def test_codes_drawn_are_spread_out() -> None:
    drawn = [new_digits() for _ in range(2000)]

    # 2,000 draws from 10^9 repeat one about once in 500 runs (the birthday bound); three repeats
    # would happen about once in a billion runs with a fair draw, and always with a broken one.
    assert len(drawn) - len(set(drawn)) <= 2
    assert {code[0] for code in drawn} == set("0123456789")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123456789", "123456789"),
        ("123 456 789", "123456789"),
        ("123-456-789", "123456789"),
        (" 123.456.789 ", "123456789"),
        ("012345678", "012345678"),
    ],
)
def test_what_people_type_is_read_as_the_code(typed: str, code: str) -> None:
    assert normalise(typed) == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345678",
        "1234567890",
        "12345678a",
        "123/456/789",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    ],
)
def test_anything_but_nine_digits_is_not_a_code(typed: str) -> None:
    assert normalise(typed) is None


def test_a_code_is_shown_in_groups_of_three() -> None:
    assert readable("012345678") == "012 345 678"


def test_the_join_url_is_on_the_portals_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKLESS_PUBLIC_URL", "https://support.example.com")
    for name in ("TABLE_NAME", "SIGNING_SECRET_ID", "SUPPORT_DOMAIN", "WEBSOCKET_URL", "WEBSOCKET_CALLBACK_URL"):
        monkeypatch.setenv(f"DESKLESS_{name}", "x")
    get_settings.cache_clear()
    try:
        assert join_url("acme", "012345678") == "https://acme.support.example.com/join/012345678"
    finally:
        get_settings.cache_clear()
