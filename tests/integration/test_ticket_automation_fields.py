"""The ticket fields the automation rules read and write (issue 14), against moto: tags and a due
date a technician sets through PATCH (recorded on the timeline, never shown to customers), when
the status last moved, each side's latest public reply, and the mark of a rule's own write, which
every other write clears so a rule's change never starts another round."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deskless.contacts import Contact
from deskless.data import table
from deskless.table import ticket_key
from deskless.tickets import (
    Author,
    AuthorKind,
    Changes,
    EntryKind,
    Status,
    add_reply,
    change_ticket,
    close_resolved,
    merge_ticket,
    ticket_of,
    ticket_with_timeline,
)
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, add_staff, ok, refused
from tests.integration.test_portal_accounts import contact
from tests.integration.test_tickets_api import OTHER, Customer, Staff, dynamodb_requests

RULE = Author(kind=AuthorKind.RULE, id="r-welcome", name="Ticket received email")
TED = Author(kind=AuthorKind.STAFF, id=TECHNICIAN.user_id, name=TECHNICIAN.name, email=TECHNICIAN.email)
CARLA = Author(kind=AuthorKind.CONTACT, id="c-carla", name="Carla", email="carla@acme.example.com")
DAY_MS = 86_400_000


@pytest.fixture
def staff(aws: LocalAws) -> Staff:
    add_staff(TECHNICIAN, ADMIN, OTHER)
    return Staff(aws)


@pytest.fixture
def carla(aws: LocalAws) -> Contact:
    return contact("Acme", "carla@acme.example.com", subdomain="acme")


def opened(staff: Staff, carla: Contact) -> dict[str, Any]:
    ticket: dict[str, Any] = staff.open(carla)["ticket"]
    return ticket


# --- tags and the due date, through the staff API ---------------------------------------------------


def test_a_technician_sets_tags_which_are_kept_trimmed_lower_case_sorted_once(staff: Staff, carla: Contact) -> None:
    ticket = opened(staff, carla)

    view = ok(staff.change(ticket["number"], revision=ticket["revision"], tags=[" VIP ", "printer", "vip"]))

    assert view["ticket"]["tags"] == ["printer", "vip"]
    (event,) = [entry for entry in view["timeline"] if any(c["field"] == "tags" for c in entry["changes"])]
    assert event["changes"] == [{"field": "tags", "before": None, "after": "printer, vip"}]
    emptied = ok(staff.change(ticket["number"], revision=view["ticket"]["revision"], tags=[]))
    assert emptied["ticket"]["tags"] == []
    assert emptied["timeline"][-1]["changes"] == [{"field": "tags", "before": "printer, vip", "after": None}]


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        (["x" * 41], "at most 40"),
        ([" "], "at least 1"),
        ([f"tag{n}" for n in range(21)], "at most 20"),
    ],
)
def test_a_tag_too_long_empty_or_one_too_many_is_refused_and_nothing_changes(
    staff: Staff, carla: Contact, tags: list[str], why: str
) -> None:
    ticket = opened(staff, carla)

    answer = staff.change(ticket["number"], revision=ticket["revision"], tags=tags)

    assert refused(answer)[0] in (400, 422)
    assert why in json.dumps(answer.json())
    assert staff.ticket(ticket["number"])["ticket"]["revision"] == ticket["revision"]


def test_twenty_tags_that_normalise_to_fewer_are_one_set(staff: Staff, carla: Contact) -> None:
    ticket = opened(staff, carla)

    view = ok(staff.change(ticket["number"], revision=ticket["revision"], tags=["Net"] * 10 + ["net "] * 10))

    assert view["ticket"]["tags"] == ["net"]


def test_a_due_date_is_set_and_cleared_and_the_timeline_says_so(staff: Staff, carla: Contact) -> None:
    ticket = opened(staff, carla)
    due = 1_800_000_000_000

    set_ = ok(staff.change(ticket["number"], revision=ticket["revision"], due_at=due))
    kept = ok(staff.change(ticket["number"], revision=set_["ticket"]["revision"], urgency="high"))
    cleared = ok(staff.change(ticket["number"], revision=kept["ticket"]["revision"], due_at=None))

    assert set_["ticket"]["due_at"] == due
    assert kept["ticket"]["due_at"] == due  # a change without it leaves it as it is
    assert cleared["ticket"]["due_at"] is None
    dues = [c for entry in cleared["timeline"] for c in entry["changes"] if c["field"] == "due_at"]
    assert [(c["before"], c["after"]) for c in dues] == [(None, str(due)), (str(due), None)]
    assert "due_at" not in (table().get(ticket_key(ticket["number"]), consistent=True) or {})


def test_a_change_of_tags_and_due_costs_what_any_change_costs(staff: Staff, carla: Contact) -> None:
    ticket = opened(staff, carla)

    with dynamodb_requests() as calls:
        staff.change(ticket["number"], revision=ticket["revision"], tags=["vip"], due_at=1_800_000_000_000)

    assert calls == {"GetItem": 1, "TransactWriteItems": 1, "Query": 1}  # read, write, the page it answers


# --- what customers see ------------------------------------------------------------------------------


def test_customers_never_see_tags_due_date_destination_or_a_rules_mark(
    aws: LocalAws, staff: Staff, carla: Contact
) -> None:
    customer = Customer(aws, carla)
    number = customer.submit()["number"]
    ticket = staff.ticket(number)["ticket"]
    ok(staff.change(number, revision=ticket["revision"], tags=["secret-vip"], due_at=1_800_000_000_000))
    change_ticket(number, RULE, ticket["revision"] + 1, Changes(tags=["secret-vip", "rule-tag"]))
    add_reply(number, RULE, "We have your request.")

    seen = ok(customer.call(f"GET /api/portal/tickets/{number}"))
    listed = ok(customer.call("GET /api/portal/tickets"))
    answered = ok(customer.call(f"POST /api/portal/tickets/{number}/replies", {"body": "Any news?"}), 201)

    for shown in (json.dumps(seen), json.dumps(listed), json.dumps(answered)):
        for hidden in ("tags", "due_at", "destination", "changed_by_rule", "secret-vip", "1800000000000", "r-welcome"):
            assert hidden not in shown
    assert [entry["kind"] for entry in seen["timeline"]] == ["event", "reply", "event"]  # no tag events
    assert seen["timeline"][1]["author"] == {"kind": "rule", "id": "", "name": "Ticket received email", "email": ""}


# --- the marks the automation needs ------------------------------------------------------------------


def test_a_rules_change_is_marked_with_the_rule_and_anyone_elses_change_clears_it(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]

    by_rule = change_ticket(number, RULE, 1, Changes(tags=["portal"]))
    by_staff = change_ticket(number, TED, by_rule.revision, Changes(title="Printer still on fire"))
    rule_reply, _ = add_reply(number, RULE, "We received your request.")
    customer_reply, _ = add_reply(number, CARLA, "Thanks.")

    assert by_rule.changed_by_rule == "r-welcome"
    assert by_staff.changed_by_rule is None
    assert rule_reply.changed_by_rule == "r-welcome"
    assert customer_reply.changed_by_rule is None
    assert ticket_of(number).changed_by_rule is None  # as stored, not only as answered
    _, timeline = ticket_with_timeline(number)
    assert [entry.author.kind for entry in timeline if entry.kind is EntryKind.REPLY] == ["rule", "contact"]


def test_a_stored_rules_mark_is_what_the_stream_sees(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]

    change_ticket(number, RULE, 1, Changes(status=Status.PENDING))

    item = table().get(ticket_key(number), consistent=True) or {}
    assert item["changed_by_rule"] == "r-welcome"


def test_merging_and_the_auto_close_clear_a_rules_mark(staff: Staff, carla: Contact) -> None:
    first, second = opened(staff, carla)["number"], opened(staff, carla)["number"]
    resolved = change_ticket(first, RULE, 1, Changes(status=Status.RESOLVED))
    marked = change_ticket(second, RULE, 1, Changes(tags=["dup"]))

    assert close_resolved(first, resolved.resolved_at or 0)
    merged = merge_ticket(second, opened(staff, carla)["number"], TED, marked.revision)

    assert (ticket_of(first).status, ticket_of(first).changed_by_rule) == (Status.CLOSED, None)
    assert merged.changed_by_rule is None


def test_status_since_moves_with_the_status_only(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]
    created = ticket_of(number)
    start = created.created_at * 1000

    pending = change_ticket(number, TED, 1, Changes(status=Status.PENDING), now=start / 1000 + 60)
    retitled = change_ticket(number, TED, pending.revision, Changes(title="Other"), now=start / 1000 + 120)
    reopened, _ = add_reply(number, CARLA, "Here it is.", now=start / 1000 + 180)

    assert start <= created.status_since < start + 1000
    assert pending.status_since == start + 60_000
    assert retitled.status_since == start + 60_000  # a title is not a status
    assert reopened.status == Status.OPEN
    assert reopened.status_since == start + 180_000
    assert ticket_of(number).status_since == start + 180_000


def test_public_replies_set_each_sides_latest_and_a_rules_counts_as_staffs(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]
    start = ticket_of(number).created_at

    noted, _ = add_reply(number, TED, "Internal.", kind=EntryKind.NOTE, now=start + 10)
    ruled, _ = add_reply(number, RULE, "We are on it.", now=start + 20)
    answered, _ = add_reply(number, CARLA, "Thanks.", now=start + 30)
    ted, _ = add_reply(number, TED, "Fixed?", now=start + 40)

    assert (noted.last_staff_reply_at, noted.last_customer_reply_at) == (None, None)
    assert (noted.status, ruled.status) == (Status.NEW, Status.OPEN)  # a rule's reply opens a new ticket
    assert (ruled.last_staff_reply_at, ruled.last_customer_reply_at) == ((start + 20) * 1000, None)
    assert (answered.last_staff_reply_at, answered.last_customer_reply_at) == ((start + 20) * 1000, (start + 30) * 1000)
    stored = ticket_of(number)
    assert (stored.last_staff_reply_at, stored.last_customer_reply_at) == ((start + 40) * 1000, (start + 30) * 1000)
    assert ted.last_staff_reply_at == stored.last_staff_reply_at


def test_a_ticket_stored_before_these_fields_still_reads(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]
    item = table().get(ticket_key(number), consistent=True) or {}
    old = {name: value for name, value in item.items() if name not in ("tags", "status_since", "destination")}
    table().put(old)

    ticket = ticket_of(number)

    assert (ticket.tags, ticket.destination, ticket.due_at, ticket.changed_by_rule) == ([], "", None, None)
    assert ticket.status_since == ticket.created_at * 1000
    assert staff.ticket(number)["ticket"]["status_since"] == ticket.created_at * 1000


def test_the_due_date_clears_only_when_asked(staff: Staff, carla: Contact) -> None:
    number = opened(staff, carla)["number"]

    due = change_ticket(number, TED, 1, Changes(due_at=DAY_MS))
    same = change_ticket(number, TED, due.revision, Changes(title="Still due"))
    cleared = change_ticket(number, TED, same.revision, Changes(clear_due=True))

    assert (due.due_at, same.due_at, cleared.due_at) == (DAY_MS, DAY_MS, None)
