"""Guessing protection, the arithmetic (deskless.guessing): failures per subject in one-minute
buckets; a subject with its kind's number of failures in the last ten minutes is blocked, and
told when it may try again. Ten, as for session codes from one source, in these examples."""

from __future__ import annotations

import pytest

from deskless import guessing
from deskless.errors import TooManyAttempts
from deskless.guessing import Failures, Guessable, bucket_start, counting_buckets, from_items, stops_counting
from functions.auth.login import ACCOUNT_GUESSES, SOURCE_GUESSES
from functions.codes.redemption import CODE_GUESSES

TEN = Guessable("example", max_failures=10)
SOURCE = "203.0.113.66"

T = 1_800_000_000  # a minute boundary: 1_800_000_000 = 30_000_000 * 60
assert T % 60 == 0


def failures(now: float, **ago: int) -> Failures:
    """Failures in the buckets that started `m<minutes>` before the minute of `now`: failures(now, m0=3, m5=2)."""
    return Failures(TEN, SOURCE, now, {bucket_start(now) - int(key[1:]) * 60: count for key, count in ago.items()})


def test_the_buckets_that_count_are_the_current_minute_and_the_ten_before() -> None:
    buckets = counting_buckets(T + 42)

    assert buckets[0] == T
    assert buckets[-1] == T - 600
    assert len(buckets) == 11
    assert stops_counting(T) == T + 660


def test_nine_failures_leave_the_source_free() -> None:
    seen = failures(T + 30, m0=9)

    assert not seen.blocked
    assert seen.retry_after() == 0


def test_ten_failures_in_one_minute_block_the_source_until_they_stop_counting() -> None:
    seen = failures(T + 30, m0=10)

    assert seen.blocked
    assert seen.retry_after() == 660 - 30  # the whole bucket counts for ten minutes after it ends


def test_ten_failures_spread_over_ten_minutes_block_the_source_until_the_oldest_stops_counting() -> None:
    seen = failures(T + 30, **{f"m{n}": 1 for n in range(10)})

    assert seen.blocked
    # the oldest (nine minutes ago) stops counting at its start + 11 minutes: 2 minutes from the minute's start
    assert seen.retry_after() == (T - 9 * 60 + 660) - (T + 30)


def test_failures_straddling_a_minute_boundary_still_add_up() -> None:
    seen = Failures(TEN, SOURCE, T + 1, {T - 60: 5, T: 5})

    assert seen.blocked


def test_failures_eleven_minutes_ago_no_longer_count() -> None:
    seen = failures(T + 30, m11=50, m0=9)

    assert not seen.blocked
    assert seen.total == 9


def test_failures_ten_minutes_ago_still_count() -> None:
    assert failures(T + 59, m10=10).blocked


def test_retry_after_is_when_enough_old_failures_drop_out_not_all_of_them() -> None:
    # 4 failures eight minutes ago, 8 now: when the 4 stop counting, 8 remain, which is under the limit
    seen = failures(T + 10, m8=4, m0=8)

    assert seen.retry_after() == (T - 8 * 60 + 660) - (T + 10)


def test_after_retry_after_the_source_is_free_and_not_a_second_before() -> None:
    seen = failures(T + 17, m3=6, m1=3, m0=2)
    wait = seen.retry_after()

    later = Failures(TEN, SOURCE, T + 17 + wait, seen.counts)
    just_before = Failures(TEN, SOURCE, T + 17 + wait - 1, seen.counts)
    assert not later.blocked
    assert just_before.blocked


def test_retry_after_is_at_least_one_second() -> None:
    seen = failures(T + 59.9, m10=10)

    assert seen.retry_after() == 1


@pytest.mark.parametrize(("earlier", "allowed"), [(0, 10), (4, 6), (9, 1)])
def test_the_current_bucket_may_grow_to_the_limit_less_the_earlier_failures(earlier: int, allowed: int) -> None:
    seen = failures(T + 30, m3=earlier)

    assert seen.allowed_in_current == allowed
    assert not seen.with_current(allowed - 1).blocked
    assert seen.with_current(allowed).blocked


def test_bucket_items_are_read_in_the_order_of_their_keys() -> None:
    items: list[dict[str, int] | None] = [None] * 11
    items[0] = {"failures": 3}
    items[10] = {"failures": 4}

    seen = from_items(TEN, SOURCE, T + 5, items)

    assert seen.counts == {T: 3, T - 600: 4}
    assert seen.total == 7


def test_a_failure_recorded_past_the_limit_knows_the_subject_was_blocked_already() -> None:
    assert not failures(T + 30, m0=10).blocked_before  # the tenth failure is the one that blocks
    assert failures(T + 30, m0=11).blocked_before


def test_what_each_kind_of_guess_may_fail() -> None:
    # A session code: ten per source; a staff sign-in: ten per account, thirty per source (an office)
    assert CODE_GUESSES.max_failures == 10
    assert (ACCOUNT_GUESSES.max_failures, SOURCE_GUESSES.max_failures) == (10, 30)
    assert len({CODE_GUESSES.kind, ACCOUNT_GUESSES.kind, SOURCE_GUESSES.kind}) == 3


def test_an_accounts_subject_is_the_same_however_the_address_is_typed_and_holds_no_address() -> None:
    subject = guessing.address_subject("Carla@Acme.example.com ")

    assert subject == guessing.address_subject("carla@acme.example.com")
    assert subject != guessing.address_subject("carla@acme.example.org")
    assert "carla" not in subject
    assert len(subject) == 32


def test_a_refusal_waits_for_the_longest_blocked_subject() -> None:
    now = T + 30
    account = Failures(Guessable("account", max_failures=2), "a", now, {bucket_start(now) - 60: 2})
    source = Failures(Guessable("source", max_failures=5), "s", now, {bucket_start(now) - 60: 2})

    with pytest.raises(TooManyAttempts) as refused:
        guessing.refuse_if_blocked([account, source], "Wait.")
    guessing.refuse_if_blocked([source], "Wait.")  # a subject under its limit passes

    assert refused.value.retry_after == account.retry_after() > 0
