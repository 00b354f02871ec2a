"""Deflection: how often the knowledge base answers a customer before they submit a ticket.

The portal's ticket form gets a random draft id when it opens. As the customer types, the
articles suggested to it (`suggested`), those the customer opens from the suggestions (`opened`)
and the ticket it finally submits (`submitted`) are recorded on one item per draft
(KBDRAFT#<draft id>), and counted into the figures of the ISO week the draft started in
(KBDEFLECTION / <week>):

| figure                 | counts                                                              |
|------------------------|---------------------------------------------------------------------|
| forms                  | ticket forms that were shown at least one suggestion               |
| suggested              | articles suggested, each once per form however often it is shown   |
| opened                 | articles opened from the suggestions, each once per form           |
| forms_opened           | forms in which at least one suggested article was opened           |
| submitted_after_opening| of those, forms whose ticket was submitted all the same            |
| abandoned              | of those, forms left without a ticket: solved by the knowledge base|

A form is abandoned when nothing happened on it for `DRAFT_LIFETIME` (the draft item's TTL):
the events function sees the TTL delete and counts it, once (a marker item written in the same
transaction as the count, so a redelivered stream record counts nothing more).

Each count is exact under concurrency and retries: a draft's sets of suggested and opened
articles are updated in one UpdateItem that returns what they held before, and only what that
request added is counted. Only the contact who started a draft may add to it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .data import NEW_ITEM, Condition, ConditionFailed, Item, TransactionCanceled, put_action, table, update_action
from .table import (
    KB_DEFLECTION,
    Entity,
    kb_abandoned_key,
    kb_deflection_key,
    kb_draft_key,
    stamped,
)

DRAFT_LIFETIME = 24 * 3600  # seconds without activity after which a form counts as abandoned
ABANDONED_MARKER_KEPT = 2 * 24 * 3600  # a stream record is redelivered within a day at most
FIGURES = ("forms", "suggested", "opened", "forms_opened", "submitted_after_opening", "abandoned")


@dataclass(frozen=True)
class Week:
    """One week's figures (`week` like 2026-W49)."""

    week: str
    forms: int
    suggested: int
    opened: int
    forms_opened: int
    submitted_after_opening: int
    abandoned: int


def week_of(moment: float) -> str:
    """The ISO week a moment falls in, as it sorts: "2026-W49".

    >>> week_of(1796515200)  # 2026-12-06, a Sunday
    '2026-W49'
    """
    year, week, _ = datetime.fromtimestamp(moment, UTC).isocalendar()
    return f"{year}-W{week:02d}"


def _own_draft(contact_id: str) -> Condition:
    return Condition("attribute_not_exists(pk) OR contact_id = :contact", values={":contact": contact_id})


def _count(week: str, figures: dict[str, int]) -> None:
    added = {name: n for name, n in figures.items() if n}
    if added:
        table().update(kb_deflection_key(week), set_values=stamped(Entity.KB_DEFLECTION, week=week), add=added)


def suggested(draft_id: str, contact_id: str, article_ids: Iterable[str], *, now: float | None = None) -> bool:
    """Suggestions were shown to a contact's form: False if the draft is another contact's."""
    ids = set(article_ids)
    if not ids:
        return True
    moment = time.time() if now is None else now
    try:
        before = table().update_returning_old(
            kb_draft_key(draft_id),
            set_values=stamped(Entity.KB_DRAFT, contact_id=contact_id, expires_at=int(moment) + DRAFT_LIFETIME),
            set_missing={"week": week_of(moment), "started_at": int(moment)},
            add={"suggested": ids},
            condition=_own_draft(contact_id),
        )
    except ConditionFailed:
        return False
    new = ids - set(before.get("suggested", ()))
    _count(str(before.get("week", week_of(moment))), {"forms": 0 if before else 1, "suggested": len(new)})
    return True


def opened(draft_id: str, contact_id: str, article_id: str, *, now: float | None = None) -> bool:
    """A contact opened an article suggested to their form: False if it was not suggested to it
    (or the draft is another contact's, or gone)."""
    moment = time.time() if now is None else now
    was_suggested = Condition(
        "contact_id = :contact AND contains(suggested, :article)",
        values={":contact": contact_id, ":article": article_id},
    )
    try:
        before = table().update_returning_old(
            kb_draft_key(draft_id),
            set_values={"expires_at": int(moment) + DRAFT_LIFETIME},
            add={"opened": {article_id}},
            condition=was_suggested,
        )
    except ConditionFailed:
        return False
    already = set(before.get("opened", ()))
    if article_id not in already:
        _count(str(before["week"]), {"opened": 1, "forms_opened": 0 if already else 1})
    return True


def submitted(draft_id: str, contact_id: str, ticket_number: int) -> None:
    """The form's ticket was submitted: counted if an article had been opened from it. A draft
    that is unknown, another contact's or already submitted changes nothing."""
    first_time = Condition(
        "contact_id = :contact AND attribute_not_exists(ticket_number)", values={":contact": contact_id}
    )
    try:
        draft = table().update(
            kb_draft_key(draft_id), set_values={"ticket_number": ticket_number}, condition=first_time
        )
    except ConditionFailed:
        return
    if draft.get("opened"):
        _count(str(draft["week"]), {"submitted_after_opening": 1})


def draft_expired(draft: Item) -> None:
    """A form's draft outlived its lifetime (its TTL delete, from the stream): if an article was
    opened from it and no ticket followed, it was solved by the knowledge base. Counted once."""
    if not draft.get("opened") or "ticket_number" in draft:
        return
    draft_id = str(draft["pk"]).removeprefix("KBDRAFT#")
    marker = stamped(
        Entity.KB_ABANDONED,
        kb_abandoned_key(draft_id),
        expires_at=int(time.time()) + ABANDONED_MARKER_KEPT,
    )
    week = str(draft["week"])
    count = update_action(
        kb_deflection_key(week), set_values=stamped(Entity.KB_DEFLECTION, week=week), add={"abandoned": 1}
    )
    try:
        table().transact([put_action(marker, NEW_ITEM), count])
    except TransactionCanceled:
        return  # counted already: this record came again


def recent_weeks(weeks: int) -> list[Week]:
    """The figures of the latest `weeks` weeks that have any, newest first: one Query."""
    items = table().query(KB_DEFLECTION, limit=weeks, newest_first=True)
    return [Week(week=str(item["week"]), **{name: int(item.get(name, 0)) for name in FIGURES}) for item in items]
