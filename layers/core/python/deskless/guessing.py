"""Protection against guessing: failed attempts at something guessable (a session code, a
password) counted per subject (a source address, an account), for every kind of guess alike.

A subject that failed its kind's `max_failures` times within the last ten minutes is refused
(429 with Retry-After) before its attempt is even looked at, a right one included.

Failures are counted in one-minute buckets, one item per kind, subject and minute
(`guesses_key(kind, subject, minute start)`, ADD on failure, TTL when it stops counting). A
request reads the current minute's bucket and the ten before it (`keys`), in the same
BatchGetItem as what it needs anyway where it can, so the check costs no request of its own.
The count is exact at minute granularity and errs on the safe side: a failure counts for ten to
eleven minutes, never less than ten.

Parallel requests all read before any of them writes, so a burst from one subject could get
more than `max_failures` attempts checked. Two things close that: a success writes only under
a condition on the current bucket (`still_allowed`: the subject is still under the limit when
the attempt succeeds), and a failure answers 429 instead of its usual refusal when the count it
just added to shows the subject was blocked already (`Failures.blocked_before`); so within a
burst a right guess and a wrong one get the same answer once the limit is passed, and a burst
learns nothing from the difference.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from aws_lambda_powertools.metrics import MetricUnit

from .data import Action, Condition, Item, check_action, table
from .errors import InvalidCredentials, TooManyAttempts
from .observability import Metric, logger, metrics
from .table import Entity, Key, guesses_key, stamped

WINDOW_SECONDS = 600
BUCKET_SECONDS = 60
# The current minute and the ten before it: every bucket that can hold a failure of the last ten minutes.
BUCKETS = WINDOW_SECONDS // BUCKET_SECONDS + 1
FAILURES = "failures"

# A sign-in's answers, staff's and contacts' alike: the same whether or not the account exists.
WRONG_SIGN_IN = "The email or password is not right."
SIGN_INS_BLOCKED = "Too many sign-ins that failed. Please wait before you try again."


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
class Guessable:
    """A kind of guess, and how many failures one subject may make of it in the window."""

    kind: str
    max_failures: int


@dataclass(frozen=True)
class Failures:
    """One subject's failures of one kind by bucket start, as read at `now`."""

    guessable: Guessable
    subject: str
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
        return self.total >= self.guessable.max_failures

    @property
    def blocked_before(self) -> bool:
        """Read after recording a failure: the subject was blocked before this one (a burst's
        parallel requests passed the check together)."""
        return self.with_current(self.current - 1).blocked

    @property
    def allowed_in_current(self) -> int:
        """The subject stays unblocked while the current bucket holds fewer failures than this."""
        return self.guessable.max_failures - self.earlier

    def retry_after(self) -> int:
        """Whole seconds until the subject is under the limit again (0: it is now), if it fails no more."""
        remaining = self.total
        if remaining < self.guessable.max_failures:
            return 0
        for start in reversed(counting_buckets(self.now)):  # oldest first: the order they stop counting
            remaining -= self.counts.get(start, 0)
            if remaining < self.guessable.max_failures:
                return max(1, math.ceil(stops_counting(start) - self.now))
        raise AssertionError("unreachable: the current bucket stops counting last")

    def with_current(self, count: int) -> Failures:
        """The same subject, had its current bucket held `count`."""
        return replace(self, counts={**self.counts, bucket_start(self.now): count})


def keys(guessable: Guessable, subject: str, now: float) -> list[Key]:
    """The keys of the buckets that count at `now`, newest first (to read with the attempt)."""
    return [guesses_key(guessable.kind, subject, start) for start in counting_buckets(now)]


def from_items(guessable: Guessable, subject: str, now: float, items: Sequence[Mapping[str, Any] | None]) -> Failures:
    """The failures in the bucket items read for `keys(guessable, subject, now)` (None: no such bucket)."""
    counts = {
        start: int(item.get(FAILURES, 0)) for start, item in zip(counting_buckets(now), items, strict=True) if item
    }
    return Failures(guessable, subject, now, counts)


def read(guessable: Guessable, subject: str, now: float) -> Failures:
    """The subject's failures, read on their own (one BatchGetItem)."""
    return from_items(guessable, subject, now, table().get_many(keys(guessable, subject, now), consistent=True))


def read_together(
    subjects: Sequence[tuple[Guessable, str]], now: float, *, also: Sequence[Key] = ()
) -> tuple[list[Failures], list[Item | None]]:
    """The failures of each (kind, subject), and the items of `also` (what the attempt needs
    anyway), in one BatchGetItem."""
    wanted = [keys(guessable, subject, now) for guessable, subject in subjects]
    found = table().get_many([*(key for each in wanted for key in each), *also], consistent=True)
    failures, start = [], 0
    for (guessable, subject), each in zip(subjects, wanted, strict=True):
        failures.append(from_items(guessable, subject, now, found[start : start + len(each)]))
        start += len(each)
    return failures, found[start:]


def refuse_if_blocked(failures: Sequence[Failures], message: str, *, before: bool = False) -> None:
    """TooManyAttempts (429, with the longest wait of them all as Retry-After) if any subject is
    blocked (`before`: was blocked already when its last failure was added)."""
    if any(f.blocked_before if before else f.blocked for f in failures):
        raise TooManyAttempts(message, max(f.retry_after() for f in failures))


def address_subject(email: str) -> str:
    """An account's subject, from the address typed: a hash of it normalised, so an unknown
    address is throttled as a known one, and no address anyone typed is stored."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def record_failure(failures: Failures) -> Failures:
    """Add one failure to the subject's current bucket (one UpdateItem); the failures after it."""
    start = bucket_start(failures.now)
    item = table().update(
        guesses_key(failures.guessable.kind, failures.subject, start),
        set_values=stamped(Entity.GUESSES, subject=failures.subject, expires_at=stops_counting(start)),
        add={FAILURES: 1},
    )
    return failures.with_current(int(item[FAILURES]))


def still_allowed(failures: Failures) -> Action:
    """A transaction condition: the subject's current bucket has not reached the limit meanwhile."""
    return check_action(
        guesses_key(failures.guessable.kind, failures.subject, bucket_start(failures.now)),
        Condition(
            "attribute_not_exists(pk) OR #failures < :allowed",
            {"#failures": FAILURES},
            {":allowed": failures.allowed_in_current},
        ),
    )


def refuse_sign_in(failures: list[Failures], what: str) -> NoReturn:
    """A sign-in that failed (`failures`: the account's, then the source's): counted on both,
    measured, logged as `what`; 429 if the source or account was blocked already, else the one
    answer a wrong password and an unknown account share."""
    after = [record_failure(f) for f in failures]
    metrics.add_metric(name=Metric.FAILED_LOGINS, unit=MetricUnit.Count, value=1)
    logger.info(what, extra={"source": failures[1].subject, "recent_failures": after[1].total})
    refuse_if_blocked(after, SIGN_INS_BLOCKED, before=True)
    raise InvalidCredentials(WRONG_SIGN_IN)
