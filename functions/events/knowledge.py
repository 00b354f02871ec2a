"""The knowledge base's search index follows the articles: each batch of the stream's article
variant records (written or removed) becomes one new generation of the index
(deskless.search_index.publish), so a publish is searchable within seconds and a batch of many
changes costs one upload, not one per change.

Within a batch the last record of each variant wins, as it is the latest. A variant that is
written is put in the index whatever its state (staff search drafts too; readers' searches filter
on the state), and one that is removed (its article deleted) is taken out. Publishing the same
versions again changes nothing a search returns, so a redelivered batch is harmless.

If the current generation's object is gone from the bucket (deleted by hand, a restored bucket),
nothing can be applied to it: the index is built again from every article (one Query per
article), which takes this batch's changes in too.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from deskless import search_index
from deskless.articles import every_search_document, search_document
from deskless.knowledge_index import IndexedArticle
from deskless.observability import logger
from deskless.streams import new_image, old_image
from deskless.table import TYPE_ATTRIBUTE, Entity


def index_articles(records: list[DynamoDBRecord]) -> None:
    written: dict[tuple[str, str], IndexedArticle] = {}
    removed: set[tuple[str, str]] = set()
    for record in records:
        if record.raw_event.get("eventName") == "REMOVE":
            gone = old_image(record)
            if gone.get(TYPE_ATTRIBUTE) == Entity.ARTICLE_VARIANT.value:
                key = (str(gone["article_id"]), str(gone["language"]))
                written.pop(key, None)
                removed.add(key)
        elif (document := search_document(new_image(record))) is not None:
            written[document.key] = document
            removed.discard(document.key)
    if written or removed:
        try:
            generation = search_index.publish(written.values(), removed)
        except search_index.GenerationLost as lost:
            logger.error("knowledge index lost: building it again from every article", extra={"object": str(lost)})
            generation = search_index.rebuild(every_search_document())
        logger.info(
            "knowledge index published",
            extra={"generation": generation.number, "written": len(written), "removed": len(removed)},
        )
