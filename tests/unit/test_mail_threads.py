"""A reply by email finds its ticket by a Message-ID only Deskless can write, or by the `[#1001]`
tag in its subject: a forged or altered id names no ticket, and the tag is added once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from deskless import auth
from deskless.mail_threads import (
    message_id,
    outgoing_thread,
    tag_in_subject,
    tagged_subject,
    ticket_of_references,
)
from deskless.settings import get_settings
from tests.unit.test_email_settings import functions_environment

KEY = b"unit-test-signing-key-of-32-bytes+"


@pytest.fixture(autouse=True)
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    functions_environment(monkeypatch)  # mail_from desk@mail.example.com
    monkeypatch.setattr(auth, "signing_key", lambda: KEY)
    yield
    get_settings.cache_clear()


def test_a_message_id_names_the_ticket_and_entry_at_the_mail_domain() -> None:
    made = message_id(1001, "e-01JQ8Z")
    assert re.fullmatch(r"<t1001\.e-01JQ8Z\.[a-z2-7]{26}@mail\.example\.com>", made), made
    assert message_id(1001, "e-01JQ8Z") == made  # the same entry, the same id


def test_a_reply_to_a_deskless_message_names_its_ticket() -> None:
    assert ticket_of_references(message_id(1001, "e1"), None) == 1001


def test_references_are_read_from_the_newest() -> None:
    references = f"{message_id(1001, 'e1')} <CAF=abc@mail.gmail.com> {message_id(1002, 'e7')}"
    assert ticket_of_references(None, references) == 1002


def test_in_reply_to_comes_before_references() -> None:
    assert ticket_of_references(message_id(1003, "e2"), message_id(1002, "e1")) == 1003


def test_a_foreign_in_reply_to_falls_back_to_references() -> None:
    # SES replaced the Message-ID of what it sent; the signed id came back in References.
    in_reply_to = "<0100019abc-1234@email.amazonses.com>"
    references = f"<first@mail.gmail.com> {message_id(1001, 'e1')}"
    assert ticket_of_references(in_reply_to, references) == 1001


def test_an_altered_number_or_entry_names_no_ticket() -> None:
    genuine = message_id(1001, "e1")
    other_number = genuine.replace("<t1001.", "<t1002.")
    other_entry = genuine.replace(".e1.", ".e2.")
    assert ticket_of_references(other_number, None) is None
    assert ticket_of_references(other_entry, None) is None


def test_an_id_signed_with_another_key_names_no_ticket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "signing_key", lambda: b"another deployment's key, 32 bytes")
    forged = message_id(1001, "e1")
    monkeypatch.setattr(auth, "signing_key", lambda: KEY)
    assert ticket_of_references(forged, forged) is None


def test_a_forgery_before_a_genuine_id_is_skipped() -> None:
    genuine = message_id(1001, "e1")
    forged = f"<t1999.e1.{'a' * 26}@mail.example.com>"
    assert ticket_of_references(forged, genuine) == 1001


def test_the_signature_reads_in_any_case_and_the_domain_may_differ() -> None:
    # base32 has one letter per value in either case; a changed mail domain keeps old threads.
    genuine = message_id(1001, "e1")
    local, _ = genuine[1:-1].split("@")
    number, entry, signature = local.split(".")
    assert ticket_of_references(f"<{number}.{entry}.{signature.upper()}@old.example.net>", None) == 1001


@pytest.mark.parametrize("headers", [(None, None), ("", ""), ("not an id", "<>"), ("<t1001@x>", "<t.e.s@x>")])
def test_no_deskless_id_names_no_ticket(headers: tuple[str | None, str | None]) -> None:
    assert ticket_of_references(*headers) is None


def test_leading_zeros_are_not_another_spelling_of_the_number() -> None:
    genuine = message_id(1001, "e1")
    assert ticket_of_references(genuine.replace("<t1001.", "<t01001."), None) is None


@pytest.mark.parametrize(("number", "entry"), [(0, "e1"), (-5, "e1"), (1001, ""), (1001, "a.b"), (1001, "x" * 65)])
def test_an_id_is_made_only_of_what_it_can_carry(number: int, entry: str) -> None:
    with pytest.raises(ValueError):
        message_id(number, entry)


def test_an_outgoing_thread_carries_its_signed_id_last_in_references() -> None:
    customer = "<CAF=first@mail.gmail.com>"
    thread = outgoing_thread(1001, "e2", in_reply_to=customer, references=["<older@example.org>"])
    assert thread.message_id == message_id(1001, "e2")
    assert thread.in_reply_to == customer
    assert thread.references == ("<older@example.org>", customer, message_id(1001, "e2"))


def test_a_first_notice_references_only_itself() -> None:
    thread = outgoing_thread(1001, "e1")
    assert (thread.in_reply_to, thread.references) == (None, (message_id(1001, "e1"),))


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[#1001] Printer broken", 1001),
        ("Re: [#1001] Printer broken", 1001),
        ("RE: RE: [#1001] Printer broken", 1001),
        ("Fwd: Re: [#1001] Printer broken", 1001),
        ("AW: [#1001] Drucker defekt", 1001),
        ("Odp: [#1001] Tiskárna nefunguje", 1001),
        ("RV: Printer broken [#1001]", 1001),
        ("Printer broken", None),
        ("Printer [#] broken [1001]", None),
        ("", None),
    ],
)
def test_the_tag_is_found_anywhere_in_a_subject(subject: str, number: int | None) -> None:
    assert tag_in_subject(subject) == number


def test_no_subject_has_no_tag() -> None:
    assert tag_in_subject(None) is None


@pytest.mark.parametrize(
    ("subject", "tagged"),
    [
        ("Printer broken", "[#1001] Printer broken"),
        ("Re: Printer broken", "Re: [#1001] Printer broken"),
        ("RE: AW: Drucker defekt", "RE: AW: [#1001] Drucker defekt"),
        ("Re: [#1001] Printer broken", "Re: [#1001] Printer broken"),
        ("Printer broken [#1001]", "Printer broken [#1001]"),
        ("", "[#1001]"),
    ],
)
def test_the_tag_is_added_once_after_reply_prefixes(subject: str, tagged: str) -> None:
    assert tagged_subject(subject, 1001) == tagged


def test_tagging_twice_changes_nothing() -> None:
    once = tagged_subject("Re: Printer broken", 1001)
    assert tagged_subject(once, 1001) == once
    assert tag_in_subject(once) == 1001
