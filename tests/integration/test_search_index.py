"""The knowledge index in moto's S3 with its pointer in the table (deskless.search_index): a published
change reaches readers once their check interval has passed (the clock is driven, nothing sleeps),
concurrent publishes all land, and what each costs in requests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

from deskless.knowledge_index import Staff, search
from deskless.readers import SIGNED_OUT
from local.metering import count_requests
from tests.conftest import LocalAws
from tests.helpers import current
from tests.unit.test_knowledge_index import article

T = TypeVar("T")

ARTICLE = article("vpn", "Connect to the VPN", "Open the VPN client and sign in.")
PRINTER = replace(ARTICLE, article_id="printer", title="Printer offline", body="Switch the printer off and on.")
TONER = replace(ARTICLE, article_id="toner", title="Toner empty", body="Order toner from the portal.")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock deskless.search_index reads (the interval between its looks at the pointer)."""
    import time

    driven = Clock()
    monkeypatch.setattr(
        current("deskless.search_index"), "time", SimpleNamespace(monotonic=driven.monotonic, time=time.time)
    )
    return driven


def module() -> Any:
    return current("deskless.search_index")


def found(text: str) -> list[str]:
    return [hit.article_id for hit in search(module().current(), text, language="en", audience=SIGNED_OUT)]


def elsewhere(call: Callable[[], T]) -> T:
    """Run a call as another process would (the events function publishing): with nothing opened
    here, and leaving this process's opened generation as it was."""
    index_module = module()
    held = index_module._opened
    index_module._opened = None
    try:
        return call()
    finally:
        index_module.forget_opened()
        index_module._opened = held


@contextmanager
def requests() -> Iterator[tuple[Counter[str], Counter[str]]]:
    """DynamoDB's and S3's requests in a block."""
    aws_module = current("deskless.aws")
    with count_requests(aws_module.client("dynamodb")) as dynamodb, count_requests(aws_module.client("s3")) as s3:
        yield dynamodb, s3


def stored_objects(aws: LocalAws) -> dict[str, dict[str, str]]:
    """Each stored generation's key and its tags."""
    s3 = aws.client("s3")
    bucket = aws.names.search_index_bucket
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: {
            tag["Key"]: tag["Value"] for tag in s3.get_object_tagging(Bucket=bucket, Key=item["Key"])["TagSet"]
        }
        for item in listed
    }


def test_before_anything_is_published_readers_search_an_empty_index(clock: Clock) -> None:
    with requests() as (dynamodb, s3):
        assert found("vpn") == []

    assert dynamodb == {"GetItem": 1}
    assert s3 == {}


def test_a_published_change_reaches_a_reader_after_the_check_interval(clock: Clock) -> None:
    elsewhere(lambda: module().publish([ARTICLE], []))
    assert found("vpn") == ["vpn"]

    # When another change is published
    elsewhere(lambda: module().publish([PRINTER], []))

    # Then within the interval the reader asks nothing and still has what it opened
    clock.now += 1.9
    with requests() as (dynamodb, s3):
        assert found("printer") == []
    assert (dynamodb, s3) == ({}, {})

    # After it, one GetItem finds the new generation, which is downloaded once
    clock.now += 0.1
    with requests() as (dynamodb, s3):
        assert found("printer") == ["printer"]
    assert dynamodb == {"GetItem": 1}
    assert s3 == {"GetObject": 1}

    # And when nothing changed, a look at the pointer is all it costs
    clock.now += 2.0
    with requests() as (dynamodb, s3):
        assert found("vpn") == ["vpn"]
    assert dynamodb == {"GetItem": 1}
    assert s3 == {}


def test_publishing_costs_one_get_and_one_conditional_update(clock: Clock, aws: LocalAws) -> None:
    first = module().publish([ARTICLE], [])

    with requests() as (dynamodb, s3):
        second = module().publish([PRINTER], [("vpn", "en")])

    assert dynamodb == {"GetItem": 1, "UpdateItem": 1}
    assert s3 == {"PutObject": 1, "PutObjectTagging": 1}  # this process held generation 1: nothing to download
    assert (first.number, second.number) == (1, 2)
    assert stored_objects(aws) == {first.object_key: {"generation": "superseded"}, second.object_key: {}}
    assert found("printer") == ["printer"]
    assert found("vpn") == []  # deleted


def test_a_writer_that_does_not_hold_the_generation_downloads_it(clock: Clock) -> None:
    module().publish([ARTICLE], [])
    module().forget_opened()

    with requests() as (dynamodb, s3):
        module().publish([PRINTER], [])

    assert dynamodb == {"GetItem": 1, "UpdateItem": 1}
    assert s3 == {"GetObject": 1, "PutObject": 1, "PutObjectTagging": 1}
    assert sorted(found("vpn printer")) == ["printer", "vpn"]


def test_concurrent_publishes_both_land(clock: Clock, aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two writers that both read generation 1 before either writes
    module().publish([ARTICLE], [])
    read_pointer = module()._pointer
    both_read = threading.Barrier(2)
    first_read = threading.local()

    def pointer_read_together(*, consistent: bool) -> Any:
        pointer = read_pointer(consistent=consistent)
        if not getattr(first_read, "done", False):
            first_read.done = True
            both_read.wait(timeout=30)
        return pointer

    monkeypatch.setattr(module(), "_pointer", pointer_read_together)
    made: list[Any] = []
    writers = [
        threading.Thread(target=lambda article=article: made.append(module().publish([article], [])))
        for article in (PRINTER, TONER)
    ]

    # When both publish
    with requests() as (dynamodb, _):
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=60)

    # Then one won the race, the other published again on top of it: nothing is lost
    assert sorted(generation.number for generation in made) == [2, 3]
    assert dynamodb["UpdateItem"] == 3  # two tries at generation 2, one at 3
    monkeypatch.setattr(module(), "_pointer", read_pointer)
    module().forget_opened()
    assert sorted(
        hit.article_id for hit in search(module().current(), "vpn printer toner", language="en", audience=Staff())
    ) == ["printer", "toner", "vpn"]
    # and the loser's upload was deleted; the two generations before the last are superseded
    objects = stored_objects(aws)
    assert len(objects) == 3
    assert sorted(tags.get("generation", "current") for tags in objects.values()) == [
        "current",
        "superseded",
        "superseded",
    ]


def test_a_rebuild_replaces_everything(clock: Clock) -> None:
    module().publish([ARTICLE, PRINTER], [])

    generation = module().rebuild([TONER])

    assert generation.number == 2
    assert found("vpn printer toner") == ["toner"]
