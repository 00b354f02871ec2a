"""Automatic mail (auto-replies, bounces, lists, no-reply senders, Deskless' own mail come back) is
told from mail a person wrote by its headers alone: such mail never creates a contact or sends a
welcome email, which is how mail loops and "Mail Delivery Subsystem" contacts are avoided."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from deskless.mail import LOOP_HEADER
from functions.inbound_email.automatic import sender_address, why_automatic


def message(sender: str = "Jane Doe <jane.doe@example.org>", **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@deskless.example.com"
    mail["Subject"] = "Printer"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("It is offline.")
    return mail


def test_a_persons_mail_is_not_automatic() -> None:
    assert why_automatic(message(Return_Path="<jane.doe@example.org>"), {"source": "jane.doe@example.org"}) is None


def test_auto_submitted_no_is_a_person() -> None:
    assert why_automatic(message(Auto_Submitted="no")) is None


@pytest.mark.parametrize("value", ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner=x"])
def test_auto_submitted_other_than_no_is_automatic(value: str) -> None:
    assert why_automatic(message(Auto_Submitted=value)) == f"Auto-Submitted: {value}"


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "Bulk"])
def test_precedence_bulk_junk_or_list_is_automatic(value: str) -> None:
    assert why_automatic(message(Precedence=value)) == f"Precedence: {value.lower()}"


def test_precedence_first_class_is_a_person() -> None:
    assert why_automatic(message(Precedence="first-class")) is None


def test_a_mailing_list_is_automatic() -> None:
    assert why_automatic(message(List_Id="Printers <printers.lists.example.org>")) == "List-Id"


def test_a_null_return_path_is_automatic() -> None:
    assert why_automatic(message(Return_Path="<>")) == "null return path"


def test_an_empty_envelope_sender_is_automatic() -> None:
    assert why_automatic(message(), {"source": ""}) == "null return path"
    assert why_automatic(message(), {"source": "<>"}) == "null return path"


@pytest.mark.parametrize(
    "sender",
    [
        "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>",
        "postmaster@example.org",
        "noreply@shop.example.com",
        "No Reply <no-reply@shop.example.com>",
        "no_reply@shop.example.com",
        "donotreply@bank.example.com",
        "do-not-reply@bank.example.com",
        "noreply+orders@shop.example.com",
    ],
)
def test_robot_senders_are_automatic(sender: str) -> None:
    assert (why_automatic(message(sender)) or "").startswith("sent from ")


@pytest.mark.parametrize("sender", ["norah@example.org", "replyguy@example.org", "postmasters-union@example.org"])
def test_people_whose_names_look_like_robots_are_not(sender: str) -> None:
    assert why_automatic(message(sender)) is None


def test_deskless_own_mail_is_automatic_whatever_else_it_says() -> None:
    mail = message(Auto_Submitted="no")
    mail[LOOP_HEADER] = "deskless.example.com"
    assert why_automatic(mail) == f"{LOOP_HEADER} (Deskless' own mail)"


def test_the_sender_is_the_from_address_in_lower_case() -> None:
    assert sender_address(message("Jane <Jane.Doe@Example.ORG>")) == "jane.doe@example.org"
    assert sender_address(message("undisclosed-recipients:;")) == ""


def test_mail_deskless_sends_is_known_as_its_own_when_it_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from deskless.mail import mime_message
    from deskless.settings import get_settings
    from tests.unit.test_email_settings import functions_environment

    functions_environment(monkeypatch)
    try:
        sent = mime_message(["carla@acme.example.com"], "Welcome", "Hello", "<p>Hello</p>", automatic=True)
        by_hand = mime_message(["carla@acme.example.com"], "Your code", "Hi", "<p>Hi</p>", automatic=False)
    finally:
        get_settings.cache_clear()

    assert (sent[LOOP_HEADER], sent["Auto-Submitted"]) == ("mail.example.com", "auto-generated")
    assert by_hand["Auto-Submitted"] is None
    assert why_automatic(sent) == "Auto-Submitted: auto-generated"
    assert why_automatic(by_hand) == f"{LOOP_HEADER} (Deskless' own mail)"
