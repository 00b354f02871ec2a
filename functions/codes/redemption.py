"""Redeeming a code: a customer types it (or opens its join link) and a support session with
the code's technician begins. A code is used at most once; any code that cannot be used gets
the same answer, and failures are counted per source (deskless.guessing). A code is redeemed on
its own portal's host only: another portal's, the console's or the distribution's own host
answers as for a code that does not exist.

Two requests either way: one BatchGetItem reads the code with the source's failure buckets;
then one TransactWriteItems consumes the code and starts the session, or one UpdateItem counts
the failure. (A code used by someone else between the two costs a third: the failure count.)

The code's portal was active when the code was made; a portal deactivated since gets no new
codes, and the codes already given out stay usable until they are used, cancelled or expire
(checking the portal here would put one item in every redemption on that portal: a hot item
that concurrent transactions would conflict on).
"""

from __future__ import annotations

import random
import time
from typing import Any, NoReturn

from aws_lambda_powertools.metrics import MetricUnit

from deskless import guessing
from deskless.data import NEW_ITEM, Condition, TransactionCanceled, put_action, table
from deskless.edge import portal_label
from deskless.errors import CodeInvalid, TooManyAttempts, TryAgain
from deskless.observability import Metric, logger, metrics
from deskless.sessions import SessionEntry, new_session, session_entry
from deskless.settings import get_settings
from deskless.table import code_key

from .codes import Code, release_actions

CONFLICT_ATTEMPTS = 3
CODE_GUESSES = guessing.Guessable("code", max_failures=10)  # per source, in ten minutes
INVALID = "This code is not valid. Check the digits, or ask your technician for a new code."
BLOCKED = "Too many codes that were not valid came from your network. Please wait before you try again."


def redeem(digits: str, visitor_name: str, *, source: str, host: str, now: float | None = None) -> SessionEntry:
    """Start a session from a code typed on the portal at `host` by a customer at `source`."""
    now = time.time() if now is None else now
    found = table().get_many([code_key(digits), *guessing.keys(CODE_GUESSES, source, now)], consistent=True)
    failures = guessing.from_items(CODE_GUESSES, source, now, found[1:])
    if failures.blocked:
        raise TooManyAttempts(BLOCKED, failures.retry_after())
    label = portal_label(host, get_settings().support_domain)
    code = Code.model_validate(found[0]) if found[0] is not None else None
    if code is None or label != code.subdomain:
        _failed(failures, "unknown, expired, used, or not this host's portal")

    session, session_item = new_session(
        technician_id=code.technician_id,
        technician_name=code.technician_name,
        visitor_name=visitor_name,
        origin="code",
        origin_ref=code.code,
        origin_name=code.name,
        company_id=code.company_id,
        now=now,
    )
    entry = session_entry(session)  # before the code is spent: a failure here leaves it usable
    _consume(code, session_item, failures)
    logger.info("code redeemed", extra={"session_id": session.id, "technician_id": code.technician_id})
    return entry


def _consume(code: Code, session_item: dict[str, Any], failures: guessing.Failures) -> None:
    """Spend the code and start the session, in one transaction, if the code is still live and the
    source still under the limit. A transaction that only met another one (TransactionConflict:
    the same source or code in flight) changed nothing and is sent again."""
    unexpired = Condition("#expires_at > :now", {"#expires_at": "expires_at"}, {":now": int(failures.now)})
    actions = [
        *release_actions(code, unexpired),
        put_action(session_item, NEW_ITEM),
        guessing.still_allowed(failures),
    ]
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            table().transact(actions)
            return
        except TransactionCanceled as canceled:
            reasons = canceled.reasons
        if reasons[-1] == "ConditionalCheckFailed":  # the source reached the limit while this request ran
            raise TooManyAttempts(BLOCKED, failures.with_current(failures.allowed_in_current).retry_after())
        if "ConditionalCheckFailed" in reasons:
            _failed(failures, "used, cancelled or expired meanwhile")
        if any(reason not in ("None", "TransactionConflict") for reason in reasons):
            raise TransactionCanceled(reasons)
        time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311  # jitter, not a secret
    raise TryAgain("Many people are joining at once; please try again.")


def _failed(failures: guessing.Failures, why: str) -> NoReturn:
    """Count a failed redemption (for the source, and in total) and refuse it."""
    after = guessing.record_failure(failures)
    metrics.add_metric(name=Metric.FAILED_CODE_REDEMPTIONS, unit=MetricUnit.Count, value=1)
    logger.info("code refused", extra={"source": failures.subject, "reason": why, "recent_failures": after.total})
    if after.blocked_before:
        raise TooManyAttempts(BLOCKED, after.retry_after())
    raise CodeInvalid(INVALID)
