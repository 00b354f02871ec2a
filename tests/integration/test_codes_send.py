"""Sending a code to a customer: the invitation email through SES and the invitation text to
copy, in the language the technician chooses (English, Spanish, German, Czech), else the
portal's; each with the code, its join link and how long it stays valid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deskless.companies import create_company, create_portal
from local.mail import Outbox
from tests.conftest import LocalAws
from tests.helpers import ADMIN
from tests.integration.test_codes import OTHER_TECHNICIAN, CodesApi, expire, forget_caches

# What each language says in the invitation, whatever the code (see functions/codes/messages.py)
SAYS = {
    "en": ("Dear Customer,", "more minutes", "Your Acme support session"),
    "es": ("Estimado cliente:", "minutos más", "Su sesión de soporte de Acme"),
    "de": ("Sehr geehrte Kundin, sehr geehrter Kunde,", "Minuten gültig", "Ihre Support-Sitzung bei Acme"),
    "cs": ("Vážený zákazníku,", "minut", "Relace podpory Acme"),
}


@pytest.fixture
def codes(aws: LocalAws) -> Iterator[CodesApi]:
    forget_caches()
    create_portal(create_company("Acme"), "acme")
    create_portal(create_company("Globex"), "globex", language="cs")
    yield CodesApi(aws)
    forget_caches()


def readable(code: str) -> str:
    return f"{code[:3]} {code[3:6]} {code[6:]}"


@pytest.mark.parametrize("language", ["es", "de", "cs"])
def test_an_invitation_email_in_the_chosen_language_carries_the_code_and_its_link(
    codes: CodesApi, outbox: Outbox, language: str
) -> None:
    code = codes.created("Carla Customer")

    response = codes.email(code["code"], {"to": "carla@customer.example", "language": language})

    assert response.status == 202
    assert response.json() == {"sent_to": "carla@customer.example", "language": language}
    [sent] = outbox.messages()
    assert sent["to"] == ["carla@customer.example"]
    assert sent["subject"] == SAYS[language][2]
    assert f'href="{code["join_url"]}"' in sent["html"]
    assert readable(code["code"]) in sent["html"]
    assert SAYS[language][1] in sent["text"]
    assert "Ted Tech" in sent["text"]


def test_the_email_is_in_the_portals_language_unless_another_is_chosen(codes: CodesApi, outbox: Outbox) -> None:
    code = codes.created("Carla Customer", portal="globex")

    response = codes.email(code["code"], {"to": "carla@customer.example"})

    assert response.json()["language"] == "cs"
    assert outbox.messages()[0]["subject"] == "Relace podpory Globex"


def test_what_people_typed_is_escaped_in_the_html(codes: CodesApi, outbox: Outbox) -> None:
    code = codes.created("<script>alert(1)</script>")
    codes.email(code["code"], {"to": "carla@customer.example", "language": "en"})

    assert "<script>" not in outbox.messages()[0]["html"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"to": "not-an-address"}, "to"), ({"to": "carla@customer.example", "language": "fr"}, "language"), ({}, "to")],
)
def test_an_invalid_email_request_is_a_400_and_nothing_is_sent(
    codes: CodesApi, outbox: Outbox, body: dict[str, Any], field: str
) -> None:
    code = codes.created("Carla Customer")

    response = codes.email(code["code"], body)

    assert response.status == 400
    assert [d["field"] for d in response.json()["details"]] == [field]
    assert outbox.messages() == []


def test_an_expired_or_foreign_code_is_not_sent(codes: CodesApi, outbox: Outbox) -> None:
    expired = codes.created("expired")["code"]
    expire(expired)
    theirs = codes.created("theirs", caller=OTHER_TECHNICIAN)["code"]

    for code in (expired, theirs, "123456789"):
        response = codes.email(code, {"to": "carla@customer.example"})
        assert (response.status, response.json()["error"]) == (404, "not_found")
    assert outbox.messages() == []


def test_an_admin_may_send_any_code(codes: CodesApi, outbox: Outbox) -> None:
    code = codes.created("Carla Customer")["code"]

    assert codes.email(code, {"to": "carla@customer.example"}, caller=ADMIN).status == 202


@pytest.mark.parametrize("language", ["en", "es", "de", "cs"])
def test_the_invitation_text_carries_the_link_and_the_code_in_the_chosen_language(
    codes: CodesApi, language: str
) -> None:
    code = codes.created("Carla Customer")

    response = codes.invitation(code["code"], language)

    assert response.status == 200
    invitation = response.json()
    assert (invitation["code"], invitation["url"], invitation["language"]) == (code["code"], code["join_url"], language)
    text = invitation["text"]
    assert text.startswith(SAYS[language][0])
    assert code["join_url"] in text
    assert readable(code["code"]) in text
    assert SAYS[language][1] in text


def test_the_english_invitation_reads_as_a_customer_expects(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    text = codes.invitation(code["code"], "en").json()["text"]

    assert text == (
        "Dear Customer,\n"
        f"please click this link to begin your support session: {code['join_url']}\n"
        f"If you are asked for a code, enter {readable(code['code'])}. The link is valid for 20 more minutes.\n"
    )


def test_the_invitation_text_defaults_to_the_portals_language(codes: CodesApi) -> None:
    code = codes.created("Carla Customer", portal="globex")

    invitation = codes.invitation(code["code"]).json()

    assert invitation["language"] == "cs"
    assert invitation["text"].startswith("Vážený zákazníku,")


def test_an_unknown_language_or_code_is_refused(codes: CodesApi) -> None:
    code = codes.created("Carla Customer")

    assert codes.invitation(code["code"], "fr").status == 400
    assert codes.invitation("123456789", "en").status == 404
    assert codes.invitation(code["code"], "en", caller=OTHER_TECHNICIAN).status == 404
