"""A cap on the automatic mails Deskless sends one recipient about one ticket in an hour, so that
a mail loop Deskless cannot recognise (an auto-responder that sets none of the signs
functions/inbound_email/automatic.py reads, answering each notice with a new message) stops after
a few rounds instead of filling two mailboxes, and a burst of updates does not flood a customer.

One item per recipient, ticket and clock hour (MAILCAP#<address hash>#<ticket number> / <hour
start>), counted with a conditional ADD: the count that would pass the cap is refused, so the cap
holds exactly under concurrency, and costs one UpdateItem per mail. The address is stored only as
a hash of it in lower case (deskless.guessing.address_subject), so "Jane@Example.org" and
"jane@example.org" share one count. Windows are clock hours, as deskless.throttle's are: a
recipient may get up to twice the cap across an hour's boundary, never more. The item expires a
few hours after its hour, long enough to look at while investigating a suppressed notice.

A mail the cap refuses is not sent; the caller records the suppression on the ticket's timeline.
"""

from __future__ import annotations

import time

from .data import Condition, ConditionFailed, table
from .guessing import address_subject
from .table import Entity, mail_cap_key, stamped

HOUR = 3600
KEPT_AFTER_HOUR = 2 * HOUR


def allow_automatic(recipient: str, ticket_number: int, cap: int, *, now: float | None = None) -> bool:
    """Count one automatic mail to `recipient` about the ticket in the current hour: True if it
    may be sent, False once `cap` mails were counted this hour (then nothing is counted)."""
    if cap < 1:
        return False
    moment = int(time.time() if now is None else now)
    start = moment - moment % HOUR
    under = Condition("attribute_not_exists(#count) OR #count < :cap", {"#count": "count"}, {":cap": cap})
    try:
        table().update(
            mail_cap_key(address_subject(recipient), ticket_number, start),
            set_values=stamped(Entity.MAIL_CAP, expires_at=start + HOUR + KEPT_AFTER_HOUR),
            add={"count": 1},
            condition=under,
        )
    except ConditionFailed:
        return False
    return True
