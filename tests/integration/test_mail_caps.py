"""The cap on automatic mails to one recipient about one ticket in an hour, against moto
(deskless.mail_caps): exact at the cap, per recipient and per ticket, new each hour, one request."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deskless.data import table
from deskless.guessing import address_subject
from deskless.table import mail_cap_key
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import current

HOUR_START = int(time.time()) // 3600 * 3600  # this hour: reads treat an expired item as gone
NOW = HOUR_START + 17 * 60  # every count below names its moment


def allow(recipient: str, ticket: int, cap: int, *, now: float = NOW) -> bool:
    allowed: bool = current("deskless.mail_caps").allow_automatic(recipient, ticket, cap, now=now)
    return allowed


def dynamodb_requests() -> Any:
    return count_requests(current("deskless.aws").client("dynamodb"))


def test_the_cap_is_reached_exactly_at_the_cap_plus_one(aws: LocalAws) -> None:
    # Given a cap of 3 automatic mails an hour
    sent = [allow("jane.doe@acme.example", 1001, 3) for _ in range(3)]
    # When a fourth and a fifth are asked for in the same hour
    refused = [allow("jane.doe@acme.example", 1001, 3) for _ in range(2)]
    # Then the first three may be sent, and the rest not, and the count stopped at the cap
    assert sent == [True, True, True]
    assert refused == [False, False]
    item = table().get(mail_cap_key(address_subject("jane.doe@acme.example"), 1001, HOUR_START))
    assert item is not None
    assert item["count"] == 3
    assert item["type"] == "mail_cap"
    assert item["expires_at"] > HOUR_START + 3600


def test_the_recipient_is_counted_in_any_case(aws: LocalAws) -> None:
    assert allow("Jane.Doe@Acme.example", 1001, 2)
    assert allow(" jane.doe@acme.EXAMPLE ", 1001, 2)
    assert not allow("jane.doe@acme.example", 1001, 2)


def test_other_tickets_and_other_recipients_have_their_own_counts(aws: LocalAws) -> None:
    # Given Jane at the cap for ticket 1001
    assert allow("jane.doe@acme.example", 1001, 1)
    assert not allow("jane.doe@acme.example", 1001, 1)
    # Then ticket 1002 still mails Jane, and ticket 1001 still mails a CC
    assert allow("jane.doe@acme.example", 1002, 1)
    assert allow("carl.cc@acme.example", 1001, 1)


def test_a_new_hour_starts_a_new_count(aws: LocalAws) -> None:
    assert allow("jane.doe@acme.example", 1001, 1, now=HOUR_START + 3599)
    assert not allow("jane.doe@acme.example", 1001, 1, now=HOUR_START + 3599)
    assert allow("jane.doe@acme.example", 1001, 1, now=HOUR_START + 3600)


def test_a_call_is_one_update_item_allowed_or_not(aws: LocalAws) -> None:
    with dynamodb_requests() as allowed:
        assert allow("jane.doe@acme.example", 1001, 1)
    with dynamodb_requests() as refused:
        assert not allow("jane.doe@acme.example", 1001, 1)
    assert allowed == {"UpdateItem": 1}
    assert refused == {"UpdateItem": 1}


def test_no_cap_allows_nothing_and_asks_nothing(aws: LocalAws) -> None:
    with dynamodb_requests() as calls:
        assert not allow("jane.doe@acme.example", 1001, 0)
    assert calls == {}


def test_concurrent_mails_pass_the_cap_no_more(aws: LocalAws) -> None:
    # When ten notices for one recipient and ticket are counted at once with a cap of 4
    def one(_: int) -> bool:
        return allow("jane.doe@acme.example", 1001, 4)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(one, range(10)))
    # Then exactly four may be sent
    assert answers.count(True) == 4
