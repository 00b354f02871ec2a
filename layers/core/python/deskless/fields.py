"""The shapes of text the API takes from people, and the one rule each kind follows, used by every
model that takes text.

A name, title, label or reason is one line of visible text (`ONE_LINE`): control characters (CR
and LF among them, which would reach an email's headers; NUL), line and paragraph separators,
bidi controls (which make a name read backwards on screen and in a list) and zero-width
characters (which make two different names look alike) are refused, naming the character. A
message (`LINES`) keeps its line breaks and tabs and refuses the other control characters; one
that is only whitespace is refused. Lone surrogates never get this far (deskless.bodies).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_NEVER = ("Cc", "Cs", "Zl", "Zp")  # control characters, surrogates, line and paragraph separators


def _first_refused(text: str, *, keep: frozenset[str] = frozenset()) -> str | None:
    """The first character a text may not hold, described, or None."""
    for character in text:
        if character in keep:
            continue
        category = unicodedata.category(character)
        if category in _NEVER or character in BIDI_CONTROLS or character in ZERO_WIDTH:
            return f"U+{ord(character):04X} ({unicodedata.name(character, category)})"
    return None


def _one_line(text: str) -> str:
    if (found := _first_refused(text)) is not None:
        raise ValueError(f"must be one line of visible text; it holds {found}")
    return text


def _lines(text: str) -> str:
    if (found := _first_refused(text, keep=frozenset("\n\r\t"))) is not None:
        raise ValueError(f"must be visible text; it holds {found}")
    if not text.strip():
        raise ValueError("must not be blank")
    return text


ONE_LINE = AfterValidator(_one_line)
LINES = AfterValidator(_lines)

NAME_CHARS = 80
# A name a person gives (their own, a customer's, a code's, a key's): trimmed, one line, 1-80 characters.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_CHARS), ONE_LINE]
# The same, but it may be left empty (a label).
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NAME_CHARS), ONE_LINE]
# The name of a staff user or a company: up to 100 characters.
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), ONE_LINE]
