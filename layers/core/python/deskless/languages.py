"""The languages customer-facing pages and emails speak: English, Spanish, German, Czech.

`Language` is the one type every model that takes a language uses (an invitation's, a portal's,
an email's): the API refuses any other, naming the four."""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["en", "es", "de", "cs"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"


def spoken(code: str) -> Language:
    """The language a code names, if Deskless speaks it; else English.

    >>> spoken("cs"), spoken("fr")
    ('cs', 'en')
    """
    for language in LANGUAGES:
        if language == code:
            return language
    return DEFAULT_LANGUAGE
