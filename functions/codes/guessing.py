"""Protection against guessing codes: failed redemptions counted per source address.

A source that failed MAX_FAILURES times within the last ten minutes is refused (429 with
Retry-After) before its code is even looked at, a right code included.

Failures are counted in one-minute buckets, one item per source and minute
(`guesses_key(source, minute start)`, ADD on failure, TTL when it stops counting). A request
reads the current minute's bucket and the ten before it in the same BatchGetItem as the code,
so the check costs no request of its own. The count is exact at minute granularity and errs
on the safe side: a failure counts for ten to eleven minutes, never less than ten.

Parallel requests all read before any of them writes, so a burst from one source could get
more than MAX_FAILURES codes checked. Two things close that: a redemption's transaction
includes a condition on the current bucket (the source is still under the limit when the code
is consumed), and a failure answers 429 instead of 404 when the count it just added to shows
the source was blocked already; so within a burst a right code and a wrong one get the same
answer once the limit is passed, and a burst learns nothing from the difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deskless.data import Action, Condition, check_action, table
from deskless.table import Entity, Key, guesses_key

MAX_FAILURES = 10
WINDOW_SECONDS = 600
BUCKET_SECONDS = 60
# The current minute and the ten before it: every bucket that can hold a failure of the last ten minutes.
BUCKETS = WINDOW_SECONDS // BUCKET_SECONDS + 1
FAILURES = "failures"


def bucket_start(moment: float) -> int:
    return int(moment) // BUCKET_SECONDS * BUCKET_SECONDS


def counting_buckets(now: float) -> list[int]:
    """The starts of the buckets that count at `now`, newest first."""
    current = bucket_start(now)
    return [current - n * BUCKET_SECONDS for n in range(BUCKETS)]


def stops_counting(start: int) -> int:
    """The moment a bucket no longer counts (also its TTL)."""
    return start + BUCKET_SECONDS + WINDOW_SECONDS


@dataclass(frozen=True)
class Failures:
    """One source's failures by bucket start, as read at `now`."""

    now: float
    counts: Mapping[int, int]

    @property
    def current(self) -> int:
        return self.counts.get(bucket_start(self.now), 0)

    @property
    def earlier(self) -> int:
        """Failures that count now, outside the current minute."""
        return sum(self.counts.get(start, 0) for start in counting_buckets(self.now)[1:])

    @property
    def total(self) -> int:
        return self.current + self.earlier

    @property
    def blocked(self) -> bool:
        return self.total >= MAX_FAILURES

    @property
    def allowed_in_current(self) -> int:
        """The source stays unblocked while the current bucket holds fewer failures than this."""
        return MAX_FAILURES - self.earlier

    def retry_after(self) -> int:
        """Whole seconds until the source is under the limit again (0: it is now), if it fails no more."""
        remaining = self.total
        if remaining < MAX_FAILURES:
            return 0
        for start in reversed(counting_buckets(self.now)):  # oldest first: the order they stop counting
            remaining -= self.counts.get(start, 0)
            if remaining < MAX_FAILURES:
                return max(1, math.ceil(stops_counting(start) - self.now))
        raise AssertionError("unreachable: the current bucket stops counting last")

    def with_current(self, count: int) -> Failures:
        """The same source, had its current bucket held `count`."""
        return Failures(self.now, {**self.counts, bucket_start(self.now): count})


def keys(source: str, now: float) -> list[Key]:
    """The keys of the buckets that count at `now`, newest first (to read with the code)."""
    return [guesses_key(source, start) for start in counting_buckets(now)]


def from_items(now: float, items: Sequence[Mapping[str, Any] | None]) -> Failures:
    """The failures in the bucket items read for `keys(source, now)` (None: no such bucket)."""
    counts = {
        start: int(item.get(FAILURES, 0)) for start, item in zip(counting_buckets(now), items, strict=True) if item
    }
    return Failures(now, counts)


def record_failure(source: str, failures: Failures) -> Failures:
    """Add one failure to the source's current bucket (one UpdateItem); the failures after it."""
    start = bucket_start(failures.now)
    item = table().update(
        guesses_key(source, start),
        set_values={"type": Entity.GUESSES, "source": source, "expires_at": stops_counting(start)},
        add={FAILURES: 1},
    )
    return failures.with_current(int(item[FAILURES]))


def still_allowed(source: str, failures: Failures) -> Action:
    """A transaction condition: the source's current bucket has not reached the limit meanwhile."""
    return check_action(
        guesses_key(source, bucket_start(failures.now)),
        Condition(
            "attribute_not_exists(pk) OR #failures < :allowed",
            {"#failures": FAILURES},
            {":allowed": failures.allowed_in_current},
        ),
    )
