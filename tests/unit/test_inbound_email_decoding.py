"""Received mail is read whatever charset it claims: the named charset when Python knows it and
the bytes fit, else UTF-8 when they fit, else Windows-1252; headers the same way, unencoded
bytes and encoded words alike (tests/integration/test_inbound_email.py records such mail)."""

from __future__ import annotations

from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from functions.inbound_email.decoding import LENIENT, decode_leniently

DECODED = {
    "the named charset, when the bytes fit it": ("Привет".encode("koi8-r"), "koi8-r", "Привет"),
    "unknown-8bit, UTF-8 bytes": ("Grüße".encode(), "unknown-8bit", "Grüße"),
    "unknown-8bit, Windows-1252 bytes": (b"\x93Gr\xfc\xdfe\x94", "unknown-8bit", "“Grüße”"),
    "no charset named": ("Grüße".encode(), None, "Grüße"),
    "an empty name": (b"Gr\xfc\xdfe", "", "Grüße"),
    "a codec that is not a text encoding": (b"plain", "rot13", "plain"),
    "a NUL in the name": (b"plain", "utf-8\x00", "plain"),
    "UTF-8 named, Latin-1 sent": (b"Caf\xe9", "utf-8", "Café"),
    "bytes Windows-1252 leaves undefined": (b"a\x81b", "unknown-8bit", "a\ufffdb"),
}


@pytest.mark.parametrize(("data", "charset", "text"), DECODED.values(), ids=DECODED.keys())
def test_bytes_are_decoded_in_the_charset_they_are_really_in(data: bytes, charset: str | None, text: str) -> None:
    assert decode_leniently(data, charset) == text


def parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=LENIENT).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def test_a_body_in_unknown_8bit_is_read_not_refused() -> None:
    message = parsed(b"Content-Type: text/plain; charset=unknown-8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n")

    assert message.get_content() == "Grüße\r\n"


def test_encoded_words_in_unknown_or_wrong_charsets_are_read_and_good_ones_are_unchanged() -> None:
    message = parsed(
        b"Subject: =?unknown-8bit?q?Gr=FC=DFe?= =?utf-8?b?w7w=?=\r\n"
        b"From: =?iso-8859-1*de?q?J=FCrgen?= <j@example.de>\r\n"
        b"To: =?utf-8?q?Caf=E9?= <cafe@example.org>\r\n\r\n"
    )

    assert str(message["subject"]) == "Grüßeü"  # whitespace between encoded words is not text (RFC 2047)
    assert str(message["from"]) == "Jürgen <j@example.de>"
    assert str(message["to"]) == "Café <cafe@example.org>"


def test_unencoded_bytes_in_a_header_are_read_as_utf8_or_windows_1252() -> None:
    message = parsed(b"Subject: Gr\xfc\xdfe\r\nFrom: Ji\xc5\x99\xc3\xad <jiri@example.cz>\r\n\r\n")

    assert (str(message["subject"]), str(message["from"])) == ("Grüße", "Jiří <jiri@example.cz>")


def test_a_header_set_by_code_is_kept_as_set() -> None:
    message = EmailMessage(policy=LENIENT)
    message["Subject"] = "Grüße =?not an encoded word"

    assert str(message["subject"]) == "Grüße =?not an encoded word"
