"""Text from whatever a sender's mail program wrote: a received message must be recorded even
when it names a charset Python does not know (`unknown-8bit`, which mail relays write when
they pass on 8-bit bytes of no declared charset; a typo; an empty name) or its bytes do not
fit the charset it names.

The standard library raises LookupError on a body in an unknown charset, and turns header
bytes it cannot decode into U+FFFD. Here both are decoded with the charset named when it
works, else as UTF-8 when the bytes are UTF-8 (non-ASCII bytes that happen to form valid UTF-8
almost never are anything else), else as Windows-1252, the superset of Latin-1 that browsers
read Latin-1 labels as: every byte is a character there, so nothing is lost.
"""

from __future__ import annotations

import base64
import binascii
import re
from email.contentmanager import ContentManager
from email.message import Message
from email.policy import EmailPolicy
from typing import Any

FALLBACK_CHARSET = "windows-1252"

# An RFC 2047 encoded word, =?charset?encoding?text?=, with an RFC 2231 language (charset*lang) allowed.
_ENCODED_WORD = re.compile(
    r"=\?(?P<charset>[^?*\s]+)(?:\*[^?\s]*)?\?(?P<encoding>[BbQq])\?(?P<text>[\x21-\x3e\x40-\x7e]*)\?="
)


def decode_leniently(data: bytes, charset: str | None) -> str:
    """`data` as text: in `charset` if Python knows it and the bytes fit, else UTF-8 if they
    fit, else Windows-1252 (undefined bytes there become U+FFFD).

    >>> decode_leniently("Grüße".encode(), "unknown-8bit")
    'Grüße'
    >>> decode_leniently("Grüße".encode("latin-1"), "utf-8")
    'Grüße'
    """
    for candidate in (charset, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, ValueError):  # unknown or not a text codec; bytes not in it; a NUL in the name
                continue
    return data.decode(FALLBACK_CHARSET, errors="replace")


def _text_content(part: Message) -> str:
    payload = part.get_payload(decode=True)
    return decode_leniently(payload if isinstance(payload, bytes) else b"", part.get_content_charset())


def _as_utf8_word(word: re.Match[str]) -> str:
    """An encoded word re-encoded in UTF-8 from its text decoded leniently; as it was if its
    text is not valid base64 or quoted-printable (the parser keeps it as it is, with a defect)."""
    text = word["text"].encode("ascii")
    try:
        if word["encoding"] in "Qq":
            data = binascii.a2b_qp(text, header=True)
        else:
            data = base64.b64decode(text + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return word[0]
    return f"=?utf-8?b?{base64.b64encode(decode_leniently(data, word['charset']).encode()).decode('ascii')}?="


def repaired_header(value: str) -> str:
    """A raw header value the standard parser then decodes without loss: bytes sent unencoded
    (the parser keeps each non-ASCII byte as a lone surrogate) decoded leniently, and every
    encoded word re-encoded in UTF-8 from its text decoded leniently.

    >>> repaired_header("=?unknown-8bit?q?Gr=FC=DFe?=")
    '=?utf-8?b?R3LDvMOfZQ==?='
    """
    unencoded = decode_leniently(value.encode("utf-8", "surrogateescape"), None)
    return _ENCODED_WORD.sub(_as_utf8_word, unencoded)


class LenientPolicy(EmailPolicy):
    """email.policy.default, but headers are repaired before they are parsed and text parts'
    get_content() decodes leniently (the only content this function reads)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        # A value set by code, not parsed from bytes, is already a header object.
        return super().header_fetch_parse(name, value if hasattr(value, "name") else repaired_header(value))


_TEXT = ContentManager()
_TEXT.add_get_handler("text", _text_content)

LENIENT = LenientPolicy(content_manager=_TEXT)
