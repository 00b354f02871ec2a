"""deskless.bodies.parse_form: how every form-encoded body is read (the portal's account pages, and
the CSRF token a page's form sends): the first value of each named field, odd bytes as U+FFFD, and
a form with more fields than it has room for refused as a 400, never a crash."""

from __future__ import annotations

import pytest

from deskless.bodies import parse_form
from deskless.errors import InvalidRequest


def test_a_form_gives_the_first_value_of_each_named_field() -> None:
    fields = parse_form(b"email=carla%40example.com&password=a+b&email=other&empty=", max_fields=10)

    assert fields == {"email": "carla@example.com", "password": "a b"}


def test_fields_without_a_name_are_none() -> None:
    assert parse_form(b"=null&=%7B%7D&token=t", max_fields=10) == {"token": "t"}


@pytest.mark.parametrize(
    "raw",
    [b"email=%ff%fe", b"email=\xff\xfe", b"email=%ED%A0%80"],
    ids=["percent-encoded-latin1", "raw-latin1", "encoded-surrogate"],
)
def test_bytes_that_are_not_utf8_are_read_as_replacement_characters(raw: bytes) -> None:
    value = parse_form(raw, max_fields=10)["email"]

    assert set(value) == {"\ufffd"}
    value.encode("utf-8")  # text that can be stored and sent back


def test_a_form_with_as_many_fields_as_it_has_room_for_is_read() -> None:
    raw = "&".join(f"f{n}=v" for n in range(10)).encode()

    assert len(parse_form(raw, max_fields=10)) == 10


def test_a_form_with_more_fields_than_it_has_room_for_is_refused_named_or_not() -> None:
    raw = b"=a&" * 10 + b"email=x"

    with pytest.raises(InvalidRequest, match="more than 10 fields"):
        parse_form(raw, max_fields=10)
