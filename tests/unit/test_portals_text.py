"""The portal pages speak English, Spanish, German and Czech: every language says everything
the pages say, with the same placeholders, and each page's script (the shared chat and the
page's own part) gets every text it shows."""

from __future__ import annotations

import re
import string

import pytest

from deskless.languages import LANGUAGES
from functions.portals import join, support, ticket_pages
from functions.portals.pages import asset
from functions.portals.text import (
    CHAT_KEYS,
    LANGUAGE_NAMES,
    SCREEN_KEYS,
    SCRIPT_KEYS,
    SUPPORT_KEYS,
    TEXT,
    TICKET_SCRIPT_KEYS,
)


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


def used_texts(script: str) -> set[str]:
    return set(re.findall(r"\bT\.(\w+)", script))


def test_the_join_page_script_gets_every_status_and_error_it_shows() -> None:
    used = used_texts(join.SCRIPT.source)
    assert used <= set(SCRIPT_KEYS)
    assert set(SCRIPT_KEYS) <= set(TEXT["en"])
    assert {"error_code_invalid", "error_too_many_attempts", "invite_invalid", "status_technician_ended"} <= used


def test_the_support_page_script_gets_every_text_it_shows() -> None:
    used = used_texts(support.SCRIPT.source)
    assert used <= set(SUPPORT_KEYS)
    assert set(SUPPORT_KEYS) <= set(TEXT["en"])
    assert {"waiting_position", "late_title", "error_request_lost", "launcher_message", "status_you_ended"} <= used


def test_the_shared_chat_says_only_what_both_pages_give_it() -> None:
    chat = used_texts(asset("chat.js"))
    assert chat == set(CHAT_KEYS)
    assert chat <= set(SCRIPT_KEYS) & set(SUPPORT_KEYS)


def test_screen_sharing_says_every_screen_text_and_both_pages_give_it() -> None:
    screen = used_texts(asset("screen.js"))
    assert screen - set(CHAT_KEYS) == set(SCREEN_KEYS)
    assert set(SCREEN_KEYS) <= set(SCRIPT_KEYS) & set(SUPPORT_KEYS)


def test_both_pages_inline_the_shared_chat_and_screen_sharing_before_their_own_script() -> None:
    shared = "\n".join(asset(name) for name in ("chat.js", "peer.js", "screen.js"))
    for page, own in ((join.SCRIPT, "join.js"), (support.SCRIPT, "support.js")):
        assert page.source == f"{shared}\n{asset(own)}"


def test_the_ticket_pages_script_gets_every_text_it_shows() -> None:
    used = used_texts(ticket_pages.SCRIPT.source)
    assert used == set(TICKET_SCRIPT_KEYS)
    assert set(TICKET_SCRIPT_KEYS) <= set(TEXT["en"])
