"""Reading a CSV file of contacts: what is refused whole, before anything is read or written, and
what is refused row by row, with the reason."""

from __future__ import annotations

import base64
import re

import pytest

from deskless.errors import InvalidCsv
from functions.contacts.imports import MAX_ROWS, decoded, read_rows


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_utf8_file_is_read_with_or_without_a_byte_order_mark() -> None:
    text = "name,email\nAntonín Dvořák,antonin@music.cz\n"

    assert decoded(b64(text.encode())) == text
    assert decoded(b64(b"\xef\xbb\xbf" + text.encode())) == text


def test_a_file_that_is_not_utf8_is_refused_naming_the_line() -> None:
    latin1 = "name,email\nCarla,carla@acme.com\nAntonín,antonin@music.cz\n".encode("latin-1")

    with pytest.raises(InvalidCsv, match=r"not UTF-8 text \(line 3.*CSV UTF-8.*Nothing was imported"):
        decoded(b64(latin1))


def test_a_file_whose_base64_is_broken_is_refused() -> None:
    with pytest.raises(InvalidCsv, match="did not arrive whole"):
        decoded("not base64!")


def test_rows_are_read_with_the_header_in_any_order_and_case() -> None:
    rows = read_rows("Email;NAME;Language;Primary;Phone\ncarla@acme.com; Carla Díaz ;ES;yes;+34 600 000 000\n")

    (row,) = rows
    assert (row.line, row.name, row.emails, row.language, row.primary, row.phone) == (
        2,
        "Carla Díaz",
        ["carla@acme.com"],
        "es",
        True,
        "+34 600 000 000",
    )
    assert row.problem == ""


def test_several_addresses_share_a_cell() -> None:
    (row,) = read_rows('name,email\nCarla,"carla@acme.com; C.Diaz@Acme.com carla@acme.com"\n')

    assert row.emails == ["carla@acme.com", "c.diaz@acme.com"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (",carla@acme.com", "the name"),
        ("Carla,", "no email address"),
        ("Carla,carla-at-acme", "is not an email address"),
        ("Carla,carla@acme.com,fr", "not one of en, es, de, cs"),
        ("Carla,carla@acme.com,en,maybe", "primary is yes or no"),
        ("Carla,carla@acme.com,en,no,extra", "1 cell(s) more than the header"),
        ("Carla\u202e,carla@acme.com", "one line of visible text"),
    ],
)
def test_a_bad_row_is_refused_with_its_reason_and_the_others_are_kept(line: str, problem: str) -> None:
    rows = read_rows(f"name,email,language,primary\n{line}\nBob,bob@acme.com\n")

    assert problem in rows[0].problem
    assert rows[1].problem == ""
    assert rows[1].emails == ["bob@acme.com"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ('""\n" "\n', "every line of it is blank"),
        ("name,email\n", "no contacts"),
        ("name,phone\nCarla,1\n", "needs the column(s) email"),
        ("name,email,title\nCarla,carla@acme.com,Boss\n", "Unknown column(s): 'title'"),
        ("name,email,email\nCarla,a@acme.com,b@acme.com\n", "appears twice"),
        ('name,email\n"Carla,carla@acme.com\n', "cannot be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_read_whole_is_refused_whole(text: str, message: str) -> None:
    with pytest.raises(InvalidCsv, match=re.escape(message)):
        read_rows(text)


def test_too_many_rows_are_refused_whole() -> None:
    text = "name,email\n" + "".join(f"P{n},p{n}@acme.com\n" for n in range(MAX_ROWS + 1))

    with pytest.raises(InvalidCsv, match=f"at most {MAX_ROWS}"):
        read_rows(text)

    assert len(read_rows("name,email\n" + "".join(f"P{n},p{n}@acme.com\n" for n in range(MAX_ROWS)))) == MAX_ROWS
