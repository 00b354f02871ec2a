"""The knowledge index follows the articles through the table's stream (functions/events/knowledge.py):
a published article is found, by readers as they may read it and by staff in every state; a change
and a deletion are followed; a batch of changes is one new generation of the index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deskless.data import table
from deskless.knowledge_index import Staff
from deskless.table import article_variant_key
from local.streams import StreamPoller
from tests.conftest import LocalAws
from tests.helpers import ADMIN, TECHNICIAN, add_staff, current, invoke, ok
from tests.integration.test_articles import KnowledgeApi
from tests.integration.test_events_sessions import record

ACME = "0123456789abcdef"


@pytest.fixture
def api(aws: LocalAws) -> Iterator[KnowledgeApi]:
    add_staff(TECHNICIAN, ADMIN)
    current("deskless.search_index").forget_opened()
    yield KnowledgeApi(aws)
    current("deskless.search_index").forget_opened()


def found(text: str, audience: Any, language: str = "en") -> list[tuple[str, str]]:
    """What a search finds now (the readers' cache forgotten: a new look at the pointer)."""
    index = current("deskless.search_index")
    index.forget_opened()
    return [(hit.article_id, hit.language) for hit in index.find(text, language=language, audience=audience)]


def reader(*, signed_in: bool = True, company_id: str | None = None) -> Any:
    return current("deskless.readers").Reader(signed_in=signed_in, company_id=company_id)


def generation() -> int:
    pointer = current("deskless.search_index")._pointer(consistent=True)
    return 0 if pointer is None else int(pointer.number)


def test_a_published_article_is_found_as_it_may_be_read_and_a_draft_only_by_staff(
    api: KnowledgeApi, stream: StreamPoller
) -> None:
    category = api.category()["id"]
    printing = api.article(
        category,
        variants={
            "en": {"title": "Printing from a laptop", "body": "Choose **Print** in the menu.", "state": "published"},
            "cs": {"title": "Tisk z notebooku", "body": "Zvolte Tisk v nabídce."},
        },
    )
    secret = api.article(
        category,
        visibility="customers",
        companies=[ACME],
        variants={"en": {"title": "Printing at Acme's office", "body": "Badge first.", "state": "published"}},
    )
    before = generation()

    stream.poll_once()

    assert generation() == before + 1  # the batch's changes are one generation
    signed_out = reader(signed_in=False)
    assert found("printing", signed_out) == [(printing["id"], "en")]
    assert sorted(found("printing", reader(company_id=ACME))) == sorted([(printing["id"], "en"), (secret["id"], "en")])
    assert found("tisk", signed_out, "cs") == []  # the Czech is a draft
    assert (printing["id"], "cs") in found("tisk", Staff(), "cs")  # the Czech draft, for staff only
    assert (printing["id"], "cs") not in found("tisk", reader(company_id=ACME), "cs")


def test_a_change_and_a_deletion_are_followed(api: KnowledgeApi, stream: StreamPoller) -> None:
    category = api.category()["id"]
    article = api.article(category)
    stream.poll_once()
    assert found("laptop", reader(signed_in=False)) == [(article["id"], "en")]

    changed = ok(
        api.call(
            f"PATCH /api/articles/{article['id']}",
            body={
                "revision": article["revision"],
                "variants": {"en": {"title": "Scanning a document", "body": "Use the scanner.", "state": "published"}},
            },
        )
    )
    stream.poll_once()
    assert found("laptop", reader(signed_in=False)) == []
    assert found("scanning", reader(signed_in=False)) == [(article["id"], "en")]

    api.call(f"DELETE /api/articles/{article['id']}", query={"revision": str(changed["revision"])})
    stream.poll_once()
    assert found("scanning", Staff()) == []


def test_a_batch_whose_publish_fails_fails_whole_and_is_indexed_when_it_comes_again(
    api: KnowledgeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = api.article(api.category()["id"])
    variant = table().get(article_variant_key(article["id"], "en"))
    assert variant is not None
    batch = {"Records": [record("INSERT", variant)]}
    search_index = current("deskless.search_index")
    publish = search_index.publish

    def unreachable(*_: Any) -> Any:
        raise ConnectionError("S3 is unreachable")

    monkeypatch.setattr(search_index, "publish", unreachable)
    with pytest.raises(ConnectionError):
        invoke("events", batch)  # Lambda delivers the whole batch again
    monkeypatch.setattr(search_index, "publish", publish)
    assert invoke("events", batch) == {"batchItemFailures": []}
    assert found("laptop", reader(signed_in=False)) == [(article["id"], "en")]


def test_a_lost_index_finds_nothing_instead_of_failing_and_the_next_change_builds_it_again(
    api: KnowledgeApi, stream: StreamPoller
) -> None:
    category = api.category()["id"]
    first = api.article(category)
    stream.poll_once()
    # Given the current generation's object deleted from the bucket (by hand, say)
    lost = current("deskless.search_index")._pointer(consistent=True)
    s3 = current("deskless.aws").client("s3")
    s3.delete_object(Bucket=current("deskless.settings").get_settings().search_index_bucket, Key=lost.object_key)

    # Then a reader's search finds nothing, and does not fail
    assert found("laptop", Staff()) == []

    # When the next article is saved, the events function builds the index again from every article
    second = api.article(
        category, variants={"en": {"title": "Scanning a document", "body": "Scan.", "state": "published"}}
    )
    stream.poll_once()

    assert found("laptop", reader(signed_in=False)) == [(first["id"], "en")]
    assert found("scanning", reader(signed_in=False)) == [(second["id"], "en")]
    assert generation() == lost.number + 1
