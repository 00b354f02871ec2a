"""TransactWriteItems in local mode at the cost of the items it touches: a rollback journal in place
of moto's whole-table copy.

Written against moto 5.2.5 (pinned in pyproject.toml). Its DynamoDBBackend.transact_write_items
(moto/dynamodb/models/__init__.py) deep-copies every table a transaction names, applies the
operations one by one through the backend's own put_item, delete_item and update_item (each
appending its record to the table's StreamShard), and when the transaction is canceled puts the
copies in place of the tables. So every transaction, canceled or not, costs time in proportion to
all the table holds (about 330 ms at 2,000 items), and the copy put in place brings a copy of the
stream shard, which orphans the shard iterators handed out before.

With the journal, moto's transact_write_items still runs, unchanged, with one difference: the
"copy" it makes of a table is the table itself (`_CopyModuleSparingTables`), so putting it back is
a no-op. Before it runs, the journal remembers what the transaction can change: for each item
it names, the partition holding it (the item deep-copied, or its absence) and how many records
each table's stream holds. If moto raises (a cancellation, with moto's CancellationReasons, or a
request it refuses part way), the journal puts the partitions back as they were, in the same
order, and drops the stream records the transaction appended. moto computes GSIs from the items
at each query, so they follow. A successful transaction keeps moto's writes and stream records.

Switched per process (moto's backends are module-level, and the patch is on their class), by
local.moto_app.moto_app: "journal" by default, "copy" for moto's own behaviour
(`deskless dev --moto as-is`, which the codes benchmark runs for comparison).
tests/integration/test_moto_transactions.py runs the same transactions both ways and fails if
the results differ, or if moto's copy is no longer the one spared here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import moto.dynamodb.models as moto_dynamodb
from moto.dynamodb.exceptions import ResourceNotFoundException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamShard, Table

Mode = Literal["journal", "copy"]
MODES: tuple[Mode, ...] = ("journal", "copy")

_MOTO_TRANSACT_WRITE_ITEMS = DynamoDBBackend.transact_write_items
_journaling: ContextVar[bool] = ContextVar("deskless_moto_journaling", default=False)


class _CopyModuleSparingTables:
    """Stands in for the `copy` module inside moto.dynamodb.models, whose one deep copy of a Table
    is transact_write_items' backup: while a journaled transaction runs (in this thread), that
    copy is the table itself. Every other copy is made as before."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table) and _journaling.get():
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


@dataclass
class _Journal:
    """What one transaction can change, as it was before: partitions (a dict of a table's items:
    the table's own for a table without a sort key, else one partition key's) and stream lengths."""

    partitions: dict[int, tuple[dict[Any, Any], dict[Any, Any]]] = field(default_factory=dict)  # id: (dict, before)
    new_partitions: list[tuple[dict[Any, Any], DynamoType]] = field(default_factory=list)  # (table.items, key)
    streams: dict[int, tuple[StreamShard, int]] = field(default_factory=dict)  # id: (shard, records before)

    def remember(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
        shard = table.stream_shard
        if shard is not None:
            self.streams.setdefault(id(shard), (shard, len(shard.items)))
        partition: dict[Any, Any]
        entry: DynamoType | None
        if table.range_key_attr is None:
            partition, entry = table.items, hash_key
        elif hash_key in table.items:
            partition, entry = table.items[hash_key], range_key
        else:
            self.new_partitions.append((table.items, hash_key))
            return
        _, before = self.partitions.setdefault(id(partition), (partition, dict(partition)))
        if entry in before:
            before[entry] = copy.deepcopy(before[entry])  # moto's update_item changes the stored item in place

    def roll_back(self) -> None:
        for partition, before in self.partitions.values():
            partition.clear()
            partition.update(before)
        for items, hash_key in self.new_partitions:
            items.pop(hash_key, None)
        for shard, length in self.streams.values():
            del shard.items[length:]


def _journal(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Journal:
    journal = _Journal()
    for entry in transact_items:
        for kind, operation in entry.items():  # moto refuses an entry with two; both are remembered
            located = _located(backend, kind, operation)
            if located is not None:
                journal.remember(*located)
    return journal


def _located(backend: DynamoDBBackend, kind: str, operation: Any) -> tuple[Table, DynamoType, DynamoType | None] | None:
    """The table and key an operation names, read as moto reads them; None where moto fails the
    operation before it writes anything (no such table, a key attribute missing or malformed)."""
    try:
        table = backend.get_table(operation["TableName"])
        key: Mapping[str, Any] = operation["Item"] if kind == "Put" else operation["Key"]
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
    except (ResourceNotFoundException, KeyError, IndexError, TypeError, AttributeError):
        return None
    return table, hash_key, range_key


def _journaled_transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's transact_write_items, with the journal in place of its table copies."""
    journal = _journal(backend, transact_items)
    journaling = _journaling.set(True)
    try:
        _MOTO_TRANSACT_WRITE_ITEMS(backend, transact_items)
    except BaseException:
        journal.roll_back()
        raise
    finally:
        _journaling.reset(journaling)


def use(mode: Mode) -> None:
    """Make TransactWriteItems roll back by `mode` in this process's moto: "journal" or "copy"
    (moto's own)."""
    journal = mode == "journal"
    moto_dynamodb.copy = _CopyModuleSparingTables() if journal else copy  # type: ignore[attr-defined,assignment]
    method = _journaled_transact_write_items if journal else _MOTO_TRANSACT_WRITE_ITEMS
    DynamoDBBackend.transact_write_items = method  # type: ignore[method-assign,assignment]
