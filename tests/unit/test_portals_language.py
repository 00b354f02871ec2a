"""Which language a portal page speaks: the lang parameter, else the browser's
Accept-Language by its q-values, else the page's own default (invitation, portal), else English."""

from __future__ import annotations

import pytest

from functions.portals.language import accepted, choose_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("de", ["de"]),
        ("de-DE,de;q=0.9,en;q=0.8", ["de", "en"]),
        ("en;q=0.5, cs", ["cs", "en"]),  # by quality, not by position
        ("es-MX, es;q=0.9, *;q=0.1", ["es"]),  # a region counts as its language; * names none
        ("fr;q=0, de;q=0.3", ["de"]),  # q=0 means "not this"
        ("cs;q=nonsense, de", ["de"]),
        ("  EN-gb ;q=0.7 , De ", ["de", "en"]),
    ],
)
def test_accept_language_is_read_by_quality(header: str, expected: list[str]) -> None:
    assert accepted(header) == expected


def test_the_lang_parameter_wins_over_the_browser_and_the_defaults() -> None:
    assert choose_language("cs", "de-DE,de;q=0.9", ["es"]) == "cs"
    assert choose_language("ES", "de", []) == "es"
    assert choose_language("de-AT", "", []) == "de"


def test_a_lang_deskless_does_not_speak_is_ignored() -> None:
    assert choose_language("fr", "es", []) == "es"
    assert choose_language("<script>", "", []) == "en"


def test_the_browser_wins_over_the_defaults_and_skips_what_deskless_does_not_speak() -> None:
    assert choose_language(None, "fr-FR, fr;q=0.9, de;q=0.8", ["es"]) == "de"


def test_the_first_default_deskless_speaks_comes_next() -> None:
    assert choose_language(None, "fr, it;q=0.5", [None, "xx", "cs", "es"]) == "cs"


def test_english_when_nothing_else_is_known() -> None:
    assert choose_language(None, "", []) == "en"
    assert choose_language("", "ja", [None]) == "en"
