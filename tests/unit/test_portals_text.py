"""The portal pages speak English, Spanish, German and Czech: every language says everything
the pages say, with the same placeholders, and the join page's script gets what it needs."""

from __future__ import annotations

import re
import string

import pytest

from deskless.languages import LANGUAGES
from functions.portals.join import SCRIPT
from functions.portals.pages import TEXT
from functions.portals.text import LANGUAGE_NAMES, SCRIPT_KEYS


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_there_is_one_dict_per_language_deskless_speaks() -> None:
    assert set(TEXT) == set(LANGUAGES) == set(LANGUAGE_NAMES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_key(language: str) -> None:
    assert set(TEXT[language]) == set(TEXT["en"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_has_the_same_placeholders_as_in_english(language: str) -> None:
    different = {
        key: (placeholders(text), placeholders(TEXT["en"][key]))
        for key, text in TEXT[language].items()
        if placeholders(text) != placeholders(TEXT["en"][key])
    }
    assert different == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_empty_or_left_in_english(language: str) -> None:
    assert all(text.strip() for text in TEXT[language].values())
    if language != "en":
        same = [key for key, text in TEXT[language].items() if text == TEXT["en"][key]]
        assert same == []


def test_the_script_gets_every_status_and_error_it_shows() -> None:
    used = set(re.findall(r"\bT\.(\w+)", SCRIPT))
    assert used <= set(SCRIPT_KEYS)
    assert set(SCRIPT_KEYS) <= set(TEXT["en"])
    assert {"error_code_invalid", "error_too_many_attempts", "invite_invalid", "status_technician_ended"} <= used
