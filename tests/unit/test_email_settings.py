"""The email settings: support addresses are email addresses at the mail domain (where SES
receives for Deskless), each once, kept in lower case; the defaults are what a help desk wants on
its first day: the deployment's support addresses, contacts made from email, and the built-in
welcome template, whose set-password link is the safer choice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from deskless.preferences import Preferences, PreferencesChange, deployment_support_addresses
from deskless.settings import get_settings
from deskless.template_defaults import WELCOME


def functions_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the functions of a deployment at mail.example.com read (deskless.settings)."""
    for name, value in {
        "DESKLESS_TABLE_NAME": "t",
        "DESKLESS_SIGNING_SECRET_ID": "s",
        "DESKLESS_SUPPORT_DOMAIN": "support.example.com",
        "DESKLESS_PUBLIC_URL": "https://support.example.com",
        "DESKLESS_WEBSOCKET_URL": "wss://ws.support.example.com",
        "DESKLESS_WEBSOCKET_CALLBACK_URL": "https://ws.support.example.com",
        "DESKLESS_MAIL_FROM": "desk@mail.example.com",
        "DESKLESS_SUPPORT_ADDRESSES": "Help@mail.example.com, billing@mail.example.com",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    functions_environment(monkeypatch)
    yield
    get_settings.cache_clear()


def test_the_defaults_are_the_deployments_addresses_contacts_on_and_the_built_in_welcome() -> None:
    preferences = Preferences()

    assert preferences.support_addresses == []  # until set: the deployment's, filled in when read
    assert deployment_support_addresses() == ["help@mail.example.com", "billing@mail.example.com"]
    assert preferences.create_contacts_from_email is True
    assert preferences.welcome_new_contacts is True
    assert preferences.welcome_template_id == WELCOME


def test_without_deployment_addresses_the_sender_address_is_the_support_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DESKLESS_SUPPORT_ADDRESSES")
    get_settings.cache_clear()

    assert deployment_support_addresses() == ["desk@mail.example.com"]


def test_support_addresses_are_kept_in_lower_case_without_spaces() -> None:
    assert Preferences(support_addresses=[" Desk@MAIL.example.com "]).support_addresses == ["desk@mail.example.com"]


@pytest.mark.parametrize(
    ("addresses", "problem"),
    [
        (["desk@other.example.com"], "not at the mail domain mail.example.com"),
        (["desk@sub.mail.example.com"], "not at the mail domain"),
        (["desk"], "is not an email address"),
        (["desk@mail.example.com", "DESK@mail.example.com"], "listed once"),
        ([], "at least 1 item"),
    ],
)
def test_invalid_support_addresses_are_refused_saying_why(addresses: list[str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Preferences(support_addresses=addresses)


def test_a_change_names_only_the_settings_given_and_refuses_unknown_ones() -> None:
    change = PreferencesChange.model_validate({"welcome_new_contacts": False})
    assert change.model_dump(exclude_unset=True) == {"welcome_new_contacts": False}
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PreferencesChange.model_validate({"welcome_everyone": True})
    with pytest.raises(ValidationError, match="valid boolean"):
        PreferencesChange.model_validate({"welcome_new_contacts": "yes"})
