"""Which language a page speaks: the `lang` parameter, else the browser's Accept-Language (by
its q-values), else the default of whatever the page belongs to (an invitation, a portal),
else English."""

from __future__ import annotations

from collections.abc import Iterable

from deskless.languages import DEFAULT_LANGUAGE, LANGUAGES


def _primary(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-", 1)[0]


def accepted(header: str) -> list[str]:
    """The primary language tags of an Accept-Language header, most wanted first (q=0 left out).

    >>> accepted("de-CH, fr;q=0.9, en;q=0.95, *;q=0.5, es;q=0")
    ['de', 'en', 'fr']
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = _primary(tag)
        if code and code != "*" and quality > 0:
            ranked.append((-quality, position, code))
    return list(dict.fromkeys(code for _, _, code in sorted(ranked)))


def choose_language(requested: str | None, accept_language: str, defaults: Iterable[str | None] = ()) -> str:
    """The first of: `requested`, the browser's preferences, each of `defaults`, that Deskless speaks.

    >>> choose_language("cs", "de", ["es"]), choose_language(None, "fr, de;q=0.5", ["es"])
    ('cs', 'de')
    >>> choose_language("xx", "fr", [None, "es"]), choose_language(None, "", [])
    ('es', 'en')
    """
    candidates = [_primary(requested or ""), *accepted(accept_language), *(d or "" for d in defaults)]
    return next((code for code in candidates if code in LANGUAGES), DEFAULT_LANGUAGE)
