"""Automation rules on `deskless dev`: the source's example as an admin and a customer meet it —
a rule made through the API ("New ticket created", title equals "[Portal Credentials]", send the
contact the portal credentials template), a contact submitting that ticket on their portal, and
the email in the outbox with a temporary password that signs them in; and a time-based rule ("pending
for 1 day") firing when the platform's clock is advanced (`POST /_local/clock`).

The platform is shared by the whole suite: each test's rule matches only its own tickets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.callers import contact_headers, portal_client, portal_contact
from tests.e2e.conftest import Platform, bearer, mail_to, unique, wait_for

CREDENTIALS = "[Portal Credentials]"


@pytest.fixture
def make_rule(api: httpx.Client) -> Iterator[Callable[..., dict[str, Any]]]:
    """Makes active rules through the API; deletes them after the test (rules are the platform's,
    and a later test's tickets must not meet them)."""
    made: list[str] = []

    def make(**rule: Any) -> dict[str, Any]:
        answer = api.post("/api/automation/rules", json={"active": True, **rule})
        assert answer.status_code == 201, answer.text
        found: dict[str, Any] = answer.json()
        made.append(found["id"])
        return found

    yield make
    for rule_id in made:
        gone = api.delete(f"/api/automation/rules/{rule_id}")
        assert gone.status_code == 204, gone.text


def submit(platform: Platform, headers: dict[str, str], title: str) -> int:
    with portal_client(platform) as portal:
        submitted = portal.post("/api/portal/tickets", headers=headers, json={"title": title, "description": "Hi."})
    assert submitted.status_code == 201, submitted.text
    return int(submitted.json()["number"])


def test_the_portal_credentials_rule_mails_a_contact_who_raises_that_ticket_a_link_that_lets_them_sign_in(
    platform: Platform, api: httpx.Client, admin_token: str, make_rule: Callable[..., dict[str, Any]]
) -> None:
    # Given the source's rule, made by an admin through the API
    rule = make_rule(
        name=unique("Portal credentials"),
        trigger={"kind": "ticket_created"},
        conditions=[{"property": "title", "operator": "equals", "value": CREDENTIALS}],
        actions=[{"kind": "send_email", "to": "requester", "template_id": "portal-credentials"}],
    )
    email = portal_contact(platform, admin_token, f"Pia {unique('p')}")
    customer = contact_headers(platform, email)

    # When the contact raises a ticket with that title on their portal
    number = submit(platform, customer, CREDENTIALS)

    # Then the rule's email reaches them once, with their username and a temporary password
    (mail,) = wait_for(lambda: [m for m in mail_to(platform, email) if "Temporary password" in m["text"]])
    assert f"[#{number}]" in mail["subject"]
    assert email in mail["text"]
    password = re.search(r"Temporary password:\W*([^\s*]+)", mail["text"])
    assert password, mail["text"]

    # And it signs them in (to choose a password of their own first)
    with portal_client(platform) as portal:
        signed_in = portal.post("/help/sign-in", data={"email": email, "password": password.group(1)})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].startswith("/help/change-password")

    # And the ticket's trace says what ran
    traces = api.get(f"/api/tickets/{number}/automation").json()
    ran = [r for trace in traces for r in trace["rules"] if r["rule_id"] == rule["id"]]
    assert [action["outcome"] for action in ran[0]["actions"]] == ["done"]


def test_a_pending_for_one_day_rule_fires_when_the_platforms_clock_has_moved_a_day(
    platform: Platform,
    api: httpx.Client,
    admin_token: str,
    technician_token: str,
    make_rule: Callable[..., dict[str, Any]],
) -> None:
    title = unique("Waiting on the customer")
    make_rule(
        name=unique("Chase"),
        trigger={"kind": "pending_for", "days": 1},
        conditions=[{"property": "title", "operator": "equals", "value": title}],
        actions=[{"kind": "add_note", "body": "Pending for a day: chase the customer."}],
    )
    email = portal_contact(platform, admin_token, f"Pat {unique('p')}")
    number = submit(platform, contact_headers(platform, email), title)
    staff = bearer(technician_token)
    for status in ("open", "pending"):
        ticket = api.get(f"/api/tickets/{number}", headers=staff).json()["ticket"]
        moved = api.patch(
            f"/api/tickets/{number}", headers=staff, json={"revision": ticket["revision"], "status": status}
        )
        assert moved.status_code == 200, moved.text

    def notes() -> list[str]:
        timeline = api.get(f"/api/tickets/{number}").json()["timeline"]
        return [entry["body"] for entry in timeline if entry["kind"] == "note"]

    assert notes() == []
    # (the schedule is made from the stream within moments; a day and two minutes covers them)
    with platform.http() as local:
        assert local.post("/_local/clock", json={"advance_seconds": 86_400 + 120}).status_code == 200
    assert wait_for(notes, timeout=30) == ["Pending for a day: chase the customer."]
