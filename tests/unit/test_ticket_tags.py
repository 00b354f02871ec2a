"""A ticket's tags as they are kept, and what of a timeline a customer reads (deskless.tickets)."""

from __future__ import annotations

import re

import pytest

from deskless.errors import InvalidRequest
from deskless.tickets import (
    SYSTEM,
    Author,
    AuthorKind,
    Entry,
    EntryKind,
    FieldChange,
    customer_timeline,
    normalised_tags,
)


def test_tags_are_trimmed_lower_case_sorted_and_each_kept_once() -> None:
    assert normalised_tags([" VIP", "printer ", "vip", "Printer"]) == ["printer", "vip"]
    assert normalised_tags([]) == []
    assert normalised_tags(["x" * 40] * 3 + [f"t{n}" for n in range(19)]) == sorted(
        {"x" * 40, *(f"t{n}" for n in range(19))}
    )


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        (["  "], "cannot be empty"),
        (["x" * 41], "longer than 40 characters"),
        ([f"t{n}" for n in range(21)], "at most 20 tags (21 given)"),
    ],
)
def test_an_empty_or_long_tag_or_too_many_are_refused_with_the_reason(tags: list[str], reason: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(reason)):
        normalised_tags(tags)


def event(*fields: str) -> Entry:
    changes = [FieldChange(field=name, after="x") for name in fields]
    return Entry(id=f"e-{'-'.join(fields)}", at=1, kind=EntryKind.EVENT, author=SYSTEM, changes=changes)


def test_a_customers_timeline_names_a_rule_without_its_id() -> None:
    rule = Author(kind=AuthorKind.RULE, id="r-secret", name="Ticket received email")
    reply = Entry(id="r", at=1, kind=EntryKind.REPLY, author=rule, body="We have it.")

    (shown,) = customer_timeline([reply])

    assert (shown.author.kind, shown.author.id, shown.author.name) == ("rule", "", "Ticket received email")
    assert reply.author.id == "r-secret"  # the stored entry is untouched


def test_a_customers_timeline_leaves_out_staff_only_changes_and_notes() -> None:
    note = Entry(id="n", at=1, kind=EntryKind.NOTE, author=SYSTEM, body="internal")
    reply = Entry(id="r", at=1, kind=EntryKind.REPLY, author=SYSTEM, body="public")

    shown = customer_timeline([event("opened"), event("tags", "due_at"), event("status", "tags"), note, reply])

    assert [(entry.id, [c.field for c in entry.changes]) for entry in shown] == [
        ("e-opened", ["opened"]),
        ("e-status-tags", ["status"]),
        ("r", []),
    ]
