"""Inbound email on `deskless dev`, as a customer's mail program and the console meet it: an email
to the support address over SMTP from an unknown sender at a company's domain makes a contact in
that company, who gets exactly one welcome email (in the outbox), whose link sets a password once
(a second use is refused), after which they sign in on their company's portal; one from gmail.com
lands in Unassigned; an out-of-office reply makes nothing.

The platform is shared by the whole suite: each test writes from addresses of its own."""

from __future__ import annotations

import re
from typing import Any

import httpx

from deskless.companies import UNASSIGNED_ID
from local.seed import DEMO_COMPANY
from tests.e2e.conftest import Platform, mail_to, send_mail, unique, wait_for


def received(platform: Platform, subject: str) -> dict[str, Any] | None:
    """The inbound_mail record of the message with this subject (test inspection, not a request path)."""
    items = platform.aws("dynamodb").scan(TableName=platform.names.table)["Items"]
    # (Powertools' idempotency records of the automation function carry no `type`)
    found = [item for item in items if item.get("type") == {"S": "inbound_mail"} and item["subject"]["S"] == subject]
    return found[0] if found else None


def welcomes(platform: Platform, address: str) -> list[dict[str, Any]]:
    """The welcome emails sent to `address` (each message to support also opens a ticket, whose
    "received" notice goes there too: tests/e2e/test_tickets_by_email.py)."""
    return [mail for mail in mail_to(platform, address) if "/help/set-password?token=" in mail["text"]]


def contacts_with(api: httpx.Client, address: str) -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = api.get("/api/contacts", params={"q": address}).json()["contacts"]
    return [contact for contact in contacts if address in contact["emails"]]


def company_id(api: httpx.Client, name: str) -> str:
    return str(next(c["id"] for c in api.get("/api/companies").json() if c["name"] == name))


def test_an_unknown_sender_at_a_companys_domain_becomes_its_contact_and_is_welcomed_once(
    platform: Platform, api: httpx.Client
) -> None:
    # Given a customer of Acme (which holds *.acme.example.com) whom Deskless does not know
    address = f"{unique('dana')}@eu.acme.example.com"

    # When they write to the support address
    send_mail(platform, f"Dana Díaz <{address}>", unique("Printer"))

    # Then they are Acme's contact, made from the email
    (dana,) = wait_for(lambda: contacts_with(api, address))
    acme = company_id(api, DEMO_COMPANY)
    assert (dana["name"], dana["company_id"], dana["created_via"]) == ("Dana Díaz", acme, "email")
    # and the welcome email reaches them, with a link to set a password on Acme's portal
    (welcome,) = wait_for(lambda: welcomes(platform, address))
    link = re.search(r"http://\S+/help/set-password\?token=[\w.-]+", welcome["text"])
    assert link is not None, welcome["text"]
    assert link[0].startswith(f"http://acme.localhost:{platform.port}/")

    # When they set their password with the link, then someone uses the link again
    with platform.http(host="acme.localhost") as acme_portal:
        token = link[0].rsplit("token=", 1)[1]
        chosen = {"token": token, "password": "dana's own long passphrase"}
        first = acme_portal.post("/help/set-password", data=chosen)
        second = acme_portal.post("/help/set-password", data={**chosen, "password": "someone else's phrase"})
        # Then the first works and the second is refused
        assert first.status_code == 303, first.text
        assert second.status_code == 410, second.text
        # and they sign in on Acme's portal with the password they chose
        signed_in = acme_portal.post("/help/sign-in", data={"email": address, "password": chosen["password"]})
        assert signed_in.status_code == 303, signed_in.text
        session = re.search(r"__Host-deskless-session=[^;]+", signed_in.headers["set-cookie"])
        assert session is not None
        # (the cookie is Secure, which a browser sends to localhost over http, and httpx does not)
        me = acme_portal.get("/api/portal/me", headers={"cookie": session[0]})
        assert me.status_code == 200, me.text
        assert address in me.text

    # When they write again (now a known contact), and that message is recorded
    again = unique("Still offline")
    send_mail(platform, f"Dana Díaz <{address}>", again)
    record = wait_for(lambda: received(platform, again))

    # Then it is linked to them, and there is still one contact and one welcome email
    assert record["contact_id"]["S"] == dana["id"]
    assert len(contacts_with(api, address)) == 1
    assert len(welcomes(platform, address)) == 1


def test_an_unknown_sender_at_gmail_lands_in_unassigned(platform: Platform, api: httpx.Client) -> None:
    address = f"{unique('gina')}@gmail.com"

    send_mail(platform, address, unique("Hello"))

    (gina,) = wait_for(lambda: contacts_with(api, address))
    assert gina["company_id"] == UNASSIGNED_ID


def test_an_out_of_office_reply_makes_no_contact_and_no_welcome(platform: Platform, api: httpx.Client) -> None:
    address = f"{unique('away')}@eu.acme.example.com"
    subject = unique("Out of office")

    send_mail(platform, f"Away Person <{address}>", subject, **{"Auto-Submitted": "auto-replied"})

    # Once the message is recorded (as automatic mail), nothing else happened
    record = wait_for(lambda: received(platform, subject))
    assert record["outcome"]["S"] == "automatic"
    assert contacts_with(api, address) == []
    assert mail_to(platform, address) == []
