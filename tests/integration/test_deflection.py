"""Deflection figures against moto (deskless.deflection): each suggestion, opening, submission and
abandoned form is counted once, in the week its form started, whatever is repeated; only the
contact who started a form adds to it; the figures of recent weeks are one Query."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deskless.data import table
from deskless.table import kb_draft_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import current, refused
from tests.integration.test_events_sessions import deliver, record
from tests.integration.test_portal_accounts import contact
from tests.integration.test_tickets_api import Customer

DAY = 86400
# Next Monday, 00:00 UTC (1970-01-01 was a Thursday): the drafts' expiry stays ahead of the clock,
# since reads treat an expired item as gone.
MONDAY = (int(time.time()) // DAY + 7 - (int(time.time()) // DAY + 3) % 7) * DAY
SUNDAY_NIGHT = MONDAY + 7 * DAY - 60  # the same week's last minute
NEXT_WEEK = MONDAY + 7 * DAY + 3600


def deflection() -> Any:
    return current("deskless.deflection")


def figures(week: str = "") -> dict[str, int]:
    week = week or deflection().week_of(MONDAY)
    for row in deflection().recent_weeks(10):
        if row.week == week:
            return {name: getattr(row, name) for name in deflection().FIGURES}
    return {}


def expire(draft_id: str) -> None:
    """What the events function does with the draft's TTL delete (the item as the stream's old image has it)."""
    item = table().get(kb_draft_key(draft_id))
    assert item is not None
    deflection().draft_expired(item)


def test_a_form_solved_by_the_knowledge_base_counts_as_abandoned_once(aws: LocalAws) -> None:
    # Given Jane's form was suggested two articles, and she opened one of them
    assert deflection().suggested("draft-1", "jane", ["a1", "a2"], now=MONDAY)
    assert deflection().opened("draft-1", "jane", "a1", now=MONDAY + 60)
    # When the form is left without a ticket until its draft expires, and the stream says so twice
    expire("draft-1")
    expire("draft-1")
    # Then the week counts one form, two suggestions, one opening, one form abandoned
    assert figures() == {
        "forms": 1,
        "suggested": 2,
        "opened": 1,
        "forms_opened": 1,
        "submitted_after_opening": 0,
        "abandoned": 1,
    }


def test_suggestions_shown_again_as_the_customer_types_are_counted_once(aws: LocalAws) -> None:
    # Given the same articles suggested at every pause in the typing, a new one the third time
    for shown in (["a1", "a2"], ["a2", "a1"], ["a1", "a3"]):
        assert deflection().suggested("draft-2", "jane", shown, now=MONDAY)
    # And the same article opened twice
    assert deflection().opened("draft-2", "jane", "a3", now=MONDAY)
    assert deflection().opened("draft-2", "jane", "a3", now=MONDAY)
    # Then each article counts once for the form
    assert figures()["suggested"] == 3
    assert figures()["opened"] == 1
    assert figures()["forms"] == 1


def test_a_ticket_submitted_after_an_article_was_opened_is_not_abandoned(aws: LocalAws) -> None:
    assert deflection().suggested("draft-3", "jane", ["a1"], now=MONDAY)
    assert deflection().opened("draft-3", "jane", "a1", now=MONDAY)
    # When the ticket is submitted (twice: a retried request), and the draft later expires
    deflection().submitted("draft-3", "jane", 1001)
    deflection().submitted("draft-3", "jane", 1001)
    expire("draft-3")
    # Then it counts as submitted after opening, once, and not as abandoned
    assert figures()["submitted_after_opening"] == 1
    assert figures()["abandoned"] == 0


def test_a_form_where_nothing_was_opened_is_neither_abandoned_nor_submitted_after_opening(aws: LocalAws) -> None:
    assert deflection().suggested("draft-4", "jane", ["a1"], now=MONDAY)
    deflection().submitted("draft-4", "jane", 1002)
    assert deflection().suggested("draft-5", "jane", ["a1"], now=MONDAY)
    expire("draft-5")
    assert figures()["forms"] == 2
    assert figures()["submitted_after_opening"] == 0
    assert figures()["abandoned"] == 0


def test_an_article_not_suggested_to_the_form_is_not_counted_as_opened_from_it(aws: LocalAws) -> None:
    assert deflection().suggested("draft-6", "jane", ["a1"], now=MONDAY)
    assert not deflection().opened("draft-6", "jane", "a9", now=MONDAY)
    assert not deflection().opened("no-such-draft", "jane", "a1", now=MONDAY)
    assert figures()["opened"] == 0


def test_another_contact_cannot_add_to_a_form(aws: LocalAws) -> None:
    # Given Jane's form
    assert deflection().suggested("draft-7", "jane", ["a1"], now=MONDAY)
    # When Mallory sends its id with her own suggestions, openings and a submission
    assert not deflection().suggested("draft-7", "mallory", ["a2"], now=MONDAY)
    assert not deflection().opened("draft-7", "mallory", "a1", now=MONDAY)
    deflection().submitted("draft-7", "mallory", 1003)
    # Then Jane's form holds only her own
    item = table().get(kb_draft_key("draft-7"))
    assert item is not None
    assert item["suggested"] == {"a1"}
    assert "opened" not in item
    assert "ticket_number" not in item
    assert figures()["suggested"] == 1


def test_a_form_counts_in_the_week_it_started(aws: LocalAws) -> None:
    # Given a form started in the last minute of week 49 and worked on in week 50
    assert deflection().suggested("draft-8", "jane", ["a1"], now=SUNDAY_NIGHT)
    assert deflection().suggested("draft-8", "jane", ["a2"], now=NEXT_WEEK)
    assert deflection().opened("draft-8", "jane", "a2", now=NEXT_WEEK)
    # Then all of it is week 49's, and a form started in week 50 is week 50's
    assert deflection().suggested("draft-9", "jane", ["a1"], now=NEXT_WEEK)
    this_week, next_week = deflection().week_of(MONDAY), deflection().week_of(NEXT_WEEK)
    assert figures(this_week)["suggested"] == 2
    assert figures(this_week)["opened"] == 1
    assert figures(next_week)["forms"] == 1
    assert [row.week for row in deflection().recent_weeks(10)] == [next_week, this_week]


def test_concurrent_suggestions_to_one_form_count_each_article_once(aws: LocalAws) -> None:
    with ThreadPoolExecutor(8) as pool:
        shown = [["a1", f"b{n % 4}"] for n in range(16)]
        results = list(pool.map(lambda ids: deflection().suggested("draft-10", "jane", ids, now=MONDAY), shown))
    assert all(results)
    assert figures()["suggested"] == 5
    assert figures()["forms"] == 1


def test_requests_per_step(aws: LocalAws) -> None:
    dynamodb = current("deskless.aws").client("dynamodb")
    with count_requests(dynamodb) as first:
        deflection().suggested("draft-11", "jane", ["a1"], now=MONDAY)
    with count_requests(dynamodb) as repeated:
        deflection().suggested("draft-11", "jane", ["a1"], now=MONDAY)
    with count_requests(dynamodb) as opening:
        deflection().opened("draft-11", "jane", "a1", now=MONDAY)
    with count_requests(dynamodb) as reading:
        deflection().recent_weeks(12)
    assert first == {"UpdateItem": 2}  # the draft, the week's figures
    assert repeated == {"UpdateItem": 1}  # nothing new to count
    assert opening == {"UpdateItem": 2}
    assert reading == {"Query": 1}


def test_the_events_function_counts_a_draft_that_ttl_removed(aws: LocalAws) -> None:
    # Given a form from which an article was opened
    assert deflection().suggested("draft-12", "jane", ["a1"], now=MONDAY)
    assert deflection().opened("draft-12", "jane", "a1", now=MONDAY)
    draft = table().get(kb_draft_key("draft-12"))
    assert draft is not None
    # When DynamoDB's TTL deletes its draft, and then a caller deletes another one
    deliver(record("REMOVE", draft, ttl=True))
    deliver(record("REMOVE", {**draft, "pk": "KBDRAFT#draft-13"}, ttl=False))
    # Then only the expiry counts
    assert figures()["abandoned"] == 1


def test_a_ticket_submitted_on_the_portal_with_its_draft_counts_after_an_opening(aws: LocalAws) -> None:
    carla = contact("Acme", "carla@acme.example.com", subdomain="acme")
    customer = Customer(aws, carla)
    draft = "6f1c2a4e-8d2b-4c3e-9a1f-2b3c4d5e6f70"
    assert deflection().suggested(draft, carla.id, ["a1"], now=MONDAY)
    assert deflection().opened(draft, carla.id, "a1", now=MONDAY)

    ticket = customer.submit("Cannot print", draft=draft)

    assert ticket["number"] == 1001
    assert figures()["submitted_after_opening"] == 1
    assert (
        refused(customer.call("POST /api/portal/tickets", {"title": "x", "description": "y", "draft": "1; drop"}))[0]
        == 400
    )
