"""A limit on what one source may submit per window (chat requests, portal messages), so an
anonymous form cannot be used to flood a company's queue or its technicians' mailboxes.

One item per kind, source and window (THROTTLE#<kind>#<source> / <window start>), counted with a
conditional ADD: the write that would pass the limit is refused, so the limit is exact under
concurrency, and the item expires with its window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .data import Condition, ConditionFailed, table
from .errors import TooManyRequests
from .table import Entity, stamped, throttle_key


@dataclass(frozen=True)
class Limit:
    kind: str
    count: int
    window_seconds: int


def spend(limit: Limit, source: str, *, now: float | None = None) -> None:
    """Count one submission from `source`, or refuse it (429 with Retry-After) past the limit."""
    moment = int(time.time() if now is None else now)
    start = moment - moment % limit.window_seconds
    ends = start + limit.window_seconds
    under = Condition("attribute_not_exists(#count) OR #count < :limit", {"#count": "count"}, {":limit": limit.count})
    try:
        table().update(
            throttle_key(limit.kind, source or "unknown", start),
            set_values=stamped(Entity.THROTTLE, expires_at=ends),
            add={"count": 1},
            condition=under,
        )
    except ConditionFailed as error:
        raise TooManyRequests("Too many requests from your address; please try again later.", ends - moment) from error
