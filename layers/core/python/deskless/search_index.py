"""The knowledge index kept in S3, one object per generation, and the table's pointer item (entity
`search_index`, owned here) naming the current one. No search cluster: a function that searches
downloads the current generation once and searches it in its own memory and /tmp.

Writers (`publish`, `rebuild`) use optimistic concurrency: read the pointer (generation g), make
generation g+1 from g (or from nothing), upload it as an object of its own, then move the pointer
from g to g+1 with a conditional update. If another writer moved it first, the upload is deleted
and the writer starts again from the new generation (PUBLISH_ATTEMPTS in all), so no change is
lost. The generation that stopped being current is tagged superseded (SEARCH_INDEX_SUPERSEDED_TAG):
the bucket's lifecycle rule deletes it a day later, long after any reader finished downloading it.

Readers (`current`) keep the generation they opened and ask the pointer again at most every
`search_index_check_seconds` (a setting, 2 s by default): between checks a search costs no request,
after one a GetItem, and a download only when the generation changed. So a published change is
searchable in the time of the publish itself plus at most that interval.

Requests: `publish` uncontended costs one GetItem and one UpdateItem (S3: a GetObject unless this
process holds generation g already, a PutObject and a PutObjectTagging); `current` costs nothing
within the interval and one GetItem after it.
"""

from __future__ import annotations

import io
import secrets
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .aws import client
from .catalog import SEARCH_INDEX_SUPERSEDED_TAG
from .data import Condition, ConditionFailed, table
from .errors import SearchIndexBusy
from .knowledge_index import Audience, Hit, Index, IndexedArticle, apply, build, empty, open_directory, search
from .languages import Language
from .observability import logger
from .settings import get_settings
from .table import Entity, search_index_key, stamped

GENERATIONS_PREFIX = "generations/"


class GenerationLost(LookupError):
    """The pointer names a generation whose object is gone from the bucket (deleted by hand, or a
    bucket restored without it): nothing can be applied to it; the index must be built again."""


PUBLISH_ATTEMPTS = 5


@dataclass(frozen=True)
class Generation:
    number: int
    object_key: str
    size: int  # bytes of the stored object


@dataclass
class _Opened:
    generation: Generation | None  # None: nothing was ever published
    index: Index
    checked_at: float  # time.monotonic() of the last look at the pointer


_opened: _Opened | None = None
_refreshing = threading.Lock()


def current() -> Index:
    """The current generation's index, as this process last saw it (at most the check interval old)."""
    opened = _opened
    if opened is not None and time.monotonic() - opened.checked_at < get_settings().search_index_check_seconds:
        return opened.index
    with _refreshing:  # one look and one download at a time (the local platform runs requests in threads)
        now = time.monotonic()
        opened = _opened
        if opened is not None and now - opened.checked_at < get_settings().search_index_check_seconds:
            return opened.index
        pointed = _pointer(consistent=False)
        if opened is not None and opened.generation == pointed:
            opened.checked_at = now
            return opened.index
        try:
            index = _download(pointed) if pointed is not None else empty()
        except GenerationLost:
            # Searches find nothing rather than fail, until the events function builds it again.
            logger.error("the knowledge index's current generation is lost", extra={"generation": pointed})
            index = empty()
        _keep(_Opened(pointed, index, now))
        return index


def publish(upserts: Iterable[IndexedArticle], deleted_keys: Iterable[tuple[str, str]]) -> Generation:
    """Apply the changes to the current generation and make the result current."""
    changed, deleted = list(upserts), list(deleted_keys)

    def changed_from(base: Generation | None, directory: Path) -> Index:
        index = _copy(base, directory)
        apply(index, changed, deleted)
        return index

    return _write(changed_from)


def rebuild(articles: Iterable[IndexedArticle]) -> Generation:
    """A fresh generation from every article (for the `deskless` command and the benchmark)."""
    everything = list(articles)
    return _write(lambda _base, directory: build(everything, directory))


def forget_opened() -> None:
    """Drop what this process holds (tests; a new local AWS)."""
    global _opened
    if _opened is not None and _opened.index.directory is not None:
        shutil.rmtree(_opened.index.directory, ignore_errors=True)
    _opened = None


# --- writing ----------------------------------------------------------------------------------------


def _write(make: Callable[[Generation | None, Path], Index]) -> Generation:
    for _ in range(PUBLISH_ATTEMPTS):
        base = _pointer(consistent=True)
        directory = _new_directory()
        index = make(base, directory)
        number = base.number + 1 if base is not None else 1
        body = _archive(directory)
        made = Generation(number, f"{GENERATIONS_PREFIX}{number:012d}-{secrets.token_hex(4)}.tar", len(body))
        _s3().put_object(Bucket=_bucket(), Key=made.object_key, Body=body, ContentType="application/x-tar")
        try:
            _point(base, made)
        except ConditionFailed:
            _s3().delete_object(Bucket=_bucket(), Key=made.object_key)
            shutil.rmtree(directory, ignore_errors=True)
            continue
        if base is not None:
            _supersede(base)
        _keep(_Opened(made, index, time.monotonic()))
        return made
    raise SearchIndexBusy(f"the knowledge index changed under {PUBLISH_ATTEMPTS} attempts to publish to it")


def _copy(base: Generation | None, directory: Path) -> Index:
    """Generation `base` in a directory of its own, to change: copied from what this process holds,
    else downloaded."""
    if base is None:
        return empty(directory)
    held = _opened
    if held is not None and held.generation == base and held.index.directory is not None:
        shutil.rmtree(directory)
        shutil.copytree(held.index.directory, directory)
        return open_directory(directory)
    _extract(_get(base), directory)
    return open_directory(directory)


def _point(base: Generation | None, made: Generation) -> None:
    condition = (
        Condition("attribute_not_exists(pk)")
        if base is None
        else Condition("#generation = :base", names={"#generation": "generation"}, values={":base": base.number})
    )
    table().update(
        search_index_key(),
        set_values=stamped(
            Entity.SEARCH_INDEX,
            generation=made.number,
            object_key=made.object_key,
            size=made.size,
            published_at=int(time.time() * 1000),
        ),
        condition=condition,
    )


def _supersede(old: Generation) -> None:
    name, value = SEARCH_INDEX_SUPERSEDED_TAG
    try:
        _s3().put_object_tagging(
            Bucket=_bucket(), Key=old.object_key, Tagging={"TagSet": [{"Key": name, "Value": value}]}
        )
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("NoSuchKey", "404"):
            raise  # a lost generation (replaced by a rebuild) has nothing left to tag


# --- reading ----------------------------------------------------------------------------------------


def _pointer(*, consistent: bool) -> Generation | None:
    item = table().get(search_index_key(), consistent=consistent)
    if item is None:
        return None
    return Generation(int(item["generation"]), str(item["object_key"]), int(item["size"]))


def _download(generation: Generation) -> Index:
    directory = _new_directory()
    _extract(_get(generation), directory)
    return open_directory(directory)


def _get(generation: Generation) -> bytes:
    try:
        return bytes(_s3().get_object(Bucket=_bucket(), Key=generation.object_key)["Body"].read())
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
            raise GenerationLost(generation.object_key) from error
        raise


def _keep(opened: _Opened) -> None:
    """Hold a newly opened generation; the directory of the one before goes (its files are mapped by
    searches that may still run in another thread, which Linux keeps readable until they close)."""
    global _opened
    before, _opened = _opened, opened
    if before is not None and before.index.directory not in (None, opened.index.directory):
        shutil.rmtree(before.index.directory, ignore_errors=True)


# --- the stored object ------------------------------------------------------------------------------


def _archive(directory: Path) -> bytes:
    """The index's files (a lock file tantivy leaves is not part of it) as one tar, uncompressed:
    tantivy's files are compressed or bit-packed already; gzip would save a quarter of the bytes
    and cost more time to pack and unpack than the bytes it saves take to move."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(directory.iterdir()):
            if path.is_file() and not path.name.endswith(".lock"):
                archive.add(path, arcname=path.name)
    return buffer.getvalue()


def _extract(body: bytes, directory: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as archive:
        archive.extractall(directory, filter="data")


def _new_directory() -> Path:
    """A fresh directory under /tmp (Lambda's only writable place)."""
    return Path(tempfile.mkdtemp(prefix="deskless-search-"))


def _bucket() -> str:
    return get_settings().search_index_bucket


def _s3() -> Any:
    return client("s3")


def find(
    text: str, *, language: Language, audience: Audience, limit: int = 5, category_id: str | None = None
) -> list[Hit]:
    """The best articles for a query in the current generation, as the audience may read them."""
    return search(current(), text, language=language, audience=audience, limit=limit, category_id=category_id)
