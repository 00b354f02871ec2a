"""The rules of portal credentials that need no table: which passwords a contact may choose, what
a temporary password looks like, and how a token carries its contact and hides its secret."""

from __future__ import annotations

import hashlib

import pytest

from deskless.contacts import Contact, CreatedVia
from deskless.credentials import (
    MIN_PASSWORD_LENGTH,
    account_base,
    check_password,
    looks_temporary,
    new_token,
    password_problem,
    secret_hash,
    split_token,
    temporary_password,
)
from deskless.errors import PasswordRefused

CARLA = Contact(
    id="0123456789abcdef",
    name="Carla Client",
    emails=["carla.client@acme.example.com"],
    company_id="c1",
    created_via=CreatedVia.CONSOLE,
    created_at=0,
    updated_at=0,
)


@pytest.mark.parametrize(
    "password",
    ["password1234", "PASSWORD1234", "qwertyuiop", "1234567890", "baseball12"],
)
def test_the_most_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    assert password_problem(password) == "pw_common"


def test_a_password_shorter_than_the_minimum_is_refused_saying_the_minimum() -> None:
    assert len("x7!Kq2#m9") == MIN_PASSWORD_LENGTH - 1
    assert password_problem("x7!Kq2#m9") == "pw_too_short"
    assert password_problem("x7!Kq2#m9Z") is None


def test_a_password_of_one_repeated_character_or_the_contacts_own_address_is_refused() -> None:
    assert password_problem("zzzzzzzzzzzzz") == "pw_repetitive"
    assert password_problem("abababababab") == "pw_repetitive"
    assert password_problem("Carla.Client@acme.example.com", CARLA) == "pw_email"
    assert password_problem("carla.client", CARLA) == "pw_email"


def test_a_password_with_a_temporary_passwords_shape_is_refused_whatever_its_case() -> None:
    # a sign-in checks what has that shape against the temporary password alone
    assert password_problem("K7MQ-x3pt-9hwr-c2vd") == "pw_temporary"
    assert password_problem("k7mq-x3pt-9hwr-c2vd-more") is None


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    assert password_problem("violet tractor under the bridge", CARLA) is None


def test_a_refused_password_names_the_field_it_came_from() -> None:
    with pytest.raises(PasswordRefused) as refused:
        check_password("short")
    assert refused.value.details == [{"field": "password", "problem": refused.value.message}]
    assert refused.value.reason == "pw_too_short"
    assert str(MIN_PASSWORD_LENGTH) in refused.value.message


def test_a_temporary_password_is_long_readable_and_never_the_same() -> None:
    issued = {temporary_password() for _ in range(200)}
    assert len(issued) == 200
    for password in issued:
        assert len(password) == 19
        assert not set(password) & set("01ilo")
        assert looks_temporary(password)
        assert password_problem(password) == "pw_temporary"  # nobody chooses one: it would be checked as such


def test_a_token_names_its_contact_and_only_the_hash_of_its_secret_is_kept() -> None:
    token, stored = new_token(CARLA.id)
    contact_id, secret = token.split(".", 1)
    assert contact_id == CARLA.id
    assert len(secret) >= 43  # 32 random bytes
    assert stored == hashlib.sha256(secret.encode()).hexdigest() == secret_hash(secret)
    assert secret not in stored
    assert split_token(token) == (CARLA.id, stored)


@pytest.mark.parametrize("token", ["", "nope", "0123456789abcdef.", "0123456789abcdef.short", "XYZ." + "a" * 43])
def test_what_is_no_token_of_ours_is_refused_before_any_read(token: str) -> None:
    assert split_token(token) is None


def test_a_contacts_pages_are_under_help_on_their_portal_or_the_help_centre() -> None:
    assert account_base("http://acme.localhost:8000/") == "http://acme.localhost:8000/help/"
    assert account_base("http://localhost:8000/help") == "http://localhost:8000/help/"
