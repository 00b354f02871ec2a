"""What the automation rules did for each change of a ticket: one trace per evaluated change, in
the engine's Evaluation shape (which rules were evaluated, which conditions held, which actions ran,
were skipped or failed, and why), with the outcomes the runtime gave the planned actions.

    AUTOTRACE#<number> / <at ms>#<change id>    one change's trace (expires after 90 days)

A trace is put under its change's id: a stream record delivered again (the same change) overwrites
its trace, never doubles it. A ticket's traces are one Query of its partition, newest first.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache

from pydantic import TypeAdapter

from .automation_engine import Evaluation, as_json
from .data import table
from .table import TTL_ATTRIBUTE, Entity, automation_trace_key, automation_traces, stamped

KEPT_SECONDS = 90 * 86400
PAGE = 50


def record_trace(evaluation: Evaluation) -> None:
    """Store what the rules did for one change (one PutItem; the same change puts the same key)."""
    item = stamped(
        Entity.AUTOMATION_TRACE,
        automation_trace_key(evaluation.number, evaluation.at, evaluation.change_id),
        **as_json(evaluation),
    )
    table().put({**item, TTL_ATTRIBUTE: evaluation.at // 1000 + KEPT_SECONDS})


def traces_of(number: int, *, before: int | None = None, limit: int = PAGE) -> list[Evaluation]:
    """A ticket's traces, newest first (one Query): at most `limit` (50 at most), older than the
    time `before` (ms) if given, to page back."""
    after = None if before is None else f"{before:013d}"
    items = table().query(automation_traces(number), newest_first=True, limit=min(limit, PAGE), after=after)
    names = [field.name for field in fields(Evaluation)]
    return [_shape().validate_python({name: item[name] for name in names if name in item}) for item in items]


@cache
def _shape() -> TypeAdapter[Evaluation]:
    return TypeAdapter(Evaluation)
