"""Counting what code asks of AWS: the tests assert these counts, the benchmark prints them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def count_requests(client: Any) -> Iterator[Counter[str]]:
    """Count the API calls one boto3 client makes in a block, by operation name.

    Hooks botocore's `before-call` event, which fires once per API call (retries included in
    that one call), so the count is what the code asks for, not what the network carried.
    """
    calls: Counter[str] = Counter()
    service = client.meta.service_model.service_id.hyphenize()
    event_name = f"before-call.{service}"

    def record(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client.meta.events.register(event_name, record, unique_id="deskless.count_requests")
    try:
        yield calls
    finally:
        client.meta.events.unregister(event_name, unique_id="deskless.count_requests")
