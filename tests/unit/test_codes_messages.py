"""What customers read about a code, in every language: each language has every message, with
the same placeholders; plurals follow each language's grammar; the email has a text and an HTML
part, both with the link, the code and the time left, and the HTML escapes what people typed."""

from __future__ import annotations

from string import Formatter

import pytest

from deskless.languages import LANGUAGES
from functions.codes.invitation import render_email
from functions.codes.messages import TEXT, duration, language_or_default

VALUES = {
    "url": "http://acme.localhost:8000/join/012345678",
    "code": "012 345 678",
    "duration": "18 more minutes",
    "technician": "Ted Tech",
    "company": "Acme",
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def test_every_language_deskless_speaks_has_messages() -> None:
    assert set(TEXT) == set(LANGUAGES)


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_every_language_has_every_message_with_the_same_placeholders(language: str) -> None:
    assert set(TEXT[language]) == set(TEXT["en"])
    for key, english in TEXT["en"].items():
        assert placeholders(TEXT[language][key]) == placeholders(english), (language, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invitation_and_email_use_only_values_that_are_given(language: str) -> None:
    for key, template in TEXT[language].items():
        given = {"n"} if key.startswith("minutes_") else set(VALUES)
        assert placeholders(template) <= given, (language, key)
    assert {"url", "code", "duration"} <= placeholders(TEXT[language]["invitation"])


@pytest.mark.parametrize(
    ("language", "minutes", "said"),
    [
        ("en", 1, "1 more minute"),
        ("en", 18, "18 more minutes"),
        ("es", 1, "1 minuto más"),
        ("es", 2, "2 minutos más"),
        ("de", 1, "1 Minute"),
        ("de", 20, "20 Minuten"),
        ("cs", 1, "1 minutu"),
        ("cs", 3, "3 minuty"),
        ("cs", 5, "5 minut"),
        ("cs", 20, "20 minut"),
    ],
)
def test_minutes_are_counted_in_each_languages_grammar(language: str, minutes: int, said: str) -> None:
    assert duration(language, minutes) == said


def test_an_unknown_language_falls_back_to_the_portals_then_english() -> None:
    assert language_or_default("de", "cs") == "de"
    assert language_or_default(None, "cs") == "cs"
    assert language_or_default(None, "xx") == "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_has_the_link_code_and_time_left_in_both_parts(language: str) -> None:
    values = {**VALUES, "duration": duration(language, 18)}

    subject, text, html = render_email(language, values)

    assert "Acme" in subject
    for part in (text, html):
        assert VALUES["url"] in part
        assert VALUES["code"] in part
        assert values["duration"] in part
        assert "Ted Tech" in part
    assert f'<a href="{VALUES["url"]}"' in html
    assert html.startswith(f'<!doctype html><html lang="{language}">')


def test_the_html_part_escapes_what_people_typed() -> None:
    values = {**VALUES, "technician": "<b>Ted</b> & co", "company": 'Acme "Inc"'}

    _, text, html = render_email("en", values)

    assert "<b>Ted</b>" not in html
    assert "&lt;b&gt;Ted&lt;/b&gt; &amp; co" in html
    assert "<b>Ted</b> & co" in text
